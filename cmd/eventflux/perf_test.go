package main_test

import (
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// vmRSS returns a process's resident set size in bytes, from
// /proc/PID/status.
func vmRSS(pid int) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, l := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(l, "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb << 10, err
		}
	}
	return 0, fmt.Errorf("no VmRSS in /proc/%d/status", pid)
}

// TestWorkerRSS measures the resident memory of an `eventflux run` worker
// process at steady state on the example filter/projection workload,
// exactly once: 20k trades/s for 6s over 6 partitions (one worker owns all
// 6 tasks), sampled every 200ms after a 2s warm-up. The target is < 100
// MB; the test fails above it.
func TestWorkerRSS(t *testing.T) {
	if _, err := os.Stat("/proc/self/status"); err != nil {
		t.Skip("no /proc on this system")
	}
	kcatPath(t)
	_, broker := startBroker(t, 6)
	const rate, secs = 20_000, 6
	lines, _ := genTradesInput(3, rate*secs, 100, 0)
	kcatProduce(t, broker, "trades", lines[:1]) // create the topic
	w := startProc(t, "worker", nil, "run", "-c", pipelineYAML(t, "rss", broker, ""))
	prodDone := make(chan error, 1)
	go func() { prodDone <- produceSteady(broker, "trades", lines[1:], secs*time.Second) }()
	var samples []int64
	start := time.Now()
	for time.Since(start) < secs*time.Second {
		time.Sleep(200 * time.Millisecond)
		if !w.running() {
			t.Fatalf("worker exited: %v\n%s", w.err, w.logTail(20))
		}
		if time.Since(start) < 2*time.Second {
			continue
		}
		rss, err := vmRSS(w.cmd.Process.Pid)
		if err != nil {
			t.Fatal(err)
		}
		samples = append(samples, rss)
	}
	if err := <-prodDone; err != nil {
		t.Fatal(err)
	}
	readUntil(t, broker, "alerts", 1, 10*time.Second)
	if err := w.stop(t, 30*time.Second); err != nil {
		t.Fatalf("worker: %v\n%s", err, w.logTail(20))
	}
	slices.Sort(samples)
	med, peak := samples[len(samples)/2], samples[len(samples)-1]
	t.Logf("worker RSS at steady state (%d records/s, exactly once, 6 tasks): median %.1f MB, max %.1f MB over %d samples",
		rate, float64(med)/1e6, float64(peak)/1e6, len(samples))
	if peak >= 100e6 {
		t.Errorf("worker RSS peaked at %.1f MB, target < 100 MB", float64(peak)/1e6)
	}
}
