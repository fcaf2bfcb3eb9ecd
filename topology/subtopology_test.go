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
