package replay_test

import (
	"testing"

	"github.com/eventflux-io/eventflux-go/topology"
)

// benchTopology is the topology BenchmarkReplayEndToEnd runs: the
// hand-built filter and projection of tradesTopology, without the ticker.
func benchTopology(tb testing.TB) *topology.Topology {
	tb.Helper()
	b := topology.NewBuilder()
	b.AddStream(tradesSchema, topology.Binding{Topic: "trades", Format: "json"})
	b.AddStream(alertsSchema, topology.Binding{Topic: "alerts", Format: "json"})
	filter := topology.ProcessorFunc(func(ctx topology.Context, ev *topology.Event) error {
		if p := ev.Values[1]; !p.IsNull() && p.RawDouble() > 50 {
			return ctx.Forward(ev)
		}
		return nil
	})
	project := topology.ProcessorFunc(func(ctx topology.Context, ev *topology.Event) error {
		doubled := topology.Null()
		if v := ev.Values[2]; !v.IsNull() {
			doubled = topology.Int(int32(v.RawLong() * 2))
		}
		return ctx.Forward(topology.NewEvent(ev.TS, ev.Values[0], ev.Values[1], doubled))
	})
	b.AddProcessor(topology.NodeInfo{Name: "q1/filter", Op: "filter", Schema: tradesSchema}, filter.Supplier(), "Trades")
	b.AddProcessor(topology.NodeInfo{Name: "q1/project", Op: "project", Schema: alertsSchema}, project.Supplier(), "q1/filter")
	b.Connect("q1/project", "Alerts")
	topo, err := b.Build()
	if err != nil {
		tb.Fatal(err)
	}
	return topo
}
