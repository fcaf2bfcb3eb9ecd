package main_test

import (
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

// crashCase is one application under the crash test.
type crashCase struct {
	app           string // the pipeline's app (group id, transactional id prefix)
	sql           string // SQL file, reading Trades from topic trades
	out, outTopic string // output stream, keyed by symbol, and its topic
	records       int    // input size unless EVENTFLUX_CRASH_RECORDS is set
	// stateful gives each worker slot its own state directory, deletes it
	// before one seeded restart, and checks that the app has a changelog.
	stateful bool
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
	lines, replayIn := genTradesInput(seed, n, 100, 0)
	want := replayStream(t, c.sql, c.out, replayIn)
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
	// victim has state to restore (see hasState); not the first or last,
	// drawn after the schedule, so a seed's schedule is the same in both
	// tests.
	wipe := -1
	if c.stateful && kills > 0 {
		wipe = 0
		if kills > 2 {
			wipe = 1 + rng.IntN(kills-2)
		}
	}
	// hasState reports whether the committed output holds records of one
	// of w's tasks (by its last assignment): then so does that task's
	// changelog (same transaction), and a restore from scratch has work.
	// Without it, a slot killed twice right after its start may have
	// committed nothing, and its "full restore" would be empty.
	hasState := func(w *proc) bool {
		b, _ := os.ReadFile(w.log.Name())
		i := strings.LastIndex(string(b), `"runtime: assigned"`)
		if i < 0 {
			return false
		}
		line := string(b)[strings.LastIndex(string(b[:i]), "\n")+1 : i]
		_, tasks, ok := strings.Cut(line, `"tasks":[`)
		tasks, _, _ = strings.Cut(tasks, "]")
		if !ok || tasks == "" {
			return false
		}
		for _, task := range strings.Split(tasks, ",") {
			out, err := kcatErr(broker, "", "-C", "-t", c.outTopic, "-p", task, "-X", "isolation.level=read_committed", "-o", "beginning", "-e", "-q", "-c", "1", "-f", "x\n")
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
	deadline := time.Now().Add(150 * time.Second)
	for {
		checkAlive()
		sum, err := cluster.CommittedSum(app, "trades")
		if err != nil {
			t.Logf("committed offsets: %v", err)
		}
		if sum == int64(n) {
			break
		}
		if sum > int64(n) {
			failf("committed offsets sum to %d, more than the %d input records", sum, n)
		}
		if time.Now().After(deadline) {
			failf("only %d of %d input records committed after %s", sum, n, time.Since(begin).Round(time.Second))
		}
		time.Sleep(20 * time.Millisecond)
	}
	event("all input committed")
	t.Logf("events:\n  %s", strings.Join(events, "\n  "))
	for _, w := range workers {
		// A worker restarted a moment ago may not handle signals yet.
		if !waitFor(30*time.Second, func() bool { return assigned(w) }) {
			failf("worker %s got no assignment within 30s", w.name)
		}
		if err := w.stop(t, 30*time.Second); err != nil {
			failf("worker %s after SIGTERM: %v", w.name, err)
		}
	}
	got, err := kcatRead(broker, c.outTopic)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Logf("seed %d: committed output holds %d records, replay %d", seed, len(got), len(want))
	}
	compareOutput(t, got, want)
	if dlq, err := kcatRead(broker, app+"-dlq"); err != nil || len(dlq) != 0 {
		t.Fatalf("dead-letter topic: %d records, %v; want none", len(dlq), err)
	}
	logAborted(t, broker, c.outTopic, len(got))
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
		for slot, dir := range stateDirs {
			if ents, err := os.ReadDir(dir); err != nil || len(ents) == 0 {
				t.Fatalf("state directory of w%d (%s): %d entries, %v; want the tasks' state", slot, dir, len(ents), err)
			}
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
	var topics []string
	for _, l := range strings.Split(kcat(t, broker, "", "-L"), "\n") {
		// kcat -L lists topics as: topic "NAME" with N partitions:
		l = strings.TrimSpace(l)
		name, ok := strings.CutPrefix(l, `topic "`)
		if !ok {
			continue
		}
		name, _, _ = strings.Cut(name, `"`)
		if strings.HasPrefix(name, app+"-") && strings.HasSuffix(name, "-changelog") {
			topics = append(topics, name)
		}
	}
	return topics
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
