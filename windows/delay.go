package windows

import "github.com/eventflux-io/eventflux-go/topology"

// delayWindow is WINDOW('delay', d): it holds each event and re-emits it,
// as a current event stamped ts + d, when stream time reaches ts + d
// (Siddhi DelayWindowProcessor, driven by stream time). Nothing is
// forwarded on arrival and nothing is ever expired. A late event already
// past its release time is released at once (still stamped ts + d).
type delayWindow struct {
	base
	delay int64
	held  heldRing // by event time
}

func newDelay(s *Spec) *delayWindow { return &delayWindow{delay: s.Size} }

// Init implements topology.Processor: it restores the held events.
func (w *delayWindow) Init(ctx topology.Context) error {
	w.ctx = ctx
	return w.held.restore(ctx, true, nil)
}

// Flush implements topology.Flusher.
func (w *delayWindow) Flush() error { return w.held.flush(nil) }

// Punctuate implements topology.Punctuator.
func (w *delayWindow) Punctuate(streamTime int64) error {
	for w.held.Len() > 0 && w.held.Front().ts+w.delay <= streamTime {
		if err := w.release(w.held.pop()); err != nil {
			return err
		}
	}
	return nil
}

// Process implements topology.Processor.
func (w *delayWindow) Process(ev *topology.Event) error {
	if isMarker(ev) {
		return nil
	}
	it := itemOf(ev)
	if it.ts+w.delay <= w.ctx.StreamTime() {
		return w.release(it)
	}
	w.held.insertByTime(w.held.number(it))
	return nil
}

func (w *delayWindow) release(it item) error {
	return w.emit(topology.Current, it.ts+w.delay, it.vals)
}
