// Package windows implements the window operators of the EventFlux dialect:
// the Kafka-style event-time windows (tumbling, hopping, session) and the
// Siddhi-style windows (length, lengthBatch, time, timeBatch, externalTime,
// externalTimeBatch, sort, unique, firstUnique, delay, frequent,
// lossyFrequent, expression, cron).
//
// A window is a topology.Processor placed between a query's filter and its
// select stage. It follows the contract documented on topology.EventKind:
// sliding windows forward, per arrival, the events they expire (Expired)
// and then the arriving event (Current); batch windows forward, when a
// batch closes, the previous batch's events as Expired, the closing batch's
// events as Current, then one BatchEnd marker.
//
// All time is event time. Windows that act on the passage of time implement
// topology.Punctuator and react to stream time only, never to a wall
// clock, so a replay of the same input produces the same output as the
// live worker. An expired event is a new Event stamped with the stream time
// at which it expired; forwarded events are never mutated and carry no
// pointer into window state.
//
// Each window keeps its state in a small value-only structure (ring
// buffers of timestamps and value slices, heaps, maps keyed by attribute
// values) and writes it back into its stores (Stores declares them) when
// the task flushes (topology.Flusher); Init restores it, and sliding
// windows replay their contents (topology.Replayer) so the select stage
// after them can rebuild its aggregates. See docs/state.md.
//
// Spec is the plain-data description of a window that the planner builds;
// New turns it into a processor supplier.
package windows
