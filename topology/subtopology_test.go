package topology

import (
	"strings"
	"testing"
)

func names(nodes []*Node) string {
	var out []string
	for _, n := range nodes {
		out = append(out, n.Info.Name)
	}
	return strings.Join(out, ",")
}

// Repartition nodes cut the graph: the writer's component ends with the
// topic, each reader's component starts with it.
func TestSubTopologies(t *testing.T) {
	s := &Schema{Name: "S", Attrs: []Attribute{{Name: "k", Type: TypeString}}}
	rp := &Schema{Name: "rp1", Attrs: s.Attrs}
	out := &Schema{Name: "Out", Attrs: s.Attrs}
	flat := &Schema{Name: "Flat", Attrs: s.Attrs}
	fwd := ProcessorFunc(func(ctx Context, ev *Event) error { return ctx.Forward(ev) }).Supplier()
	b := NewBuilder()
	b.AddStream(s, Binding{Topic: "s", Key: []string{"k"}})
	b.AddStream(out, Binding{})
	b.AddStream(flat, Binding{})
	b.AddProcessor(NodeInfo{Name: "rp1/sink"}, fwd, "S")
	b.AddRepartition(rp, Binding{Topic: AppIDPlaceholder + "-rp1-repartition", Key: []string{"k"}})
	b.Connect("rp1/sink", "rp1")
	b.AddProcessor(NodeInfo{Name: "q1/select"}, fwd, "rp1")
	b.Connect("q1/select", "Out")
	b.AddProcessor(NodeInfo{Name: "q2/select"}, fwd, "S")
	b.Connect("q2/select", "Flat")
	topo, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	subs := topo.SubTopologies()
	if len(subs) != 2 {
		t.Fatalf("got %d sub-topologies, want 2:\n%s", len(subs), topo.Describe())
	}
	for i, want := range [][3]string{
		{"S", "rp1/sink,q2/select", "rp1,Flat"},
		{"rp1", "q1/select", "Out"},
	} {
		got := [3]string{names(subs[i].Sources), names(subs[i].Nodes), names(subs[i].Sinks)}
		if got != want {
			t.Errorf("sub-topology %d: got %q, want %q", i, got, want)
		}
	}
	if got := names(topo.Outputs()); got != "Out,Flat" && got != "Flat,Out" {
		t.Errorf("outputs %s: a repartition topic is not an output", got)
	}
	if got := names(topo.Repartitions()); got != "rp1" {
		t.Errorf("repartitions %s", got)
	}
	if got := ResolveAppID(topo.Node("rp1").Binding.Topic, "shop"); got != "shop-rp1-repartition" {
		t.Errorf("ResolveAppID: %s", got)
	}
}

// A sub-topology's view holds its nodes only, with the edges across the
// repartition topic cut, and a task store of its own; with
// RemoteRepartitions the writer only emits into the topic and the reader
// gets events through Process on it.
func TestSubTopologyViews(t *testing.T) {
	s := &Schema{Name: "S", Attrs: []Attribute{{Name: "k", Type: TypeString}}}
	rp := &Schema{Name: "rp1", Attrs: s.Attrs}
	out := &Schema{Name: "Out", Attrs: s.Attrs}
	fwd := ProcessorFunc(func(ctx Context, ev *Event) error { return ctx.Forward(ev) }).Supplier()
	b := NewBuilder()
	b.AddStream(s, Binding{Topic: "s"})
	b.AddStream(out, Binding{})
	b.AddProcessor(NodeInfo{Name: "rp1/sink"}, fwd, "S")
	b.AddRepartition(rp, Binding{Topic: "rp1-repartition", Partitions: 1})
	b.Connect("rp1/sink", "rp1")
	b.AddProcessor(NodeInfo{Name: "q1/select", Stores: []StoreSpec{{Name: "state"}}}, fwd, "rp1")
	b.Connect("q1/select", "Out")
	topo, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	subs := topo.SubTopologies()
	w, r := topo.View(subs[0]), topo.View(subs[1])
	if got := names(w.Nodes()); got != "S,rp1/sink,rp1" {
		t.Errorf("writer view %s", got)
	}
	if got := names(r.Nodes()); got != "rp1,q1/select,Out" {
		t.Errorf("reader view %s", got)
	}
	if len(w.Node("rp1").Children) != 0 || len(r.Node("rp1").Parents) != 0 || len(topo.Node("rp1").Children) != 1 {
		t.Error("the views share edges with the topology")
	}
	if w.TaskStore() == r.TaskStore() || w.TaskStore() != TaskStoreName+"."+subs[0].Name || topo.TaskStore() != TaskStoreName {
		t.Errorf("task stores %s, %s, %s", w.TaskStore(), r.TaskStore(), topo.TaskStore())
	}
	if len(w.Stores()) != 1 || len(r.Stores()) != 2 {
		t.Errorf("stores %v, %v", w.Stores(), r.Stores())
	}
	if subs[0].Name == subs[1].Name || !strings.HasPrefix(subs[0].Name, "s") || len(subs[0].Name) != 13 {
		t.Errorf("names %s, %s", subs[0].Name, subs[1].Name)
	}

	var emitted []string
	emit := func(stream string, ev *Event) error {
		emitted = append(emitted, stream+":"+ev.Values[0].String())
		return nil
	}
	wt, err := NewTask(w, TaskOptions{Emit: emit, RemoteRepartitions: true})
	if err != nil {
		t.Fatal(err)
	}
	rt, err := NewTask(r, TaskOptions{Emit: emit, RemoteRepartitions: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := wt.Process("S", &Event{TS: 1, Values: []Value{String("a")}}); err != nil {
		t.Fatal(err)
	}
	if err := rt.Process("rp1", &Event{TS: 2, Values: []Value{String("b")}}); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(emitted, ","); got != `rp1:"a",Out:"b"` {
		t.Errorf("emitted %s", got)
	}
	// The whole topology, as replay runs it: the topic is a pass-through.
	emitted = nil
	whole, err := NewTask(topo, TaskOptions{Emit: emit})
	if err != nil {
		t.Fatal(err)
	}
	if err := whole.Process("S", &Event{TS: 1, Values: []Value{String("c")}}); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(emitted, ","); got != `rp1:"c",Out:"c"` {
		t.Errorf("emitted %s", got)
	}
}
