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
	next    int64
	prev    []item
	cur     []item
}

func newCronWindow(s *Spec) *cronWindow { return &cronWindow{sched: s.Cron} }

// Punctuate implements topology.Punctuator.
func (w *cronWindow) Punctuate(streamTime int64) error {
	for w.started && streamTime >= w.next {
		if len(w.prev) == 0 && len(w.cur) == 0 {
			w.next = w.sched.Next(streamTime)
			return nil
		}
		if err := w.flushBatch(w.prev, w.cur, w.next); err != nil {
			return err
		}
		clear(w.prev)
		w.prev, w.cur = w.cur, w.prev[:0]
		w.next = w.sched.Next(w.next)
	}
	return nil
}

// Process implements topology.Processor.
func (w *cronWindow) Process(ev *topology.Event) error {
	if isMarker(ev) {
		return nil
	}
	w.cur = append(w.cur, itemOf(ev))
	if w.started {
		return nil
	}
	w.started = true
	w.next = w.sched.Next(ev.TS)
	return w.Punctuate(w.ctx.StreamTime())
}
