package main_test

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestE2ERunMatchesReplay: an `eventflux broker` process, kcat produces
// keyed JSON trades (a few malformed), `eventflux run` processes them,
// kcat reads the output with read_committed: it equals `eventflux replay`
// of the same input, and each malformed record is in the dead-letter
// topic with headers naming its source and the error, while the records
// after it were processed.
func TestE2ERunMatchesReplay(t *testing.T) {
	kcatPath(t)
	_, broker := startBroker(t, 3)
	const n, bad = 3000, 500
	lines, replayIn := genTradesInput(1, n, 20, bad)
	kcatProduce(t, broker, "trades", lines)
	want := replayOutput(t, replayIn)

	cfg := pipelineYAML(t, "e2e", broker, "")
	w := startProc(t, "worker", nil, "run", "-c", cfg)
	readUntil(t, broker, "alerts", len(want), 60*time.Second)
	dlq := readUntil(t, broker, "e2e-dlq", n/bad, 20*time.Second)
	if err := w.stop(t, 30*time.Second); err != nil {
		t.Fatalf("eventflux run: %v\n%s", err, w.logTail(30))
	}
	got, err := kcatRead(broker, "alerts") // after the shutdown commit: nothing more
	if err != nil {
		t.Fatal(err)
	}
	compareOutput(t, got, want)

	if len(dlq) != n/bad {
		t.Fatalf("dead-letter topic holds %d records, want %d: %v", len(dlq), n/bad, dlq)
	}
	for _, r := range dlq {
		seq := strings.TrimSuffix(r.value[strings.Index(r.value, `"bad-`)+5:], `"}`)
		i, err := strconv.Atoi(seq)
		if err != nil {
			t.Fatalf("dead letter %q is not one of the malformed inputs", r.value)
		}
		if wantLine := lines[i]; r.key+"\t"+r.value != wantLine {
			t.Errorf("dead letter %s=%s, want the input %q unchanged", r.key, r.value, wantLine)
		}
		for _, h := range []string{"eventflux.source.topic=trades", "eventflux.source.partition=", "eventflux.source.offset=",
			`eventflux.error=serde: Trades: field $.price: expected DOUBLE, got string "bad-` + seq + `"`} {
			if !strings.Contains(r.headers, h) {
				t.Errorf("dead letter %s lacks header %s; headers: %s", r.value, h, r.headers)
			}
		}
	}
}

// TestE2EDev: `eventflux dev` starts, alerts appear on the output topic
// within seconds (read by kcat with read_committed), SIGTERM stops it with
// status 0; started again on the same data directory, it still has the
// earlier alerts and adds new ones.
func TestE2EDev(t *testing.T) {
	kcatPath(t)
	data := filepath.Join(t.TempDir(), "broker")
	run := func(round int, before int) int {
		port := freePort(t)
		broker := "127.0.0.1:" + strconv.Itoa(port)
		start := time.Now()
		d := startProc(t, fmt.Sprintf("dev%d", round), nil, "dev", "--port", strconv.Itoa(port), "--data-dir", data, "--http", "127.0.0.1:0", "--rate", "50")
		if !waitFor(30*time.Second, func() bool { return strings.Contains(d.stdout.String(), "eventflux dev is running") || !d.running() }) || !d.running() {
			t.Fatalf("eventflux dev did not get ready\nstdout:\n%s\n%s", d.stdout.String(), d.logTail(30))
		}
		for _, want := range []string{"kcat -b localhost:" + strconv.Itoa(port) + " -C -t alerts -X isolation.level=read_committed -o beginning", "-P -t trades", "Ctrl-C"} {
			if !strings.Contains(d.stdout.String(), want) {
				t.Errorf("the dev help lacks %q:\n%s", want, d.stdout.String())
			}
		}
		got := readUntil(t, broker, "alerts", before+1, 30*time.Second)
		if len(got) <= before {
			t.Fatalf("round %d: no new alert within 30s (%d records, %d before)\n%s", round, len(got), before, d.logTail(30))
		}
		t.Logf("round %d: %d alerts %.1fs after start", round, len(got), time.Since(start).Seconds())
		if err := d.stop(t, 30*time.Second); err != nil {
			t.Fatalf("eventflux dev after SIGTERM: %v\n%s", err, d.logTail(30))
		}
		if out := d.stdout.String(); !strings.HasSuffix(out, "eventflux dev: stopped\n") {
			t.Errorf("stdout does not end with the stop message:\n%s", out)
		}
		return len(got)
	}
	first := run(1, 0)
	run(2, first)
}
