// Package topology holds the runtime model shared by the compiler and the
// workers: typed values and schemas, the Event that flows between operators,
// the Processor API (process, forward, punctuate, state stores), the graph
// Builder with its Describe output (sub-topologies cut at repartition
// topics included), and the Task that drives one partition's
// processing and stream time.
//
// # State
//
// A Task runs over a statestore.TaskState (TaskOptions.State). Processors
// declare their stores (NodeInfo.Stores, named task-wide by StoreName),
// restore their state from them in Init, and write cached state back on
// Flush (Flusher); Task.Commit flushes and commits the state with the
// stream time. Replayer and Restorer let a processor rebuild state derived
// from its parent's contents. Processors encode values and events with
// AppendValue, AppendEvent and their decoders. See docs/state.md.
//
// Nothing in the hot path allocates a map or uses reflection: an Event is a
// timestamp plus a slice of Values indexed by the attribute positions of its
// Schema, and compiled expressions read those positions directly.
package topology
