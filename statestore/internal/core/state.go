package core

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/eventflux-io/eventflux-go/statestore"
	"github.com/eventflux-io/eventflux-go/statestore/internal/ordmap"
)

// checkpointKey holds the encoded checkpoint; 0x00 sorts before every store.
var checkpointKey = []byte("\x00checkpoint")

const storeTag = 0x01

// Sub-keyspaces of a store.
const (
	subKV     = 'k'
	subWindow = 'w'
	subIndex  = 'x'
)

// emptyValue replaces a nil value passed to Put, so nil stays a tombstone.
var emptyValue = []byte{}

// errDirectAbort is returned by Abort in direct mode, where writes are
// already applied.
var errDirectAbort = errors.New("statestore: abort of a direct (unbatched) state")

// Options configures a State.
type Options struct {
	// Sync makes Commit durable before it returns. Restore writes never
	// sync: a lost restore write is redone from the older checkpoint it
	// was atomic with.
	Sync bool
	// Direct applies every write to the backend at once instead of
	// batching it: no changelog, no Abort. For replay and tests, which
	// have no transaction to wait for.
	Direct bool
}

// pending is a batched write.
type pending struct {
	value []byte
	del   bool
}

// State implements statestore.TaskState over a Backend.
type State struct {
	be     Backend
	opts   Options
	stores map[string]*store
	batch  *ordmap.Map[pending]
	// order lists the batch's changelog-producing nodes ('k' and 'w'
	// entries) by first write; owner[i] is order[i]'s store.
	order  []*ordmap.Node[pending]
	owner  []*store
	cp     statestore.Checkpoint
	ops    []Op
	arena  []byte
	closed bool
}

var _ statestore.TaskState = (*State)(nil)

