package windows

import (
	"container/heap"
	"encoding/binary"
	"fmt"
	"slices"

	"github.com/eventflux-io/eventflux-go/topology"
)

// sessionWindow is WINDOW('session', gap [, grace]): an event joins the
// session whose span [first, last + gap) overlaps its own [ts, ts + gap)
// (merging sessions it bridges); a session closes when stream time reaches
// last + gap + grace and is then forwarded as one batch (the key's previous
// session's events expired, its own current, BatchEnd at last + gap). A
// late event that would open an already-closed session is dropped and
// counted. Sessions are per key when the query groups (Spec.NewSessionKey),
// else per task; sessions closing at the same stream time are forwarded
// in order of end, then of their key's first appearance.
//
// Store ("state"): 'e' seq(8) -> run id, event; 's' id(8) -> an open
// session (key, start, last, run ids); 'k' key -> the key's order and its
// last closed session's run ids; 'm' -> counters. A session's items are
// the concatenation of its runs, so a merge rewrites session records
// only, never events.
type sessionWindow struct {
	base
	gap, grace int64
	keyOf      func(*topology.Event) string
	keys       map[string]*sessionKey
	seq        int // first-appearance order of keys
	deadlines  deadlineHeap
	next       uint64 // the next event seq or session id
	st         kvState
	// on: the store holds state, so changes are tracked (see journal).
	on        bool
	dirty     []*span
	dirtyKeys []*sessionKey
	itemDels  []uint64
	sessDels  []uint64
}

// sessionKey holds one key's open sessions (disjoint, by start) and its
// last closed session (nil before the first close).
type sessionKey struct {
	key   string
	seq   int
	open  []*span
	prev  *span
	dirty bool
}

func newSession(s *Spec) *sessionWindow {
	w := &sessionWindow{gap: s.Size, grace: s.Grace, keys: map[string]*sessionKey{}}
	if s.NewSessionKey != nil {
		w.keyOf = s.NewSessionKey()
	}
	return w
}

// Punctuate implements topology.Punctuator. Deadlines are kept in a heap
// with lazy invalidation: a session that grows pushes a new deadline, and
// a popped one that no longer matches its key's first session is stale.
func (w *sessionWindow) Punctuate(streamTime int64) error {
	for len(w.deadlines) > 0 && w.deadlines[0].at <= streamTime {
		d := heap.Pop(&w.deadlines).(deadline)
		k := d.key
		if len(k.open) == 0 || k.open[0].last+w.gap+w.grace != d.at {
			continue
		}
		s := k.open[0]
		k.open[0] = nil
		k.open = k.open[1:]
		var prev []item
		if k.prev != nil {
			prev = k.prev.items
		}
		if err := w.flushBatch(prev, s.items, s.last+w.gap); err != nil {
			return err
		}
		w.closeSession(k, s)
		if len(k.open) > 0 {
			w.push(k, k.open[0])
		}
	}
	return nil
}

// closeSession makes s, just forwarded, k's last closed session.
func (w *sessionWindow) closeSession(k *sessionKey, s *span) {
	if old := k.prev; old != nil {
		off := 0
		for _, r := range old.runs {
			for _, it := range old.items[off : off+r.stored] {
				w.itemDels = append(w.itemDels, it.seq)
			}
			off += r.n
		}
	}
	k.prev = s
	w.dropSession(s)
	w.touchKey(k)
}

// Process implements topology.Processor.
func (w *sessionWindow) Process(ev *topology.Event) error {
	if isMarker(ev) {
		return nil
	}
	k := w.key(ev)
	ts := ev.TS
	lo, hi := len(k.open), len(k.open) // sessions [lo, hi) overlap the event
	for i, s := range k.open {
		if ts < s.last+w.gap && s.start < ts+w.gap {
			lo = min(lo, i)
			hi = i + 1
		}
	}
	it := itemOf(ev)
	it.seq = w.next
	w.next++
	if lo == len(k.open) {
		if ts+w.gap+w.grace <= w.ctx.StreamTime() {
			// A session of ev alone would have closed at ts+gap+grace.
			w.late(ev, ts+w.gap+w.grace)
			return nil
		}
		i, _ := slices.BinarySearchFunc(k.open, ts, func(s *span, t int64) int { return cmpInt(s.start, t) })
		s := &span{start: ts, last: ts, id: w.next, owner: k.key}
		w.next++
		w.append(s, it)
		k.open = slices.Insert(k.open, i, s)
		if i == 0 {
			w.push(k, s)
		}
		return nil
	}
	merged := k.open[lo]
	for _, s := range k.open[lo+1 : hi] {
		merged.start = min(merged.start, s.start)
		merged.last = max(merged.last, s.last)
		merged.items = append(merged.items, s.items...)
		merged.runs = append(merged.runs, s.runs...)
		merged.runOpen = false
		w.dropSession(s)
	}
	merged.start, merged.last = min(merged.start, ts), max(merged.last, ts)
	w.append(merged, it)
	k.open = slices.Delete(k.open, lo+1, hi)
	if lo == 0 {
		w.push(k, merged)
	}
	return nil
}

