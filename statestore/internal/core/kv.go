package core

import "github.com/eventflux-io/eventflux-go/statestore"

// kvStore is a statestore.KeyValue: entries live under prefix st.kv.
type kvStore store

var _ statestore.KeyValue = (*kvStore)(nil)

// key returns the internal key of k in the store's scratch buffer.
func (kv *kvStore) key(k []byte) []byte {
	kv.scratch = append(append(kv.scratch[:0], kv.kv...), k...)
	return kv.scratch
}

// Name implements statestore.KeyValue.
func (kv *kvStore) Name() string { return kv.name }

// Get implements statestore.KeyValue.
func (kv *kvStore) Get(key []byte) ([]byte, bool, error) { return kv.s.get(kv.key(key)) }

// Put implements statestore.KeyValue.
func (kv *kvStore) Put(key, value []byte) error {
	if value == nil {
		value = emptyValue
	}
	_, err := kv.s.write(kv.key(key), value, false, (*store)(kv))
	return err
}

// Delete implements statestore.KeyValue.
func (kv *kvStore) Delete(key []byte) error {
	_, err := kv.s.write(kv.key(key), nil, true, (*store)(kv))
	return err
}

// Scan implements statestore.KeyValue.
func (kv *kvStore) Scan(prefix []byte, fn func(key, value []byte) bool) error {
	lower := append(append([]byte(nil), kv.kv...), prefix...)
	return kv.scan(lower, prefixEnd(lower), fn)
}

// ScanRange implements statestore.KeyValue.
func (kv *kvStore) ScanRange(start, end []byte, fn func(key, value []byte) bool) error {
	lower := append(append([]byte(nil), kv.kv...), start...)
	var upper []byte
	if end == nil {
		upper = prefixEnd(kv.kv)
	} else {
		upper = append(append([]byte(nil), kv.kv...), end...)
	}
	return kv.scan(lower, upper, fn)
}

func (kv *kvStore) scan(lower, upper []byte, fn func(key, value []byte) bool) error {
	n := len(kv.kv)
	return kv.s.iterate(lower, upper, func(k, v []byte) bool { return fn(k[n:], v) })
}
