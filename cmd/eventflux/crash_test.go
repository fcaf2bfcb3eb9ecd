package main_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/eventflux-io/eventflux-go/internal/serde"
	"github.com/eventflux-io/eventflux-go/kafka"
	"github.com/eventflux-io/eventflux-go/kafka/kafkatest"
	"github.com/eventflux-io/eventflux-go/topology"
)

// envInt returns the integer in the environment variable name, or def.
func envInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}

// TestCrashExactlyOnce is the crash test: three `eventflux run` worker
// processes share one `eventflux broker` process and 200k keyed input
// records, produced with kcat; at seeded random moments a random worker
// is killed with SIGKILL and restarted at once. When the group has
// committed all the input, the committed output (read with read_committed
// by kcat) must equal `eventflux replay` of the same input exactly: per
// key the same records in the same order, so no loss, no duplicate.
//
// Half the input is there before the workers start (a backlog, produced
// by kcat); the rest arrives at a steady rate during the run (through
// package kafka), so the kills land while the workers are busy, most with
// a transaction open (a worker drains 100k records in well under a
// second, faster than a restart: a backlog alone would be gone before the
// second kill). The workers are static members (instance ids w0..w2),
// as in a StatefulSet: a restarted worker takes its slot's place at once
// instead of the group waiting a session timeout for the dead one, and
// its new producers fence the dead one's open transactions. The third
// worker joins mid-run, which moves tasks with open transactions to it.
//
// EVENTFLUX_CRASH_SEED picks another seed (the failure message names the
// one used), EVENTFLUX_CRASH_RECORDS and EVENTFLUX_CRASH_KILLS other sizes.
func TestCrashExactlyOnce(t *testing.T) {
	runCrash(t, crashCase{app: "crash", sql: tradesSQL, out: "Alerts", outTopic: "alerts", records: 200_000})
}

// statsSQL is the stateful crash test's application: per symbol (the
// record key, so no repartition topic), the count, volume sum and
// maximum price of the symbol's last three trades, one row per trade. A
// 'length' window outside PARTITION WITH would be global (one task, via
// a single-partition repartition topic); inside it the window is per key.
const statsSQL = `CREATE STREAM Trades (symbol STRING, price DOUBLE, volume INT) WITH (topic = 'trades', key = 'symbol');

PARTITION WITH (symbol OF Trades) BEGIN
  INSERT INTO Stats
  SELECT symbol, count() AS n, sum(volume) AS v, max(price) AS hi
  FROM Trades WINDOW('length', 3)
  GROUP BY symbol;
END;
`

// TestCrashExactlyOnceStateful is the crash test of a stateful
// application (statsSQL): every output row depends on the window state
// of its key, kept in Pebble with a changelog topic. Each worker slot has
// its own state directory, kept across its restarts, so a restarted
// worker finds local state its SIGKILL left unflushed or ahead of the
// committed changelog and the changelog holds records of aborted
// transactions; one seeded restart deletes its slot's state directory
// first, forcing a full restore from the changelog. Tasks also move
// between workers (the third joins mid-run, kills rebalance), so a
// worker gets back tasks whose local checkpoint is stale. The committed
// output must equal `eventflux replay` exactly, as in the stateless test.
//
// 50k records (EVENTFLUX_CRASH_RECORDS overrides), with the same seed,
// kill and schedule knobs as TestCrashExactlyOnce.
func TestCrashExactlyOnceStateful(t *testing.T) {
	sql := filepath.Join(t.TempDir(), "stats.sql")
	if err := os.WriteFile(sql, []byte(statsSQL), 0o644); err != nil {
		t.Fatal(err)
	}
	runCrash(t, crashCase{app: "crash-stateful", sql: sql, out: "Stats", outTopic: "stats", records: 50_000, stateful: true})
}

