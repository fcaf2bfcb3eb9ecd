package sqlc_test

import (
	"sort"
	"strings"
	"testing"

	"github.com/eventflux-io/eventflux-go/sqlc"
	"github.com/eventflux-io/eventflux-go/statestore"
	"github.com/eventflux-io/eventflux-go/statestore/memstore"
	"github.com/eventflux-io/eventflux-go/topology"
	"github.com/eventflux-io/eventflux-go/topology/topologytest"
)

// names returns the node names and internal topic names of src's
// topology, sorted.
func names(t *testing.T, src string) []string {
	t.Helper()
	prog, err := sqlc.Compile(src, sqlc.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, n := range prog.Topology.Nodes() {
		out = append(out, n.Info.Name)
		if n.Role == topology.RoleRepartition {
			out = append(out, n.Binding.Topic)
		}
	}
	for _, s := range prog.Topology.Stores() {
		out = append(out, "store "+s.Name)
	}
	sort.Strings(out)
	return out
}

// Node, store and internal topic names derive from what they name, not
// from positions: reordering queries and adding an unrelated one keeps
// every existing name.
func TestNamesStableUnderReordering(t *testing.T) {
	const ddl = "CREATE STREAM Trades (symbol STRING, venue STRING, volume INT) WITH (topic = 'trades', key = 'venue');\n"
	a := "INSERT INTO ByVenue SELECT venue, count() AS n FROM Trades GROUP BY venue;\n"
	b := "INSERT INTO BySymbol SELECT symbol, sum(volume) AS s FROM Trades WINDOW('time', 1 MINUTE) GROUP BY symbol;\n"
	c := "INSERT INTO Total SELECT count() AS n FROM Trades;\n"
	p := "PARTITION WITH (symbol OF Trades) BEGIN INSERT INTO #X SELECT symbol, volume FROM Trades WINDOW('length', 2); INSERT INTO Out SELECT symbol, count() AS n FROM #X; END;\n"
	before := names(t, ddl+a+b+c+p)
	after := names(t, ddl+p+"INSERT INTO Extra SELECT venue FROM Trades WHERE volume > 5;\n"+c+b+a)
	have := map[string]bool{}
	for _, n := range after {
		have[n] = true
	}
	for _, n := range before {
		if !have[n] {
			t.Errorf("name %s is gone after reordering; names now:\n%s", n, strings.Join(after, "\n"))
		}
	}
	if len(after) <= len(before) {
		t.Errorf("the extra query added no names: %d before, %d after", len(before), len(after))
	}
}

// A partition node keeps its keys and each key's state in its stores, so
// a task created over the committed state of an earlier one carries on
// per key.
func TestPartitionStateIsPerKeyAndRestores(t *testing.T) {
	prog, err := sqlc.Compile(`CREATE STREAM S (k STRING, x INT);
PARTITION WITH (k OF S) BEGIN INSERT ALL EVENTS INTO Out SELECT k, x FROM S WINDOW('length', 1); END;`, sqlc.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var node *topology.Node
	for _, n := range prog.Topology.Nodes() {
		if n.Info.Op == "partition" {
			node = n
		}
	}
	if node == nil || len(node.Info.Stores) < 2 {
		t.Fatalf("partition node declares no chain stores: %+v", node)
	}
	backing := memstore.NewBacking()
	run := func(keys []string, from int) []string {
		t.Helper()
		st, err := memstore.Open(backing, memstore.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		d, err := topologytest.New(prog.Topology, topologytest.WithState(st))
		if err != nil {
			t.Fatal(err)
		}
		for i, k := range keys {
			if err := d.Send("S", int64(from+i)*1000, topology.String(k), topology.Int(int32(i))); err != nil {
				t.Fatal(err)
			}
		}
		var got []string
		for _, o := range d.TakeOutputs() {
			got = append(got, o.Event.Kind.String()[:1]+":"+o.Event.Values[0].Str()+"="+o.Event.Values[1].String())
		}
		if err := d.Commit(statestore.Checkpoint{}); err != nil {
			t.Fatal(err)
		}
		if err := d.Close(); err != nil {
			t.Fatal(err)
		}
		return got
	}
	if got, want := strings.Join(run([]string{"a", "b", "a", "a"}, 1), " "), "c:a=0 c:b=1 e:a=0 c:a=2 e:a=2 c:a=3"; got != want {
		t.Errorf("outputs %q, want %q", got, want)
	}
	// After a restart over the committed state, each key's window still
	// holds that key's last event, which the key's next event expires.
	if got, want := strings.Join(run([]string{"b", "a", "c"}, 5), " "), "e:b=1 c:b=0 e:a=3 c:a=1 c:c=2"; got != want {
		t.Errorf("outputs after restore %q, want %q", got, want)
	}
}
