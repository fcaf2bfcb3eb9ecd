package topology_test

import (
	"encoding/binary"
	"fmt"
	"strings"
	"testing"

	"github.com/eventflux-io/eventflux-go/statestore"
	"github.com/eventflux-io/eventflux-go/statestore/memstore"
	"github.com/eventflux-io/eventflux-go/topology"
)

func TestStoreName(t *testing.T) {
	for _, c := range []struct{ node, store, want string }{
		{"q1/window", "state", "q1-window.state"},
		{"q1-window", "state", "q1_2dwindow.state"},
		{"a.b", "c", "a_2eb.c"},
		{"a", "b.c", "a.b_2ec"},
	} {
		if got := topology.StoreName(c.node, c.store); got != c.want {
			t.Errorf("StoreName(%q, %q) = %q, want %q", c.node, c.store, got, c.want)
		}
	}
	if topology.StoreName("a.b", "c") == topology.StoreName("a", "b.c") {
		t.Error("distinct pairs share a name")
	}
}

// counter counts events in its store and flushes a cached count.
type counter struct {
	ctx   topology.Context
	kv    statestore.KeyValue
	n     uint64
	dirty bool
}

func (c *counter) Init(ctx topology.Context) error {
	c.ctx = ctx
	kv, err := ctx.Store("n")
	if err != nil {
		return err
	}
	c.kv = kv
	if v, ok, err := kv.Get([]byte("n")); err != nil {
		return err
	} else if ok {
		c.n = binary.BigEndian.Uint64(v)
	}
	if _, err := ctx.Store("undeclared"); err == nil || !strings.Contains(err.Error(), "does not declare") {
		return fmt.Errorf("undeclared store: %v", err)
	}
	return nil
}

func (c *counter) Process(ev *topology.Event) error {
	c.n++
	c.dirty = true
	return c.ctx.Forward(topology.NewEvent(ev.TS, topology.Long(int64(c.n))))
}

func (c *counter) Flush() error {
	if !c.dirty {
		return nil
	}
	c.dirty = false
	return c.kv.Put([]byte("n"), binary.BigEndian.AppendUint64(nil, c.n))
}

func (c *counter) Close() error { return nil }

// TestTaskCommitRestore checks that a task re-created over committed
// state resumes with its processors' flushed state and its stream time,
// and that uncommitted work is lost.
func TestTaskCommitRestore(t *testing.T) {
	in := topology.NewSchema("In", topology.Attribute{Name: "x", Type: topology.TypeLong})
	out := topology.NewSchema("Out", topology.Attribute{Name: "n", Type: topology.TypeLong})
	b := topology.NewBuilder()
	b.AddStream(in, topology.Binding{})
	b.AddStream(out, topology.Binding{})
	b.AddProcessor(topology.NodeInfo{Name: "q/count", Op: "count", Schema: out,
		Stores: []topology.StoreSpec{{Name: "n", Kind: statestore.KindKeyValue}}},
		func() topology.Processor { return &counter{} }, "In")
	b.Connect("q/count", "Out")
	topo, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	if got := topo.Stores(); len(got) != 2 || got[0].Name != topology.TaskStoreName || got[1].Name != "q-count.n" {
		t.Fatalf("Stores() = %v", got)
	}
	backing := memstore.NewBacking()
	var last int64
	open := func() *topology.Task {
		t.Helper()
		st, err := memstore.Open(backing, memstore.Options{})
		if err != nil {
			t.Fatal(err)
		}
		task, err := topology.NewTask(topo, topology.TaskOptions{State: st, Emit: func(_ string, ev *topology.Event) error {
			last = ev.Values[0].AsLong()
			return nil
		}})
		if err != nil {
			t.Fatal(err)
		}
		return task
	}
	task := open()
	for _, ts := range []int64{10, 20} {
		if err := task.Process("In", topology.NewEvent(ts, topology.Long(0))); err != nil {
			t.Fatal(err)
		}
	}
	if err := task.Commit(statestore.Checkpoint{}); err != nil {
		t.Fatal(err)
	}
	if task.State().Checkpoint().StreamTime != 20 {
		t.Fatalf("checkpoint stream time %d", task.State().Checkpoint().StreamTime)
	}
	if err := task.Process("In", topology.NewEvent(30, topology.Long(0))); err != nil {
		t.Fatal(err)
	}
	if err := task.Flush(); err != nil { // flushed, never committed: lost
		t.Fatal(err)
	}
	_ = task.Close()
	_ = task.State().Close()

	task = open()
	if task.StreamTime() != 20 {
		t.Fatalf("restored stream time %d, want 20", task.StreamTime())
	}
	if err := task.Process("In", topology.NewEvent(25, topology.Long(0))); err != nil {
		t.Fatal(err)
	}
	if last != 3 {
		t.Fatalf("count after restore = %d, want 3", last)
	}
	_ = task.Close()
	_ = task.State().Close()
}
