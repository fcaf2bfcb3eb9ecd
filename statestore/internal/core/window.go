package core

import (
	"encoding/binary"
	"math"

	"github.com/eventflux-io/eventflux-go/statestore"
)

// winStore is a statestore.Windowed: values live under st.win (time
// first), a by-key index under st.idx.
type winStore store

var _ statestore.Windowed = (*winStore)(nil)

// t8 encodes a time so that byte order is numeric order.
func appendT8(b []byte, t int64) []byte {
	return binary.BigEndian.AppendUint64(b, uint64(t)^(1<<63))
}

func readT8(b []byte) int64 { return int64(binary.BigEndian.Uint64(b) ^ (1 << 63)) }

// appendWin appends the time-ordered suffix: t8 key.
func appendWin(b []byte, start int64, key []byte) []byte {
	return append(appendT8(b, start), key...)
}

// decodeWin splits a time-ordered suffix.
func decodeWin(b []byte) (start int64, key []byte) { return readT8(b), b[8:] }

// appendIdx appends the by-key suffix: uvarint(len key) key t8.
func appendIdx(b, key []byte, start int64) []byte {
	b = binary.AppendUvarint(b, uint64(len(key)))
	return appendT8(append(b, key...), start)
}

// Name implements statestore.Windowed.
func (w *winStore) Name() string { return w.name }

func (w *winStore) winKey(key []byte, start int64) []byte {
	w.scratch = appendWin(append(w.scratch[:0], w.win...), start, key)
	return w.scratch
}

func (w *winStore) idxKey(key []byte, start int64) []byte {
	w.scratch = appendIdx(append(w.scratch[:0], w.idx...), key, start)
	return w.scratch
}

// Get implements statestore.Windowed.
func (w *winStore) Get(key []byte, start int64) ([]byte, bool, error) {
	return w.s.get(w.winKey(key, start))
}

// Put implements statestore.Windowed.
func (w *winStore) Put(key []byte, start int64, value []byte) error {
	if value == nil {
		value = emptyValue
	}
	batched, err := w.s.write(w.winKey(key, start), value, false, (*store)(w))
	if err != nil || batched {
		// A live value in the batch means this batch already wrote
		// the index entry.
		return err
	}
	_, err = w.s.write(w.idxKey(key, start), emptyValue, false, nil)
	return err
}

// Delete implements statestore.Windowed.
func (w *winStore) Delete(key []byte, start int64) error {
	if _, err := w.s.write(w.winKey(key, start), nil, true, (*store)(w)); err != nil {
		return err
	}
	_, err := w.s.write(w.idxKey(key, start), nil, true, nil)
	return err
}

// Fetch implements statestore.Windowed.
func (w *winStore) Fetch(key []byte, from, to int64, fn func(start int64, value []byte) bool) error {
	if from > to {
		return nil
	}
	base := appendIdx(append([]byte(nil), w.idx...), key, from)
	base = base[:len(base)-8]
	lower := appendT8(base, from)
	// Every key in this index prefix has the same length, so "t8(to) 0x00"
	// bounds the range just above to.
	upper := append(appendT8(append([]byte(nil), base...), to), 0)
	var ferr error
	var wk []byte
	err := w.s.iterate(lower, upper, func(k, _ []byte) bool {
		start := readT8(k[len(k)-8:])
		wk = appendWin(append(wk[:0], w.win...), start, key)
		v, ok, err := w.s.get(wk)
		if err != nil {
			ferr = err
			return false
		}
		if !ok { // index without value: cannot happen, writes pair them
			return true
		}
		return fn(start, v)
	})
	if err != nil {
		return err
	}
	return ferr
}

// Range implements statestore.Windowed.
func (w *winStore) Range(from, to int64, fn func(key []byte, start int64, value []byte) bool) error {
	if from > to {
		return nil
	}
	lower := appendT8(append([]byte(nil), w.win...), from)
	var upper []byte
	if to == math.MaxInt64 {
		upper = prefixEnd(w.win)
	} else {
		upper = appendT8(append([]byte(nil), w.win...), to+1)
	}
	n := len(w.win)
	return w.s.iterate(lower, upper, func(k, v []byte) bool {
		start, key := decodeWin(k[n:])
		return fn(key, start, v)
	})
}

// DeleteBefore implements statestore.Windowed.
func (w *winStore) DeleteBefore(t int64) (int, error) {
	if t == math.MinInt64 {
		return 0, nil
	}
	lower := w.win
	upper := appendT8(append([]byte(nil), w.win...), t)
	type win struct {
		key   []byte
		start int64
	}
	var expired []win
	n := len(w.win)
	if err := w.s.iterate(lower, upper, func(k, _ []byte) bool {
		start, key := decodeWin(k[n:])
		expired = append(expired, win{append([]byte(nil), key...), start})
		return true
	}); err != nil {
		return 0, err
	}
	for _, e := range expired {
		if err := w.Delete(e.key, e.start); err != nil {
			return 0, err
		}
	}
	return len(expired), nil
}
