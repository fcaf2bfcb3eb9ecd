package runtime

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/eventflux-io/eventflux-go/internal/replay"
	"github.com/eventflux-io/eventflux-go/internal/serde"
	"github.com/eventflux-io/eventflux-go/kafka"
	"github.com/eventflux-io/eventflux-go/kafka/kafkatest"
	"github.com/eventflux-io/eventflux-go/sqlc"
	"github.com/eventflux-io/eventflux-go/topology"
)

func TestMain(m *testing.M) {
	code := m.Run()
	closeBenchCluster()
	if code == 0 {
		if err := goleak.Find(goleak.IgnoreTopFunction("github.com/rcrowley/go-metrics.(*meterArbiter).tick")); err != nil {
			fmt.Fprintf(os.Stderr, "goleak: %v\n", err)
			code = 1
		}
	}
	os.Exit(code)
}

const tradesSQL = `
CREATE STREAM Trades (symbol STRING, price DOUBLE, volume INT)
  WITH (topic = 'trades', format = 'json', key = 'symbol');
INSERT INTO Alerts
SELECT symbol, price, volume * 2 AS doubled
FROM Trades
WHERE price > 50;`

func compile(t testing.TB, src string) *topology.Topology {
	t.Helper()
	prog, err := sqlc.Compile(src, sqlc.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return prog.Topology
}

// trade is one generated input event.
type trade struct {
	symbol string
	price  float64
	volume int
	ts     int64
}

func (tr trade) json() string {
	return fmt.Sprintf(`{"symbol":%q,"price":%s,"volume":%d}`, tr.symbol, strconv.FormatFloat(tr.price, 'f', -1, 64), tr.volume)
}

func genTrades(from, n int) []trade {
	out := make([]trade, n)
	for i := range out {
		k := from + i
		out[i] = trade{symbol: fmt.Sprintf("S%02d", k%23), price: float64(k%100) + 0.5, volume: k % 1000, ts: int64(1_000 + k)}
	}
	return out
}

// records keys each trade by symbol, placed like a Java producer would.
func tradeRecords(trades []trade, partitions int) []kafka.Record {
	out := make([]kafka.Record, len(trades))
	for i, tr := range trades {
		out[i] = kafka.Record{Topic: "trades", Partition: serde.Partition([]byte(tr.symbol), partitions), Key: []byte(tr.symbol),
			Value: []byte(tr.json()), Timestamp: time.UnixMilli(tr.ts)}
	}
	return out
}

// replayLines runs replay over trades (in the given order) and returns its
// output as "ts data" lines, sorted.
func replayLines(t testing.TB, topo *topology.Topology, trades []trade) []string {
	t.Helper()
	var in bytes.Buffer
	for _, tr := range trades {
		fmt.Fprintf(&in, `{"stream":"Trades","ts":%d,"data":%s}`+"\n", tr.ts, tr.json())
	}
	var out bytes.Buffer
	if _, err := replay.Run(context.Background(), topo, &in, &out, replay.Options{}); err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, l := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		// {"stream":"Alerts","ts":1000,"data":{...}}
		rest := strings.TrimPrefix(l, `{"stream":"Alerts","ts":`)
		i := strings.Index(rest, `,"data":`)
		lines = append(lines, rest[:i]+" "+strings.TrimSuffix(rest[i+len(`,"data":`):], "}"))
	}
	sort.Strings(lines)
	return lines
}

func outputLines(recs []kafka.Record) []string {
	lines := make([]string, len(recs))
	for i, r := range recs {
		lines[i] = strconv.FormatInt(r.Timestamp.UnixMilli(), 10) + " " + string(r.Value)
	}
	sort.Strings(lines)
	return lines
}

func diffLines(t *testing.T, got, want []string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d output records, want %d", len(got), len(want))
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("output %d: got %s, want %s", i, got[i], want[i])
		}
	}
}

