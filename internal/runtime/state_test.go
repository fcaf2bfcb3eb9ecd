package runtime

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/eventflux-io/eventflux-go/internal/replay"
	"github.com/eventflux-io/eventflux-go/internal/serde"
	"github.com/eventflux-io/eventflux-go/kafka"
	"github.com/eventflux-io/eventflux-go/kafka/kafkatest"
	"github.com/eventflux-io/eventflux-go/statestore"
	"github.com/eventflux-io/eventflux-go/topology"
)

const countsSQL = `
CREATE STREAM Trades (symbol STRING, price DOUBLE, volume INT)
  WITH (topic = 'trades', format = 'json', key = 'symbol');
INSERT INTO Counts
SELECT symbol, count() AS n, sum(volume) AS v
FROM Trades WINDOW('length', 5)
GROUP BY symbol;`

// partitionedCountsSQL is countsSQL with a window per symbol, so it runs
// on any number of partitions keyed by symbol.
const partitionedCountsSQL = `
CREATE STREAM Trades (symbol STRING, price DOUBLE, volume INT)
  WITH (topic = 'trades', format = 'json', key = 'symbol');
PARTITION WITH (symbol OF Trades)
BEGIN
  INSERT INTO Counts
  SELECT symbol, count() AS n, sum(volume) AS v
  FROM Trades WINDOW('length', 5)
  GROUP BY symbol;
END;`

// restoreMetrics counts restored changelog records.
type restoreMetrics struct {
	countingMetrics
	restored atomic.Int64
}

func (m *restoreMetrics) Restored(_ string, n int) { m.restored.Add(int64(n)) }

// replayPerTask replays each partition's trades on its own (a task is one
// partition: the length window holds the task's last events) and returns
// stream's output as sorted "ts data" lines.
func replayPerTask(t testing.TB, topo *topology.Topology, stream string, trades []trade, partitions int) []string {
	t.Helper()
	var lines []string
	for p := 0; p < partitions; p++ {
		var in bytes.Buffer
		for _, tr := range trades {
			if serde.Partition([]byte(tr.symbol), partitions) == int32(p) {
				fmt.Fprintf(&in, `{"stream":"Trades","ts":%d,"data":%s}`+"\n", tr.ts, tr.json())
			}
		}
		var out bytes.Buffer
		if _, err := replay.Run(context.Background(), topo, &in, &out, replay.Options{}); err != nil {
			t.Fatal(err)
		}
		prefix := `{"stream":"` + stream + `","ts":`
		for _, l := range strings.Split(strings.TrimSpace(out.String()), "\n") {
			if !strings.HasPrefix(l, prefix) {
				continue
			}
			rest := strings.TrimPrefix(l, prefix)
			i := strings.Index(rest, `,"data":`)
			lines = append(lines, rest[:i]+" "+strings.TrimSuffix(rest[i+len(`,"data":`):], "}"))
		}
	}
	sort.Strings(lines)
	return lines
}

func countsOptions(c *kafkatest.Cluster, topo *topology.Topology, dir string, m *restoreMetrics) Options {
	o := baseOptions(c, topo)
	o.Bindings = map[string]topology.Binding{"Counts": {Topic: "counts", Format: "json", Key: []string{"symbol"}}}
	o.StateDir = dir
	o.CommitInterval = 20 * time.Millisecond
	o.Metrics = m
	return o
}

func committedSum(t *testing.T, c *kafkatest.Cluster) int64 {
	var sum int64
	for _, off := range c.Committed(t, "app", "trades") {
		sum += off
	}
	return sum
}