// append adds it at the end of s, in s's last run when that may grow.
func (w *sessionWindow) append(s *span, it item) {
	s.items = append(s.items, it)
	if n := len(s.runs); s.runOpen && n > 0 {
		s.runs[n-1].n++
	} else {
		s.runs = append(s.runs, run{id: it.seq, n: 1})
		s.runOpen = true
	}
	if w.on && !s.dirty {
		s.dirty = true
		w.dirty = append(w.dirty, s)
	}
}

// dropSession records that s is no longer an open session.
func (w *sessionWindow) dropSession(s *span) {
	s.dropped = true
	if s.recorded {
		w.sessDels = append(w.sessDels, s.id)
		s.recorded = false
	}
}

func (w *sessionWindow) touchKey(k *sessionKey) {
	if w.on && !k.dirty {
		k.dirty = true
		w.dirtyKeys = append(w.dirtyKeys, k)
	}
}

// key returns the session set of ev's key, creating it on first sight.
func (w *sessionWindow) key(ev *topology.Event) *sessionKey {
	name := ""
	if w.keyOf != nil {
		name = w.keyOf(ev)
	}
	k := w.keys[name]
	if k == nil {
		k = &sessionKey{key: name, seq: w.seq}
		w.seq++
		w.keys[name] = k
		w.touchKey(k)
	}
	return k
}

// push schedules the close of s, the first open session of k.
func (w *sessionWindow) push(k *sessionKey, s *span) {
	heap.Push(&w.deadlines, deadline{at: s.last + w.gap + w.grace, end: s.last + w.gap, key: k})
}

// Init implements topology.Processor: it restores keys, open sessions
// and last closed sessions, and reschedules the open sessions' closes.
func (w *sessionWindow) Init(ctx topology.Context) error {
	w.ctx = ctx
	if err := w.st.openMeta(ctx, func(r *metaReader) { w.next, w.seq = r.uint(), int(r.uint()) }); err != nil {
		return err
	}
	runs := map[uint64][]item{}
	var derr error
	fail := func(what string, k []byte) bool {
		derr = fmt.Errorf("windows: session %s record %x: %w", what, k, topology.ErrBadEncoding)
		return false
	}
	err := w.st.kv.Scan([]byte{'e'}, func(k, v []byte) bool {
		id, n := binary.Uvarint(v)
		if len(k) != 9 || n <= 0 {
			return fail("event", k)
		}
		it, _, err := decodeItem(v[n:], binary.BigEndian.Uint64(k[1:]))
		if err != nil {
			derr = err
			return false
		}
		runs[id] = append(runs[id], it)
		return true
	})
	if err == nil && derr == nil {
		err = w.st.kv.Scan([]byte{'k'}, func(k, v []byte) bool {
			r := metaReader{b: v}
			sk := &sessionKey{key: string(k[1:]), seq: int(r.uint())}
			if ids := readRuns(&r); len(ids) > 0 {
				sk.prev = spanOf(ids, runs)
			}
			if r.err != nil {
				return fail("key", k)
			}
			w.keys[sk.key] = sk
			return true
		})
	}
	if err == nil && derr == nil {
		err = w.st.kv.Scan([]byte{'s'}, func(k, v []byte) bool {
			r := metaReader{b: v}
			key := string(r.bytes())
			start, last := r.int(), r.int()
			ids := readRuns(&r)
			sk := w.keys[key]
			if r.err != nil || len(k) != 9 || sk == nil {
				return fail("session", k)
			}
			s := spanOf(ids, runs)
			s.start, s.last, s.id, s.recorded = start, last, binary.BigEndian.Uint64(k[1:]), true
			s.owner = key
			sk.open = append(sk.open, s)
			return true
		})
	}
	if err == nil {
		err = derr
	}
	if err != nil {
		return err
	}
	for _, sk := range w.keys {
		slices.SortFunc(sk.open, func(a, b *span) int { return cmpInt(a.start, b.start) })
		if len(sk.open) > 0 {
			w.push(sk, sk.open[0])
		}
	}
	w.on = len(w.keys) > 0
	return nil
}

