// Package topology holds the runtime model shared by the compiler and the
// workers: typed values and schemas, the Event that flows between operators,
// the Processor API (process, forward, punctuate, state stores), the graph
// Builder with its Describe output, and the Task that drives one partition's
// processing and stream time.
//
// Nothing in the hot path allocates a map or uses reflection: an Event is a
// timestamp plus a slice of Values indexed by the attribute positions of its
// Schema, and compiled expressions read those positions directly.
package topology
