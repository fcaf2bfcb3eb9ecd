package windows

import "github.com/eventflux-io/eventflux-go/topology"

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
	held ring
	seq  uint64 // seq of the next event; held[i] has seq head+i
	head uint64
	aggs []aggState
	out  topology.Event // scratch event holding the aggregate values
}

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
	w.held.Push(itemOf(ev))
	for i := range w.aggs {
		w.aggs[i].add(w.seq, ev.Values)
	}
	w.seq++
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
	it := w.held.Pop()
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