// testLogger writes to stderr when EVENTFLUX_TEST_LOG is set.
func testLogger() *slog.Logger {
	if os.Getenv("EVENTFLUX_TEST_LOG") == "" {
		return nil
	}
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// countingMetrics records what the tests check.
type countingMetrics struct {
	nopMetrics
	deadLetters, aborts, commits atomic.Int64
	tasks, rebalances            atomic.Int64
	lateEvents, lateDeadLetters  atomic.Int64
	lateNode                     atomic.Value // string
}

func (m *countingMetrics) LateEvent(node string) { m.lateEvents.Add(1); m.lateNode.Store(node) }

func (m *countingMetrics) Rebalance() { m.rebalances.Add(1) }

func (m *countingMetrics) DeadLetter(reason string) {
	m.deadLetters.Add(1)
	if reason == "late" {
		m.lateDeadLetters.Add(1)
	}
}
func (m *countingMetrics) Abort()               { m.aborts.Add(1) }
func (m *countingMetrics) Commit(time.Duration) { m.commits.Add(1) }
func (m *countingMetrics) Tasks(n int)          { m.tasks.Store(int64(n)) }

// worker runs Run in the background; stop cancels it and returns its error.
type runningWorker struct {
	cancel  context.CancelFunc
	done    chan error
	metrics *countingMetrics
	ready   atomic.Bool
}

func startWorker(t *testing.T, o Options) *runningWorker {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	w := &runningWorker{cancel: cancel, done: make(chan error, 1), metrics: &countingMetrics{}}
	if o.Metrics == nil {
		o.Metrics = w.metrics
	}
	if o.Logger == nil {
		o.Logger = testLogger()
	}
	o.Ready = func(r bool) { w.ready.Store(r) }
	go func() { w.done <- Run(ctx, o) }()
	t.Cleanup(func() { w.stop(t) })
	return w
}

func (w *runningWorker) stop(t *testing.T) error {
	t.Helper()
	if w.cancel == nil {
		return nil
	}
	w.cancel()
	w.cancel = nil
	select {
	case err := <-w.done:
		return err
	case <-time.After(30 * time.Second):
		t.Fatal("worker did not stop within 30s")
	}
	return nil
}

func baseOptions(c *kafkatest.Cluster, topo *topology.Topology) Options {
	return Options{
		App: "app", Kafka: c.Options(), Topology: topo,
		Bindings: map[string]topology.Binding{
			"Alerts": {Topic: "alerts", Format: "json", Key: []string{"symbol"}},
		},
		SessionTimeout: time.Second, HeartbeatInterval: 100 * time.Millisecond, RebalanceTimeout: 2 * time.Second,
		CommitInterval: 50 * time.Millisecond,
	}
}

func TestExactlyOnceOutputEqualsReplay(t *testing.T) {
	c := kafkatest.NewCluster(t)
	c.CreateTopic(t, "trades", 4)
	topo := compile(t, tradesSQL)
	input := genTrades(0, 2000)
	c.Produce(t, tradeRecords(input[:1000], 4)...)
	w := startWorker(t, baseOptions(c, topo))
	c.Produce(t, tradeRecords(input[1000:], 4)...)
	want := replayLines(t, topo, input)
	got := c.Read(t, "alerts", kafkatest.ReadOptions{Want: len(want), Timeout: 20 * time.Second})
	if err := w.stop(t); err != nil {
		t.Fatalf("Run: %v", err)
	}
	diffLines(t, outputLines(got), want)
	// Keys and partitions are Java-compatible.
	for _, r := range got {
		if p := serde.Partition(r.Key, 4); p != r.Partition {
			t.Fatalf("record key %s on partition %d, murmur2 says %d", r.Key, r.Partition, p)
		}
	}
	committed := c.Committed(t, "app", "trades")
	total := int64(0)
	for _, off := range committed {
		total += off
	}
	if total != int64(len(input)) {
		t.Fatalf("committed offsets %v sum to %d, want %d", committed, total, len(input))
	}
}

// TestPlanUnits: a GROUP BY on a non-key attribute runs in two units,
// the filter's reading the source and the aggregate's reading the
// repartition topic; a GROUP BY the record key in one.
func TestPlanUnits(t *testing.T) {
	prog, err := sqlc.Compile(`CREATE STREAM Trades (symbol STRING, price DOUBLE) WITH (topic = 'trades', key = 'symbol');
INSERT INTO ByPrice SELECT price, count() AS n FROM Trades WHERE price > 0 GROUP BY price;
INSERT INTO Total SELECT count() AS n FROM Trades;`, sqlc.Options{})
	if err != nil {
		t.Fatal(err)
	}
	o := &Options{App: "shop", Topology: prog.Topology}
	p, err := newPlan(o)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.units) != 3 || len(p.repartitions) != 2 {
		t.Fatalf("%d units, %d repartitions:\n%s", len(p.units), len(p.repartitions), prog.Topology.Describe())
	}
	src, byPrice, total := p.units[0], p.units[1], p.units[2]
	if len(src.topics) != 1 || src.topics[0] != "trades" || src.stateful {
		t.Errorf("source unit: topics %v, stateful %v", src.topics, src.stateful)
	}
	for _, u := range []*unit{byPrice, total} {
		if len(u.topics) != 1 || !strings.HasPrefix(u.topics[0], "shop-rp") || !strings.HasSuffix(u.topics[0], "-repartition") ||
			len(u.sources) != 0 || !u.stateful || p.groups[u.topics[0]] != u.index {
			t.Errorf("unit %s: topics %v, sources %v, stateful %v", u.name, u.topics, u.sources, u.stateful)
		}
	}
	if !p.repartitions[0].single || p.repartitions[1].single || len(p.repartitions[1].keyIdx) != 1 {
		t.Errorf("repartitions %+v %+v", p.repartitions[0], p.repartitions[1])
	}
	if got := p.consumed(); len(got) != 3 || got[0] != "trades" {
		t.Errorf("consumed %v", got)
	}
	keyed, err := sqlc.Compile(`CREATE STREAM Trades (symbol STRING, price DOUBLE) WITH (topic = 'trades', key = 'symbol');
INSERT INTO BySymbol SELECT symbol, count() AS n FROM Trades GROUP BY symbol;`, sqlc.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if p, err := newPlan(&Options{App: "shop", Topology: keyed.Topology}); err != nil || len(p.units) != 1 || len(p.repartitions) != 0 {
		t.Fatalf("GROUP BY the key: %v", err)
	}
}

// Two source streams on one topic run in one unit even when no query
// connects them: a topic partition has one owner.
func TestPlanUnitsShareTopics(t *testing.T) {
	prog, err := sqlc.Compile(`CREATE STREAM A (k STRING, x INT) WITH (topic = 't', key = 'k');
CREATE STREAM B (k STRING, y INT) WITH (topic = 't', key = 'k');
CREATE STREAM C (k STRING) WITH (topic = 'c', key = 'k');
INSERT INTO OA SELECT k, x FROM A;
INSERT INTO OB SELECT k, y FROM B;
INSERT INTO OC SELECT k FROM C;`, sqlc.Options{})
	if err != nil {
		t.Fatal(err)
	}
	p, err := newPlan(&Options{App: "app", Topology: prog.Topology})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.units) != 2 || len(p.units[0].topics) != 1 || p.units[0].topics[0] != "t" || p.units[1].topics[0] != "c" {
		t.Fatalf("units %+v %+v", p.units[0], p.units[1])
	}
	if got := len(p.units[0].topo.SubTopologies()[0].Nodes); got != 2 {
		t.Fatalf("unit t runs %d processors, want 2", got)
	}
}
