package windows

import (
	"container/heap"
	"slices"

	"github.com/eventflux-io/eventflux-go/topology"
)

// span is one open Kafka-style window: [start, end) for tumbling and
// hopping windows; for a session, start is its first event's time and
// last its last event's (the session spans [start, last + gap)).
type span struct {
	start, last int64
	items       []item
}

// hoppingWindow is WINDOW('hopping', size, advance [, grace]) and, with
// advance = size, WINDOW('tumbling', size [, grace]): epoch-aligned
// windows [k*advance, k*advance + size). A window closes when stream time
// reaches its end plus grace; it is then forwarded as one batch (the
// previously closed window's events as expired, its own as current, then
// BatchEnd at its end). An event all of whose windows have closed is
// dropped and counted (Counters.Late). As in Kafka Streams, window starts
// are not negative for events at or after the epoch.
type hoppingWindow struct {
	base
	size, advance, grace int64
	open                 []*span // by start
	prev                 []item  // the last closed window's events
}

func newHopping(s *Spec) *hoppingWindow {
	adv := s.Advance
	if s.Kind == Tumbling || adv == 0 {
		adv = s.Size
	}
	return &hoppingWindow{size: s.Size, advance: adv, grace: s.Grace}
}

// Punctuate implements topology.Punctuator.
func (w *hoppingWindow) Punctuate(streamTime int64) error {
	for len(w.open) > 0 && w.closed(w.open[0].start, streamTime) {
		win := w.open[0]
		w.open[0] = nil
		w.open = w.open[1:]
		if err := w.flushBatch(w.prev, win.items, win.start+w.size); err != nil {
			return err
		}
		w.prev = win.items
	}
	return nil
}

func (w *hoppingWindow) closed(start, streamTime int64) bool {
	return start+w.size+w.grace <= streamTime
}

// Process implements topology.Processor.
func (w *hoppingWindow) Process(ev *topology.Event) error {
	if isMarker(ev) {
		return nil
	}
	st := w.ctx.StreamTime()
	last := floorDiv(ev.TS, w.advance) * w.advance
	first := floorDiv(ev.TS-w.size, w.advance)*w.advance + w.advance
	if first < 0 && ev.TS >= 0 {
		first = 0
	}
	added := false
	for start := first; start <= last; start += w.advance {
		if w.closed(start, st) {
			continue
		}
		win := w.window(start)
		win.items = append(win.items, itemOf(ev))
		added = true
	}
	if !added {
		w.counters.Late++
	}
	return nil
}

// window returns the open window starting at start, creating it in order.
func (w *hoppingWindow) window(start int64) *span {
	i := len(w.open)
	for i > 0 && w.open[i-1].start >= start {
		if w.open[i-1].start == start {
			return w.open[i-1]
		}
		i--
	}
	win := &span{start: start}
	w.open = slices.Insert(w.open, i, win)
	return win
}

// sessionWindow is WINDOW('session', gap [, grace]): an event joins the
// session whose span [first, last + gap) overlaps its own [ts, ts + gap)
// (merging sessions it bridges); a session closes when stream time reaches
// last + gap + grace and is then forwarded as one batch (the key's previous
// session's events expired, its own current, BatchEnd at last + gap). A
// late event that would open an already-closed session is dropped and
// counted. Sessions are per key when the query groups (Spec.NewSessionKey),
// else per task; sessions closing at the same stream time are forwarded
// in order of end, then of their key's first appearance.
type sessionWindow struct {
	base
	gap, grace int64
	keyOf      func(*topology.Event) string
	keys       map[string]*sessionKey
	seq        int // first-appearance order of keys
	deadlines  deadlineHeap
}

// sessionKey holds one key's open sessions (disjoint, by start) and the
// events of its last closed session.
type sessionKey struct {
	key  string
	seq  int
	open []*span
	prev []item
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
		if err := w.flushBatch(k.prev, s.items, s.last+w.gap); err != nil {
			return err
		}
		k.prev = s.items
		if len(k.open) > 0 {
			w.push(k, k.open[0])
		}
	}
	return nil
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
	if lo == len(k.open) {
		if ts+w.gap+w.grace <= w.ctx.StreamTime() {
			w.counters.Late++
			return nil
		}
		i, _ := slices.BinarySearchFunc(k.open, ts, func(s *span, t int64) int { return cmpInt(s.start, t) })
		s := &span{start: ts, last: ts, items: []item{itemOf(ev)}}
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
	}
	merged.start, merged.last = min(merged.start, ts), max(merged.last, ts)
	merged.items = append(merged.items, itemOf(ev))
	k.open = slices.Delete(k.open, lo+1, hi)
	if lo == 0 {
		w.push(k, merged)
	}
	return nil
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
	}
	return k
}

// push schedules the close of s, the first open session of k.
func (w *sessionWindow) push(k *sessionKey, s *span) {
	heap.Push(&w.deadlines, deadline{at: s.last + w.gap + w.grace, end: s.last + w.gap, key: k})
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

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
