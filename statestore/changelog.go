package statestore

import (
	"encoding/binary"
	"fmt"
)

// ChangelogRecord is one record of a store's changelog topic.
//
// Format. Each store has its own compacted topic, `<app>-<store>-changelog`,
// whose partition N belongs to task N; Store names the store and thereby the
// topic, so the Kafka record key needs no store qualifier and equals what a
// user would look up:
//
//   - key-value store: Key is the user key, Value the user value;
//   - windowed store: Key is WindowKey(user key, window start) — the user
//     key followed by the window start as an 8-byte big-endian int64, the
//     layout of Kafka Streams' TimeWindowedSerializer — so compaction keeps
//     the latest value per window and time retention (cleanup.policy
//     compact,delete) drops old windows;
//   - a delete is a tombstone: Value is nil. A Put of an empty value has a
//     non-nil, empty Value.
//
// The Kafka record carries no headers and its timestamp is the runtime's
// choice (stream time at commit); restore reads only Key and Value.
type ChangelogRecord struct {
	Store string
	Key   []byte
	Value []byte
}

// Tombstone reports whether r deletes its key.
func (r ChangelogRecord) Tombstone() bool { return r.Value == nil }

// WindowKey returns the changelog key of key's window starting at start:
// key followed by start as 8 bytes, big-endian two's complement.
func WindowKey(key []byte, start int64) []byte {
	return AppendWindowKey(make([]byte, 0, len(key)+8), key, start)
}

// AppendWindowKey appends WindowKey(key, start) to dst.
func AppendWindowKey(dst, key []byte, start int64) []byte {
	dst = append(dst, key...)
	return binary.BigEndian.AppendUint64(dst, uint64(start))
}

// SplitWindowKey splits a windowed changelog key into the user key (a
// sub-slice of b) and the window start.
func SplitWindowKey(b []byte) (key []byte, start int64, err error) {
	if len(b) < 8 {
		return nil, 0, fmt.Errorf("%w: window key of %d bytes", ErrBadChangelog, len(b))
	}
	n := len(b) - 8
	return b[:n:n], int64(binary.BigEndian.Uint64(b[n:])), nil
}
