package sqlc_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/eventflux-io/eventflux-go/sqlc"
	"github.com/eventflux-io/eventflux-go/statestore"
	"github.com/eventflux-io/eventflux-go/statestore/memstore"
	"github.com/eventflux-io/eventflux-go/statestore/pebblestore"
	"github.com/eventflux-io/eventflux-go/topology"
	"github.com/eventflux-io/eventflux-go/topology/topologytest"
)

// crashWindows are the windows of the randomized crash test, each with
// the aggregates that must survive restores exactly.
var crashWindows = []string{
	"", // no window
	"WINDOW('length', 7)",
	"WINDOW('lengthBatch', 5)",
	"WINDOW('time', 40)",
	"WINDOW('timeBatch', 30)",
	"WINDOW('timeBatch', 30, 7)",
	"WINDOW('externalTime', t, 40)",
	"WINDOW('externalTimeBatch', t, 30)",
	"WINDOW('tumbling', 25)",
	"WINDOW('tumbling', 25, 10)",
	"WINDOW('hopping', 30, 10)",
	"WINDOW('session', 12)",
	"WINDOW('session', 12, 5)",
	"WINDOW('sort', 6, x)",
	"WINDOW('sort', 6, x, 'desc', k)",
	"WINDOW('unique', k)",
	"WINDOW('firstUnique', k)",
	"WINDOW('delay', 15)",
	"WINDOW('frequent', 3, k)",
	"WINDOW('lossyFrequent', 0.3, 0.1, k)",
	"WINDOW('expression', 'count() <= 6 AND sum(x) < 40.0')",
	"WINDOW('cron', '* * * * * ?')",
}

// crashSelects are the select stages run over every window.
var crashSelects = []string{
	"SELECT k, sum(x) AS s, avg(x) AS a, stdDev(x) AS sd, count() AS n FROM S %s GROUP BY k",
	"SELECT min(x) AS lo, max(x) AS hi, maxForever(x) AS mf, distinctCount(k) AS dk, sum(i) AS si FROM S %s",
	"SELECT k, x, i FROM S %s",
	"SELECT k, first(i) AS f, last(x) AS l, count() AS n FROM S %s GROUP BY k HAVING sum(i) > 30 ORDER BY k LIMIT 2",
	"SELECT first(i %% 3) AS f, last(i %% 3) AS l, count() AS n FROM S %s",
	"SELECT k, sum(x) AS s FROM S %s GROUP BY k OUTPUT LAST EVERY 3 EVENTS",
	"SELECT k, sum(i) AS s FROM S %s GROUP BY k OUTPUT ALL EVERY 20 MILLISECONDS",
	"SELECT k, count() AS n FROM S %s GROUP BY k OUTPUT FIRST EVERY 20 MILLISECONDS",
	"SELECT k, sum(i) AS s FROM S %s GROUP BY k ORDER BY k OUTPUT SNAPSHOT EVERY 25 MILLISECONDS",
}

// randomInputs returns n events on S(k STRING, x DOUBLE, i INT, t LONG)
// with mostly increasing, sometimes late times, and some watermarks.
func randomInputs(rng *rand.Rand, n int) []topologytest.Input {
	var ins []topologytest.Input
	ts := int64(0)
	for range n {
		if rng.IntN(10) == 0 {
			ts += int64(rng.IntN(150))
			ins = append(ins, topologytest.Input{Watermark: ts})
			continue
		}
		ts += int64(rng.IntN(6))
		at := ts
		if rng.IntN(8) == 0 {
			at -= int64(rng.IntN(30)) // late
		}
		x := topology.Double(float64(rng.IntN(2000))/7 - 100)
		if rng.IntN(15) == 0 {
			x = topology.Null()
		}
		ev := topology.NewEvent(at, topology.String(fmt.Sprint("k", rng.IntN(5))), x,
			topology.Int(int32(rng.IntN(100))), topology.Long(at))
		ins = append(ins, topologytest.Input{Stream: "S", Event: ev})
	}
	return ins
}

// TestCrashRestoreRandom runs every window under every select stage over
// random inputs with crashes, over memstore and Pebble, and requires the
// outputs of an uninterrupted run exactly (floating-point sums included:
// they are history-dependent and must be restored, not recomputed).
func TestCrashRestoreRandom(t *testing.T) {
	n, seeds := 240, 3
	if testing.Short() {
		n, seeds = 120, 1
	}
	for wi, win := range crashWindows {
		for si, sel := range crashSelects {
			app := "CREATE STREAM S (k STRING, x DOUBLE, i INT, t LONG);\nINSERT ALL EVENTS INTO Out " + fmt.Sprintf(sel, win) + ";"
			prog, err := sqlc.Compile(app, sqlc.Options{})
			if err != nil {
				t.Fatalf("%s: %v", app, err)
			}
			for seed := range uint64(seeds) {
				rng := rand.New(rand.NewPCG(seed, uint64(wi*100+si)))
				ins := randomInputs(rng, n)
				want, err := topologytest.RunInputs(prog.Topology, ins)
				if err != nil {
					t.Fatal(err)
				}
				backing := memstore.NewBacking()
				open := func() (statestore.TaskState, error) { return memstore.Open(backing, memstore.Options{}) }
				kind := "memstore"
				if (wi+si)%3 == 0 && seed == 0 {
					dir := t.TempDir()
					open = func() (statestore.TaskState, error) { return pebblestore.Open(dir, pebblestore.Options{}) }
					kind = "pebble"
				}
				cfg := topologytest.CrashConfig{Open: open, CommitEvery: 1 + rng.IntN(25), Seed: seed, CrashRate: 0.25}
				got, stats, err := topologytest.RunWithCrashes(prog.Topology, ins, cfg)
				if err != nil {
					t.Fatalf("%s\n(%s, seed %d): %v", app, kind, seed, err)
				}
				if d := topologytest.DiffOutputs(want, got); d != "" {
					t.Errorf("%s\n(%s, seed %d, commit every %d, %+v): %s", app, kind, seed, cfg.CommitEvery, stats, d)
				}
				if len(want) == 0 && !testing.Short() {
					t.Errorf("%s: no output; the test checks nothing", app)
				}
			}
		}
	}
}
