package replay_test

import (
	"testing"

	"github.com/eventflux-io/eventflux-go/topology"
)

var (
	tradesSchema = topology.NewSchema("Trades",
		topology.Attribute{Name: "symbol", Type: topology.TypeString},
		topology.Attribute{Name: "price", Type: topology.TypeDouble},
		topology.Attribute{Name: "volume", Type: topology.TypeInt},
	)
	alertsSchema = topology.NewSchema("Alerts",
		topology.Attribute{Name: "symbol", Type: topology.TypeString},
		topology.Attribute{Name: "price", Type: topology.TypeDouble},
		topology.Attribute{Name: "doubled", Type: topology.TypeInt},
	)
)

// tradesTopology hand-builds what
//
//	INSERT INTO Alerts SELECT symbol, price, volume * 2 AS doubled FROM Trades WHERE price > 50;
//
// compiles to, with a punctuator that emits a Ticks event whenever stream
// time crosses a multiple of 1000 (to see watermarks at work).
func tradesTopology(tb testing.TB) *topology.Topology {
	tb.Helper()
	b := topology.NewBuilder()
	b.AddStream(tradesSchema, topology.Binding{Topic: "trades", Format: "json"})
	b.AddStream(alertsSchema, topology.Binding{Topic: "alerts", Format: "json"})
	b.AddStream(ticksSchema, topology.Binding{})
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
	b.AddProcessor(topology.NodeInfo{Name: "q1/filter", Op: "filter", Detail: "price > 50", Schema: tradesSchema}, filter.Supplier(), "Trades")
	b.AddProcessor(topology.NodeInfo{Name: "q1/project", Op: "project", Schema: alertsSchema}, project.Supplier(), "q1/filter")
	b.Connect("q1/project", "Alerts")
	b.AddProcessor(topology.NodeInfo{Name: "q2/ticks", Op: "ticks", Schema: ticksSchema}, func() topology.Processor { return &ticker{} }, "Trades")
	b.Connect("q2/ticks", "Ticks")
	topo, err := b.Build()
	if err != nil {
		tb.Fatal(err)
	}
	return topo
}

var ticksSchema = topology.NewSchema("Ticks", topology.Attribute{Name: "second", Type: topology.TypeLong})

type ticker struct {
	ctx  topology.Context
	last int64
}

func (p *ticker) Init(ctx topology.Context) error { p.ctx = ctx; p.last = -1; return nil }
func (p *ticker) Process(*topology.Event) error   { return nil }
func (p *ticker) Close() error                    { return nil }

func (p *ticker) Punctuate(now int64) error {
	s := now / 1000
	if p.last >= 0 && s > p.last {
		if err := p.ctx.Forward(topology.NewEvent(s*1000, topology.Long(s))); err != nil {
			return err
		}
	}
	p.last = s
	return nil
}
