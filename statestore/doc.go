// Package statestore defines the state store interfaces a task's processors
// use. Implementations live in sub-packages: memstore (in memory, used by
// replay, tests and `eventflux test`) and, for the live worker, a Pebble
// store mirrored to a changelog topic.
package statestore
