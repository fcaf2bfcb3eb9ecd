package windows

import (
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
// last + gap + grace and is then forwarded as one batch (the previous
// session's events expired, its own current, BatchEnd at last + gap). A
// late event that would open an already-closed session is dropped and
// counted. Sessions are per task (per partition key inside PARTITION
// WITH); SQL.md gives the window no key of its own.
type sessionWindow struct {
	base
	gap, grace int64
	open       []*span // by start; disjoint, so also by end
	prev       []item
}

func newSession(s *Spec) *sessionWindow { return &sessionWindow{gap: s.Size, grace: s.Grace} }

// Punctuate implements topology.Punctuator.
func (w *sessionWindow) Punctuate(streamTime int64) error {
	for len(w.open) > 0 && w.open[0].last+w.gap+w.grace <= streamTime {
		s := w.open[0]
		w.open[0] = nil
		w.open = w.open[1:]
		if err := w.flushBatch(w.prev, s.items, s.last+w.gap); err != nil {
			return err
		}
		w.prev = s.items
	}
	return nil
}

// Process implements topology.Processor.
func (w *sessionWindow) Process(ev *topology.Event) error {
	if isMarker(ev) {
		return nil
	}
	ts := ev.TS
	lo, hi := len(w.open), len(w.open) // sessions [lo, hi) overlap the event
	for i, s := range w.open {
		if ts < s.last+w.gap && s.start < ts+w.gap {
			lo = min(lo, i)
			hi = i + 1
		}
	}
	if lo == len(w.open) {
		if ts+w.gap+w.grace <= w.ctx.StreamTime() {
			w.counters.Late++
			return nil
		}
		i, _ := slices.BinarySearchFunc(w.open, ts, func(s *span, t int64) int { return cmpInt(s.start, t) })
		w.open = slices.Insert(w.open, i, &span{start: ts, last: ts, items: []item{itemOf(ev)}})
		return nil
	}
	merged := w.open[lo]
	for _, s := range w.open[lo+1 : hi] {
		merged.start = min(merged.start, s.start)
		merged.last = max(merged.last, s.last)
		merged.items = append(merged.items, s.items...)
	}
	merged.start, merged.last = min(merged.start, ts), max(merged.last, ts)
	merged.items = append(merged.items, itemOf(ev))
	w.open = slices.Delete(w.open, lo+1, hi)
	return nil
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