// crashRepartitionSQL is the repartition crash test's application: a
// GROUP BY of a computed attribute that is not the record key (through a
// keyed repartition topic) and a global aggregate (through a
// single-partition one), both over tumbling windows of event time (the
// ts attribute) whose grace covers the whole input. Upstream tasks write
// a repartition partition in an order that depends on timing (and on the
// kills), so only order-insensitive results can equal replay: integer
// counts, sums and maxima of windows no event is late for. ByBucket has
// no key: a row goes to its task's partition, so the partition shows
// which task computed it.
const crashRepartitionSQL = `CREATE STREAM Trades (symbol STRING, price DOUBLE, volume INT, ts LONG)
  WITH (topic = 'trades', format = 'json', key = 'symbol', timestamp = 'ts');
CREATE STREAM ByBucket (bucket INT, n LONG, v LONG, hi INT) WITH (topic = 'by_bucket');
CREATE STREAM Totals (n LONG, v LONG, hi INT) WITH (topic = 'totals');

INSERT INTO ByBucket
SELECT volume % 7 AS bucket, count() AS n, sum(volume) AS v, max(volume) AS hi
FROM Trades WINDOW('tumbling', 500 MILLISECONDS, 1 HOUR)
GROUP BY volume % 7;

INSERT INTO Totals
SELECT count() AS n, sum(volume) AS v, max(volume) AS hi
FROM Trades WINDOW('tumbling', 1 SECOND, 1 HOUR);
`

// TestCrashExactlyOnceRepartition is the crash test (kills, a restart on
// an empty state directory, as in TestCrashExactlyOnceStateful) of an
// application whose state key is not the record key (crashRepartitionSQL):
// each query runs in its own sub-topology, reading a repartition topic
// the source tasks write in their transactions, and keeps its windows in
// Pebble with changelogs. A record lost or duplicated anywhere on the way
// (source, repartition topic, window state) changes a count or a sum.
//
// The input's event times (base + its index, in ms) span 30s, less than
// the grace, so during the run no window closes: once the input is
// committed and the repartition topics drained, a tail of one far-future
// trade per bucket closes every window, in every task that has one. The
// committed outputs must equal `eventflux replay` of input and tail as
// sorted multisets of lines; every Totals row is in partition 0 (the one
// task of the global query) and every bucket's rows in one partition
// (one task per bucket: the repartition is keyed by the bucket).
//
// 30k records (EVENTFLUX_CRASH_RECORDS overrides), with the same seed,
// kill and schedule knobs as TestCrashExactlyOnce.
func TestCrashExactlyOnceRepartition(t *testing.T) {
	sql := filepath.Join(t.TempDir(), "repartition.sql")
	if err := os.WriteFile(sql, []byte(crashRepartitionSQL), 0o644); err != nil {
		t.Fatal(err)
	}
	totalsIn0 := func(t *testing.T, got []outRecord) {
		for _, r := range got {
			if r.partition != 0 {
				t.Fatalf("the global aggregate wrote partition %d: %s", r.partition, r.value)
			}
		}
	}
	// Event times a few hours old: changelog and output records carry
	// them as timestamps, and the broker deletes records older than
	// their topic's retention.ms (7 days by default; the broker applies
	// it to compacted topics too). Aligned to the hour, so the windows
	// are the same in every run.
	base := time.Now().Add(-3 * time.Hour).Truncate(time.Hour).UnixMilli()
	bucketInOnePartition := func(t *testing.T, got []outRecord) {
		where := map[int]int32{}
		for _, r := range got {
			var row struct{ Bucket int }
			if err := json.Unmarshal([]byte(r.value), &row); err != nil {
				t.Fatalf("ByBucket row %q: %v", r.value, err)
			}
			if p, ok := where[row.Bucket]; ok && p != r.partition {
				t.Fatalf("bucket %d has rows in partitions %d and %d: not one task per bucket", row.Bucket, p, r.partition)
			}
			where[row.Bucket] = r.partition
		}
		t.Logf("ByBucket: bucket -> partition %v", where)
	}
	runCrash(t, crashCase{
		app: "crash-repartition", sql: sql, records: 30_000, stateful: true,
		outputs: []crashOutput{
			{stream: "ByBucket", topic: "by_bucket", check: bucketInOnePartition},
			{stream: "Totals", topic: "totals", check: totalsIn0},
		},
		input: func(seed uint64, n int) ([]string, string) { return genTimedTrades(seed, n, 100, base) },
		tail:  func(n int) ([]string, string) { return timedTail(base, n) },
	})
}

