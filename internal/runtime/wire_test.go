package runtime

import (
	"errors"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/eventflux-io/eventflux-go/kafka"
	"github.com/eventflux-io/eventflux-go/kafka/kafkatest"
)

func waitFor(t *testing.T, what string, timeout time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestDeadLettersKeepPipelineGoing(t *testing.T) {
	c := kafkatest.NewCluster(t)
	c.CreateTopic(t, "trades", 2)
	topo := compile(t, tradesSQL)
	input := genTrades(0, 100)
	recs := tradeRecords(input, 2)
	bad := []kafka.Record{
		{Topic: "trades", Partition: 1, Key: []byte("k"), Value: []byte(`{"symbol":"X","price":"high"}`), Timestamp: time.UnixMilli(5),
			Headers: []kafka.Header{{Key: "origin", Value: []byte("test")}}},
		{Topic: "trades", Partition: 0, Value: []byte(`not json`), Timestamp: time.UnixMilli(6)},
	}
	c.Produce(t, recs[:50]...)
	c.Produce(t, bad...)
	c.Produce(t, recs[50:]...)
	w := startWorker(t, baseOptions(c, topo))
	want := replayLines(t, topo, input)
	got := c.Read(t, "alerts", kafkatest.ReadOptions{Want: len(want)})
	dlq := c.Read(t, "app-dlq", kafkatest.ReadOptions{Want: 2})
	if err := w.stop(t); err != nil {
		t.Fatal(err)
	}
	diffLines(t, outputLines(got), want)
	if len(dlq) != 2 {
		t.Fatalf("dead-letter topic has %d records, want 2", len(dlq))
	}
	if n := w.metrics.deadLetters.Load(); n != 2 {
		t.Fatalf("dead-letter metric = %d, want 2", n)
	}
	byValue := map[string]kafka.Record{}
	for _, r := range dlq {
		byValue[string(r.Value)] = r
	}
	r, ok := byValue[`{"symbol":"X","price":"high"}`]
	if !ok {
		t.Fatalf("mistyped record not dead-lettered: %v", dlq)
	}
	h := map[string]string{}
	for _, x := range r.Headers {
		h[x.Key] = string(x.Value)
	}
	if h[HeaderSourceTopic] != "trades" || h[HeaderSourcePartition] != "1" || h[HeaderSourceOffset] == "" ||
		h["origin"] != "test" || string(r.Key) != "k" ||
		h[HeaderError] != `serde: Trades: field $.price: expected DOUBLE, got string "high"` {
		t.Fatalf("dead letter headers %v key %q", h, r.Key)
	}
	if _, ok := byValue["not json"]; !ok {
		t.Fatalf("malformed record not dead-lettered: %v", dlq)
	}
}

func TestDeadLetterPolicyFailStopsWithRecordError(t *testing.T) {
	c := kafkatest.NewCluster(t)
	c.CreateTopic(t, "trades", 1)
	c.Produce(t, kafka.Record{Topic: "trades", Value: []byte(`{"volume":1.5}`)})
	o := baseOptions(c, compile(t, tradesSQL))
	o.DeadLetterPolicy = Fail
	w := startWorker(t, o)
	select {
	case err := <-w.done:
		var re *RecordError
		if !errors.As(err, &re) || re.Topic != "trades" || re.Offset != 0 {
			t.Fatalf("Run = %v, want a *RecordError for trades/0@0", err)
		}
		w.cancel()
		w.cancel = nil
	case <-time.After(20 * time.Second):
		t.Fatal("worker did not fail")
	}
	if got := c.Committed(t, "app", "trades"); len(got) != 0 {
		t.Fatalf("offsets committed past the failing record: %v", got)
	}
}

func TestSourcesMustBeCoPartitioned(t *testing.T) {
	c := kafkatest.NewCluster(t)
	c.CreateTopic(t, "trades", 4)
	c.CreateTopic(t, "quotes", 2)
	topo := compile(t, `
CREATE STREAM Trades (symbol STRING, price DOUBLE) WITH (topic = 'trades');
CREATE STREAM Quotes (symbol STRING, bid DOUBLE) WITH (topic = 'quotes');
INSERT INTO A SELECT symbol FROM Trades;
INSERT INTO A SELECT symbol FROM Quotes;`) // one sub-topology: merged into A
	o := baseOptions(c, topo)
	err := Run(t.Context(), o)
	if err == nil || !strings.Contains(err.Error(), "quotes has 2 partitions, trades has 4 partitions") {
		t.Fatalf("Run = %v", err)
	}
	o.Topology = compile(t, `CREATE STREAM T (s STRING) WITH (topic = 'missing'); INSERT INTO A SELECT s FROM T;`)
	if err := Run(t.Context(), o); err == nil || !strings.Contains(err.Error(), "source topics do not exist: missing") {
		t.Fatalf("Run = %v", err)
	}
}

func TestEmptyBatchesStillCommitOffsets(t *testing.T) {
	c := kafkatest.NewCluster(t)
	c.CreateTopic(t, "trades", 2)
	input := genTrades(0, 40)
	for i := range input {
		input[i].price = 1 // the filter drops every trade
	}
	c.Produce(t, tradeRecords(input, 2)...)
	w := startWorker(t, baseOptions(c, compile(t, tradesSQL)))
	waitFor(t, "offsets committed", 10*time.Second, func() bool {
		total := int64(0)
		for _, off := range c.Committed(t, "app", "trades") {
			total += off
		}
		return total == int64(len(input))
	})
	if err := w.stop(t); err != nil {
		t.Fatal(err)
	}
}

func TestAtLeastOnceOutputEqualsReplay(t *testing.T) {
	c := kafkatest.NewCluster(t)
	c.CreateTopic(t, "trades", 3)
	topo := compile(t, tradesSQL)
	input := genTrades(0, 600)
	c.Produce(t, tradeRecords(input, 3)...)
	o := baseOptions(c, topo)
	o.Guarantee = AtLeastOnce
	w := startWorker(t, o)
	want := replayLines(t, topo, input)
	got := c.Read(t, "alerts", kafkatest.ReadOptions{Want: len(want)})
	waitFor(t, "offsets committed", 10*time.Second, func() bool {
		total := int64(0)
		for _, off := range c.Committed(t, "app", "trades") {
			total += off
		}
		return total == int64(len(input))
	})
	if err := w.stop(t); err != nil {
		t.Fatal(err)
	}
	diffLines(t, outputLines(got), want)
}

func TestTwoWorkersSplitAndRebalance(t *testing.T) {
	c := kafkatest.NewCluster(t)
	c.CreateTopic(t, "trades", 4)
	topo := compile(t, tradesSQL)
	input := genTrades(0, 3000)
	recs := tradeRecords(input, 4)
	c.Produce(t, recs[:1000]...)
	a := startWorker(t, baseOptions(c, topo))
	waitFor(t, "a ready", 10*time.Second, a.ready.Load)
	b := startWorker(t, baseOptions(c, topo))
	waitFor(t, "2/2 split", 15*time.Second, func() bool {
		return a.metrics.tasks.Load() == 2 && b.metrics.tasks.Load() == 2
	})
	c.Produce(t, recs[1000:2000]...)
	time.Sleep(200 * time.Millisecond)
	if err := b.stop(t); err != nil {
		t.Fatalf("b: %v", err)
	}
	waitFor(t, "a takes all tasks", 15*time.Second, func() bool { return a.metrics.tasks.Load() == 4 })
	c.Produce(t, recs[2000:]...)
	want := replayLines(t, topo, input)
	got := c.Read(t, "alerts", kafkatest.ReadOptions{Want: len(want), Timeout: 20 * time.Second, Linger: 300 * time.Millisecond})
	if err := a.stop(t); err != nil {
		t.Fatalf("a: %v", err)
	}
	diffLines(t, outputLines(got), want)
}

// TestFencedZombieOutputNeverVisible pauses worker A inside a transaction
// (a GC pause, a stuck disk) until the group gives its tasks to B. B's new
// producers fence A's; when A wakes up its commit fails, and nothing A
// sent in that transaction becomes visible: the output is still exactly
// the replay.
func TestFencedZombieOutputNeverVisible(t *testing.T) {
	c := kafkatest.NewCluster(t)
	c.CreateTopic(t, "trades", 2)
	topo := compile(t, tradesSQL)
	input := genTrades(0, 400)
	recs := tradeRecords(input, 2)
	c.Produce(t, recs[:200]...)

	release := make(chan struct{})
	var once sync.Once
	paused := make(chan struct{})
	oa := baseOptions(c, topo)
	oa.beforeCommit = func(int32) {
		once.Do(func() {
			close(paused)
			<-release
		})
	}
	a := startWorker(t, oa)
	<-paused
	// A's open transaction holds output; it must never be read.
	if n := len(c.Read(t, "alerts", kafkatest.ReadOptions{Uncommitted: true, Want: 1})); n == 0 {
		t.Fatal("zombie has no uncommitted output to hide")
	}
	b := startWorker(t, baseOptions(c, topo))
	waitFor(t, "b owns every task", 20*time.Second, func() bool { return b.metrics.tasks.Load() == 2 })
	c.Produce(t, recs[200:]...)
	want := replayLines(t, topo, input)
	got := c.Read(t, "alerts", kafkatest.ReadOptions{Want: len(want), Timeout: 20 * time.Second})
	diffLines(t, outputLines(got), want)

	close(release) // the zombie wakes up and tries to commit
	waitFor(t, "zombie aborted", 10*time.Second, func() bool { return a.metrics.aborts.Load() > 0 })
	got = c.Read(t, "alerts", kafkatest.ReadOptions{Want: len(want) + 1, Timeout: time.Second})
	if err := a.stop(t); err != nil {
		t.Fatalf("a: %v", err)
	}
	if err := b.stop(t); err != nil {
		t.Fatalf("b: %v", err)
	}
	diffLines(t, outputLines(got), want)
}

// TestAbortRewindsToCommittedOffsets fails the first transaction's offset
// commit (fault injected in the broker): the task aborts, the generation
// restarts from the committed offsets, and the output is still exactly the
// replay, with the aborted records invisible.
func TestAbortRewindsToCommittedOffsets(t *testing.T) {
	c := kafkatest.NewCluster(t)
	c.CreateTopic(t, "trades", 2)
	topo := compile(t, tradesSQL)
	input := genTrades(0, 500)
	c.Produce(t, tradeRecords(input, 2)...)
	c.FailNextTxnOffsetCommit(22) // ILLEGAL_GENERATION: abortable
	w := startWorker(t, baseOptions(c, topo))
	want := replayLines(t, topo, input)
	got := c.Read(t, "alerts", kafkatest.ReadOptions{Want: len(want)})
	if err := w.stop(t); err != nil {
		t.Fatal(err)
	}
	diffLines(t, outputLines(got), want)
	if n := w.metrics.aborts.Load(); n == 0 {
		t.Fatal("no transaction was aborted")
	}
	if all := c.Read(t, "alerts", kafkatest.ReadOptions{Uncommitted: true, Want: len(want) + 1, Timeout: time.Second}); len(all) <= len(want) {
		t.Fatalf("read_uncommitted sees %d records: the aborted transaction wrote nothing?", len(all))
	}
}

// TestTaskMergesInputsInTimestampOrder feeds one task from two
// co-partitioned topics: records come out in event-time order, ties in
// topic order.
func TestTaskMergesInputsInTimestampOrder(t *testing.T) {
	c := kafkatest.NewCluster(t)
	c.CreateTopic(t, "a", 1)
	c.CreateTopic(t, "b", 1)
	topo := compile(t, `
CREATE STREAM A (x STRING, ts LONG) WITH (topic = 'a', timestamp = 'ts');
CREATE STREAM B (x STRING, ts LONG) WITH (topic = 'b', timestamp = 'ts');
CREATE STREAM Out (x STRING, ts LONG) WITH (topic = 'out');
INSERT INTO Out SELECT x, ts FROM A;
INSERT INTO Out SELECT x, ts FROM B;`)
	rec := func(topic, x string, ts int) kafka.Record {
		return kafka.Record{Topic: topic, Value: []byte(`{"x":"` + x + `","ts":` + strconv.Itoa(ts) + `}`)}
	}
	c.Produce(t, rec("a", "a1", 1), rec("a", "a3", 3), rec("a", "a5", 5), rec("a", "a7", 7))
	c.Produce(t, rec("b", "b2", 2), rec("b", "b4", 4), rec("b", "b6", 6), rec("b", "b7", 7))
	o := baseOptions(c, topo)
	o.Bindings = nil
	o.MaxTaskIdle = 500 * time.Millisecond
	w := startWorker(t, o)
	got := c.Read(t, "out", kafkatest.ReadOptions{Want: 8})
	if err := w.stop(t); err != nil {
		t.Fatal(err)
	}
	var xs []string
	for _, r := range got {
		xs = append(xs, strings.SplitN(string(r.Value), `"`, 5)[3])
	}
	if want := "a1 b2 a3 b4 a5 b6 a7 b7"; strings.Join(xs, " ") != want {
		t.Fatalf("order %v, want %s", xs, want)
	}
}

// TestIdleMemberDoesNotChurn runs more workers than tasks: the spare one
// idles without forcing rebalances, and the pipeline keeps producing.
func TestIdleMemberDoesNotChurn(t *testing.T) {
	c := kafkatest.NewCluster(t)
	c.CreateTopic(t, "trades", 1)
	topo := compile(t, tradesSQL)
	a := startWorker(t, baseOptions(c, topo))
	waitFor(t, "a ready", 10*time.Second, a.ready.Load)
	b := startWorker(t, baseOptions(c, topo))
	waitFor(t, "b ready", 10*time.Second, b.ready.Load)
	time.Sleep(300 * time.Millisecond)
	r0 := a.metrics.rebalances.Load() + b.metrics.rebalances.Load()
	time.Sleep(time.Second)
	if r1 := a.metrics.rebalances.Load() + b.metrics.rebalances.Load(); r1 != r0 {
		t.Fatalf("%d rebalances in a second with nothing changing", r1-r0)
	}
	input := genTrades(0, 200)
	c.Produce(t, tradeRecords(input, 1)...)
	want := replayLines(t, topo, input)
	got := c.Read(t, "alerts", kafkatest.ReadOptions{Want: len(want)})
	if n := a.metrics.tasks.Load() + b.metrics.tasks.Load(); n != 1 {
		t.Fatalf("%d tasks running, want 1", n)
	}
	diffLines(t, outputLines(got), want)
	a.stop(t)
	b.stop(t)
}

func TestUnreachableBrokerIsAnErrorAfterRetries(t *testing.T) {
	o := Options{App: "app", Kafka: kafka.Options{Brokers: []string{"127.0.0.1:1"}, DialTimeout: 200 * time.Millisecond},
		Topology: compile(t, tradesSQL), MaxRetries: 1}
	start := time.Now()
	err := Run(t.Context(), o)
	if err == nil || !strings.Contains(err.Error(), "runtime: connect admin") || !strings.Contains(err.Error(), "run out of available brokers") {
		t.Fatalf("Run = %v", err)
	}
	t.Logf("gave up after %v: %v", time.Since(start), err)
}

// TestLateEventsDeadLettered runs a tumbling window with late_events: dlq.
// A record whose window has closed is counted and lands in the dead-letter
// topic, as JSON in the input schema with the carrying record's key,
// headers and position, in the same transaction; the on-time output is
// the replay's.
func TestLateEventsDeadLettered(t *testing.T) {
	testLateEvents(t, LateDeadLetter)
}

// TestLateEventsDroppedByDefault: under LateDrop the late record is only
// counted.
func TestLateEventsDroppedByDefault(t *testing.T) {
	testLateEvents(t, LateDrop)
}

func testLateEvents(t *testing.T, policy LatePolicy) {
	c := kafkatest.NewCluster(t)
	c.CreateTopic(t, "trades", 1)
	topo := compile(t, `
CREATE STREAM Trades (symbol STRING, price DOUBLE, volume INT)
  WITH (topic = 'trades', format = 'json', key = 'symbol');
INSERT INTO Alerts
SELECT symbol, sum(volume) AS total
FROM Trades WINDOW('tumbling', 1 SECONDS)
GROUP BY symbol;`)
	all := []trade{
		{"A", 1.5, 1, 100}, {"A", 1.5, 2, 900}, {"A", 1.5, 3, 1500},
		{"A", 2.5, 4, 500}, // late: [0, 1000) closed at stream time 1500
		{"A", 1.5, 5, 2500}, {"A", 1.5, 6, 3100},
	}
	recs := tradeRecords(all, 1)
	recs[3].Headers = []kafka.Header{{Key: "origin", Value: []byte("test")}}
	c.Produce(t, recs...)
	o := baseOptions(c, topo)
	o.LateEvents = policy
	w := startWorker(t, o)
	onTime := append(append([]trade(nil), all[:3]...), all[4:]...)
	want := replayLines(t, topo, onTime)
	if len(want) == 0 {
		t.Fatal("replay produced nothing")
	}
	diffLines(t, replayLines(t, topo, all), want) // replay drops it too
	got := c.Read(t, "alerts", kafkatest.ReadOptions{Want: len(want)})
	waitFor(t, "offsets committed", 10*time.Second, func() bool { return c.Committed(t, "app", "trades")[0] == int64(len(all)) })
	dlq := c.Read(t, "app-dlq", kafkatest.ReadOptions{Want: 1, Timeout: time.Second})
	if err := w.stop(t); err != nil {
		t.Fatal(err)
	}
	diffLines(t, outputLines(got), want)
	if n := w.metrics.lateEvents.Load(); n != 1 {
		t.Fatalf("late-event metric = %d, want 1", n)
	}
	if policy == LateDrop {
		if len(dlq) != 0 || w.metrics.deadLetters.Load() != 0 {
			t.Fatalf("late_events drop: %d dead letters, dead-letter metric %d", len(dlq), w.metrics.deadLetters.Load())
		}
		return
	}
	if len(dlq) != 1 {
		t.Fatalf("dead-letter topic has %d records, want 1", len(dlq))
	}
	r := dlq[0]
	h := map[string]string{}
	for _, x := range r.Headers {
		h[x.Key] = string(x.Value)
	}
	if string(r.Value) != `{"symbol":"A","price":2.5,"volume":4}` || string(r.Key) != "A" || r.Timestamp.UnixMilli() != 500 ||
		h[HeaderSourceTopic] != "trades" || h[HeaderSourcePartition] != "0" || h[HeaderSourceOffset] != "3" || h["origin"] != "test" ||
		h[HeaderError] != "late event: window closed at 1970-01-01T00:00:01.000Z" {
		t.Fatalf("late dead letter: value %s key %q ts %v headers %v", r.Value, r.Key, r.Timestamp.UnixMilli(), h)
	}
	if n := w.metrics.lateDeadLetters.Load(); n != 1 {
		t.Fatalf("late dead-letter metric = %d, want 1", n)
	}
	if node, _ := w.metrics.lateNode.Load().(string); !strings.HasSuffix(node, "/window") {
		t.Fatalf("late event reported by node %q", node)
	}
}
