package windows

import "github.com/eventflux-io/eventflux-go/topology"

// timeBatches is the state of a time-batch window: consecutive batches
// [end - size, end), the open one (cur) and the last closed one (prev,
// whose events expire when the next batch closes).
type timeBatches struct {
	size     int64
	start    int64 // alignment origin when hasStart
	hasStart bool
	started  bool
	end      int64
	batchPair
}

func newTimeBatches(s *Spec) timeBatches {
	return timeBatches{size: s.Size, start: s.Start, hasStart: s.HasStart}
}

// begin opens the first batch for an event at t: aligned to the start time
// when one was given, else starting at t.
func (b *timeBatches) begin(t int64) {
	if b.started {
		return
	}
	b.started = true
	if b.hasStart {
		b.end = b.start + (floorDiv(t-b.start, b.size)+1)*b.size
		return
	}
	b.end = t + b.size
}

// flushDue closes, through w, every batch whose end is at or before clock.
// Runs of empty batches are skipped in O(1), keeping the alignment.
func (b *timeBatches) flushDue(w *base, clock int64) error {
	for b.started && clock >= b.end {
		if len(b.prev) == 0 && len(b.cur) == 0 {
			b.end += (floorDiv(clock-b.end, b.size) + 1) * b.size
			return nil
		}
		if err := w.flushBatch(b.prev, b.cur, b.end); err != nil {
			return err
		}
		b.rotate()
		b.end += b.size
	}
	return nil
}

// restore loads the batches and the batch schedule, and extra scalars
// after them.
func (b *timeBatches) restore(ctx topology.Context, extra func(r *metaReader)) error {
	return b.batchPair.restore(ctx, func(r *metaReader) {
		b.started, b.end = r.bool(), r.int()
		if extra != nil {
			extra(r)
		}
	})
}

// flush writes the batches and the batch schedule, and extra after them.
func (b *timeBatches) flush(extra func(w *metaWriter)) error {
	return b.batchPair.flush(func(w *metaWriter) {
		w.bool(b.started).int(b.end)
		if extra != nil {
			extra(w)
		}
	})
}

// timeBatchWindow is WINDOW('timeBatch', d [, startTime]): batches of d
// milliseconds of stream time, the first starting at the first event (or
// aligned to startTime + k*d). A batch closes when stream time reaches its
// end (Siddhi TimeBatchWindowProcessor, driven by stream time). A late
// event joins the open batch.
type timeBatchWindow struct {
	base
	state timeBatches
}

func newTimeBatch(s *Spec) *timeBatchWindow { return &timeBatchWindow{state: newTimeBatches(s)} }

// Init implements topology.Processor: it restores the batches.
func (w *timeBatchWindow) Init(ctx topology.Context) error {
	w.ctx = ctx
	return w.state.restore(ctx, nil)
}

// Flush implements topology.Flusher.
func (w *timeBatchWindow) Flush() error { return w.state.flush(nil) }

// Punctuate implements topology.Punctuator.
func (w *timeBatchWindow) Punctuate(streamTime int64) error {
	return w.state.flushDue(&w.base, streamTime)
}

// Process implements topology.Processor.
func (w *timeBatchWindow) Process(ev *topology.Event) error {
	if isMarker(ev) {
		return nil
	}
	first := !w.state.started
	w.state.begin(ev.TS)
	w.state.add(itemOf(ev))
	if first {
		// A late first event may open a batch that has already ended.
		return w.state.flushDue(&w.base, w.ctx.StreamTime())
	}
	return nil
}

// externalTimeBatchWindow is WINDOW('externalTimeBatch', attr, d
// [, startTime]): time batches on the clock given by attr (its largest
// value seen). Batches close only when an event arrives whose attr reaches
// the batch end (Siddhi ExternalTimeBatchWindowProcessor); the closing
// event then opens the next batch. A NULL attr drops the event (counted).
type externalTimeBatchWindow struct {
	base
	attr  int
	clock int64
	state timeBatches
}

func newExternalTimeBatch(s *Spec) *externalTimeBatchWindow {
	return &externalTimeBatchWindow{attr: s.TimeAttr.Index, clock: topology.NoTime, state: newTimeBatches(s)}
}

// Init implements topology.Processor: it restores the batches and the
// clock.
func (w *externalTimeBatchWindow) Init(ctx topology.Context) error {
	w.ctx = ctx
	return w.state.restore(ctx, func(r *metaReader) { w.clock = r.int() })
}

// Flush implements topology.Flusher.
func (w *externalTimeBatchWindow) Flush() error {
	return w.state.flush(func(m *metaWriter) { m.int(w.clock) })
}

// Process implements topology.Processor.
func (w *externalTimeBatchWindow) Process(ev *topology.Event) error {
	if isMarker(ev) {
		return nil
	}
	v := ev.Values[w.attr]
	if v.IsNull() {
		w.counters.NoTime++
		return nil
	}
	t := v.AsLong()
	w.state.begin(t)
	w.clock = max(w.clock, t)
	if err := w.state.flushDue(&w.base, w.clock); err != nil {
		return err
	}
	w.state.add(item{ts: ev.TS, vals: ev.Values})
	return nil
}

// floorDiv is a / b rounded toward negative infinity (b > 0).
func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && a < 0 {
		q--
	}
	return q
}
