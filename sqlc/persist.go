package sqlc

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"slices"

	"github.com/eventflux-io/eventflux-go/aggregate"
	"github.com/eventflux-io/eventflux-go/statestore"
	"github.com/eventflux-io/eventflux-go/topology"
)

// State of an aggregating select stage (docs/state.md). It lives in
// memory and is written back into the node's "state" store on Flush:
//
//	'm'              meta: the OUTPUT rate limiter's or snapshot's scalars
//	'g' group key    one group: its event count, then each aggregator's
//	                 state (aggregate.StateMode, chosen by persistMode)
//	'r' list idx(8)  a buffered row of the rate limiter or snapshot
//	'f' group key    a group's entry in an OUTPUT FIRST limiter
//
// Group keys are 's' (no GROUP BY), 'n' (the NULL group of a single
// STRING key) or 'k' and the encoded key.
const selectStoreName = "state"

// selectStores declares the select stage's store.
var selectStores = []topology.StoreSpec{{Name: selectStoreName, Kind: statestore.KindKeyValue}}

// selectStore is the select stage's store with scratch buffers.
type selectStore struct {
	kv       statestore.KeyValue
	key, val []byte
	lastMeta []byte
}

func (s *selectStore) put(key, val []byte) error { return s.kv.Put(key, bytes.Clone(val)) }

// writeMeta stores enc as meta unless the store holds it already.
func (s *selectStore) writeMeta(enc []byte) error {
	if s.lastMeta != nil && bytes.Equal(enc, s.lastMeta) {
		return nil
	}
	s.lastMeta = append(s.lastMeta[:0], enc...)
	return s.put([]byte{'m'}, enc)
}

// persistMode says how a select stage keeps its groups' aggregator state.
type persistMode uint8

const (
	// persistNoRetract: no window, or one that never expires events
	// (firstUnique, delay): groups are stored whole, with
	// aggregate.StateNoRetract, because nothing else holds their events.
	persistNoRetract persistMode = iota
	// persistBatch: a batch window; between batches only groups with a
	// forever aggregate hold state (the window re-forwards each batch),
	// stored with aggregate.StateFull.
	persistBatch
	// persistDerived: a sliding window that expires events: groups are
	// rebuilt on restore from the window's contents (topology.Restorer)
	// plus the stored aggregate.StateHistory.
	persistDerived
)

// stateMode returns the aggregator state mode of m.
func (m persistMode) stateMode() aggregate.StateMode {
	switch m {
	case persistBatch:
		return aggregate.StateFull
	case persistDerived:
		return aggregate.StateHistory
	}
	return aggregate.StateNoRetract
}

// groupStoreKey appends the store key of the group with key key of t.
func (t *groupTable) groupStoreKey(b []byte, g *group) []byte {
	b = append(b, 'g')
	switch {
	case len(t.keys) == 0:
		return append(b, 's')
	case t.strKey && g == t.null:
		return append(b, 'n')
	}
	return append(append(b, 'k'), g.key...)
}

// lookup returns the live group for a store key suffix (after 'g').
func (t *groupTable) fromStoreKey(k []byte) (*group, error) {
	switch {
	case len(k) == 1 && k[0] == 's' && len(t.keys) == 0:
		if t.single == nil {
			t.single = t.newGroup("")
		}
		return t.single, nil
	case len(k) == 1 && k[0] == 'n' && t.strKey:
		if t.null == nil {
			t.null = t.newGroup("\x00null")
		}
		return t.null, nil
	case len(k) >= 1 && k[0] == 'k' && len(t.keys) > 0:
		key := string(k[1:])
		if g := t.byKey[key]; g != nil {
			return g, nil
		}
		g := t.newGroup(key)
		t.byKey[key] = g
		return g, nil
	}
	return nil, fmt.Errorf("sqlc: group key %q: %w", k, topology.ErrBadEncoding)
}

// live reports whether g is a group of t (and not a dropped one).
func (t *groupTable) live(g *group) bool {
	switch {
	case len(t.keys) == 0:
		return g == t.single
	case t.strKey && g.key == "\x00null" && g == t.null:
		return true
	}
	return t.byKey[g.key] == g
}

// each calls fn for every live group, in a deterministic order.
func (t *groupTable) each(fn func(g *group) error) error {
	if t.single != nil {
		if err := fn(t.single); err != nil {
			return err
		}
	}
	if t.null != nil {
		if err := fn(t.null); err != nil {
			return err
		}
	}
	keys := make([]string, 0, len(t.byKey))
	for k := range t.byKey {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if err := fn(t.byKey[k]); err != nil {
			return err
		}
	}
	return nil
}

