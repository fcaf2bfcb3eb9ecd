package statedump_test

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/cockroachdb/datadriven"

	"github.com/eventflux-io/eventflux-go/internal/codec"
	"github.com/eventflux-io/eventflux-go/internal/statedump"
	"github.com/eventflux-io/eventflux-go/sqlc"
	"github.com/eventflux-io/eventflux-go/statestore"
	"github.com/eventflux-io/eventflux-go/statestore/memstore"
	"github.com/eventflux-io/eventflux-go/topology"
)

// changelog is the compacted content of every store's changelog: the
// last value of each key, tombstones deleting.
type changelog map[string]map[string][]byte

func (c changelog) apply(recs []statestore.ChangelogRecord) {
	for _, r := range recs {
		m := c[r.Store]
		if m == nil {
			m = map[string][]byte{}
			c[r.Store] = m
		}
		if r.Tombstone() {
			delete(m, string(r.Key))
		} else {
			m[string(r.Key)] = slices.Clone(r.Value)
		}
	}
}

// sortedKeys returns the keys of m in byte order, as a changelog dump
// lists them.
func sortedKeys(m map[string][]byte) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// runner runs a compiled app in a task over a memstore and collects the
// changelog records its flushes produce.
type runner struct {
	t    testing.TB
	prog *sqlc.Program
	task *topology.Task
	st   statestore.TaskState
	log  changelog
}