// TestStatefulHandoverEqualsReplay: worker A processes part of the input
// into a windowed GROUP BY and is stopped mid-stream; worker B, with its
// own state directory, takes over by restoring the changelogs. The
// committed output must equal replay exactly: no lost, duplicated or
// differently aggregated row. In "cancel" the source has one partition
// (the window spans all symbols). In "deleted" it has three, the window is
// per symbol, A's state directory is removed after it stops, and A
// rejoins next to B: both restore in full and tasks rebalance between
// them mid-stream. In "abort", a transaction of A aborts after its
// changelog records were written (they must be skipped by A's own tail
// restore and by B's full one). "alo" is "cancel" at least once.
func TestStatefulHandoverEqualsReplay(t *testing.T) {
	for _, tc := range []struct {
		variant    string
		sql        string
		partitions int
	}{
		{"cancel", countsSQL, 1},
		{"deleted", partitionedCountsSQL, 3},
		{"abort", partitionedCountsSQL, 2},
		{"alo", countsSQL, 1},
	} {
		variant, partitions := tc.variant, tc.partitions
		t.Run(variant, func(t *testing.T) {
			c := kafkatest.NewCluster(t)
			c.CreateTopic(t, "trades", partitions)
			topo := compile(t, tc.sql)
			input := genTrades(0, 6000)
			recs := tradeRecords(input, partitions)
			want := replayPerTask(t, topo, "Counts", input, partitions)
			dirA, dirB := filepath.Join(t.TempDir(), "a"), filepath.Join(t.TempDir(), "b")

			c.Produce(t, recs[:2000]...)
			ma := &restoreMetrics{}
			oa := countsOptions(c, topo, dirA, ma)
			if variant == "alo" {
				oa.Guarantee = AtLeastOnce
			}
			a := startWorker(t, oa)
			waitFor(t, "A to commit the first chunk", 20*time.Second, func() bool {
				select {
				case err := <-a.done:
					a.done <- err
					t.Fatalf("A stopped: %v", err)
				default:
				}
				return committedSum(t, c) == 2000
			})
			if variant == "abort" {
				c.FailNextTxnOffsetCommit(22) // ILLEGAL_GENERATION: abortable
				c.Produce(t, recs[2000:2500]...)
				waitFor(t, "A to abort and recover", 20*time.Second, func() bool {
					return ma.aborts.Load() > 0 && committedSum(t, c) == 2500
				})
				c.Produce(t, recs[2500:3000]...)
			} else {
				c.Produce(t, recs[2000:3000]...)
			}
			if err := a.stop(t); err != nil { // mid-stream: the second chunk is in flight
				t.Fatalf("A: %v", err)
			}
			if dirs, _ := filepath.Glob(filepath.Join(dirA, "s*_0")); len(dirs) != 1 {
				t.Fatalf("A's state of task 0: found %v", dirs)
			}
			mb := &restoreMetrics{}
			ob := countsOptions(c, topo, dirB, mb)
			ob.Guarantee = oa.Guarantee
			b := startWorker(t, ob)
			var a2 *runningWorker
			ma2 := &restoreMetrics{}
			if variant == "deleted" {
				if err := os.RemoveAll(dirA); err != nil {
					t.Fatal(err)
				}
				a2 = startWorker(t, countsOptions(c, topo, dirA, ma2))
			}
			c.Produce(t, recs[3000:]...)
			got := c.Read(t, "counts", kafkatest.ReadOptions{Want: len(want), Timeout: 30 * time.Second, Linger: 500 * time.Millisecond})
			if err := b.stop(t); err != nil {
				t.Fatalf("B: %v", err)
			}
			if a2 != nil {
				if err := a2.stop(t); err != nil {
					t.Fatalf("A again: %v", err)
				}
			}
			diffLines(t, outputLines(got), want)
			if n := mb.restored.Load() + ma2.restored.Load(); n == 0 {
				t.Fatal("nothing was restored from the changelogs")
			}
			if n := committedSum(t, c); n != int64(len(input)) {
				t.Fatalf("committed offsets sum to %d, want %d", n, len(input))
			}
			if variant == "abort" {
				committed, all := 0, 0
				for _, st := range unitStores(t, topo) {
					topic := "app-" + st.Name + "-changelog"
					committed += len(c.Read(t, topic, kafkatest.ReadOptions{}))
					all += len(c.Read(t, topic, kafkatest.ReadOptions{Uncommitted: true}))
				}
				if all <= committed {
					t.Fatalf("changelogs hold %d records, %d committed: no aborted changelog record", all, committed)
				}
			}
		})
	}
}

