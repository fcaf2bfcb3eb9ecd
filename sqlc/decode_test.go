package sqlc

import (
	"math"
	"strings"
	"testing"

	"github.com/eventflux-io/eventflux-go/aggregate"
	"github.com/eventflux-io/eventflux-go/topology"
)

// TestDecodeKey decodes what appendKey encodes, and rejects truncations.
func TestDecodeKey(t *testing.T) {
	vals := []topology.Value{topology.String("IBM"), topology.Null(), topology.Bool(true), topology.Int(-3),
		topology.Long(1 << 40), topology.Float(0.1), topology.Double(math.Inf(1)), topology.String("")}
	var b []byte
	for _, v := range vals {
		b = appendKey(b, v)
	}
	got, err := DecodeKey(b)
	if err != nil || len(got) != len(vals) {
		t.Fatalf("DecodeKey: %v, %v", got, err)
	}
	for i := range vals {
		if !got[i].Equal(vals[i]) {
			t.Errorf("value %d: %v, want %v", i, got[i], vals[i])
		}
	}
	for n := 1; n < len(b); n++ {
		if got, err := DecodeKey(b[:n]); err == nil && len(got) == len(vals) {
			t.Errorf("prefix %d decoded as the whole key", n)
		}
	}
	if _, err := DecodeKey([]byte{99}); err == nil {
		t.Error("unknown kind decoded")
	}
	ks := newKeyState(nil, string(appendKey(nil, topology.String("IBM"))))
	pk, rest, err := SplitPartitionKey(append(ks.prefix, 'g', 's'))
	if err != nil || string(rest) != "gs" {
		t.Fatalf("SplitPartitionKey: %q, %v", rest, err)
	}
	if v, err := DecodePartitionKey(pk); err != nil || !v.Equal(topology.String("IBM")) {
		t.Errorf("DecodePartitionKey: %v, %v", v, err)
	}
	if _, _, err := SplitPartitionKey([]byte{5, 'a'}); err == nil {
		t.Error("truncated prefix split")
	}
}

// nodeProcessor returns a processor of the node of prog whose Op is op.
func nodeProcessor(t *testing.T, prog *Program, op string) topology.Processor {
	t.Helper()
	for _, n := range prog.Topology.Nodes() {
		if n.Info.Op == op {
			return n.New()
		}
	}
	t.Fatalf("no %s node", op)
	return nil
}

// TestSelectLayout: modes, aggregate names and meta scalars by window and
// OUTPUT clause; group keys by GROUP BY.
func TestSelectLayout(t *testing.T) {
	for _, c := range []struct {
		query, mode, names, meta string
		groupBy                  int
		strKey                   bool
	}{
		{"SELECT k, sum(x) AS total, min(x), count() FROM S GROUP BY k", "noretract", "total min(x) count()", "", 1, true},
		{"SELECT sum(x) AS a, sum(x) AS b FROM S WINDOW('length', 2)", "history", "a", "", 0, false},
		{"SELECT k, i, maxForever(x) AS m FROM S WINDOW('lengthBatch', 2) GROUP BY k, i OUTPUT LAST EVERY 2 EVENTS", "full", "m", "row_count", 2, false},
		{"SELECT k FROM S GROUP BY k OUTPUT FIRST EVERY 2 EVENTS", "noretract", "", "", 1, true},
		{"SELECT k FROM S GROUP BY k OUTPUT FIRST EVERY 2 SECONDS", "noretract", "", "period_open period_end", 1, true},
		{"SELECT k, count() AS n FROM S WINDOW('time', 5) GROUP BY k OUTPUT SNAPSHOT EVERY 2 SECONDS", "history", "n", "started next_period_end", 1, true},
	} {
		prog, err := Compile("CREATE STREAM S (k STRING, x DOUBLE, i INT);\nINSERT INTO Out "+c.query+";", Options{})
		if err != nil {
			t.Fatal(err)
		}
		l, ok := SelectLayoutOf(nodeProcessor(t, prog, "aggregate"))
		if !ok {
			t.Fatalf("%s: no select layout", c.query)
		}
		mode := map[aggregate.StateMode]string{aggregate.StateFull: "full", aggregate.StateNoRetract: "noretract", aggregate.StateHistory: "history"}[l.Mode]
		var meta []string
		for _, f := range l.Meta {
			meta = append(meta, f.Name)
		}
		if mode != c.mode || strings.Join(l.Names, " ") != c.names || strings.Join(meta, " ") != c.meta || l.GroupBy != c.groupBy || l.StringKey != c.strKey {
			t.Errorf("%s: %s %q %q %d %v", c.query, mode, l.Names, meta, l.GroupBy, l.StringKey)
		}
		if len(l.Names) != len(l.Aggregates) {
			t.Errorf("%s: %d names for %d aggregates", c.query, len(l.Names), len(l.Aggregates))
		}
	}
	prog, err := Compile("CREATE STREAM S (k STRING, x DOUBLE);\nPARTITION WITH (k OF S) BEGIN INSERT INTO Out SELECT k, count() AS n FROM S; END;", Options{})
	if err != nil {
		t.Fatal(err)
	}
	pl, ok := PartitionLayoutOf(nodeProcessor(t, prog, "partition"))
	if !ok || len(pl.Chain.Stores()) != 2 {
		t.Fatalf("partition layout: %+v, %v", pl, ok)
	}
	if _, ok := SelectLayoutOf(nodeProcessor(t, prog, "partition")); ok {
		t.Error("a partition node has a select layout")
	}
}
