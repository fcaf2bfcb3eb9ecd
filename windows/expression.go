package windows

import (
	"math"

	"github.com/eventflux-io/eventflux-go/topology"
)

// AggOp is an aggregate that the condition of an expression window may
// compute over the events the window holds.
type AggOp uint8

// Aggregates of an expression window condition.
const (
	// AggCount is count() / count(*): the number of events held (LONG).
	AggCount AggOp = iota
	// AggCountOf is count(x): the events whose x is not NULL (LONG).
	AggCountOf
	// AggSum is sum(x): LONG for INT/LONG x, DOUBLE for FLOAT/DOUBLE.
	AggSum
	// AggAvg is avg(x), a DOUBLE.
	AggAvg
	// AggMin and AggMax are min(x) and max(x), of x's type.
	AggMin
	AggMax
)

// Agg is one aggregate of an expression window condition. Attr is unused
// for AggCount.
type Agg struct {
	Op   AggOp
	Attr Attr
}

// Cond evaluates an expression window's condition: newest is the newest
// event in the window (attribute references read it) and aggs holds the
// aggregates' current values in ExprSpec.Aggs order. A NULL result is
// false.
type Cond func(newest, aggs *topology.Event) bool

// ExprSpec is the condition of WINDOW('expression', '...').
type ExprSpec struct {
	// Text is the condition as written.
	Text string
	// Aggs are the aggregates the condition reads.
	Aggs []Agg
	// NewCond returns a fresh evaluator (one per processor, so evaluators
	// may keep scratch state).
	NewCond func() Cond
}

// expressionWindow is WINDOW('expression', cond): a sliding window that
// keeps as many of the latest events as satisfy cond (Siddhi
// ExpressionWindowProcessor). On each arrival the event is added, then
// while cond is false the oldest event is removed and forwarded as
// expired, before the arrival is forwarded as current; if cond is false
// even for the arrival alone, it is forwarded as current and then expired.
// Aggregates are maintained incrementally (min/max with monotonic queues),
// so an arrival costs amortised O(1) plus one evaluation per eviction.
type expressionWindow struct {
	base
	cond Cond
	held heldRing // held[i] has seq head+i; held.next is the next seq
	head uint64
	aggs []aggState
	out  topology.Event // scratch event holding the aggregate values
}

// Init implements topology.Processor: it restores the held events, then
// the aggregates: min and max candidates by re-adding the events, the
// counts and sums (whose floating-point rounding depends on history) from
// the meta record.
func (w *expressionWindow) Init(ctx topology.Context) error {
	w.ctx = ctx
	var sums [][4]uint64
	err := w.held.restore(ctx, false, func(r *metaReader) {
		sums = make([][4]uint64, len(w.aggs))
		for i := range sums {
			for j := range sums[i] {
				sums[i][j] = r.uint()
			}
		}
	})
	if err != nil {
		return err
	}
	w.head = w.held.next
	if w.held.Len() > 0 {
		w.head = w.held.Front().seq
	}
	for i := range w.held.Len() {
		it := w.held.At(i)
		for j := range w.aggs {
			w.aggs[j].add(it.seq, it.vals)
		}
	}
	for i, s := range sums {
		a := &w.aggs[i]
		a.n, a.nonNull, a.sumL, a.sumD = int64(s[0]), int64(s[1]), int64(s[2]), math.Float64frombits(s[3])
	}
	return nil
}

// Flush implements topology.Flusher.
func (w *expressionWindow) Flush() error {
	return w.held.flush(func(m *metaWriter) {
		for _, a := range w.aggs {
			m.uint(uint64(a.n)).uint(uint64(a.nonNull)).uint(uint64(a.sumL)).uint(math.Float64bits(a.sumD))
		}
	})
}

// Replay implements topology.Replayer.
func (w *expressionWindow) Replay(fn func(*topology.Event) error) error { return w.held.replay(fn) }

func newExpressionWindow(s *Spec) *expressionWindow {
	w := &expressionWindow{cond: s.Expr.NewCond(), aggs: make([]aggState, len(s.Expr.Aggs))}
	for i, a := range s.Expr.Aggs {
		w.aggs[i] = aggState{Agg: a}
	}
	w.out.Values = make([]topology.Value, len(s.Expr.Aggs))
	return w
}

// Process implements topology.Processor.
func (w *expressionWindow) Process(ev *topology.Event) error {
	if isMarker(ev) {
		return nil
	}
	it := w.held.number(itemOf(ev))
	w.held.push(it)
	for i := range w.aggs {
		w.aggs[i].add(it.seq, ev.Values)
	}
	for w.held.Len() > 0 && !w.holds(ev) {
		it := w.evict()
		if w.held.Len() == 0 { // the arrival itself
			if err := w.arrive(ev); err != nil {
				return err
			}
			return w.expire(it)
		}
		if err := w.expire(it); err != nil {
			return err
		}
	}
	return w.arrive(ev)
}

func (w *expressionWindow) holds(newest *topology.Event) bool {
	for i := range w.aggs {
		w.out.Values[i] = w.aggs[i].value()
	}
	return w.cond(newest, &w.out)
}

func (w *expressionWindow) evict() item {
	it := w.held.pop()
	for i := range w.aggs {
		w.aggs[i].remove(w.head, it.vals)
	}
	w.head++
	return it
}

// aggState is the running value of one aggregate over a FIFO of events.
type aggState struct {
	Agg
	n, nonNull int64
	sumL       int64
	sumD       float64
	mono       []monoEntry // min/max candidates, oldest first
}

// monoEntry is a min/max candidate: an event's seq and its value.
type monoEntry struct {
	seq uint64
	v   topology.Value
}

func (a *aggState) isFloat() bool {
	return a.Attr.Type == topology.TypeFloat || a.Attr.Type == topology.TypeDouble
}

func (a *aggState) add(seq uint64, vals []topology.Value) {
	a.n++
	if a.Op == AggCount {
		return
	}
	v := vals[a.Attr.Index]
	if v.IsNull() {
		return
	}
	a.nonNull++
	a.sumL += v.AsLong()
	a.sumD += v.AsDouble()
	if a.Op == AggMin || a.Op == AggMax {
		for len(a.mono) > 0 && a.dominated(a.mono[len(a.mono)-1].v, v) {
			a.mono = a.mono[:len(a.mono)-1]
		}
		a.mono = append(a.mono, monoEntry{seq: seq, v: v})
	}
}

// dominated reports whether an older candidate old can never again be the
// min (max) once v, newer, is in the window.
func (a *aggState) dominated(old, v topology.Value) bool {
	c := compareValues(old, v)
	if a.Op == AggMin {
		return c >= 0
	}
	return c <= 0
}

func (a *aggState) remove(seq uint64, vals []topology.Value) {
	a.n--
	if a.Op == AggCount {
		return
	}
	v := vals[a.Attr.Index]
	if v.IsNull() {
		return
	}
	a.nonNull--
	a.sumL -= v.AsLong()
	a.sumD -= v.AsDouble()
	if len(a.mono) > 0 && a.mono[0].seq == seq {
		a.mono = a.mono[1:]
	}
}

func (a *aggState) value() topology.Value {
	switch a.Op {
	case AggCount:
		return topology.Long(a.n)
	case AggCountOf:
		return topology.Long(a.nonNull)
	}
	if a.nonNull == 0 {
		return topology.Null()
	}
	switch a.Op {
	case AggSum:
		if a.isFloat() {
			return topology.Double(a.sumD)
		}
		return topology.Long(a.sumL)
	case AggAvg:
		return topology.Double(a.sumD / float64(a.nonNull))
	}
	return a.mono[0].v
}