func TestChangelogSpecs(t *testing.T) {
	topo := compile(t, `CREATE STREAM S (k STRING, x INT) WITH (topic = 's', key = 'k');
INSERT INTO A SELECT k, sum(x) AS total FROM S WINDOW('tumbling', 10 SECONDS) GROUP BY k;
INSERT INTO B SELECT k, count() AS n FROM S WINDOW('length', 3) GROUP BY k;`)
	o := Options{App: "app", Topology: topo, ChangelogRetention: 2 * time.Hour}
	p, err := newPlan(&o)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range p.units {
		u.partitions = 4
	}
	w := &worker{opts: o, plan: p}
	specs := w.changelogSpecs()
	windowed, compacted := 0, 0
	for _, s := range specs {
		if !strings.HasPrefix(s.Name, "app-") || !strings.HasSuffix(s.Name, "-changelog") || s.Partitions != 4 {
			t.Errorf("spec %+v", s)
		}
		switch s.Configs["cleanup.policy"] {
		case "compact,delete":
			windowed++
			if s.Configs["retention.ms"] != "7210000" { // 10s window + 0 grace + 2h
				t.Errorf("%s: retention.ms %q", s.Name, s.Configs["retention.ms"])
			}
		case "compact":
			compacted++
		default:
			t.Errorf("%s: cleanup.policy %q", s.Name, s.Configs["cleanup.policy"])
		}
	}
	if windowed == 0 || compacted < 2 { // the task store and B's stores at least
		t.Fatalf("%d windowed, %d compacted changelogs: %+v", windowed, compacted, specs)
	}
	if !p.units[0].stateful || stateful(compile(t, tradesSQL)) {
		t.Fatal("stateful misclassifies")
	}
}

// TestRotateStatesDeletesMovedTasks: a task that moves away has its state
// closed and its directory kept for one assignment, then deleted unless it
// came back.
func TestRotateStatesDeletesMovedTasks(t *testing.T) {
	dir := t.TempDir()
	o := Options{App: "app", StateDir: dir, Topology: compile(t, countsSQL)}
	p, err := newPlan(&o)
	if err != nil {
		t.Fatal(err)
	}
	w := &worker{opts: o, plan: p, log: testLoggerOrDiscard(), states: map[taskID]statestore.TaskState{}, gone: map[string]bool{}}
	name := func(task int) string { return p.units[0].name + "_" + fmt.Sprint(task) }
	for _, d := range []string{name(7), "3", "not-a-task"} { // left by earlier runs (3: an old layout), and a stranger
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.scanStateDir(); err != nil {
		t.Fatal(err)
	}
	for _, task := range []int32{0, 1} {
		if _, err := w.state(taskID{part: task}); err != nil {
			t.Fatal(err)
		}
	}
	asg := func(tasks ...int32) []kafka.TaskAssignment {
		var out []kafka.TaskAssignment
		for _, t := range tasks {
			out = append(out, kafka.TaskAssignment{Task: t})
		}
		return out
	}
	exists := func(task int) bool {
		_, err := os.Stat(filepath.Join(dir, name(task)))
		return err == nil
	}
	w.rotateStates(asg(0)) // 1 moves away; 7 and 3 were not assigned
	if _, err := os.Stat(filepath.Join(dir, "3")); err == nil {
		t.Error("the old-layout directory 3 was kept")
	}
	if !exists(0) || !exists(1) || exists(7) || len(w.states) != 1 {
		t.Fatalf("after [0]: 0 %v, 1 %v, 7 %v, open %d", exists(0), exists(1), exists(7), len(w.states))
	}
	w.rotateStates(asg(0)) // 1 still away: deleted
	if exists(1) || !exists(0) {
		t.Fatalf("after [0] again: 0 %v, 1 %v", exists(0), exists(1))
	}
	w.rotateStates(nil)    // 0 moves away
	w.rotateStates(asg(0)) // and comes back: kept
	if !exists(0) {
		t.Fatal("a task that came back lost its state")
	}
	w.closeStates()
	if _, err := os.Stat(filepath.Join(dir, "not-a-task")); err != nil {
		t.Fatalf("a directory that is no task's was deleted: %v", err)
	}
}

// unitStores returns the stores of the units of topo (their task stores
// are per unit).
func unitStores(t testing.TB, topo *topology.Topology) []statestore.StoreInfo {
	t.Helper()
	p, err := newPlan(&Options{App: "app", Topology: topo})
	if err != nil {
		t.Fatal(err)
	}
	var out []statestore.StoreInfo
	for _, u := range p.units {
		out = append(out, u.topo.Stores()...)
	}
	return out
}

func testLoggerOrDiscard() *slog.Logger {
	if l := testLogger(); l != nil {
		return l
	}
	return slog.New(slog.DiscardHandler)
}
