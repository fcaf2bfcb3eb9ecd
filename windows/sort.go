package windows

import (
	"cmp"
	"container/heap"
	"encoding/binary"
	"strings"

	"github.com/eventflux-io/eventflux-go/topology"
)

// sortWindow is WINDOW('sort', n, attr ['asc'|'desc'], ...): it keeps the
// n first events in the given order. When an arrival makes it hold n + 1,
// the last event in sort order is evicted: the arriving event is forwarded
// as current first, then the evicted one as expired (Siddhi
// SortWindowProcessor). Among equal keys the later arrival sorts last.
// State is a heap with the last event in sort order on top: O(log n) per
// event.
type sortWindow struct {
	base
	n    int
	seq  uint64
	heap sortHeap
	st   kvState
	j    journal
}

func newSortWindow(s *Spec) *sortWindow {
	return &sortWindow{n: s.N, heap: sortHeap{keys: s.SortKeys}}
}

// Init implements topology.Processor: it restores the held events.
func (w *sortWindow) Init(ctx topology.Context) error {
	w.ctx = ctx
	if err := w.st.openMeta(ctx, func(r *metaReader) { w.seq = r.uint() }); err != nil {
		return err
	}
	its, err := w.st.loadItems()
	if err != nil {
		return err
	}
	for _, it := range its {
		w.heap.es = append(w.heap.es, sortEntry{seq: it.seq, it: it})
	}
	heap.Init(&w.heap)
	w.j.restored(len(its), w.seq+1)
	return nil
}

// Flush implements topology.Flusher.
func (w *sortWindow) Flush() error {
	err := w.j.flush(&w.st, w.seq+1, func(fn func(item) error) error {
		for _, e := range w.heap.es {
			if err := fn(e.it); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	w.st.val = binary.AppendUvarint(w.st.val[:0], w.seq)
	return w.st.writeMeta(w.st.val)
}

// Replay implements topology.Replayer.
func (w *sortWindow) Replay(fn func(*topology.Event) error) error {
	its := make([]item, len(w.heap.es))
	for i, e := range w.heap.es {
		its[i] = e.it
	}
	return replayItems(its, fn)
}

// Process implements topology.Processor.
func (w *sortWindow) Process(ev *topology.Event) error {
	if isMarker(ev) {
		return nil
	}
	w.seq++
	it := itemOf(ev)
	it.seq = w.seq
	heap.Push(&w.heap, sortEntry{seq: w.seq, it: it})
	w.j.add(it)
	if err := w.arrive(ev); err != nil {
		return err
	}
	if w.heap.Len() <= w.n {
		return nil
	}
	evicted := heap.Pop(&w.heap).(sortEntry)
	w.j.remove(evicted.it)
	return w.expire(evicted.it)
}

// sortEntry is one held event and its arrival number (the tie breaker).
type sortEntry struct {
	seq uint64
	it  item
}

// sortHeap is a max-heap in sort order: its top is the event to evict.
type sortHeap struct {
	keys []SortKey
	es   []sortEntry
}

func (h *sortHeap) Len() int      { return len(h.es) }
func (h *sortHeap) Swap(i, j int) { h.es[i], h.es[j] = h.es[j], h.es[i] }
func (h *sortHeap) Less(i, j int) bool {
	return h.order(h.es[i], h.es[j]) > 0
}
func (h *sortHeap) Push(x any) { h.es = append(h.es, x.(sortEntry)) }
func (h *sortHeap) Pop() any {
	e := h.es[len(h.es)-1]
	h.es[len(h.es)-1] = sortEntry{}
	h.es = h.es[:len(h.es)-1]
	return e
}

// order compares a and b in the window's sort order: < 0 when a sorts
// first.
func (h *sortHeap) order(a, b sortEntry) int {
	for _, k := range h.keys {
		c := compareValues(a.it.vals[k.Attr.Index], b.it.vals[k.Attr.Index])
		if k.Desc {
			c = -c
		}
		if c != 0 {
			return c
		}
	}
	return cmp.Compare(a.seq, b.seq)
}

// compareValues orders two values of one attribute: numbers numerically,
// strings by bytes, FALSE before TRUE, NULL after everything (so an
// ascending sort window evicts NULLs first).
func compareValues(a, b topology.Value) int {
	switch {
	case a.IsNull() && b.IsNull():
		return 0
	case a.IsNull():
		return 1
	case b.IsNull():
		return -1
	}
	switch a.Kind() {
	case topology.TypeString:
		return strings.Compare(a.Str(), b.Str())
	case topology.TypeFloat, topology.TypeDouble:
		return cmp.Compare(a.AsDouble(), b.AsDouble())
	}
	return cmp.Compare(a.AsLong(), b.AsLong())
}
