// Package plan binds a parsed script — resolving stream and attribute
// names, types and WITH options — and produces the logical plan: the
// streams of the application and, per query, a tree of scan, filter,
// project and insert steps. Every problem is a positioned diag.Error.
//
// Build also binds PARTITION WITH blocks (PartitionBlock), gives every
// query a stable ID (a hash of its canonical SQL, never a counter), and
// makes each query's partitioning decision (Partitioning): whether its
// state key matches how its input is partitioned, or which repartition
// topic it needs. docs/partitioning.md describes the rules.
//
// Constructs the runtime does not implement yet (windows, aggregation,
// ordering, rate limiting) are rejected here with a positioned "not
// supported yet" error, never accepted and ignored.
package plan
