package windows

import (
	"encoding/binary"
	"fmt"
	"math"
	"slices"

	"github.com/eventflux-io/eventflux-go/statestore"
	"github.com/eventflux-io/eventflux-go/topology"
)

// span is one open Kafka-style window: [start, end) for tumbling and
// hopping windows; for a session, start is its first event's time and
// last its last event's (the session spans [start, last + gap)).
type span struct {
	start, last int64
	items       []item
	// stored counts the items in the store (hopping: a prefix of items).
	stored int
	// Session persistence: the session's id (its record key), its items
	// as runs of consecutive arrivals (merges concatenate runs), whether
	// the last run may grow, and the Flush bookkeeping.
	id             uint64
	owner          string // the session key
	runs           []run
	runOpen        bool
	recorded       bool // the store has the session record
	dirty, dropped bool
}

// run is a stretch of a session's items that arrived one after another
// into it: items carry their run's id in the store, so a restore can put
// merged sessions' items back in their order without rewriting them.
type run struct {
	id        uint64
	n, stored int
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
	prev                 *span   // the last closed window, or nil
	next                 uint64  // the next event's seq
	store                statestore.Windowed
	dels                 []span // closed windows to delete from the store
	key                  []byte
}

// Init implements topology.Processor: it restores the open windows and
// the last closed one from the windowed store, where each event of a
// window is stored under (seq, window start). The window whose end plus
// grace stream time has passed is the last closed one.
func (w *hoppingWindow) Init(ctx topology.Context) error {
	w.ctx = ctx
	ws, err := ctx.WindowStore(windowStoreName)
	if err != nil {
		return err
	}
	w.store = ws
	var derr error
	err = ws.Range(math.MinInt64, math.MaxInt64, func(k []byte, start int64, v []byte) bool {
		if len(k) != 8 {
			derr = fmt.Errorf("windows: window key %x: %w", k, topology.ErrBadEncoding)
			return false
		}
		it, _, err := decodeItem(v, binary.BigEndian.Uint64(k))
		if err != nil {
			derr = err
			return false
		}
		w.next = max(w.next, it.seq+1)
		if n := len(w.open); n == 0 || w.open[n-1].start != start {
			w.open = append(w.open, &span{start: start})
		}
		win := w.open[len(w.open)-1]
		win.items = append(win.items, it)
		win.stored++
		return true
	})
	if err == nil {
		err = derr
	}
	if err != nil {
		return err
	}
	if len(w.open) > 0 && w.closed(w.open[0].start, ctx.StreamTime()) {
		w.prev = w.open[0]
		w.open[0] = nil
		w.open = w.open[1:]
	}
	return nil
}

// Flush implements topology.Flusher.
func (w *hoppingWindow) Flush() error {
	for _, d := range w.dels {
		for _, it := range d.items[:d.stored] {
			w.key = binary.BigEndian.AppendUint64(w.key[:0], it.seq)
			if err := w.store.Delete(w.key, d.start); err != nil {
				return err
			}
		}
	}
	clear(w.dels)
	w.dels = w.dels[:0]
	if w.prev != nil {
		if err := w.flushSpan(w.prev); err != nil {
			return err
		}
	}
	for _, win := range w.open {
		if err := w.flushSpan(win); err != nil {
			return err
		}
	}
	return nil
}

func (w *hoppingWindow) flushSpan(win *span) error {
	for _, it := range win.items[win.stored:] {
		w.key = binary.BigEndian.AppendUint64(w.key[:0], it.seq)
		if err := w.store.Put(w.key, win.start, appendItem(nil, it)); err != nil {
			return err
		}
	}
	win.stored = len(win.items)
	return nil
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
		var prev []item
		if w.prev != nil {
			prev = w.prev.items
		}
		if err := w.flushBatch(prev, win.items, win.start+w.size); err != nil {
			return err
		}
		if w.prev != nil && w.prev.stored > 0 {
			w.dels = append(w.dels, span{start: w.prev.start, items: w.prev.items, stored: w.prev.stored})
		}
		w.prev = win
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
	it := itemOf(ev)
	it.seq = w.next
	for start := first; start <= last; start += w.advance {
		if w.closed(start, st) {
			continue
		}
		win := w.window(start)
		win.items = append(win.items, it)
		added = true
	}
	if added {
		w.next++
	}
	if !added {
		// The latest window holding ev starts at last; it closed last.
		w.late(ev, last+w.size+w.grace)
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

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
