// Package core implements statestore.TaskState once, over a small Backend
// interface that memstore and pebblestore implement. Keeping the batch, the
// store layouts, the changelog and the checkpoint here means both
// implementations have the same semantics by construction; the backends
// only hold committed bytes.
//
// # Keyspace
//
// A task's state is one ordered keyspace:
//
//	0x00 "checkpoint"                          -> Checkpoint.MarshalBinary
//	0x01 uvarint(len name) name 'k' key        -> value            (KeyValue)
//	0x01 uvarint(len name) name 'w' t8 key     -> value            (Windowed, by time)
//	0x01 uvarint(len name) name 'x' uvarint(len key) key t8 -> ""  (Windowed, by key)
//
// t8 is the window start as 8 big-endian bytes with the sign bit flipped,
// so byte order is numeric order. A windowed store keeps the value under
// the time-ordered key (Range and retention scan it directly, point reads
// hit it directly) and a by-key index for Fetch. Store prefixes are the
// length-prefixed name, so no name registry has to be persisted and no name
// is a prefix of another's range.
package core

// Op is one write of an atomic Apply.
type Op struct {
	Key    []byte
	Value  []byte
	Delete bool
}

// Iter iterates committed entries in key order within the bounds it was
// created with. Key and Value are valid until the next call.
type Iter interface {
	First() bool
	Next() bool
	Key() []byte
	Value() []byte
	Close() error
}

// Backend holds a task's committed bytes.
type Backend interface {
	// Get returns the committed value of key. The slice must stay valid
	// and unchanged after the call (copy if the engine reuses memory).
	Get(key []byte) (value []byte, ok bool, err error)
	// NewIter returns an iterator over lower <= key < upper; nil bounds
	// are unbounded.
	NewIter(lower, upper []byte) (Iter, error)
	// Apply performs ops in order as one atomic write, durably if sync.
	// Keys may be reused by the caller afterwards (copy to retain);
	// values may be retained.
	Apply(ops []Op, sync bool) error
	// Close releases the backend.
	Close() error
}
