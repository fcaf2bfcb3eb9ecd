package testscript

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/eventflux-io/eventflux-go/sqlc"
	"github.com/eventflux-io/eventflux-go/statestore"
	"github.com/eventflux-io/eventflux-go/statestore/memstore"
	"github.com/eventflux-io/eventflux-go/statestore/pebblestore"
	"github.com/eventflux-io/eventflux-go/topology"
	"github.com/eventflux-io/eventflux-go/topology/topologytest"
)

// crashApp is one app section of a script with the inputs that follow it.
type crashApp struct {
	name   string
	topo   *topology.Topology
	inputs []topologytest.Input
}

// crashApps extracts the runnable app sections of the window, aggregate
// and rate-limit scripts, with their sends and advances as inputs (event
// times resolved as the runner resolves them).
func crashApps(t *testing.T) []crashApp {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("..", "..", "testdata", "scripts", "*.test"))
	if err != nil {
		t.Fatal(err)
	}
	var apps []crashApp
	for _, f := range files {
		base := filepath.Base(f)
		if !strings.HasPrefix(base, "window_") && !strings.HasPrefix(base, "agg_") && !strings.HasPrefix(base, "rate_") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		s, err := Parse(base, string(src))
		if err != nil {
			t.Fatal(err)
		}
		env := map[string]string{}
		var cur *crashApp
		st := topology.NoTime
		for _, c := range s.Cmds {
			switch c := c.(type) {
			case *Env:
				env[c.Name] = c.Value
			case *App:
				cur, st = nil, topology.NoTime
				if len(c.Errors) > 0 {
					continue
				}
				lookup := func(n string) (string, bool) { v, ok := env[n]; return v, ok }
				prog, err := sqlc.Compile(c.SQL, sqlc.Options{File: base, LookupEnv: lookup})
				if err != nil {
					continue // the script suite reports it
				}
				apps = append(apps, crashApp{name: base + ":" + itoa(c.Line), topo: prog.Topology})
				cur = &apps[len(apps)-1]
			case *Send:
				if cur == nil {
					continue
				}
				ts := c.TS
				if !c.HasTS {
					ts = max(st, 0)
				}
				st = max(st, ts)
				schema := cur.topo.Stream(c.Stream)
				if schema == nil {
					continue
				}
				vals, err := DecodeJSON(schema, c.Data)
				if err != nil {
					continue
				}
				if attr := cur.topo.Node(c.Stream).Binding.Timestamp; attr != "" {
					if i := schema.Index(attr); i >= 0 && !vals[i].IsNull() {
						ts = vals[i].AsLong()
					}
				}
				cur.inputs = append(cur.inputs, topologytest.Input{Stream: c.Stream, Event: topology.NewEvent(ts, vals...)})
			case *Advance:
				if cur == nil {
					continue
				}
				ts := c.TS
				if c.Relative {
					ts += max(st, 0)
				}
				st = max(st, ts)
				cur.inputs = append(cur.inputs, topologytest.Input{Watermark: ts})
			}
		}
	}
	return apps
}

func itoa(n int) string {
	var b []byte
	for {
		b = append([]byte{byte('0' + n%10)}, b...)
		if n /= 10; n == 0 {
			return string(b)
		}
	}
}

// TestCrashRestore is issue 4's "done when" offline: every window and
// aggregate app of the script suite, run with commits and random crashes
// (before the Kafka commit, mid-interval, and between the Kafka and the
// local commit, repaired from the changelog), over memstore and Pebble,
// must give exactly the outputs of an uninterrupted run.
func TestCrashRestore(t *testing.T) {
	apps := crashApps(t)
	if len(apps) < 60 {
		t.Fatalf("found %d apps, want at least 60", len(apps))
	}
	var runs, restores int
	for _, app := range apps {
		if len(app.inputs) == 0 {
			continue
		}
		want, err := topologytest.RunInputs(app.topo, app.inputs)
		if err != nil {
			t.Errorf("%s: uninterrupted run: %v", app.name, err)
			continue
		}
		for seed := range uint64(8) {
			backing := memstore.NewBacking()
			open := func() (statestore.TaskState, error) { return memstore.Open(backing, memstore.Options{}) }
			kind := "memstore"
			if seed%4 == 3 {
				dir := t.TempDir()
				open = func() (statestore.TaskState, error) { return pebblestore.Open(dir, pebblestore.Options{}) }
				kind = "pebble"
			}
			cfg := topologytest.CrashConfig{Open: open, CommitEvery: 1 + int(seed%3), Seed: seed, CrashRate: 0.3}
			got, stats, err := topologytest.RunWithCrashes(app.topo, app.inputs, cfg)
			if err != nil {
				t.Errorf("%s (%s, seed %d): %v", app.name, kind, seed, err)
				break
			}
			if d := topologytest.DiffOutputs(want, got); d != "" {
				t.Errorf("%s (%s, seed %d, commit every %d, %+v): %s", app.name, kind, seed, cfg.CommitEvery, stats, d)
				break
			}
			runs++
			restores += stats.Restores
		}
	}
	t.Logf("%d apps, %d crash runs, %d restores", len(apps), runs, restores)
}
