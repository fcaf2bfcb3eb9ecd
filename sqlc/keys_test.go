package sqlc

import (
	"strings"
	"testing"
)

// A record key from outside the SQL (the pipeline YAML) counts for
// partitioning as WITH (key = ...) does: GROUP BY it needs no repartition
// topic. A key naming no attribute is ignored (the binding check reports
// it), and a key the SQL gives wins.
func TestOptionsKeysDecidePartitioning(t *testing.T) {
	const src = `CREATE STREAM T (symbol STRING, v INT) WITH (topic = 't');
CREATE STREAM U (symbol STRING, v INT) WITH (topic = 'u', key = 'v');
INSERT INTO A SELECT symbol, sum(v) AS s FROM T GROUP BY symbol;
INSERT INTO B SELECT symbol, sum(v) AS s FROM U GROUP BY symbol;`
	for _, tc := range []struct {
		name string
		keys map[string][]string
		want int
	}{
		{"none", nil, 2},
		{"T by symbol", map[string][]string{"T": {"symbol"}}, 1},
		{"unknown attribute", map[string][]string{"T": {"nope"}}, 2},
		{"the SQL's key wins", map[string][]string{"T": {"symbol"}, "U": {"symbol"}}, 1},
	} {
		prog, err := Compile(src, Options{Keys: tc.keys})
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if got := len(prog.Topology.Repartitions()); got != tc.want {
			t.Errorf("%s: %d repartition topics, want %d:\n%s", tc.name, got, tc.want, prog.Describe())
		}
	}
	prog, _ := Compile(src, Options{Keys: map[string][]string{"T": {"symbol"}}})
	if k := prog.Topology.Node("T").Binding.Key; len(k) != 1 || k[0] != "symbol" {
		t.Errorf("T's binding key %v", k)
	}
}

// A note names the place of its query in its own file when the
// application has several.
func TestNotesNameTheirFile(t *testing.T) {
	prog, err := CompileSources([]Source{
		{File: "a.sql", Text: "CREATE STREAM T (k STRING, v INT) WITH (topic = 't', key = 'k');\n"},
		{File: "b.sql", Text: "-- totals\n\nINSERT INTO Total SELECT sum(v) AS s FROM T;\n"},
	}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(prog.Notes) != 1 || !strings.HasPrefix(prog.Notes[0], "query q1 at b.sql:3:1 keeps global state") {
		t.Fatalf("notes %q", prog.Notes)
	}
	one, err := Compile("CREATE STREAM T (k STRING, v INT) WITH (topic = 't', key = 'k');\nINSERT INTO Total SELECT sum(v) AS s FROM T;", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(one.Notes) != 1 || !strings.HasPrefix(one.Notes[0], "query q1 at 2:1 keeps global state") {
		t.Fatalf("notes %q", one.Notes)
	}
}
