package windows

import "github.com/eventflux-io/eventflux-go/topology"

// cronWindow is WINDOW('cron', '<expr>'): a batch window closed at each
// fire time of a Quartz cron schedule, on stream time (Siddhi
// CronWindowProcessor, with event time instead of the wall clock). The
// first fire considered is the first one after the first event; a batch
// [previous fire, fire) is forwarded when stream time reaches the fire
// time: the previous batch expired, this one current, BatchEnd at the fire
// time.
type cronWindow struct {
	base
	sched   *Schedule
	started bool
	fire    int64 // the next fire time
	batchPair
}

func newCronWindow(s *Spec) *cronWindow { return &cronWindow{sched: s.Cron} }

// Init implements topology.Processor: it restores the batches and the
// schedule.
func (w *cronWindow) Init(ctx topology.Context) error {
	w.ctx = ctx
	return w.restore(ctx, func(r *metaReader) { w.started, w.fire = r.bool(), r.int() })
}

// Flush implements topology.Flusher.
func (w *cronWindow) Flush() error {
	return w.flush(func(m *metaWriter) { m.bool(w.started).int(w.fire) })
}

// Punctuate implements topology.Punctuator.
func (w *cronWindow) Punctuate(streamTime int64) error {
	for w.started && streamTime >= w.fire {
		if len(w.prev) == 0 && len(w.cur) == 0 {
			w.fire = w.sched.Next(streamTime)
			return nil
		}
		if err := w.flushBatch(w.prev, w.cur, w.fire); err != nil {
			return err
		}
		w.rotate()
		w.fire = w.sched.Next(w.fire)
	}
	return nil
}

// Process implements topology.Processor.
func (w *cronWindow) Process(ev *topology.Event) error {
	if isMarker(ev) {
		return nil
	}
	w.add(itemOf(ev))
	if w.started {
		return nil
	}
	w.started = true
	w.fire = w.sched.Next(ev.TS)
	return w.Punctuate(w.ctx.StreamTime())
}
