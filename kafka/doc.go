// Package kafka is EventFlux's only door to Kafka: it wraps sarama behind
// the project's own types (Record, Options, Assignment, Session, Producer,
// Admin) so no other package imports sarama (DESIGN.md principle 3, STYLE
// item 9). An import-rule test in internal/importrules enforces it.
//
// What it provides:
//
//   - Options: brokers, client id, protocol version, TLS, SASL PLAIN and
//     SCRAM-SHA-256/512 (a small SCRAM client of our own, scram.go).
//   - Admin: check that source topics exist and are co-partitioned, create
//     missing sink, internal and dead-letter topics.
//   - Group: a consumer-group member using the task assignor (assignor.go),
//     which gives every member whole partition NUMBERS across co-partitioned
//     topics. On each assignment it fetches committed offsets with
//     RequireStable (KIP-447) before any record is delivered, and exposes
//     the generation as a Session.
//   - Producer: a transactional producer (idempotent, one transactional id,
//     MaxOpenRequests=1, acks=all) with Begin, Send, SendOffsets (always with
//     the live group metadata), Commit and Abort; and an at-least-once
//     variant with the same methods, where Commit flushes and then commits
//     offsets.
//   - Error classes: IsFenced, IsFatal, IsAbortable, IsRetriable, keyed on
//     sarama's transaction state flags rather than on particular error codes,
//     which differ between brokers (see shared/reference, measured notes).
//
// Goroutines: a Group owns sarama's consumer goroutines plus one forwarding
// goroutine per claimed partition; a Producer owns one goroutine draining
// acknowledgements. Close waits for them.
package kafka
