// Package pebblestore keeps task state in Pebble (github.com/cockroachdb/pebble/v2),
// the store of the live worker. It is the only package that imports Pebble.
//
// # Layout: one Pebble DB per task, a key prefix per store
//
// Open takes a task directory (state.dir/<app>/<task>, as Kafka Streams
// lays it out) and opens one Pebble DB there holding all of the task's
// stores, each under a length-prefixed store-name prefix, plus the task's
// checkpoint. Why:
//
//   - A Commit must cover every store of the task and the checkpoint in one
//     atomic write, and Pebble batches are atomic only within one DB, so a
//     task's stores share a DB.
//   - Tasks do not share one: a task that moves to another worker is
//     dropped by removing its directory (no DeleteRange tombstones and
//     compactions in a shared DB), its LOCK file keeps two owners apart, and
//     one task's restore or compaction debt does not slow its neighbours.
//     The block cache can still be shared between the tasks of a worker
//     (Options.Cache).
//
// The batch, store layouts, changelog and checkpoint are shared with
// memstore (statestore/internal/core); see that package for the keyspace.
// Pending writes live in an in-memory indexed write set that keeps the last
// write per key (like Kafka Streams' record cache), and Commit turns it into
// one Pebble batch that also holds the checkpoint.
//
// # Durability
//
// Options.Sync (default false) fsyncs the WAL on Commit. Without it, a
// process crash loses nothing (the write is in the OS) and a machine crash
// may lose a suffix of commits; because each commit is one atomic batch
// carrying its checkpoint, the DB then recovers to an older but consistent
// checkpoint, and the runtime replays the changelog tail from there, as it
// does after a crash between the Kafka commit and the local write. Set Sync
// to bound that replay after power loss at the cost of an fsync per commit.
package pebblestore
