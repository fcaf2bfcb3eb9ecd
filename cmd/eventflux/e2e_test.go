package main_test

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"regexp"
	"slices"
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
// within seconds (read by kcat with read_committed), and in the first
// round a market summary too, which has gone through the single-partition
// repartition topic and a windowed store; SIGTERM stops it with status 0;
// started again on the same data directory, it still has the earlier
// alerts and market rows and adds new alerts.
//
// The first market row comes out when the first 10-second window closes,
// 2 to 12 s (its grace included) after the generator starts; waiting for
// one again in the second round would cost as much once more, so the
// second round only checks the first's rows are still there.
func TestE2EDev(t *testing.T) {
	kcatPath(t)
	data := filepath.Join(t.TempDir(), "broker")
	type counts struct{ alerts, market int }
	run := func(round int, before counts) counts {
		port := freePort(t)
		broker := "127.0.0.1:" + strconv.Itoa(port)
		start := time.Now()
		d := startProc(t, fmt.Sprintf("dev%d", round), nil, "dev", "--port", strconv.Itoa(port), "--data-dir", data, "--http", "127.0.0.1:0", "--rate", "50")
		if !waitFor(30*time.Second, func() bool { return strings.Contains(d.stdout.String(), "eventflux dev is running") || !d.running() }) || !d.running() {
			t.Fatalf("eventflux dev did not get ready\nstdout:\n%s\n%s", d.stdout.String(), d.logTail(30))
		}
		kcatTopic := func(topic string) string {
			return "kcat -b localhost:" + strconv.Itoa(port) + " -C -t " + topic + " -X isolation.level=read_committed -o beginning"
		}
		for _, want := range []string{kcatTopic("alerts"), kcatTopic("volumes"), kcatTopic("market"), "-repartition -e changelog",
			"eventflux state -c testdata/pipelines/trades.yaml list", "-P -t trades", "Ctrl-C"} {
			if !strings.Contains(d.stdout.String(), want) {
				t.Errorf("the dev help lacks %q:\n%s", want, d.stdout.String())
			}
		}
		got := readUntil(t, broker, "alerts", before.alerts+1, 30*time.Second)
		if len(got) <= before.alerts {
			t.Fatalf("round %d: no new alert within 30s (%d records, %d before)\n%s", round, len(got), before.alerts, d.logTail(30))
		}
		t.Logf("round %d: %d alerts %.1fs after start", round, len(got), time.Since(start).Seconds())
		wantMarket := before.market
		if round == 1 {
			wantMarket = 1
		}
		market := readUntil(t, broker, "market", wantMarket, 30*time.Second)
		if len(market) < wantMarket || wantMarket == 0 {
			t.Fatalf("round %d: %d market rows within 30s, want %d\n%s", round, len(market), wantMarket, d.logTail(30))
		}
		for _, r := range market {
			var row struct{ Trades, Volume int64 }
			if err := json.Unmarshal([]byte(r.value), &row); err != nil || row.Trades <= 0 || row.Volume <= 0 {
				t.Errorf("market row %q (%v): want trades and volume > 0", r.value, err)
			}
		}
		t.Logf("round %d: %d market rows %.1fs after start", round, len(market), time.Since(start).Seconds())
		if err := d.stop(t, 30*time.Second); err != nil {
			t.Fatalf("eventflux dev after SIGTERM: %v\n%s", err, d.logTail(30))
		}
		if out := d.stdout.String(); !strings.HasSuffix(out, "eventflux dev: stopped\n") {
			t.Errorf("stdout does not end with the stop message:\n%s", out)
		}
		return counts{len(got), len(market)}
	}
	first := run(1, counts{})
	run(2, first)
}

// venuesSQL counts trades per venue, an attribute that is not the record
// key (symbol), with no window: one row per trade, the venue's running
// count. The count must see every trade of its venue, from whichever
// source partition, so the query reads a repartition topic keyed by
// venue. VenueCounts has no key: a row goes to its task's partition.
const venuesSQL = `CREATE STREAM Trades (symbol STRING, venue STRING, volume INT)
  WITH (topic = 'trades', format = 'json', key = 'symbol');
CREATE STREAM VenueCounts (venue STRING, n LONG) WITH (topic = 'venue_counts');

INSERT INTO VenueCounts
SELECT venue, count() AS n
FROM Trades
GROUP BY venue;
`

