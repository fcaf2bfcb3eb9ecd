package sqlc

import (
	"strings"

	"github.com/eventflux-io/eventflux-go/sqlc/expr"
	"github.com/eventflux-io/eventflux-go/sqlc/plan"
	"github.com/eventflux-io/eventflux-go/topology"
)

// addRepartition adds repartition r fed by parent and returns the node
// its consumer reads from. The sink processor "<node>/sink" appends any
// computed key columns; the stream node <node> is the repartition topic.
// In a task that runs the whole topology (replay, tests) the topic is a
// pass-through, so its consumers see the events in the order they came.
func addRepartition(b *topology.Builder, r *plan.Repartition, parent string) string {
	sink := r.Node + "/sink"
	detail := "into " + r.Topic
	bind := topology.Binding{Topic: r.Topic, Format: topology.FormatEvent, Key: r.KeyAttrs}
	if r.Single {
		detail += " (1 partition)"
		bind.Partitions = 1
	} else {
		detail += " keyed by " + strings.Join(r.KeyAttrs, ", ")
	}
	b.AddProcessor(topology.NodeInfo{Name: sink, Op: "repartition", Detail: detail, Schema: r.Schema},
		newRekey(r.ComputedKeys()), parent)
	b.AddRepartition(r.Schema, bind)
	b.Connect(sink, r.Node)
	return r.Node
}

// newRekey returns the supplier of a repartition sink: it forwards each
// event, with the computed key columns appended when there are any.
func newRekey(keys []expr.Expr) func() topology.Processor {
	if len(keys) == 0 {
		return topology.ProcessorFunc(func(ctx topology.Context, ev *topology.Event) error {
			return ctx.Forward(ev)
		}).Supplier()
	}
	fns := make([]expr.Func, len(keys))
	for i, k := range keys {
		fns[i] = expr.Compile(k)
	}
	return func() topology.Processor {
		f := &expr.Frame{Events: make([]*topology.Event, 1)}
		return topology.ProcessorFunc(func(ctx topology.Context, ev *topology.Event) error {
			f.Events[0] = ev
			vals := make([]topology.Value, len(ev.Values), len(ev.Values)+len(fns))
			copy(vals, ev.Values)
			for _, fn := range fns {
				vals = append(vals, fn(f))
			}
			return ctx.Forward(&topology.Event{TS: ev.TS, Kind: ev.Kind, Values: vals})
		}).Supplier()()
	}
}