// touch records that g changed.
func (t *groupTable) touch(g *group) {
	if t.on && !g.dirty {
		g.dirty = true
		t.dirty = append(t.dirty, g)
	}
}

// flushGroups writes the changed groups of t (all of them the first
// time) and deletes dropped ones.
func (p *aggSelect) flushGroups() error {
	t, st := &p.groups, &p.st
	if !t.on {
		t.on = true
		if err := t.each(func(g *group) error { t.touch(g); return nil }); err != nil {
			return err
		}
	}
	for _, k := range t.dels {
		if err := st.kv.Delete(k); err != nil {
			return err
		}
	}
	clear(t.dels)
	t.dels = t.dels[:0]
	mode := p.cfg.persist.stateMode()
	for _, g := range t.dirty {
		g.dirty = false
		if !t.live(g) {
			continue
		}
		st.val = binary.AppendVarint(st.val[:0], g.n)
		for _, a := range g.aggs {
			st.val = aggregate.AppendState(st.val, a, mode)
		}
		st.key = t.groupStoreKey(st.key[:0], g)
		if err := st.put(st.key, st.val); err != nil {
			return err
		}
		g.stored = true
	}
	clear(t.dirty)
	t.dirty = t.dirty[:0]
	return nil
}

// restoreGroups loads the stored groups. In derived mode it only keeps
// the records for Restore, which applies them after the window's replay.
func (p *aggSelect) restoreGroups() error {
	var derr error
	err := p.st.kv.Scan([]byte{'g'}, func(k, v []byte) bool {
		p.groups.on = true
		if p.cfg.persist == persistDerived {
			p.history = append(p.history, [2][]byte{bytes.Clone(k[1:]), bytes.Clone(v)})
			return true
		}
		derr = p.loadGroup(k[1:], v)
		return derr == nil
	})
	if err == nil {
		err = derr
	}
	return err
}

// loadGroup restores one group record into its (possibly rebuilt) group.
func (p *aggSelect) loadGroup(k, v []byte) error {
	g, err := p.groups.fromStoreKey(k)
	if err != nil {
		return err
	}
	n, m := binary.Varint(v)
	if m <= 0 {
		return fmt.Errorf("sqlc: group %q: %w", k, topology.ErrBadEncoding)
	}
	g.n, v = n, v[m:]
	mode := p.cfg.persist.stateMode()
	for _, a := range g.aggs {
		if v, err = aggregate.LoadState(a, v, mode); err != nil {
			return fmt.Errorf("sqlc: group %q: %w", k, err)
		}
	}
	g.stored = true
	return nil
}

// Restore implements topology.Restorer: in derived mode the groups are
// rebuilt by re-adding the window's contents, then the stored history
// (running float sums, forever extremes, counts) is laid over them.
func (p *aggSelect) Restore(replay func(fn func(*topology.Event) error) error) error {
	if p.cfg.persist != persistDerived {
		return nil
	}
	err := replay(func(ev *topology.Event) error {
		p.frame.Events[0] = ev
		p.update(p.groups.get(&p.frame), ev)
		return nil
	})
	if err != nil {
		return err
	}
	for _, h := range p.history {
		if err := p.loadGroup(h[0], h[1]); err != nil {
			return err
		}
	}
	p.history = nil
	return nil
}

// appendRow appends the encoding of r: event, group key, ORDER BY values.
func appendRow(b []byte, r row) []byte {
	b = topology.AppendEvent(b, r.ev)
	b = binary.AppendUvarint(b, uint64(len(r.key)))
	b = append(b, r.key...)
	return topology.AppendValues(b, r.sort)
}

func decodeRow(b []byte) (row, error) {
	ev, rest, err := topology.DecodeEvent(b)
	if err != nil {
		return row{}, err
	}
	n, m := binary.Uvarint(rest)
	if m <= 0 || n > uint64(len(rest)-m) {
		return row{}, fmt.Errorf("sqlc: row key: %w", topology.ErrBadEncoding)
	}
	r := row{ev: ev, key: string(rest[m : m+int(n)])}
	sort, _, err := topology.DecodeValues(nil, rest[m+int(n):])
	if len(sort) > 0 {
		r.sort = sort
	}
	return r, err
}

// rowList is a list of buffered rows (a rate limiter's or snapshot's)
// written back to entries 'r' list idx(8). Entries [0, inStore) exist in
// the store, of which the first synced are current; dirty lists other
// current-looking positions that were overwritten.
type rowList struct {
	id      byte
	rows    []row
	inStore int
	synced  int
	dirty   []int
}

func (l *rowList) add(r row) { l.rows = append(l.rows, r) }

// set replaces row i.
func (l *rowList) set(i int, r row) {
	l.rows[i] = r
	if i < l.synced {
		l.dirty = append(l.dirty, i)
	}
}

