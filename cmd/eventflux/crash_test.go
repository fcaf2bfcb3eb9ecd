package main_test

import (
	"fmt"
	"math/rand/v2"
	"os"
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
	kcatPath(t)
	seed := uint64(envInt("EVENTFLUX_CRASH_SEED", 20260601))
	n := envInt("EVENTFLUX_CRASH_RECORDS", 200_000)
	kills := envInt("EVENTFLUX_CRASH_KILLS", 5)
	t.Logf("seed %d, %d records, %d kills", seed, n, kills)
	begin := time.Now()

	_, broker := startBroker(t, 6)
	lines, replayIn := genTradesInput(seed, n, 100, 0)
	want := replayOutput(t, replayIn)
	backlog, rest := lines[:n/2], lines[n/2:]
	kcatProduce(t, broker, "trades", backlog)

	const app = "crash"
	cfg := pipelineYAML(t, app, broker, "")
	started := 0
	startWorker := func(slot int) *proc {
		started++
		return startProc(t, fmt.Sprintf("worker%d-%d", slot, started), []string{"EVENTFLUX_INSTANCE_ID=w" + strconv.Itoa(slot)}, "run", "-c", cfg)
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
	assigned := func(w *proc) bool {
		b, _ := os.ReadFile(w.log.Name())
		return strings.Contains(string(b), `"runtime: assigned"`)
	}

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
	prodDone := make(chan error, 1)
	go func() { prodDone <- produceSteady(broker, "trades", rest, window) }()
	t0 := time.Now()
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
					if assigned(w) {
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
			workers[victim].kill()
			event("killed %s", workers[victim].name)
			workers[victim] = startWorker(victim)
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
	got, err := kcatRead(broker, "alerts")
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
	if all, err := kcatErr(broker, "", "-C", "-t", "alerts", "-X", "isolation.level=read_uncommitted", "-o", "beginning", "-e", "-q", "-f", "x\n"); err == nil {
		t.Logf("%d alerts committed; read_uncommitted sees %d more, from aborted transactions", len(got), strings.Count(all, "\n")-len(got))
	}
	t.Logf("crash test took %.1fs", time.Since(begin).Seconds())
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