// genTimedTrades is genTradesInput (no malformed records) with event time
// in the ts attribute: record i has ts base+i and volume i.
func genTimedTrades(seed uint64, n, keys int, base int64) (lines []string, replayIn string) {
	rng := rand.New(rand.NewPCG(seed, 7))
	var in strings.Builder
	lines = make([]string, n)
	for i := range n {
		sym := fmt.Sprintf("S%03d", rng.IntN(keys))
		ts := base + int64(i)
		v := fmt.Sprintf(`{"symbol":"%s","price":%s,"volume":%d,"ts":%d}`, sym, strconv.FormatFloat(float64(rng.IntN(10000))/100, 'f', -1, 64), i, ts)
		lines[i] = sym + "\t" + v
		fmt.Fprintf(&in, `{"stream":"Trades","ts":%d,"data":%s}`+"\n", ts, v)
	}
	return lines, in.String()
}

// timedTail is the tail of genTimedTrades(_, n, _, base): one trade per
// bucket (volume % 7) two hours after the input, past every input
// window's end plus grace.
func timedTail(base int64, n int) (lines []string, replayIn string) {
	ts := base + int64(n) + 2*time.Hour.Milliseconds()
	var in strings.Builder
	for b := range 7 {
		v := fmt.Sprintf(`{"symbol":"T%d","price":1,"volume":%d,"ts":%d}`, b, b, ts)
		lines = append(lines, fmt.Sprintf("T%d\t%s", b, v))
		fmt.Fprintf(&in, `{"stream":"Trades","ts":%d,"data":%s}`+"\n", ts, v)
	}
	return lines, in.String()
}

// crashCase is one application under the crash test.
type crashCase struct {
	app string // the pipeline's app (group id, transactional id prefix)
	sql string // SQL file, reading Trades from topic trades
	// out is the output stream, keyed by symbol, written to outTopic and
	// compared with replay per key in order (compareOutput).
	out, outTopic string
	// outputs, instead of out: output streams the SQL binds to topics,
	// each compared with replay as a sorted multiset of lines
	// (compareLines), then checked by its check.
	outputs []crashOutput
	records int // input size unless EVENTFLUX_CRASH_RECORDS is set
	// stateful gives each worker slot its own state directory, deletes it
	// before one seeded restart, and checks that the app has a changelog.
	stateful bool
	// input generates n input records. Default: genTradesInput over 100
	// symbols, none malformed.
	input func(seed uint64, n int) (lines []string, replayIn string)
	// tail, when set, is more input produced only once the input is
	// committed and every repartition topic drained (so no input record
	// still queued in one can arrive after it); its replay lines follow
	// the input's. Far-future events close the input's windows.
	tail func(n int) (lines []string, replayIn string)
}

// crashOutput is an output stream of a crashCase with outputs.
type crashOutput struct {
	stream, topic string
	check         func(t *testing.T, got []outRecord) // optional
}

