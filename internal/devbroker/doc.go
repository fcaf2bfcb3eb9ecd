// Package devbroker runs an in-process Kafka-protocol broker (franz-go's
// kfake) for `eventflux broker`, `eventflux dev` and tests: one broker on
// 127.0.0.1, topics created on first use, and, with a data directory,
// topics, offsets, groups and producer ids that survive restarts.
//
// It is a fake that keeps every record in memory (and mirrors it to the data
// directory): for trying things out and for tests, never for production.
package devbroker
