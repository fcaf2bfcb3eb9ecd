package statestore

import "errors"

// ErrClosed is returned by operations on a closed store.
var ErrClosed = errors.New("statestore: closed")

// KeyValue is a per-task key-value store. Keys and values are opaque bytes;
// callers must not modify a slice after passing it in, nor a returned slice.
// A store has exactly one writer: the goroutine that owns its task.
type KeyValue interface {
	// Name returns the store's name, unique within its topology.
	Name() string
	// Get returns the value stored under key; ok is false if there is none.
	Get(key []byte) (value []byte, ok bool, err error)
	// Put stores value under key, replacing any previous value.
	Put(key, value []byte) error
	// Delete removes key; deleting a missing key is not an error.
	Delete(key []byte) error
	// Scan calls fn for every entry whose key starts with prefix, in key
	// order, until fn returns false.
	Scan(prefix []byte, fn func(key, value []byte) bool) error
	// Close releases the store.
	Close() error
}

// Provider opens the named stores of one task.
type Provider interface {
	// Open returns the store called name, creating it if needed.
	Open(name string) (KeyValue, error)
}
