package topology_test

import (
	"strings"
	"testing"

	"github.com/eventflux-io/eventflux-go/topology"
)

// clock records the stream times it is punctuated with.
type clock struct {
	ctx   topology.Context
	times []int64
}

func (c *clock) Init(ctx topology.Context) error { c.ctx = ctx; return nil }
func (c *clock) Process(ev *topology.Event) error {
	return c.ctx.Forward(ev)
}
func (c *clock) Punctuate(ts int64) error { c.times = append(c.times, ts); return nil }
func (c *clock) Close() error             { return nil }

func TestTaskForwardsEmitsAndPunctuates(t *testing.T) {
	in := topology.NewSchema("In", topology.Attribute{Name: "x", Type: topology.TypeLong})
	out := topology.NewSchema("Out", topology.Attribute{Name: "x", Type: topology.TypeLong})
	b := topology.NewBuilder()
	b.AddStream(in, topology.Binding{Topic: "in", Format: "json"})
	b.AddStream(out, topology.Binding{})
	doubled := topology.ProcessorFunc(func(ctx topology.Context, ev *topology.Event) error {
		return ctx.Forward(topology.NewEvent(ev.TS, topology.Long(ev.Values[0].AsLong()*2)))
	})
	c := &clock{}
	b.AddProcessor(topology.NodeInfo{Name: "q/clock", Op: "clock"}, func() topology.Processor { return c }, "In")
	b.AddProcessor(topology.NodeInfo{Name: "q/double", Op: "map", Detail: "x * 2", Schema: out}, doubled.Supplier(), "q/clock")
	b.Connect("q/double", "Out")
	topo, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	task, err := topology.NewTask(topo, topology.TaskOptions{Emit: func(s string, ev *topology.Event) error {
		got = append(got, s+":"+ev.Values[0].String())
		return nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	for i, ts := range []int64{10, 5, 20} {
		if err := task.Process("In", topology.NewEvent(ts, topology.Long(int64(i)))); err != nil {
			t.Fatal(err)
		}
	}
	if err := task.Advance(15); err != nil { // behind stream time: no-op
		t.Fatal(err)
	}
	if err := task.Advance(30); err != nil {
		t.Fatal(err)
	}
	if want := "Out:0 Out:2 Out:4"; strings.Join(got, " ") != want {
		t.Errorf("emitted %q, want %q", strings.Join(got, " "), want)
	}
	if want := []int64{10, 20, 30}; len(c.times) != 3 || c.times[0] != 10 || c.times[1] != 20 || c.times[2] != 30 {
		t.Errorf("punctuated at %v, want %v", c.times, want)
	}
	if task.StreamTime() != 30 {
		t.Errorf("stream time %d, want 30", task.StreamTime())
	}
	if err := task.Process("Nope", topology.NewEvent(1)); err == nil {
		t.Error("unknown stream accepted")
	}
	d := topo.Describe()
	for _, want := range []string{"In(x LONG)", "topic=in format=json", "q/double: map x * 2", "from: q/clock", "Out(x LONG)", "internal (no topic)"} {
		if !strings.Contains(d, want) {
			t.Errorf("Describe lacks %q:\n%s", want, d)
		}
	}
}

func TestBuilderRejectsBadGraphs(t *testing.T) {
	s := topology.NewSchema("S")
	noop := topology.ProcessorFunc(func(topology.Context, *topology.Event) error { return nil }).Supplier()
	cases := map[string]func(b *topology.Builder){
		"duplicate node": func(b *topology.Builder) { b.AddStream(s, topology.Binding{}); b.AddStream(s, topology.Binding{}) },
		"unknown node":   func(b *topology.Builder) { b.AddProcessor(topology.NodeInfo{Name: "p"}, noop, "missing") },
		"cycle": func(b *topology.Builder) {
			b.AddProcessor(topology.NodeInfo{Name: "a"}, noop)
			b.AddProcessor(topology.NodeInfo{Name: "b"}, noop, "a")
			b.Connect("b", "a")
		},
		"stream to stream": func(b *topology.Builder) {
			b.AddStream(s, topology.Binding{})
			b.AddStream(topology.NewSchema("T"), topology.Binding{})
			b.Connect("S", "T")
		},
	}
	for name, build := range cases {
		b := topology.NewBuilder()
		build(b)
		if _, err := b.Build(); err == nil || !strings.HasPrefix(err.Error(), "topology: ") {
			t.Errorf("%s: got %v, want a topology: error", name, err)
		}
	}
}

// TestTaskReportsLateEvents: Context.Late reaches TaskOptions.OnLate with
// the reporting node, the event and the reason; without OnLate it is a
// no-op.
func TestTaskReportsLateEvents(t *testing.T) {
	in := topology.NewSchema("In", topology.Attribute{Name: "x", Type: topology.TypeLong})
	b := topology.NewBuilder()
	b.AddStream(in, topology.Binding{Topic: "in"})
	dropOld := topology.ProcessorFunc(func(ctx topology.Context, ev *topology.Event) error {
		if ev.TS < ctx.StreamTime() {
			ctx.Late(ev, "too old")
		}
		return nil
	})
	b.AddProcessor(topology.NodeInfo{Name: "q/window", Op: "window", Schema: in}, dropOld.Supplier(), "In")
	topo, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	task, err := topology.NewTask(topo, topology.TaskOptions{OnLate: func(node string, ev *topology.Event, reason string) {
		got = append(got, node+" "+ev.Values[0].String()+" "+reason)
	}})
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range []*topology.Event{topology.NewEvent(10, topology.Long(1)), topology.NewEvent(5, topology.Long(2))} {
		if err := task.Process("In", ev); err != nil {
			t.Fatal(err)
		}
	}
	if want := "q/window 2 too old"; strings.Join(got, "; ") != want {
		t.Errorf("OnLate got %q, want %q", got, want)
	}
	plain, err := topology.NewTask(topo, topology.TaskOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := plain.Process("In", topology.NewEvent(10, topology.Long(1))); err != nil {
		t.Fatal(err)
	}
	if err := plain.Process("In", topology.NewEvent(5, topology.Long(2))); err != nil {
		t.Fatal(err)
	}
}
