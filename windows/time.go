package windows

import "github.com/eventflux-io/eventflux-go/topology"

// slidingTime is the state of a sliding time window: events ordered by
// their time, each leaving once the window's clock reaches its time plus
// the span. Expiry pops from the front, so it is amortised O(1) per event.
type slidingTime struct {
	span int64
	held heldRing
}

// expireUntil forwards as expired, through w, every event whose time plus
// the span is at or before clock.
func (s *slidingTime) expireUntil(w *base, clock int64) error {
	for s.held.Len() > 0 && s.held.Front().ts+s.span <= clock {
		if err := w.expire(s.held.pop()); err != nil {
			return err
		}
	}
	return nil
}

// add holds it (time t) and forwards ev as current. An event that is
// already out of the window (a late event with t + span <= clock) is
// forwarded as current and then at once as expired.
func (s *slidingTime) add(w *base, ev *topology.Event, it item, clock int64) error {
	if it.ts+s.span <= clock {
		if err := w.arrive(ev); err != nil {
			return err
		}
		return w.expire(it)
	}
	s.held.insertByTime(s.held.number(it))
	return w.arrive(ev)
}

// timeWindow is WINDOW('time', d): it holds the events with
// ts > streamTime - d. An event leaves when stream time reaches ts + d,
// forwarded as expired with that stream time (Siddhi TimeWindowProcessor,
// driven by stream time instead of a scheduler).
type timeWindow struct {
	base
	state slidingTime
}

func newTimeWindow(s *Spec) *timeWindow { return &timeWindow{state: slidingTime{span: s.Size}} }

// Init implements topology.Processor: it restores the held events.
func (w *timeWindow) Init(ctx topology.Context) error {
	w.ctx = ctx
	return w.state.held.restore(ctx, true, nil)
}

// Flush implements topology.Flusher.
func (w *timeWindow) Flush() error { return w.state.held.flush(nil) }

// Replay implements topology.Replayer.
func (w *timeWindow) Replay(fn func(*topology.Event) error) error { return w.state.held.replay(fn) }

// Punctuate implements topology.Punctuator.
func (w *timeWindow) Punctuate(streamTime int64) error {
	return w.state.expireUntil(&w.base, streamTime)
}

// Process implements topology.Processor.
func (w *timeWindow) Process(ev *topology.Event) error {
	if isMarker(ev) {
		return nil
	}
	return w.state.add(&w.base, ev, itemOf(ev), w.ctx.StreamTime())
}

// externalTimeWindow is WINDOW('externalTime', attr, d): a sliding time
// window whose clock is the largest value of attr seen. Expiry happens
// only on arrival (Siddhi ExternalTimeWindowProcessor has no timer):
// events with attr + d <= clock leave, stamped with stream time, before
// the arriving event is forwarded. An event with a NULL attr is dropped
// and counted (Counters.NoTime).
type externalTimeWindow struct {
	base
	attr  int
	clock int64
	state slidingTime
}

func newExternalTime(s *Spec) *externalTimeWindow {
	return &externalTimeWindow{attr: s.TimeAttr.Index, clock: topology.NoTime, state: slidingTime{span: s.Size}}
}

// Init implements topology.Processor: it restores the held events and the
// clock.
func (w *externalTimeWindow) Init(ctx topology.Context) error {
	w.ctx = ctx
	return w.state.held.restore(ctx, true, func(r *metaReader) { w.clock = r.int() })
}

// Flush implements topology.Flusher.
func (w *externalTimeWindow) Flush() error {
	return w.state.held.flush(func(m *metaWriter) { m.int(w.clock) })
}

// Replay implements topology.Replayer. The replayed events carry the
// attribute time, not the record time, as their TS.
func (w *externalTimeWindow) Replay(fn func(*topology.Event) error) error {
	return w.state.held.replay(fn)
}

// Process implements topology.Processor.
func (w *externalTimeWindow) Process(ev *topology.Event) error {
	if isMarker(ev) {
		return nil
	}
	v := ev.Values[w.attr]
	if v.IsNull() {
		w.counters.NoTime++
		return nil
	}
	t := v.AsLong()
	if t > w.clock {
		w.clock = t
		if err := w.state.expireUntil(&w.base, t); err != nil {
			return err
		}
	}
	return w.state.add(&w.base, ev, item{ts: t, vals: ev.Values}, w.clock)
}
