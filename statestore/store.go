package statestore

import "errors"

// Errors returned by stores and task states. Callers test them with
// errors.Is; implementations wrap them with context.
var (
	// ErrClosed is returned by operations on a closed task state or on a
	// store of one.
	ErrClosed = errors.New("statestore: closed")
	// ErrUnknownStore is returned by ApplyChangelog for a store that has
	// not been opened.
	ErrUnknownStore = errors.New("statestore: unknown store")
	// ErrKindMismatch is returned when a store name is opened both as a
	// key-value and as a windowed store.
	ErrKindMismatch = errors.New("statestore: store opened as another kind")
	// ErrPendingWrites is returned by ApplyChangelog while the batch holds
	// uncommitted writes: restore runs before processing.
	ErrPendingWrites = errors.New("statestore: pending writes")
	// ErrBadChangelog is returned by ApplyChangelog for a record it cannot
	// decode or an offset before the checkpoint.
	ErrBadChangelog = errors.New("statestore: bad changelog record")
	// ErrCorrupt is returned when stored metadata cannot be decoded.
	ErrCorrupt = errors.New("statestore: corrupt")
)

// KeyValue is a key-value store of one task, ordered by key (bytewise).
//
// Keys and values are opaque bytes. A store keeps the slices passed to Put
// (callers must not modify them afterwards) and callers must not modify a
// slice a store returns. Slices passed to a scan callback are valid only
// until it returns. A scan callback may write to the store; whether the
// running scan observes such a write (other than to the current key) is
// unspecified.
//
// Reads see the task's pending, uncommitted writes and deletes merged over
// the committed data. A store has exactly one writer: the goroutine that
// owns its task. Its lifetime is that of its TaskState.
type KeyValue interface {
	// Name returns the store's name, unique within its task.
	Name() string
	// Get returns the value stored under key; ok is false if there is none.
	Get(key []byte) (value []byte, ok bool, err error)
	// Put stores value under key, replacing any previous value. A nil
	// value is stored as an empty value, not as a delete.
	Put(key, value []byte) error
	// Delete removes key; deleting a missing key is not an error.
	Delete(key []byte) error
	// Scan calls fn for every entry whose key starts with prefix, in key
	// order, until fn returns false. A nil prefix scans the whole store.
	Scan(prefix []byte, fn func(key, value []byte) bool) error
	// ScanRange calls fn for every entry with start <= key < end, in key
	// order, until fn returns false. A nil start or end is unbounded.
	ScanRange(start, end []byte, fn func(key, value []byte) bool) error
}

// Windowed is a time-ordered store for window state: each entry is
// addressed by a key and a window start time (milliseconds; any int64).
// The same rules as for KeyValue apply to slices, pending writes and the
// single writer. A (key, start) pair holds one value; stores that need
// duplicates encode a sequence number in the key.
type Windowed interface {
	// Name returns the store's name, unique within its task.
	Name() string
	// Get returns the value of key's window starting at start.
	Get(key []byte, start int64) (value []byte, ok bool, err error)
	// Put stores value for key's window starting at start.
	Put(key []byte, start int64, value []byte) error
	// Delete removes key's window starting at start, if any.
	Delete(key []byte, start int64) error
	// Fetch calls fn for each window of key with from <= start <= to, in
	// start order, until fn returns false.
	Fetch(key []byte, from, to int64, fn func(start int64, value []byte) bool) error
	// Range calls fn for each window of any key with from <= start <= to,
	// ordered by start and then by key, until fn returns false.
	Range(from, to int64, fn func(key []byte, start int64, value []byte) bool) error
	// DeleteBefore removes every window whose start is before t (the
	// retention bound, typically stream time - retention) and returns how
	// many it removed. Each removal is a delete like any other: it appears
	// in the changelog as a tombstone, so a restored store equals the live
	// one exactly.
	DeleteBefore(t int64) (removed int, err error)
}

// Provider opens the named stores of one task. Opening a name again
// returns the same store. TaskState implements it; topology.Task uses it.
type Provider interface {
	// Open returns the key-value store called name, creating it if needed.
	Open(name string) (KeyValue, error)
	// OpenWindowed returns the windowed store called name, creating it if
	// needed.
	OpenWindowed(name string) (Windowed, error)
}

// Kind says what a store holds.
type Kind uint8

// The kinds of store.
const (
	KindKeyValue Kind = iota + 1 // a KeyValue
	KindWindowed                 // a Windowed
)

// String returns "keyvalue" or "windowed".
func (k Kind) String() string {
	switch k {
	case KindKeyValue:
		return "keyvalue"
	case KindWindowed:
		return "windowed"
	}
	return "unknown"
}

// StoreInfo describes an opened store.
type StoreInfo struct {
	Name string
	Kind Kind
	// Retention is, for a windowed store, how long (in event time, ms) a
	// record stays live after its window starts: the window's size plus
	// its grace. 0: not known. The runtime sizes the retention of the
	// store's changelog topic from it.
	Retention int64
}

// TaskState is the state of one task: its stores, their pending batch and
// the task's checkpoint; it is the unit of atomicity. See the package
// documentation for the commit protocol. A TaskState is not safe for
// concurrent use: one goroutine, the task's owner, drives it.
type TaskState interface {
	Provider

	// Stores lists the stores opened so far, sorted by name.
	Stores() []StoreInfo

	// Checkpoint returns (a copy of) the last committed checkpoint. On a
	// fresh state it is empty with StreamTime NoTime.
	Checkpoint() Checkpoint

	// Pending reports whether the batch holds uncommitted writes.
	Pending() bool

	// AppendChangelog appends to dst the changelog records of the pending
	// batch and returns the extended slice: one record per (store, key)
	// written since the last Commit or Abort, carrying the key's last
	// value or a tombstone, ordered by the key's first write in the
	// batch. A key put and then deleted within one batch yields a
	// tombstone. The records' slices stay valid and unchanged until the
	// next Commit or Abort.
	AppendChangelog(dst []ChangelogRecord) []ChangelogRecord

	// Commit applies the pending batch and cp to the committed state in
	// one atomic write and empties the batch. cp is merged into the
	// stored checkpoint: each changelog and input offset in cp replaces
	// the stored one for the same store or partition, others are kept,
	// and StreamTime replaces the stored one when it is later (stream
	// time never goes back). Commit with an empty batch just records cp.
	// On error the batch is kept; the caller may retry or Close, and the
	// state is repaired from the changelog on the next open.
	Commit(cp Checkpoint) error

	// Abort drops the pending batch.
	Abort() error

	// ApplyChangelog writes records read from store's changelog, and
	// next as the store's changelog offset in the checkpoint, in one
	// atomic write that bypasses the batch. next is the position after
	// the last record read (the consumer position). Records must come in
	// changelog order; their Store field is ignored. Re-applying records
	// already applied is harmless. Values are kept as given (memstore
	// retains the slices), so the caller must not reuse them.
	// It fails with ErrPendingWrites if the batch is not empty, with
	// ErrUnknownStore if store has not been opened, and with
	// ErrBadChangelog if next is before the checkpointed offset.
	ApplyChangelog(store string, records []ChangelogRecord, next int64) error

	// Close drops the pending batch and releases the state. Stores of a
	// closed state return ErrClosed. Close is idempotent.
	Close() error
}
