package windows

import "github.com/eventflux-io/eventflux-go/topology"

// lengthWindow is WINDOW('length', n): a sliding window over the last n
// events. When a new event arrives into a full window, the oldest expires
// (forwarded first, stamped with stream time), then the new event is
// forwarded as current (Siddhi LengthWindowProcessor).
type lengthWindow struct {
	base
	n    int
	held heldRing
}

func newLength(s *Spec) *lengthWindow { return &lengthWindow{n: s.N} }

// Init implements topology.Processor: it restores the held events.
func (w *lengthWindow) Init(ctx topology.Context) error {
	w.ctx = ctx
	return w.held.restore(ctx, false, nil)
}

// Flush implements topology.Flusher.
func (w *lengthWindow) Flush() error { return w.held.flush(nil) }

// Replay implements topology.Replayer.
func (w *lengthWindow) Replay(fn func(*topology.Event) error) error { return w.held.replay(fn) }

// Process implements topology.Processor.
func (w *lengthWindow) Process(ev *topology.Event) error {
	if isMarker(ev) {
		return nil
	}
	if w.held.Len() == w.n {
		if err := w.expire(w.held.pop()); err != nil {
			return err
		}
	}
	w.held.push(w.held.number(itemOf(ev)))
	return w.arrive(ev)
}

// lengthBatchWindow is WINDOW('lengthBatch', n): a tumbling window of n
// events. The n-th event closes the batch: the previous batch is forwarded
// as expired, the closing batch as current, then BatchEnd at stream time
// (Siddhi LengthBatchWindowProcessor). A partial batch is never emitted.
type lengthBatchWindow struct {
	base
	n int
	batchPair
}

func newLengthBatch(s *Spec) *lengthBatchWindow { return &lengthBatchWindow{n: s.N} }

// Init implements topology.Processor: it restores both batches.
func (w *lengthBatchWindow) Init(ctx topology.Context) error {
	w.ctx = ctx
	return w.restore(ctx, nil)
}

// Flush implements topology.Flusher.
func (w *lengthBatchWindow) Flush() error { return w.flush(nil) }

// Process implements topology.Processor.
func (w *lengthBatchWindow) Process(ev *topology.Event) error {
	if isMarker(ev) {
		return nil
	}
	w.add(itemOf(ev))
	if len(w.cur) < w.n {
		return nil
	}
	if err := w.flushBatch(w.prev, w.cur, w.ctx.StreamTime()); err != nil {
		return err
	}
	w.rotate()
	return nil
}
