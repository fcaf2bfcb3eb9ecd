package sqlc_test

import (
	"strconv"
	"testing"

	"github.com/eventflux-io/eventflux-go/sqlc"
	"github.com/eventflux-io/eventflux-go/statestore"
	"github.com/eventflux-io/eventflux-go/statestore/memstore"
	"github.com/eventflux-io/eventflux-go/statestore/pebblestore"
	"github.com/eventflux-io/eventflux-go/topology"
)

// benchAgg runs app's topology over pre-decoded events of 10k symbols,
// pushed through a Task, and reports events/s.
func benchAgg(b *testing.B, app string, step int64) {
	benchAggState(b, app, step, nil, 0)
}

// benchAggState is benchAgg over state (nil: the replay default), with a
// commit every commitEvery events (0: none) done as the runtime does it:
// Flush, drain the changelog records, Commit.
func benchAggState(b *testing.B, app string, step int64, state statestore.TaskState, commitEvery int) {
	prog, err := sqlc.Compile(app, sqlc.Options{})
	if err != nil {
		b.Fatal(err)
	}
	var emitted int
	task, err := topology.NewTask(prog.Topology, topology.TaskOptions{
		State: state,
		Emit:  func(string, *topology.Event) error { emitted++; return nil },
	})
	if err != nil {
		b.Fatal(err)
	}
	const keys = 10000
	symbols := make([]topology.Value, keys)
	for i := range symbols {
		symbols[i] = topology.String("SYM" + strconv.Itoa(i))
	}
	events := make([]*topology.Event, 1<<16)
	for i := range events {
		events[i] = topology.NewEvent(0, symbols[(i*7919)%keys],
			topology.Double(float64(i%100)+0.5), topology.Int(int32(i%500)))
	}
	var recs []statestore.ChangelogRecord
	commits, nrecs := 0, 0
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		ev := events[i&(len(events)-1)]
		ev.TS = int64(i) * step
		if err := task.Process("Trades", ev); err != nil {
			b.Fatal(err)
		}
		if commitEvery > 0 && (i+1)%commitEvery == 0 {
			if err := task.Flush(); err != nil {
				b.Fatal(err)
			}
			recs = task.State().AppendChangelog(recs[:0])
			nrecs += len(recs)
			if err := task.Commit(statestore.Checkpoint{}); err != nil {
				b.Fatal(err)
			}
			commits++
		}
	}
	b.StopTimer()
	if commitEvery > 0 {
		b.ReportMetric(float64(nrecs)/float64(b.N), "changelog-records/event")
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
	if b.N > 100 && emitted == 0 {
		b.Fatal("no output")
	}
}

// BenchmarkGroupBy10kKeys measures a running GROUP BY over 10k keys with
// no window (per-event output: every event emits its group's row).
func BenchmarkGroupBy10kKeys(b *testing.B) {
	benchAgg(b, `CREATE STREAM Trades (symbol STRING, price DOUBLE, volume INT);
INSERT INTO Out SELECT symbol, sum(volume) AS total, count() AS n, avg(price) AS avgPrice FROM Trades GROUP BY symbol;`, 1)
}

// BenchmarkTumblingGroupBy10kKeys is the target: a tumbling
// one-second window grouped over 10k keys (1 ms between events, so about
// 1000 events and up to 1000 groups per window).
func BenchmarkTumblingGroupBy10kKeys(b *testing.B) {
	benchAgg(b, `CREATE STREAM Trades (symbol STRING, price DOUBLE, volume INT);
INSERT INTO Out SELECT symbol, sum(volume) AS total, count() AS n, avg(price) AS avgPrice FROM Trades WINDOW('tumbling', 1 SECOND) GROUP BY symbol;`, 1)
}

// tumblingGroupBy is the query of BenchmarkTumblingGroupBy10kKeys.
const tumblingGroupBy = `CREATE STREAM Trades (symbol STRING, price DOUBLE, volume INT);
INSERT INTO Out SELECT symbol, sum(volume) AS total, count() AS n, avg(price) AS avgPrice FROM Trades WINDOW('tumbling', 1 SECOND) GROUP BY symbol;`

// BenchmarkTumblingGroupBy10kKeysMemstore is the tumbling benchmark over
// a transactional in-memory state committed every 10k events (about
// 100 ms of input at the target rate), as the live worker does.
func BenchmarkTumblingGroupBy10kKeysMemstore(b *testing.B) {
	benchAggState(b, tumblingGroupBy, 1, memstore.New(), 10_000)
}

// BenchmarkTumblingGroupBy10kKeysPebble is the tumbling benchmark over a
// Pebble state committed every 10k events (issue 4: >= 500k events/s).
func BenchmarkTumblingGroupBy10kKeysPebble(b *testing.B) {
	st, err := pebblestore.Open(b.TempDir(), pebblestore.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	benchAggState(b, tumblingGroupBy, 1, st, 10_000)
}

// BenchmarkSlidingTimeGroupByPebble is a sliding one-minute time window
// grouped over 10k keys (about 60k events held) over Pebble, committed
// every 10k events: every event is put and, a minute later, deleted.
func BenchmarkSlidingTimeGroupByPebble(b *testing.B) {
	st, err := pebblestore.Open(b.TempDir(), pebblestore.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	benchAggState(b, `CREATE STREAM Trades (symbol STRING, price DOUBLE, volume INT);
INSERT INTO Out SELECT symbol, sum(volume) AS total, avg(price) AS avgPrice FROM Trades WINDOW('time', 1 MINUTE) GROUP BY symbol;`, 1, st, 10_000)
}

// BenchmarkSlidingMinMax measures min/max retraction in a length window
// of 10k events.
func BenchmarkSlidingMinMax(b *testing.B) {
	benchAgg(b, `CREATE STREAM Trades (symbol STRING, price DOUBLE, volume INT);
INSERT INTO Out SELECT min(price) AS lo, max(volume) AS hi FROM Trades WINDOW('length', 10000);`, 1)
}