// TestE2ERepartition: a GROUP BY of a non-key attribute through the
// built binary, kcat producing to a 3-partition source and reading the
// output with read_committed. `eventflux explain` names the repartition
// topic, the worker creates it, and every venue's count reaches its
// number of trades (each venue is spread over all source partitions, so
// a count per source partition would fall short), with each count from 1
// to the total exactly once, all in one output partition. Across source
// partitions the order of a venue's rows depends on timing, so the test
// compares nothing order-sensitive with replay.
func TestE2ERepartition(t *testing.T) {
	kcatPath(t)
	const app = "e2e-rp"
	sql := writeFile(t, "venues.sql", venuesSQL)
	explain := eventflux(t, "", "explain", sql).mustSucceed(t).stdout
	m := regexp.MustCompile(`repartition into \$\{app\}-(rp[0-9a-f]+)-repartition keyed by venue\b`).FindAllStringSubmatch(explain, -1)
	if len(m) != 1 {
		t.Fatalf("explain names %d repartition topics keyed by venue, want 1:\n%s", len(m), explain)
	}
	rpTopic := app + "-" + m[0][1] + "-repartition"

	_, broker := startBroker(t, 3)
	const n, venues = 4000, 5
	rng := rand.New(rand.NewPCG(3, 5))
	lines := make([]string, n)
	want := map[string]int{} // venue -> trades
	for i := range lines {
		sym, venue := fmt.Sprintf("S%02d", rng.IntN(20)), fmt.Sprintf("V%d", rng.IntN(venues))
		lines[i] = fmt.Sprintf(`%s`+"\t"+`{"symbol":"%s","venue":"%s","volume":%d}`, sym, sym, venue, i)
		want[venue]++
	}
	// Half before the worker starts, half while it runs.
	kcatProduce(t, broker, "trades", lines[:n/2])
	w := startProc(t, "worker", nil, "run", "-c", appYAML(t, app, broker, sql, "", "", ""))
	readUntil(t, broker, "venue_counts", 1, 60*time.Second)
	kcatProduce(t, broker, "trades", lines[n/2:])
	readUntil(t, broker, "venue_counts", n, 60*time.Second)
	if err := w.stop(t, 30*time.Second); err != nil {
		t.Fatalf("eventflux run: %v\n%s", err, w.logTail(30))
	}
	got, err := kcatRead(broker, "venue_counts") // after the shutdown commit: nothing more
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != n {
		t.Errorf("venue_counts holds %d rows, want one per trade: %d", len(got), n)
	}

	counts := map[string][]int{}         // venue -> its rows' counts
	where := map[string]map[int32]bool{} // venue -> its output partitions
	for _, r := range got {
		var row struct {
			Venue string
			N     int
		}
		if err := json.Unmarshal([]byte(r.value), &row); err != nil {
			t.Fatalf("output %q: %v", r.value, err)
		}
		counts[row.Venue] = append(counts[row.Venue], row.N)
		if where[row.Venue] == nil {
			where[row.Venue] = map[int32]bool{}
		}
		where[row.Venue][r.partition] = true
	}
	for venue, ps := range where {
		if len(ps) != 1 {
			t.Errorf("venue %s has rows in %d partitions %v: not one task per venue", venue, len(ps), ps)
		}
	}
	for venue, k := range want {
		c := counts[venue]
		slices.Sort(c)
		ok := len(c) == k
		for i := 0; ok && i < k; i++ {
			ok = c[i] == i+1
		}
		if !ok {
			top := 0
			if len(c) > 0 {
				top = c[len(c)-1]
			}
			t.Errorf("venue %s: %d trades, but %d rows with the largest count %d; want the counts 1..%d once each", venue, k, len(c), top, k)
		}
	}
	if len(counts) != len(want) {
		t.Errorf("output has %d venues, input %d", len(counts), len(want))
	}
	t.Logf("venue -> output partition: %v", where)

	// All topics: a metadata request naming a missing topic could create
	// it (the broker creates topics on first use).
	partitions := ""
	for _, l := range strings.Split(kcat(t, broker, "", "-L"), "\n") {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(l), `topic "`+rpTopic+`" with `); ok {
			partitions = rest
		}
	}
	if partitions != "3 partitions:" {
		t.Fatalf("kcat -L: repartition topic %s %q, want 3 partitions (the source's); topics: %v", rpTopic, partitions, appTopics(t, broker, app, ""))
	}
}
