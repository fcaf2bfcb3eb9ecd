package windows

import "github.com/eventflux-io/eventflux-go/topology"

// lengthWindow is WINDOW('length', n): a sliding window over the last n
// events. When a new event arrives into a full window, the oldest expires
// (forwarded first, stamped with stream time), then the new event is
// forwarded as current (Siddhi LengthWindowProcessor).
type lengthWindow struct {
	base
	n    int
	held ring
}

func newLength(s *Spec) *lengthWindow { return &lengthWindow{n: s.N} }

// Process implements topology.Processor.
func (w *lengthWindow) Process(ev *topology.Event) error {
	if isMarker(ev) {
		return nil
	}
	if w.held.Len() == w.n {
		if err := w.expire(w.held.Pop()); err != nil {
			return err
		}
	}
	w.held.Push(itemOf(ev))
	return w.arrive(ev)
}

// lengthBatchWindow is WINDOW('lengthBatch', n): a tumbling window of n
// events. The n-th event closes the batch: the previous batch is forwarded
// as expired, the closing batch as current, then BatchEnd at stream time
// (Siddhi LengthBatchWindowProcessor). A partial batch is never emitted.
type lengthBatchWindow struct {
	base
	n         int
	prev, cur []item
}

func newLengthBatch(s *Spec) *lengthBatchWindow { return &lengthBatchWindow{n: s.N} }

// Process implements topology.Processor.
func (w *lengthBatchWindow) Process(ev *topology.Event) error {
	if isMarker(ev) {
		return nil
	}
	w.cur = append(w.cur, itemOf(ev))
	if len(w.cur) < w.n {
		return nil
	}
	if err := w.flushBatch(w.prev, w.cur, w.ctx.StreamTime()); err != nil {
		return err
	}
	clear(w.prev)
	w.prev, w.cur = w.cur, w.prev[:0]
	return nil
}
