// Package statestore defines the state a task's processors keep and the
// transactional unit the runtime commits it in.
//
// A task owns one TaskState. It holds every store of the task — key-value
// stores (KeyValue) and time-ordered window stores (Windowed) — and the
// task's Checkpoint: the changelog offset of each store, the input offset of
// each source partition and the stream time. Implementations live in
// sub-packages: pebblestore (the live worker; one Pebble DB per task
// directory) and memstore (in memory; replay, `eventflux test`, unit tests).
// Both pass the conformance suite in storetest.
//
// # Exactly-once commit protocol
//
// Processors write through the stores into the task's pending batch: an
// indexed write set that reads (Get, Scan, Fetch, Range) merge with the
// committed data, so a processor sees its own writes and its own deletes.
// Nothing reaches the committed data until the runtime says so:
//
//  1. AppendChangelog returns one ChangelogRecord per key written since the
//     last Commit or Abort, carrying the key's final value (nil for a
//     delete). The runtime produces them, with the task's outputs, to the
//     changelog topics inside the Kafka transaction.
//  2. After the Kafka transaction has committed, Commit(cp) applies the
//     batch together with the new checkpoint in one atomic write.
//  3. If the transaction aborts, Abort drops the batch; the runtime resumes
//     from Checkpoint().Inputs.
//
// A crash between 2's Kafka commit and its local write leaves the local state
// at the previous checkpoint while the changelog already holds the
// transaction's records. On open the runtime reads Checkpoint(), consumes
// each store's changelog partition from Checkpoint().Changelog[store] up to
// the last stable offset (read_committed) and feeds the records to
// ApplyChangelog, which writes them and the new changelog offset
// atomically. Applying the same records twice gives the same state.
//
// Closing a TaskState, like a crash, drops the pending batch.
//
// # Offsets
//
// Every offset in a Checkpoint is a position, as Kafka consumer offsets are:
// the offset of the next record to read, that is the last applied offset
// plus one (transaction markers make positions skip; that is fine).
//
// # Changelog record format
//
// See ChangelogRecord and WindowKey.
package statestore
