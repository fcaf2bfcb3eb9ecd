// Package topologytest runs a topology synchronously, without a broker:
// the test driver of STYLE.md item 3, in the spirit of Kafka Streams'
// TopologyTestDriver. Events sent to a Driver are processed before Send
// returns, on the caller's goroutine, through the same topology.Task the
// live worker uses, with in-memory stores and a virtual clock that only
// events and Advance move. Replay, `eventflux test` and unit tests all run
// on it.
package topologytest