// cut records that rows from i on changed (shifted or removed).
func (l *rowList) cut(i int) { l.synced = min(l.synced, i) }

// reset empties the list.
func (l *rowList) reset() {
	clear(l.rows)
	l.rows = l.rows[:0]
	l.synced = 0
	l.dirty = l.dirty[:0]
}

func (l *rowList) entryKey(b []byte, i int) []byte {
	return binary.BigEndian.AppendUint64(append(b, 'r', l.id), uint64(i))
}

func (l *rowList) flush(st *selectStore) error {
	put := func(i int) error {
		st.key = l.entryKey(st.key[:0], i)
		st.val = appendRow(st.val[:0], l.rows[i])
		return st.put(st.key, st.val)
	}
	for _, i := range l.dirty {
		if i < l.synced && i < len(l.rows) {
			if err := put(i); err != nil {
				return err
			}
		}
	}
	l.dirty = l.dirty[:0]
	for i := l.synced; i < len(l.rows); i++ {
		if err := put(i); err != nil {
			return err
		}
	}
	for i := len(l.rows); i < l.inStore; i++ {
		st.key = l.entryKey(st.key[:0], i)
		if err := st.kv.Delete(st.key); err != nil {
			return err
		}
	}
	l.inStore, l.synced = len(l.rows), len(l.rows)
	return nil
}

func (l *rowList) restore(st *selectStore) error {
	var derr error
	err := st.kv.Scan([]byte{'r', l.id}, func(_, v []byte) bool {
		r, err := decodeRow(v)
		if err != nil {
			derr = err
			return false
		}
		l.rows = append(l.rows, r)
		return true
	})
	if err == nil {
		err = derr
	}
	l.inStore, l.synced = len(l.rows), len(l.rows)
	return err
}

// keyedCounts is per-group limiter state (OUTPUT FIRST) written back to
// entries 'f' key -> varint. on and dirty track changes as journal does
// in windows: nothing is tracked before the store holds entries.
type keyedCounts struct {
	m     map[string]int64
	on    bool
	dirty map[string]struct{}
}

func newKeyedCounts() keyedCounts { return keyedCounts{m: map[string]int64{}} }

func (k *keyedCounts) mark(key string) {
	if k.on {
		if k.dirty == nil {
			k.dirty = map[string]struct{}{}
		}
		k.dirty[key] = struct{}{}
	}
}

func (k *keyedCounts) set(key string, v int64) { k.m[key] = v; k.mark(key) }
func (k *keyedCounts) del(key string)          { delete(k.m, key); k.mark(key) }

// reset forgets every key.
func (k *keyedCounts) reset() {
	for key := range k.m {
		k.mark(key)
	}
	clear(k.m)
}

func (k *keyedCounts) flush(st *selectStore) error {
	var keys []string
	if !k.on {
		k.on = true
		for key := range k.m {
			keys = append(keys, key)
		}
	} else {
		for key := range k.dirty {
			keys = append(keys, key)
		}
		clear(k.dirty)
	}
	slices.Sort(keys) // a deterministic changelog
	for _, key := range keys {
		st.key = append(append(st.key[:0], 'f'), key...)
		v, ok := k.m[key]
		var err error
		if ok {
			err = st.put(st.key, binary.AppendVarint(st.val[:0], v))
		} else {
			err = st.kv.Delete(st.key)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func (k *keyedCounts) restore(st *selectStore) error {
	var derr error
	err := st.kv.Scan([]byte{'f'}, func(key, v []byte) bool {
		n, m := binary.Varint(v)
		if m <= 0 {
			derr = fmt.Errorf("sqlc: limiter entry %q: %w", key, topology.ErrBadEncoding)
			return false
		}
		k.m[string(key[1:])] = n
		return true
	})
	if err == nil {
		err = derr
	}
	k.on = len(k.m) > 0
	return err
}

// metaBuf encodes and decodes the meta record's scalars.
type metaBuf struct {
	b   []byte
	err error
}

func (m *metaBuf) putInt(v int64) { m.b = binary.AppendVarint(m.b, v) }
func (m *metaBuf) putBool(v bool) {
	if v {
		m.putInt(1)
	} else {
		m.putInt(0)
	}
}

func (m *metaBuf) int() int64 {
	v, n := binary.Varint(m.b)
	if n <= 0 {
		if m.err == nil {
			m.err = fmt.Errorf("sqlc: select meta: %w", topology.ErrBadEncoding)
		}
		m.b = nil
		return 0
	}
	m.b = m.b[n:]
	return v
}

func (m *metaBuf) bool() bool { return m.int() != 0 }
