package sqlc

import (
	"fmt"
	"strings"

	"github.com/eventflux-io/eventflux-go/sqlc/expr"
	"github.com/eventflux-io/eventflux-go/sqlc/plan"
	"github.com/eventflux-io/eventflux-go/topology"
)

// buildSelect adds the select stage of q, fed by parent, and returns its
// node name; the caller connects it to the target stream.
func buildSelect(b *topology.Builder, q *plan.Query, parent string) string {
	if q.Agg != nil {
		return buildAggSelect(b, q, parent)
	}
	cols := make([]expr.Func, len(q.Project))
	items := make([]string, len(q.Project))
	for i, pr := range q.Project {
		cols[i] = expr.Compile(pr.Expr)
		if pr.Expr.Type() != pr.Type && pr.Expr.Type() != topology.TypeNull {
			cols[i] = widen(cols[i], pr.Type)
		}
		items[i] = pr.Expr.String()
		if items[i] != pr.Name {
			items[i] += " AS " + pr.Name
		}
	}
	current, expired := q.EventKinds()
	name := q.Name + "/select"
	detail := fmt.Sprintf("%s; insert %s into %s", strings.Join(items, ", "), kindsName(current, expired), q.Target.Schema.Name)
	b.AddProcessor(topology.NodeInfo{Name: name, Op: "select", Detail: detail, Schema: q.Target.Schema},
		newSelect(cols, current, expired), parent)
	return name
}

func kindsName(current, expired bool) string {
	switch {
	case current && expired:
		return "all events"
	case expired:
		return "expired events"
	}
	return "current events"
}

// filterProc forwards the events for which its condition is TRUE.
type filterProc struct {
	ctx   topology.Context
	pred  func(*expr.Frame) bool
	frame expr.Frame
}

func newFilter(pred func(*expr.Frame) bool) func() topology.Processor {
	return func() topology.Processor {
		return &filterProc{pred: pred, frame: expr.Frame{Events: make([]*topology.Event, 1)}}
	}
}

func (p *filterProc) Init(ctx topology.Context) error { p.ctx = ctx; return nil }
func (p *filterProc) Close() error                    { return nil }

func (p *filterProc) Process(ev *topology.Event) error {
	p.frame.Events[0] = ev
	if !p.pred(&p.frame) {
		return nil
	}
	return p.ctx.Forward(ev)
}

// selectProc computes a query's output attributes for each event of the
// kinds its INSERT selects and forwards the result, of the same kind (an
// expired event's row is an expired event), to the target stream.
type selectProc struct {
	ctx              topology.Context
	cols             []expr.Func
	current, expired bool
	frame            expr.Frame
	alloc            topology.EventAlloc
}

func newSelect(cols []expr.Func, current, expired bool) func() topology.Processor {
	return func() topology.Processor {
		return &selectProc{cols: cols, current: current, expired: expired, frame: expr.Frame{Events: make([]*topology.Event, 1)}}
	}
}

func (p *selectProc) Init(ctx topology.Context) error { p.ctx = ctx; return nil }
func (p *selectProc) Close() error                    { return nil }

func (p *selectProc) Process(ev *topology.Event) error {
	switch ev.Kind {
	case topology.BatchEnd:
		return nil // no aggregation: a batch's events were emitted as they came
	case topology.Expired:
		if !p.expired {
			return nil
		}
	case topology.Current:
		if !p.current {
			return nil
		}
	}
	p.frame.Events[0] = ev
	out := p.alloc.New(ev.TS, len(p.cols))
	out.Kind = ev.Kind
	for i, col := range p.cols {
		out.Values[i] = col(&p.frame)
	}
	return p.ctx.Forward(out)
}

// widen converts fn's result to the numeric type to (a declared target
// attribute wider than the expression). NULL stays NULL.
func widen(fn expr.Func, to topology.Type) expr.Func {
	conv := func(v topology.Value) topology.Value { return v }
	switch to {
	case topology.TypeLong:
		conv = func(v topology.Value) topology.Value { return topology.Long(v.AsLong()) }
	case topology.TypeFloat:
		conv = func(v topology.Value) topology.Value { return topology.Float(v.AsFloat()) }
	case topology.TypeDouble:
		conv = func(v topology.Value) topology.Value { return topology.Double(v.AsDouble()) }
	}
	return func(f *expr.Frame) topology.Value {
		v := fn(f)
		if v.IsNull() {
			return v
		}
		return conv(v)
	}
}