// spanOf assembles a session from its runs' stored items.
func spanOf(ids []uint64, runs map[uint64][]item) *span {
	s := &span{}
	for _, id := range ids {
		its := runs[id]
		s.items = append(s.items, its...)
		s.runs = append(s.runs, run{id: id, n: len(its), stored: len(its)})
	}
	return s
}

func readRuns(r *metaReader) []uint64 {
	n := r.uint()
	if n > uint64(len(r.b)) {
		r.fail()
		return nil
	}
	ids := make([]uint64, n)
	for i := range ids {
		ids[i] = r.uint()
	}
	return ids
}

func appendRuns(w *metaWriter, runs []run) {
	w.uint(uint64(len(runs)))
	for _, r := range runs {
		w.uint(r.id)
	}
}

// Flush implements topology.Flusher.
func (w *sessionWindow) Flush() error {
	if !w.on {
		w.on = true
		names := make([]string, 0, len(w.keys))
		for name := range w.keys {
			names = append(names, name)
		}
		slices.Sort(names) // a deterministic changelog
		for _, name := range names {
			k := w.keys[name]
			w.touchKey(k)
			for _, s := range k.open {
				s.dirty = true
				w.dirty = append(w.dirty, s)
			}
		}
	}
	for _, seq := range w.itemDels {
		if err := w.st.deleteItem(seq); err != nil {
			return err
		}
	}
	for _, id := range w.sessDels {
		w.st.key = binary.BigEndian.AppendUint64(append(w.st.key[:0], 's'), id)
		if err := w.st.kv.Delete(w.st.key); err != nil {
			return err
		}
	}
	w.itemDels, w.sessDels = w.itemDels[:0], w.sessDels[:0]
	for _, s := range w.dirty {
		s.dirty = false
		if s.dropped {
			continue
		}
		if err := w.putItems(s); err != nil {
			return err
		}
		m := metaWriter{}
		m.bytes([]byte(s.owner)).int(s.start).int(s.last)
		appendRuns(&m, s.runs)
		w.st.key = binary.BigEndian.AppendUint64(append(w.st.key[:0], 's'), s.id)
		if err := w.st.kv.Put(w.st.key, m.b); err != nil {
			return err
		}
		s.recorded = true
	}
	clear(w.dirty)
	w.dirty = w.dirty[:0]
	for _, k := range w.dirtyKeys {
		k.dirty = false
		m := metaWriter{}
		m.uint(uint64(k.seq))
		if k.prev != nil {
			if err := w.putItems(k.prev); err != nil {
				return err
			}
			appendRuns(&m, k.prev.runs)
		} else {
			m.uint(0)
		}
		w.st.key = append(append(w.st.key[:0], 'k'), k.key...)
		if err := w.st.kv.Put(w.st.key, m.b); err != nil {
			return err
		}
	}
	clear(w.dirtyKeys)
	w.dirtyKeys = w.dirtyKeys[:0]
	m := metaWriter{b: w.st.val[:0]}
	m.uint(w.next).uint(uint64(w.seq))
	w.st.val = m.b
	return w.st.writeMeta(m.b)
}

// putItems writes the items of s not yet stored, each with its run id.
func (w *sessionWindow) putItems(s *span) error {
	off := 0
	for i := range s.runs {
		r := &s.runs[i]
		for _, it := range s.items[off+r.stored : off+r.n] {
			v := binary.AppendUvarint(nil, r.id)
			w.st.key = itemKey(w.st.key[:0], it.seq)
			if err := w.st.kv.Put(w.st.key, appendItem(v, it)); err != nil {
				return err
			}
		}
		r.stored = r.n
		off += r.n
	}
	return nil
}

// deadline is when a key's first session closes.
type deadline struct {
	at, end int64
	key     *sessionKey
}

// deadlineHeap orders deadlines by close time, then end, then key order.
type deadlineHeap []deadline

func (h deadlineHeap) Len() int { return len(h) }
func (h deadlineHeap) Less(i, j int) bool {
	if h[i].at != h[j].at {
		return h[i].at < h[j].at
	}
	if h[i].end != h[j].end {
		return h[i].end < h[j].end
	}
	return h[i].key.seq < h[j].key.seq
}
func (h deadlineHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *deadlineHeap) Push(x any)   { *h = append(*h, x.(deadline)) }
func (h *deadlineHeap) Pop() any {
	old := *h
	d := old[len(old)-1]
	*h = old[:len(old)-1]
	return d
}