// runCrash runs the crash test (see TestCrashExactlyOnce) of c.
func runCrash(t *testing.T, c crashCase) {
	kcatPath(t)
	seed := uint64(envInt("EVENTFLUX_CRASH_SEED", 20260601))
	n := envInt("EVENTFLUX_CRASH_RECORDS", c.records)
	kills := envInt("EVENTFLUX_CRASH_KILLS", 5)
	t.Logf("seed %d, %d records, %d kills", seed, n, kills)
	begin := time.Now()

	_, broker := startBroker(t, 6)
	input := c.input
	if input == nil {
		input = func(seed uint64, n int) ([]string, string) { return genTradesInput(seed, n, 100, 0) }
	}
	lines, replayIn := input(seed, n)
	var tail []string
	if c.tail != nil {
		var tailIn string
		tail, tailIn = c.tail(n)
		replayIn += tailIn
	}
	wants := replayStreams(t, c.sql, replayIn)
	for _, o := range c.outputs {
		if len(wants[o.stream]) == 0 {
			t.Fatalf("replay has no %s rows: the test would prove nothing", o.stream)
		}
	}
	backlog, rest := lines[:n/2], lines[n/2:]
	kcatProduce(t, broker, "trades", backlog)

	app := c.app
	cfg := appYAML(t, app, broker, c.sql, c.out, c.outTopic, "")
	// stateDirs[slot] is the slot's own state directory (stateful only;
	// otherwise all share the pipeline's default one).
	var stateDirs [3]string
	if c.stateful {
		for i := range stateDirs {
			stateDirs[i] = filepath.Join(t.TempDir(), fmt.Sprintf("state-w%d", i))
		}
	}
	started := 0
	startWorker := func(slot int) *proc {
		started++
		env := []string{"EVENTFLUX_INSTANCE_ID=w" + strconv.Itoa(slot)}
		if stateDirs[slot] != "" {
			env = append(env, "EVENTFLUX_STATE_DIR="+stateDirs[slot])
		}
		return startProc(t, fmt.Sprintf("worker%d-%d", slot, started), env, "run", "-c", cfg)
	}
	workers := []*proc{startWorker(0), startWorker(1)}
	var events []string
	event := func(format string, args ...any) {
		events = append(events, fmt.Sprintf("%.2fs ", time.Since(begin).Seconds())+fmt.Sprintf(format, args...))
	}
	failf := func(format string, args ...any) {
		t.Helper()
		var logs []string
		for _, w := range workers {
			logs = append(logs, w.logTail(15))
		}
		t.Fatalf("seed %d: %s\nevents:\n  %s\n%s", seed, fmt.Sprintf(format, args...), strings.Join(events, "\n  "), strings.Join(logs, "\n"))
	}
	checkAlive := func() {
		for _, w := range workers {
			if !w.running() {
				failf("worker %s exited on its own: %v", w.name, w.err)
			}
		}
	}
	logHas := func(w *proc, msg string) bool {
		b, _ := os.ReadFile(w.log.Name())
		return strings.Contains(string(b), `"`+msg+`"`)
	}
	assigned := func(w *proc) bool { return logHas(w, "runtime: assigned") }

	// The schedule: the rest of the input at a steady rate over the
	// window, the third worker at 0.5s, and one kill at a random moment in
	// each of kills equal slices of the window.
	type step struct {
		at   time.Duration
		what string
	}
	rng := rand.New(rand.NewPCG(seed, 99))
	const window = 4 * time.Second
	steps := []step{{at: 500 * time.Millisecond, what: "join"}}
	for i := range kills {
		slice := window / time.Duration(kills)
		steps = append(steps, step{at: 300*time.Millisecond + time.Duration(i)*slice + time.Duration(rng.Int64N(int64(slice))), what: "kill"})
	}
	slices.SortStableFunc(steps, func(a, b step) int { return int(a.at - b.at) })
	// wipe is the first kill (0-based) whose restart may start from an
	// empty state directory: it does at that kill or the next one whose
	// victim has state to restore (see hasState; from that kill on,
	// victims with state are preferred); not the first or last, drawn
	// after the schedule, so a seed's schedule is the same in all tests.
	wipe := -1
	if c.stateful && kills > 0 {
		wipe = 0
		if kills > 2 {
			wipe = 1 + rng.IntN(kills-2)
		}
	}
	// statefulTasks returns the stateful tasks ("<unit>_<n>") of w's last
	// assignment: those whose unit has a task store changelog. The first
	// worker creates all changelog topics at its start, so their list is
	// final once it is not empty.
	var changelogs map[string]bool
	statefulTasks := func(w *proc) []string {
		if len(changelogs) == 0 {
			changelogs = map[string]bool{}
			for _, topic := range appTopics(t, broker, app, "-changelog") {
				changelogs[topic] = true
			}
		}
		var out []string
		for _, task := range lastTasks(w) {
			unit, _, ok := cutLast(task, "_")
			if ok && changelogs[taskChangelog(app, unit)] {
				out = append(out, task)
			}
		}
		return out
	}
	// hasState reports whether one of w's tasks (by its last assignment)
	// has committed state: its task store changelog partition holds a
	// committed record, so a restore from scratch has work. Without it, a
	// slot killed twice right after its start may have committed nothing,
	// and its "full restore" would be empty.
	hasState := func(w *proc) bool {
		for _, task := range statefulTasks(w) {
			unit, part, _ := cutLast(task, "_")
			out, err := kcatErr(broker, "", "-C", "-t", taskChangelog(app, unit), "-p", part, "-X", "isolation.level=read_committed", "-o", "beginning", "-e", "-q", "-c", "1", "-f", "x\n")
			if err == nil && out != "" {
				return true
			}
		}
		return false
	}
	prodDone := make(chan error, 1)
	go func() { prodDone <- produceSteady(broker, "trades", rest, window) }()
	t0 := time.Now()
	killed := 0
	var wiped *proc // the worker started on an empty state directory
	for _, st := range steps {
		time.Sleep(time.Until(t0.Add(st.at)))
		checkAlive()
		switch st.what {
		case "join":
			workers = append(workers, startWorker(2))
			event("worker2 joins")
		case "kill":
			// Kill a worker that is processing (it has an assignment); wait
			// for one if all are just restarting.
			var victim int
			if !waitFor(30*time.Second, func() bool {
				var live []int
				for i, w := range workers {
					// The worker on an empty state directory is killed
					// only after its full restore, which must finish.
					if assigned(w) && (w != wiped || logHas(w, "runtime: restored")) {
						live = append(live, i)
					}
				}
				if len(live) == 0 {
					return false
				}
				if wipe >= 0 && killed >= wipe && wiped == nil {
					// A wipe is due: prefer a victim with state to restore.
					var withState []int
					for _, i := range live {
						if hasState(workers[i]) {
							withState = append(withState, i)
						}
					}
					if len(withState) > 0 {
						live = withState
					}
				}
				victim = live[rng.IntN(len(live))]
				return true
			}) {
				failf("no worker got an assignment within 30s")
			}
			doWipe := wipe >= 0 && killed >= wipe && wiped == nil && hasState(workers[victim])
			workers[victim].kill()
			event("killed %s", workers[victim].name)
			if doWipe {
				if err := os.RemoveAll(stateDirs[victim]); err != nil {
					failf("deleting %s: %v", stateDirs[victim], err)
				}
				event("deleted the state directory of w%d", victim)
			}
			workers[victim] = startWorker(victim)
			if doWipe {
				wiped = workers[victim]
			}
			killed++
		}
	}
	if err := <-prodDone; err != nil {
		failf("producing the input: %v", err)
	}
	event("all input produced")

	cluster := kafkatest.Remote(broker)
	// committed waits until the group has committed total source records.
	committed := func(total int) {
		deadline := time.Now().Add(150 * time.Second)
		for {
			checkAlive()
			sum, err := cluster.CommittedSum(app, "trades")
			if err != nil {
				t.Logf("committed offsets: %v", err)
			}
			if sum == int64(total) {
				return
			}
			if sum > int64(total) {
				failf("committed offsets sum to %d, more than the %d input records", sum, total)
			}
			if time.Now().After(deadline) {
				failf("only %d of %d input records committed after %s", sum, total, time.Since(begin).Round(time.Second))
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	// drained waits until the group has read and committed every
	// committed record of the repartition topics: with the source
	// committed, the committed output is then complete.
	drained := func() {
		rps := appTopics(t, broker, app, "-repartition")
		if c.tail != nil && len(rps) == 0 {
			failf("no repartition topic %s-*-repartition", app)
		}
		for _, topic := range rps {
			var behind string
			if !waitFor(60*time.Second, func() bool {
				checkAlive()
				var err error
				behind, err = repartitionBehind(t, broker, app, topic)
				if err != nil {
					behind = err.Error()
				}
				return behind == ""
			}) {
				failf("repartition topic %s not drained within 60s: %s", topic, behind)
			}
		}
	}
	committed(n)
	event("all input committed")
	drained()
	event("repartition topics drained")
	if len(tail) > 0 {
		// Only now the tail: sent earlier, it could overtake input still
		// queued in a repartition topic and make it late.
		kcatProduce(t, broker, "trades", tail)
		event("tail produced")
		committed(n + len(tail))
		drained()
		event("tail committed and drained")
	}
	// The slots' stateful tasks before the shutdown, whose rebalances
	// move tasks around.
	var slotTasks [3][]string
	if c.stateful {
		changelogs = nil // list them afresh
		for slot, w := range workers {
			slotTasks[slot] = statefulTasks(w)
		}
	}
	for _, w := range workers {
		// A worker restarted a moment ago may not handle signals yet.
		if !waitFor(30*time.Second, func() bool { return assigned(w) }) {
			failf("worker %s got no assignment within 30s", w.name)
		}
		if err := w.stop(t, 30*time.Second); err != nil {
			failf("worker %s after SIGTERM: %v", w.name, err)
		}
	}
	event("workers stopped")
	t.Logf("events:\n  %s", strings.Join(events, "\n  "))
	if c.out != "" {
		got, err := kcatRead(broker, c.outTopic)
		if err != nil {
			t.Fatal(err)
		}
		want := wants[c.out]
		if len(got) != len(want) {
			t.Logf("seed %d: committed output holds %d records, replay %d", seed, len(got), len(want))
		}
		compareOutput(t, got, want)
		logAborted(t, broker, c.outTopic, len(got))
	}
	for _, o := range c.outputs {
		got, err := kcatRead(broker, o.topic)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: %d records committed, replay has %d", o.stream, len(got), len(wants[o.stream]))
		compareLines(t, o.stream, got, wants[o.stream])
		if o.check != nil {
			o.check(t, got)
		}
		logAborted(t, broker, o.topic, len(got))
	}
	if dlq, err := kcatRead(broker, app+"-dlq"); err != nil || len(dlq) != 0 {
		t.Fatalf("dead-letter topic: %d records, %v; want none", len(dlq), err)
	}
	if c.stateful {
		changelogs := changelogTopics(t, broker, app)
		if len(changelogs) == 0 {
			t.Fatalf("no changelog topic %s-*-changelog: the app is not stateful", app)
		}
		for _, topic := range changelogs {
			// Changelog records are binary: count them, do not parse.
			out, err := kcatErr(broker, "", "-C", "-t", topic, "-X", "isolation.level=read_committed", "-o", "beginning", "-e", "-q", "-f", "x\n")
			if err != nil {
				t.Fatal(err)
			}
			committed := strings.Count(out, "\n")
			if committed == 0 {
				t.Fatalf("changelog %s holds no committed records", topic)
			}
			logAborted(t, broker, topic, committed)
		}
		// A slot whose tasks are all stateless (a source sub-topology
		// writing a repartition topic) keeps no state.
		withState := 0
		for slot, dir := range stateDirs {
			if len(slotTasks[slot]) == 0 {
				continue
			}
			withState++
			if ents, err := os.ReadDir(dir); err != nil || len(ents) == 0 {
				t.Fatalf("state directory of w%d (%s, tasks %v): %d entries, %v; want the tasks' state", slot, dir, slotTasks[slot], len(ents), err)
			}
		}
		if withState == 0 {
			t.Fatalf("no worker slot had a stateful task at the end")
		}
		if wiped == nil && wipe >= 0 {
			t.Fatalf("seed %d: no kill from #%d on had a victim with committed state: no restart from an empty state directory", seed, wipe)
		}
		if wiped != nil {
			b, _ := os.ReadFile(wiped.log.Name())
			full := 0
			for _, l := range strings.Split(string(b), "\n") {
				if strings.Contains(l, `"runtime: restored"`) && strings.Contains(l, `"from":0,`) {
					full++
				}
			}
			t.Logf("%s (started on an empty state directory) restored %d stores from changelog offset 0", wiped.name, full)
			if full == 0 {
				failf("%s, started on an empty state directory, restored nothing from changelog offset 0\n%s", wiped.name, wiped.logTail(40))
			}
		}
	}
	t.Logf("crash test took %.1fs", time.Since(begin).Seconds())
}

// logAborted logs how many records of topic read_uncommitted sees beyond
// the committed ones (those of aborted transactions).
func logAborted(t *testing.T, broker, topic string, committed int) {
	t.Helper()
	if all, err := kcatErr(broker, "", "-C", "-t", topic, "-X", "isolation.level=read_uncommitted", "-o", "beginning", "-e", "-q", "-f", "x\n"); err == nil {
		t.Logf("%s: %d records committed; read_uncommitted sees %d more, from aborted transactions", topic, committed, strings.Count(all, "\n")-committed)
	}
}

// changelogTopics returns the changelog topics of app on broker.
func changelogTopics(t *testing.T, broker, app string) []string {
	t.Helper()
	return appTopics(t, broker, app, "-changelog")
}

// taskChangelog is the changelog topic of unit's task store (stream
// time), which every stateful unit has: "<app>-_task.<unit>-changelog".
func taskChangelog(app, unit string) string {
	return app + "-" + topology.TaskStoreName + "." + unit + "-changelog"
}

// cutLast slices s around the last sep.
func cutLast(s, sep string) (before, after string, found bool) {
	if i := strings.LastIndex(s, sep); i >= 0 {
		return s[:i], s[i+len(sep):], true
	}
	return s, "", false
}

// lastTasks returns the tasks of the last "runtime: assigned" line in
// w's log.
func lastTasks(w *proc) []string {
	b, _ := os.ReadFile(w.log.Name())
	var tasks []string
	for _, l := range strings.Split(string(b), "\n") {
		if !strings.Contains(l, `"runtime: assigned"`) {
			continue
		}
		var e struct{ Tasks []string }
		if json.Unmarshal([]byte(l), &e) == nil {
			tasks = e.Tasks
		}
	}
	return tasks
}

// errStop ends a kafka.Reader.ReadCommitted early.
var errStop = errors.New("stop")

// repartitionBehind describes the first partition of topic where group's
// committed offset is not past every committed record ("" when there is
// none): a record of a committed transaction the group has not processed.
// Transaction markers and aborted records past the offset do not count.
func repartitionBehind(t *testing.T, broker, group, topic string) (string, error) {
	t.Helper()
	opts := kafka.Options{Brokers: []string{broker}, ClientID: "crash-test-reader"}
	a, err := kafka.NewAdmin(opts)
	if err != nil {
		return "", err
	}
	counts, err := a.Partitions(topic)
	a.Close()
	if err != nil {
		return "", err
	}
	offsets := kafkatest.Remote(broker).Committed(t, group, topic)
	r, err := kafka.NewReader(opts)
	if err != nil {
		return "", err
	}
	defer r.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for p := range int32(counts[topic]) {
		from := offsets[p]
		var first int64 = -1
		_, err := r.ReadCommitted(ctx, kafka.TopicPartition{Topic: topic, Partition: p}, from, func(recs []kafka.Record, _, _ int64) error {
			if len(recs) > 0 {
				first = recs[0].Offset
				return errStop
			}
			return nil
		})
		if err != nil && !errors.Is(err, errStop) {
			return "", err
		}
		if first >= 0 {
			return fmt.Sprintf("%s/%d: committed offset %d, a committed record at %d", topic, p, from, first), nil
		}
	}
	return "", nil
}

// produceSteady produces lines ("key\tvalue") to topic evenly over
// window, in order, keyed with the murmur2 partitioner like kcatProduce.
func produceSteady(broker, topic string, lines []string, window time.Duration) error {
	opts := kafka.Options{Brokers: []string{broker}, ClientID: "crash-test-producer"}
	a, err := kafka.NewAdmin(opts)
	if err != nil {
		return err
	}
	counts, err := a.Partitions(topic)
	a.Close()
	if err != nil {
		return err
	}
	p, err := kafka.NewProducer(kafka.ProducerOptions{Options: opts})
	if err != nil {
		return err
	}
	defer p.Close()
	const tick = 5 * time.Millisecond
	per := max(1, len(lines)*int(tick)/int(window))
	start := time.Now()
	for i := 0; i < len(lines); i += per {
		for _, l := range lines[i:min(i+per, len(lines))] {
			k, v, _ := strings.Cut(l, "\t")
			p.Send(&kafka.Record{Topic: topic, Partition: serde.Partition([]byte(k), counts[topic]), Key: []byte(k), Value: []byte(v)})
		}
		if err := p.Flush(); err != nil {
			return err
		}
		time.Sleep(time.Until(start.Add(time.Duration(i/per+1) * tick)))
	}
	return nil
}