// Open returns the state kept in be, reading its checkpoint.
func Open(be Backend, opts Options) (*State, error) {
	s := &State{be: be, opts: opts, stores: map[string]*store{}, batch: ordmap.New[pending]()}
	raw, ok, err := be.Get(checkpointKey)
	if err != nil {
		return nil, fmt.Errorf("statestore: read checkpoint: %w", err)
	}
	s.cp = statestore.Checkpoint{StreamTime: statestore.NoTime}
	if ok {
		if err := s.cp.UnmarshalBinary(raw); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// store is one opened store: its kind and key prefixes.
type store struct {
	s    *State
	name string
	kind statestore.Kind
	// base is the store prefix; kv, win and idx append the sub tag.
	kv, win, idx []byte
	scratch      []byte
}

func (s *State) open(name string, kind statestore.Kind) (*store, error) {
	if s.closed {
		return nil, statestore.ErrClosed
	}
	if st := s.stores[name]; st != nil {
		if st.kind != kind {
			return nil, fmt.Errorf("%w: %q is %s, not %s", statestore.ErrKindMismatch, name, st.kind, kind)
		}
		return st, nil
	}
	base := binary.AppendUvarint([]byte{storeTag}, uint64(len(name)))
	base = append(base, name...)
	sub := func(tag byte) []byte { return append(slices.Clip(base), tag) }
	st := &store{s: s, name: name, kind: kind, kv: sub(subKV), win: sub(subWindow), idx: sub(subIndex)}
	s.stores[name] = st
	return st, nil
}

// Open implements statestore.Provider.
func (s *State) Open(name string) (statestore.KeyValue, error) {
	st, err := s.open(name, statestore.KindKeyValue)
	if err != nil {
		return nil, err
	}
	return (*kvStore)(st), nil
}

// OpenWindowed implements statestore.Provider.
func (s *State) OpenWindowed(name string) (statestore.Windowed, error) {
	st, err := s.open(name, statestore.KindWindowed)
	if err != nil {
		return nil, err
	}
	return (*winStore)(st), nil
}

// Stores implements statestore.TaskState.
func (s *State) Stores() []statestore.StoreInfo {
	out := make([]statestore.StoreInfo, 0, len(s.stores))
	for _, st := range s.stores {
		out = append(out, statestore.StoreInfo{Name: st.name, Kind: st.kind})
	}
	slices.SortFunc(out, func(a, b statestore.StoreInfo) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// Checkpoint implements statestore.TaskState.
func (s *State) Checkpoint() statestore.Checkpoint { return s.cp.Clone() }

// Pending implements statestore.TaskState.
func (s *State) Pending() bool { return s.batch.Len() > 0 }

// get reads key through the batch.
func (s *State) get(key []byte) ([]byte, bool, error) {
	if s.closed {
		return nil, false, statestore.ErrClosed
	}
	if n := s.batch.Get(key); n != nil {
		if n.Val.del {
			return nil, false, nil
		}
		return n.Val.value, true, nil
	}
	return s.be.Get(key)
}

// write records a put (del false) or delete of key, which the caller may
// reuse afterwards. st is set for changelog-producing keys. batched
// reports that the batch already held a live value for key.
func (s *State) write(key, value []byte, del bool, st *store) (batched bool, err error) {
	if s.closed {
		return false, statestore.ErrClosed
	}
	if s.opts.Direct {
		s.ops = append(s.ops[:0], Op{Key: key, Value: value, Delete: del})
		return false, s.be.Apply(s.ops, false)
	}
	if n := s.batch.Get(key); n != nil {
		batched = !n.Val.del
		n.Val = pending{value: value, del: del}
		return batched, nil
	}
	n, _ := s.batch.Set(bytes.Clone(key), pending{value: value, del: del})
	if st != nil {
		s.order = append(s.order, n)
		s.owner = append(s.owner, st)
	}
	return false, nil
}

// iterate calls fn for each live entry with lower <= key < upper, merging
// the batch over the backend; a nil upper is unbounded.
func (s *State) iterate(lower, upper []byte, fn func(key, value []byte) bool) error {
	if s.closed {
		return statestore.ErrClosed
	}
	inBounds := func(n *ordmap.Node[pending]) *ordmap.Node[pending] {
		if n != nil && upper != nil && bytes.Compare(n.Key, upper) >= 0 {
			return nil
		}
		return n
	}
	var bn *ordmap.Node[pending]
	if s.batch.Len() > 0 {
		bn = inBounds(s.batch.SeekGE(lower))
	}
	it, err := s.be.NewIter(lower, upper)
	if err != nil {
		return fmt.Errorf("statestore: iterate: %w", err)
	}
	ok := it.First()
	for bn != nil || ok {
		fromBatch := !ok
		if bn != nil && ok {
			c := bytes.Compare(bn.Key, it.Key())
			if c == 0 {
				ok = it.Next() // the batch shadows the committed entry
			}
			fromBatch = c <= 0
		}
		if fromBatch {
			n := bn
			bn = inBounds(n.Next())
			if n.Val.del {
				continue
			}
			if !fn(n.Key, n.Val.value) {
				break
			}
			continue
		}
		if !fn(it.Key(), it.Value()) {
			break
		}
		ok = it.Next()
	}
	if err := it.Close(); err != nil {
		return fmt.Errorf("statestore: iterate: %w", err)
	}
	return nil
}

// AppendChangelog implements statestore.TaskState.
func (s *State) AppendChangelog(dst []statestore.ChangelogRecord) []statestore.ChangelogRecord {
	dst = slices.Grow(dst, len(s.order))
	for i, n := range s.order {
		st := s.owner[i]
		rec := statestore.ChangelogRecord{Store: st.name}
		if !n.Val.del {
			rec.Value = n.Val.value
		}
		if st.kind == statestore.KindKeyValue {
			rec.Key = n.Key[len(st.kv):]
		} else {
			start, key := decodeWin(n.Key[len(st.win):])
			rec.Key = statestore.WindowKey(key, start)
		}
		dst = append(dst, rec)
	}
	return dst
}

// Commit implements statestore.TaskState.
func (s *State) Commit(cp statestore.Checkpoint) error {
	if s.closed {
		return statestore.ErrClosed
	}
	next := cp.Merge(s.cp)
	enc, err := next.MarshalBinary()
	if err != nil {
		return fmt.Errorf("statestore: commit: %w", err)
	}
	ops := s.ops[:0]
	for n := s.batch.First(); n != nil; n = n.Next() {
		ops = append(ops, Op{Key: n.Key, Value: n.Val.value, Delete: n.Val.del})
	}
	ops = append(ops, Op{Key: checkpointKey, Value: enc})
	s.ops = ops[:0]
	if err := s.be.Apply(ops, s.opts.Sync); err != nil {
		return fmt.Errorf("statestore: commit: %w", err)
	}
	s.cp = next
	s.reset()
	return nil
}

// Abort implements statestore.TaskState.
func (s *State) Abort() error {
	if s.closed {
		return statestore.ErrClosed
	}
	if s.opts.Direct {
		return errDirectAbort
	}
	s.reset()
	return nil
}

func (s *State) reset() {
	s.batch.Clear()
	clear(s.order)
	clear(s.owner)
	s.order, s.owner = s.order[:0], s.owner[:0]
}

// ApplyChangelog implements statestore.TaskState.
func (s *State) ApplyChangelog(name string, records []statestore.ChangelogRecord, next int64) error {
	if s.closed {
		return statestore.ErrClosed
	}
	if s.batch.Len() > 0 {
		return fmt.Errorf("%w: restore of %q", statestore.ErrPendingWrites, name)
	}
	st := s.stores[name]
	if st == nil {
		return fmt.Errorf("%w: %q", statestore.ErrUnknownStore, name)
	}
	if old, ok := s.cp.Changelog[name]; ok && next < old {
		return fmt.Errorf("%w: store %q: offset %d before checkpoint %d", statestore.ErrBadChangelog, name, next, old)
	}
	// Keys go into one arena; Apply copies what it keeps.
	arena, ops := s.arena[:0], s.ops[:0]
	type span struct{ from, to int }
	spans := make([]span, 0, 2*len(records))
	for i, r := range records {
		if st.kind == statestore.KindKeyValue {
			from := len(arena)
			arena = append(append(arena, st.kv...), r.Key...)
			spans = append(spans, span{from, len(arena)})
			ops = append(ops, Op{Value: r.Value, Delete: r.Value == nil})
			continue
		}
		key, start, err := statestore.SplitWindowKey(r.Key)
		if err != nil {
			return fmt.Errorf("store %q record %d: %w", name, i, err)
		}
		from := len(arena)
		arena = appendWin(append(arena, st.win...), start, key)
		spans = append(spans, span{from, len(arena)})
		ops = append(ops, Op{Value: r.Value, Delete: r.Value == nil})
		from = len(arena)
		arena = appendIdx(append(arena, st.idx...), key, start)
		spans = append(spans, span{from, len(arena)})
		ops = append(ops, Op{Value: emptyValue, Delete: r.Value == nil})
	}
	for i := range ops {
		ops[i].Key = arena[spans[i].from:spans[i].to]
	}
	cp := statestore.Checkpoint{Changelog: map[string]int64{name: next}}.Merge(s.cp)
	enc, err := cp.MarshalBinary()
	if err != nil {
		return fmt.Errorf("statestore: restore: %w", err)
	}
	ops = append(ops, Op{Key: checkpointKey, Value: enc})
	s.arena, s.ops = arena[:0], ops[:0]
	if err := s.be.Apply(ops, false); err != nil {
		return fmt.Errorf("statestore: restore %q: %w", name, err)
	}
	s.cp = cp
	return nil
}

// Close implements statestore.TaskState.
func (s *State) Close() error {
	if s.closed {
		return nil
	}
	s.closed = true
	s.reset()
	if err := s.be.Close(); err != nil {
		return fmt.Errorf("statestore: close: %w", err)
	}
	return nil
}

// prefixEnd returns the smallest key above every key starting with p, or
// nil if there is none.
func prefixEnd(p []byte) []byte {
	end := bytes.Clone(p)
	for i := len(end) - 1; i >= 0; i-- {
		if end[i] != 0xff {
			end[i]++
			return end[:i+1]
		}
	}
	return nil
}
