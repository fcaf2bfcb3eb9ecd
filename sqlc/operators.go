package sqlc

import (
	"github.com/eventflux-io/eventflux-go/sqlc/expr"
	"github.com/eventflux-io/eventflux-go/topology"
)

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
// kinds its INSERT selects and forwards the result, as a current event, to
// the target stream.
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
	if ev.Kind == topology.Expired && !p.expired || ev.Kind == topology.Current && !p.current {
		return nil
	}
	p.frame.Events[0] = ev
	out := p.alloc.New(ev.TS, len(p.cols))
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