func newRunner(t testing.TB, sql string) *runner {
	t.Helper()
	prog, err := sqlc.Compile(sql, sqlc.Options{})
	if err != nil {
		t.Fatalf("compile: %v", err)
	}
	st, err := memstore.Open(memstore.NewBacking(), memstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	task, err := topology.NewTask(prog.Topology, topology.TaskOptions{State: st, Emit: func(string, *topology.Event) error { return nil }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = task.Close(); _ = st.Close() })
	return &runner{t: t, prog: prog, task: task, st: st, log: changelog{}}
}

// flush flushes the task, collects its changelog records and commits.
func (r *runner) flush() {
	r.t.Helper()
	if err := r.task.Flush(); err != nil {
		r.t.Fatal(err)
	}
	r.log.apply(r.st.AppendChangelog(nil))
	if err := r.task.Commit(statestore.Checkpoint{}); err != nil {
		r.t.Fatal(err)
	}
}

// feed runs replay lines ({"stream":..., "ts":..., "data":{...}} or
// {"watermark":...}) and "flush" lines.
func (r *runner) feed(lines string) {
	r.t.Helper()
	var specs []codec.StreamSpec
	for _, n := range r.prog.Topology.Nodes() {
		if n.Kind == topology.StreamNode {
			specs = append(specs, codec.StreamSpec{Schema: n.Info.Schema})
		}
	}
	dec, err := codec.NewDecoder(specs...)
	if err != nil {
		r.t.Fatal(err)
	}
	for i, line := range strings.Split(lines, "\n") {
		if strings.TrimSpace(line) == "flush" {
			r.flush()
			continue
		}
		l, err := dec.Decode(i+1, []byte(line))
		if err != nil {
			r.t.Fatal(err)
		}
		switch l.Kind {
		case codec.EventLine:
			err = r.task.Process(l.Stream, l.Event)
		case codec.WatermarkLine:
			err = r.task.Advance(l.Watermark)
		}
		if err != nil {
			r.t.Fatalf("line %d: %v", i+1, err)
		}
	}
	r.flush()
}

// dump decodes every live record, store by store, and reports the
// records that did not decode.
func (r *runner) dump() (string, []string) {
	var b strings.Builder
	var bad []string
	for _, s := range statedump.Stores(r.prog.Topology) {
		m := r.log[s.Name]
		if len(m) == 0 {
			continue
		}
		fmt.Fprintf(&b, "%s (%s)\n", s.Name, s.Layout)
		for _, k := range sortedKeys(m) {
			rec := s.Decode([]byte(k), m[k])
			line, err := rec.Fields.MarshalJSON()
			if err != nil {
				r.t.Fatal(err)
			}
			fmt.Fprintf(&b, "  %s\n", line)
			if rec.Err != nil {
				bad = append(bad, fmt.Sprintf("%s %q: %v", s.Name, k, rec.Err))
			}
		}
	}
	return b.String(), bad
}

// TestDump runs the datadriven files under testdata/dump: `dump` compiles
// the SQL before a line "--", runs the replay lines after it ("flush"
// flushes and commits in between; the end flushes), and prints every
// store's live records as decoded. A record that fails to decode fails
// the test unless the directive says `dump errors`. Rewrite with
// -rewrite.
func TestDump(t *testing.T) {
	datadriven.Walk(t, "testdata/dump", func(t *testing.T, path string) {
		datadriven.RunTest(t, path, func(t *testing.T, d *datadriven.TestData) string {
			if d.Cmd != "dump" {
				t.Fatalf("%s: unknown directive %q", d.Pos, d.Cmd)
			}
			sql, lines, _ := strings.Cut(d.Input, "\n--\n")
			r := newRunner(t, sql)
			r.feed(lines)
			out, bad := r.dump()
			if len(bad) > 0 && !d.HasArg("errors") {
				t.Errorf("%s: records that did not decode:\n%s", d.Pos, strings.Join(bad, "\n"))
			}
			return out
		})
	})
}

// sweepWindows and sweepSelects are combined into every app of
// TestDecodeEverything (as in sqlc's crash test).
var sweepWindows = []string{
	"", "WINDOW('length', 7)", "WINDOW('lengthBatch', 5)", "WINDOW('time', 40)", "WINDOW('timeBatch', 30)",
	"WINDOW('timeBatch', 30, 7)", "WINDOW('externalTime', t, 40)", "WINDOW('externalTimeBatch', t, 30)",
	"WINDOW('tumbling', 25)", "WINDOW('tumbling', 25, 10)", "WINDOW('hopping', 30, 10)", "WINDOW('session', 12)",
	"WINDOW('session', 12, 5)", "WINDOW('sort', 6, x)", "WINDOW('sort', 6, x, 'desc', k)", "WINDOW('unique', k)",
	"WINDOW('firstUnique', k)", "WINDOW('delay', 15)",
	"WINDOW('frequent', 3, k)", "WINDOW('frequent', 3)", "WINDOW('lossyFrequent', 0.3, 0.1, k)",
	"WINDOW('lossyFrequent', 0.3, 0.1)", "WINDOW('expression', 'count() <= 6 AND sum(x) < 40.0')",
	"WINDOW('cron', '* * * * * ?')",
}

var sweepSelects = []string{
	"SELECT k, sum(x) AS s, avg(x) AS a, stdDev(x) AS sd, count() AS n FROM S %s GROUP BY k",
	"SELECT min(x) AS lo, max(x) AS hi, maxForever(x) AS mf, distinctCount(k) AS dk, sum(i) AS si FROM S %s",
	"SELECT k, x, i FROM S %s",
	"SELECT k, first(i) AS f, last(x) AS l, count() AS n FROM S %s GROUP BY k, i %% 2 HAVING sum(i) > 30 ORDER BY k LIMIT 2",
	"SELECT k, sum(x) AS s FROM S %s GROUP BY k OUTPUT LAST EVERY 3 EVENTS",
	"SELECT k, count() AS n FROM S %s GROUP BY k OUTPUT FIRST EVERY 3 EVENTS",
	"SELECT k, sum(i) AS s FROM S %s GROUP BY k OUTPUT ALL EVERY 20 MILLISECONDS",
	"SELECT k, count() AS n FROM S %s GROUP BY k OUTPUT FIRST EVERY 20 MILLISECONDS",
	"SELECT k, sum(i) AS s FROM S %s GROUP BY k ORDER BY k OUTPUT SNAPSHOT EVERY 25 MILLISECONDS",
	"SELECT i, x, count() AS n, and(x > 0.0) AS pos FROM S %s GROUP BY i, x, t > 100",
}

// TestDecodeEverything runs every window under every select stage, and
// both inside PARTITION WITH, over random inputs with a flush every few
// events, and requires every record of every store to decode, with a
// known layout, and every kind of record to occur: the decoders cover
// what the operators write.
func TestDecodeEverything(t *testing.T) {
	n := 200
	if testing.Short() {
		n = 80
	}
	seen := map[string]bool{}
	for wi, win := range sweepWindows {
		for si, sel := range sweepSelects {
			q := fmt.Sprintf(sel, win)
			for _, part := range []bool{false, true} {
				app := "CREATE STREAM S (k STRING, x DOUBLE, i INT, t LONG);\n"
				if part {
					app += "PARTITION WITH (k OF S) BEGIN INSERT ALL EVENTS INTO Out " + q + "; END;"
				} else {
					app += "INSERT ALL EVENTS INTO Out " + q + ";"
				}
				r := newRunner(t, app)
				rng := rand.New(rand.NewPCG(uint64(wi), uint64(si)))
				ts := int64(0)
				for j := range n {
					ts += int64(rng.IntN(6))
					at := ts
					if rng.IntN(8) == 0 {
						at -= int64(rng.IntN(30))
					}
					x := topology.Double(float64(rng.IntN(2000))/7 - 100)
					if rng.IntN(15) == 0 {
						x = topology.Null()
					}
					ev := topology.NewEvent(at, topology.String(fmt.Sprint("k", rng.IntN(4))), x,
						topology.Int(int32(rng.IntN(100))), topology.Long(at))
					if err := r.task.Process("S", ev); err != nil {
						t.Fatal(err)
					}
					if j%7 == 0 {
						r.flush()
					}
				}
				r.flush()
				for _, s := range statedump.Stores(r.prog.Topology) {
					if s.Layout == "" {
						t.Errorf("%s: store %s has no layout", app, s.Name)
					}
				}
				if _, bad := r.dump(); len(bad) > 0 {
					t.Errorf("%s:\n%s", app, strings.Join(bad, "\n"))
				}
				r.kinds(seen)
			}
		}
	}
	var want []string
	for _, k := range sweepKinds {
		want = append(want, k, "partition "+k)
	}
	want = append(want, "partition keys: partition_key")
	for _, k := range want {
		if !seen[k] {
			t.Errorf("no %s record: the sweep does not cover it", k)
		}
		delete(seen, k)
	}
	for k := range seen {
		t.Errorf("unexpected %s record", k)
	}
}

// sweepKinds are the layouts and record kinds TestDecodeEverything must
// see (each also inside PARTITION WITH).
var sweepKinds = []string{
	"task: stream_time",
	"select: first_seen", "select: group", "select: meta", "select: output_row", "select: snapshot_row",
	"window cron: event", "window cron: meta", "window delay: event", "window delay: meta",
	"window expression: event", "window expression: meta", "window externalTime: event", "window externalTime: meta",
	"window externalTimeBatch: event", "window externalTimeBatch: meta", "window firstUnique: seen_key",
	"window frequent: counted_key", "window frequent: meta", "window hopping: event",
	"window length: event", "window length: meta", "window lengthBatch: event", "window lengthBatch: meta",
	"window lossyFrequent: counted_key", "window lossyFrequent: meta",
	"window session: event", "window session: meta", "window session: session", "window session: session_key",
	"window sort: event", "window sort: meta", "window time: event", "window time: meta",
	"window timeBatch: event", "window timeBatch: meta", "window tumbling: event",
	"window unique: event", "window unique: meta",
}

// kinds records the layout and record kind of every live record in seen.
func (r *runner) kinds(seen map[string]bool) {
	for _, s := range statedump.Stores(r.prog.Topology) {
		for k, v := range r.log[s.Name] {
			kind := "?"
			for _, f := range s.Decode([]byte(k), v).Fields {
				if f.Name == "kind" {
					kind = f.Value.(string)
				}
			}
			seen[s.Layout+": "+kind] = true
		}
	}
}

// TestDecodeGarbage feeds every store of a few apps bytes that are not
// its records: nothing panics, every record prints, and undecodable
// values carry an error.
func TestDecodeGarbage(t *testing.T) {
	apps := []string{
		"INSERT INTO Out SELECT k, sum(x) AS s FROM S WINDOW('session', 10) GROUP BY k OUTPUT LAST EVERY 2 EVENTS;",
		"INSERT INTO Out SELECT k, count() AS n FROM S WINDOW('frequent', 2, k, i) GROUP BY k OUTPUT SNAPSHOT EVERY 5 MILLISECONDS;",
		"PARTITION WITH (k OF S) BEGIN INSERT INTO Out SELECT k, first(x) AS f FROM S WINDOW('tumbling', 10); END;",
		"PARTITION WITH (i OF S) BEGIN INSERT INTO Out SELECT k FROM S WINDOW('firstUnique', t) GROUP BY k; END;",
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for _, app := range apps {
		prog, err := sqlc.Compile("CREATE STREAM S (k STRING, x DOUBLE, i INT, t LONG);\n"+app, sqlc.Options{})
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range statedump.Stores(prog.Topology) {
			for range 2000 {
				key := make([]byte, rng.IntN(14))
				for i := range key {
					key[i] = "megkrsfn\x00\x01\x03\x06\x08\xff"[rng.IntN(14)]
				}
				val := make([]byte, rng.IntN(12))
				for i := range val {
					val[i] = byte(rng.IntN(256))
				}
				rec := s.Decode(key, val)
				if _, err := rec.Fields.MarshalJSON(); err != nil {
					t.Fatalf("%s %x: %v", s.Name, key, err)
				}
				if rec.Err != nil && !bytes.Contains(mustJSON(t, rec.Fields), []byte(`"encoding":"binary","error":`)) {
					t.Fatalf("%s %x: error not printed: %s", s.Name, key, mustJSON(t, rec.Fields))
				}
			}
		}
	}
}

func mustJSON(t *testing.T, o statedump.Object) []byte {
	t.Helper()
	b, err := o.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	return b
}
