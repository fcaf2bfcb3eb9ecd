package topologytest_test

import (
	"encoding/binary"
	"fmt"
	"strings"
	"testing"

	"github.com/eventflux-io/eventflux-go/statestore"
	"github.com/eventflux-io/eventflux-go/topology"
	"github.com/eventflux-io/eventflux-go/topology/topologytest"
)

var (
	trades = topology.NewSchema("Trades",
		topology.Attribute{Name: "symbol", Type: topology.TypeString},
		topology.Attribute{Name: "price", Type: topology.TypeDouble},
	)
	alerts = topology.NewSchema("Alerts",
		topology.Attribute{Name: "symbol", Type: topology.TypeString},
		topology.Attribute{Name: "price", Type: topology.TypeDouble},
	)
	counts = topology.NewSchema("Counts", topology.Attribute{Name: "n", Type: topology.TypeLong})
)

// tumblingCount counts events per 10 ms tumbling window in a store and
// emits the count when stream time closes the window.
type tumblingCount struct {
	ctx topology.Context
	end int64
}

func (p *tumblingCount) Init(ctx topology.Context) error {
	p.ctx = ctx
	p.end = topology.NoTime
	return nil
}
func (p *tumblingCount) Close() error { return nil }

func (p *tumblingCount) Process(ev *topology.Event) error {
	st, err := p.ctx.Store("count")
	if err != nil {
		return err
	}
	if p.end == topology.NoTime {
		p.end = ev.TS - ev.TS%10 + 10
	}
	v, _, _ := st.Get([]byte("n"))
	var n uint64
	if v != nil {
		n = binary.BigEndian.Uint64(v)
	}
	return st.Put([]byte("n"), binary.BigEndian.AppendUint64(nil, n+1))
}

func (p *tumblingCount) Punctuate(now int64) error {
	if p.end == topology.NoTime || now < p.end {
		return nil
	}
	st, err := p.ctx.Store("count")
	if err != nil {
		return err
	}
	v, _, _ := st.Get([]byte("n"))
	if err := st.Delete([]byte("n")); err != nil {
		return err
	}
	end := p.end
	p.end = topology.NoTime
	return p.ctx.Forward(topology.NewEvent(end, topology.Long(int64(binary.BigEndian.Uint64(v)))))
}

func build(t *testing.T) *topology.Topology {
	t.Helper()
	b := topology.NewBuilder()
	b.AddStream(trades, topology.Binding{Topic: "trades", Format: "json"})
	b.AddStream(alerts, topology.Binding{})
	b.AddStream(counts, topology.Binding{})
	filter := topology.ProcessorFunc(func(ctx topology.Context, ev *topology.Event) error {
		if ev.Values[1].RawDouble() > 50 {
			return ctx.Forward(ev)
		}
		return nil
	})
	b.AddProcessor(topology.NodeInfo{Name: "q1/filter", Op: "filter", Schema: alerts}, filter.Supplier(), "Trades")
	b.Connect("q1/filter", "Alerts")
	b.AddProcessor(topology.NodeInfo{Name: "q2/count", Op: "window", Schema: counts,
		Stores: []topology.StoreSpec{{Name: "count", Kind: statestore.KindKeyValue}}},
		func() topology.Processor { return &tumblingCount{} }, "Trades")
	b.Connect("q2/count", "Counts")
	topo, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	return topo
}

func render(outs []topologytest.Output) string {
	s := make([]string, len(outs))
	for i, o := range outs {
		s[i] = o.String()
	}
	return strings.Join(s, " ")
}

func TestDriver(t *testing.T) {
	d, err := topologytest.New(build(t))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if d.StreamTime() != topology.NoTime {
		t.Errorf("stream time before any event: %d", d.StreamTime())
	}
	send := func(ts int64, sym string, price float64) {
		t.Helper()
		if err := d.Send("Trades", ts, topology.String(sym), topology.Double(price)); err != nil {
			t.Fatal(err)
		}
	}
	send(1, "IBM", 75.5)
	send(2, "ACME", 10)
	if got, want := render(d.TakeOutputs()), `Alerts@1("IBM", 75.5)`; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
	send(12, "IBM", 80) // closes [0,10) before processing the event
	if got, want := render(d.Outputs()), `Counts@10(2) Alerts@12("IBM", 80)`; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
	d.TakeOutputs()
	if err := d.Advance(15); err != nil {
		t.Fatal(err)
	}
	if len(d.Outputs()) != 0 {
		t.Errorf("window closed early: %s", render(d.Outputs()))
	}
	if err := d.Advance(20); err != nil {
		t.Fatal(err)
	}
	if err := d.Advance(5); err != nil { // never back
		t.Fatal(err)
	}
	if got, want := render(d.TakeOutputs()), `Counts@20(1)`; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
	if d.StreamTime() != 20 {
		t.Errorf("stream time %d, want 20", d.StreamTime())
	}
}

func TestDriverRejectsBadInput(t *testing.T) {
	d, err := topologytest.New(build(t))
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string]error{
		`unknown stream "Trade"; did you mean 'Trades'?`:            d.Send("Trade", 1),
		`Trades(symbol STRING, price DOUBLE) takes 2 values, got 1`: d.Send("Trades", 1, topology.String("x")),
		`Trades.price is DOUBLE, got LONG 3`:                        d.Send("Trades", 1, topology.String("x"), topology.Long(3)),
	}
	for want, err := range cases {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("got %v, want ...%s", err, want)
		}
	}
	if err := d.Send("Trades", 1, topology.Null(), topology.Null()); err != nil {
		t.Errorf("NULLs rejected: %v", err)
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	if err := d.Send("Trades", 1, topology.Null(), topology.Null()); err == nil {
		t.Error("send after close accepted")
	}
}

func TestOnOutput(t *testing.T) {
	var got []string
	d, err := topologytest.New(build(t), topologytest.OnOutput(func(o topologytest.Output) error {
		got = append(got, o.String())
		if len(got) == 2 {
			return fmt.Errorf("sink full")
		}
		return nil
	}))
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Send("Trades", 1, topology.String("A"), topology.Double(60)); err != nil {
		t.Fatal(err)
	}
	if err := d.Send("Trades", 2, topology.String("B"), topology.Double(70)); err == nil || !strings.Contains(err.Error(), "sink full") {
		t.Errorf("sink error lost: %v", err)
	}
	if len(d.Outputs()) != 0 || len(got) != 2 {
		t.Errorf("outputs recorded %d, delivered %v", len(d.Outputs()), got)
	}
}
