package sqlc

import (
	"github.com/eventflux-io/eventflux-go/sqlc/expr"
	"github.com/eventflux-io/eventflux-go/sqlc/plan"
	"github.com/eventflux-io/eventflux-go/topology"
	"github.com/eventflux-io/eventflux-go/windows"
)

// buildWindow adds q's window operator after parent, if q has a window,
// and returns the node the select stage reads from. The window forwards
// the input's events unchanged (current, expired, BatchEnd markers), so its
// schema is the input's.
func buildWindow(b *topology.Builder, q *plan.Query, parent string) string {
	if q.Window == nil {
		return parent
	}
	spec := q.Window.Spec
	if q.Window.Cond != nil {
		ex := *spec.Expr
		ex.NewCond = windowCond(q.Window.Cond)
		spec.Expr = &ex
	}
	if spec.Kind == windows.Session && q.Agg != nil && len(q.Agg.GroupBy) > 0 {
		spec.NewSessionKey = sessionKey(q.Agg.GroupBy)
	}
	name := q.Name + "/window"
	b.AddProcessor(topology.NodeInfo{Name: name, Op: "window", Detail: q.Window.String(), Schema: q.Input.Schema, Stores: windows.Stores(&spec)},
		windows.New(spec), parent)
	return name
}

// windowCond compiles an expression window's condition: slot 0 is the
// newest event, slot 1 the window's aggregate values.
func windowCond(cond expr.Expr) func() windows.Cond {
	pred := expr.CompileFilter(cond)
	return func() windows.Cond {
		f := &expr.Frame{Events: make([]*topology.Event, 2)}
		return func(newest, aggs *topology.Event) bool {
			f.Events[0], f.Events[1] = newest, aggs
			return pred(f)
		}
	}
}

// sessionKey encodes an event's GROUP BY key for a session window, so
// each group has its own sessions.
func sessionKey(groupBy []expr.Expr) func() func(*topology.Event) string {
	keys := make([]expr.Func, len(groupBy))
	for i, g := range groupBy {
		keys[i] = expr.Compile(g)
	}
	return func() func(*topology.Event) string {
		f := &expr.Frame{Events: make([]*topology.Event, 1)}
		var buf []byte
		return func(ev *topology.Event) string {
			f.Events[0] = ev
			buf = buf[:0]
			for _, k := range keys {
				buf = appendKey(buf, k(f))
			}
			return string(buf)
		}
	}
}
