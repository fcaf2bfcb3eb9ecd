package sqlc

import (
	"encoding/binary"
	"errors"
	"math"

	"github.com/eventflux-io/eventflux-go/statestore"
	"github.com/eventflux-io/eventflux-go/topology"
)

// keyState is the statestore.TaskState of one partition instance: a view
// of the partition node's stores in which every key is prefixed by the
// instance's partition key, so the instances of all keys share the node's
// stores (and their changelog topics) without seeing each other's
// entries. Commit, checkpoints and changelogs belong to the enclosing
// task: here they are no-ops, and the checkpoint's stream time is the
// enclosing task's.
type keyState struct {
	ctx    topology.Context
	prefix []byte
	kv     map[string]*prefixKV
	win    map[string]*prefixWindowed
}

func newKeyState(ctx topology.Context, key string) *keyState {
	prefix := binary.AppendUvarint(nil, uint64(len(key)))
	prefix = append(prefix, key...)
	return &keyState{ctx: ctx, prefix: prefix, kv: map[string]*prefixKV{}, win: map[string]*prefixWindowed{}}
}

// Open implements statestore.Provider: the partition node's store name,
// viewed under the key prefix.
func (s *keyState) Open(name string) (statestore.KeyValue, error) {
	if v := s.kv[name]; v != nil {
		return v, nil
	}
	kv, err := s.ctx.Store(name)
	if err != nil {
		return nil, err
	}
	v := &prefixKV{kv: kv, prefix: s.prefix}
	s.kv[name] = v
	return v, nil
}

// OpenWindowed implements statestore.Provider.
func (s *keyState) OpenWindowed(name string) (statestore.Windowed, error) {
	if v := s.win[name]; v != nil {
		return v, nil
	}
	w, err := s.ctx.WindowStore(name)
	if err != nil {
		return nil, err
	}
	v := &prefixWindowed{w: w, prefix: s.prefix}
	s.win[name] = v
	return v, nil
}

func (s *keyState) Stores() []statestore.StoreInfo { return nil }
func (s *keyState) Checkpoint() statestore.Checkpoint {
	return statestore.Checkpoint{StreamTime: s.ctx.StreamTime()}
}
func (s *keyState) Pending() bool { return false }
func (s *keyState) AppendChangelog(dst []statestore.ChangelogRecord) []statestore.ChangelogRecord {
	return dst
}
func (s *keyState) Commit(statestore.Checkpoint) error { return nil }
func (s *keyState) Abort() error                       { return nil }
func (s *keyState) ApplyChangelog(string, []statestore.ChangelogRecord, int64) error {
	return errors.New("sqlc: partition state is restored through its enclosing task")
}
func (s *keyState) Close() error { return nil }

// withPrefix returns prefix+key in a new slice (stores keep Put keys).
func withPrefix(prefix, key []byte) []byte {
	out := make([]byte, 0, len(prefix)+len(key))
	return append(append(out, prefix...), key...)
}

// prefixEnd returns the smallest key greater than every key starting
// with prefix, or nil when there is none.
func prefixEnd(prefix []byte) []byte {
	end := append([]byte(nil), prefix...)
	for i := len(end) - 1; i >= 0; i-- {
		if end[i] < 0xff {
			end[i]++
			return end[:i+1]
		}
	}
	return nil
}

// prefixKV is a statestore.KeyValue under a key prefix.
type prefixKV struct {
	kv     statestore.KeyValue
	prefix []byte
}

func (v *prefixKV) Name() string { return v.kv.Name() }
func (v *prefixKV) Get(key []byte) ([]byte, bool, error) {
	return v.kv.Get(withPrefix(v.prefix, key))
}
func (v *prefixKV) Put(key, value []byte) error { return v.kv.Put(withPrefix(v.prefix, key), value) }
func (v *prefixKV) Delete(key []byte) error     { return v.kv.Delete(withPrefix(v.prefix, key)) }

func (v *prefixKV) Scan(prefix []byte, fn func(key, value []byte) bool) error {
	n := len(v.prefix)
	return v.kv.Scan(withPrefix(v.prefix, prefix), func(k, val []byte) bool { return fn(k[n:], val) })
}

func (v *prefixKV) ScanRange(start, end []byte, fn func(key, value []byte) bool) error {
	n := len(v.prefix)
	hi := prefixEnd(v.prefix)
	if end != nil {
		hi = withPrefix(v.prefix, end)
	}
	return v.kv.ScanRange(withPrefix(v.prefix, start), hi, func(k, val []byte) bool { return fn(k[n:], val) })
}

// prefixWindowed is a statestore.Windowed under a key prefix. Range and
// DeleteBefore visit the windows of every key and keep this prefix's.
type prefixWindowed struct {
	w      statestore.Windowed
	prefix []byte
}

func (v *prefixWindowed) Name() string { return v.w.Name() }
func (v *prefixWindowed) Get(key []byte, start int64) ([]byte, bool, error) {
	return v.w.Get(withPrefix(v.prefix, key), start)
}
func (v *prefixWindowed) Put(key []byte, start int64, value []byte) error {
	return v.w.Put(withPrefix(v.prefix, key), start, value)
}
func (v *prefixWindowed) Delete(key []byte, start int64) error {
	return v.w.Delete(withPrefix(v.prefix, key), start)
}
func (v *prefixWindowed) Fetch(key []byte, from, to int64, fn func(start int64, value []byte) bool) error {
	return v.w.Fetch(withPrefix(v.prefix, key), from, to, fn)
}

func (v *prefixWindowed) Range(from, to int64, fn func(key []byte, start int64, value []byte) bool) error {
	n := len(v.prefix)
	return v.w.Range(from, to, func(k []byte, start int64, val []byte) bool {
		if len(k) < n || string(k[:n]) != string(v.prefix) {
			return true
		}
		return fn(k[n:], start, val)
	})
}

func (v *prefixWindowed) DeleteBefore(t int64) (int, error) {
	if t == math.MinInt64 {
		return 0, nil
	}
	type win struct {
		key   []byte
		start int64
	}
	var old []win
	err := v.Range(math.MinInt64, t-1, func(k []byte, start int64, _ []byte) bool {
		old = append(old, win{append([]byte(nil), k...), start})
		return true
	})
	if err != nil {
		return 0, err
	}
	for _, w := range old {
		if err := v.Delete(w.key, w.start); err != nil {
			return 0, err
		}
	}
	return len(old), nil
}

var _ statestore.TaskState = (*keyState)(nil)
