package runtime

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/eventflux-io/eventflux-go/kafka"
	"github.com/eventflux-io/eventflux-go/kafka/kafkatest"
	"github.com/eventflux-io/eventflux-go/topology"
)

// repartitionSQL groups by a computed attribute that is not the record key
// (a keyed repartition topic) and aggregates the whole stream (a
// single-partition one), both over tumbling windows whose grace covers the
// whole input: upstream tasks write a repartition partition in an order
// that depends on timing, and the grace keeps every event on time.
const repartitionSQL = `
CREATE STREAM Trades (symbol STRING, price DOUBLE, volume INT)
  WITH (topic = 'trades', format = 'json', key = 'symbol');
CREATE STREAM ByBucket (bucket INT, n LONG, v LONG) WITH (topic = 'by_bucket', key = 'bucket');
CREATE STREAM Totals (n LONG, v LONG, hi INT) WITH (topic = 'totals');
INSERT INTO ByBucket
SELECT volume % 7 AS bucket, count() AS n, sum(volume) AS v
FROM Trades WINDOW('tumbling', 500 MILLISECONDS, 1 HOUR)
GROUP BY volume % 7;
INSERT INTO Totals
SELECT count() AS n, sum(volume) AS v, max(volume) AS hi
FROM Trades WINDOW('tumbling', 1 SECOND, 1 HOUR);`

// tailTrades are one trade per bucket far past the input, which close
// every window of the input in each task that has one.
func tailTrades(ts int64) []trade {
	out := make([]trade, 7)
	for i := range out {
		out[i] = trade{symbol: fmt.Sprintf("T%d", i), price: 1, volume: i, ts: ts}
	}
	return out
}

// TestRepartitionEqualsReplay runs repartitionSQL on a 4-partition source
// with two workers, one of them stopped mid-stream (its tasks move,
// their window state restored from the changelogs): the rows must equal
// replay's. The aggregates are commutative and nothing is late, so the
// order in which upstream tasks' records meet in a repartition partition
// does not matter.
func TestRepartitionEqualsReplay(t *testing.T) {
	for _, g := range []Guarantee{ExactlyOnce, AtLeastOnce} {
		t.Run(g.String(), func(t *testing.T) { testRepartitionEqualsReplay(t, g) })
	}
}

// testRepartitionEqualsReplay is TestRepartitionEqualsReplay under g (at
// least once, nothing fails, so nothing is duplicated either).
func testRepartitionEqualsReplay(t *testing.T, g Guarantee) {
	c := kafkatest.NewCluster(t)
	const partitions = 4
	c.CreateTopic(t, "trades", partitions)
	topo := compile(t, repartitionSQL)
	input := genTrades(0, 4000)
	tail := tailTrades(input[len(input)-1].ts + 2*time.Hour.Milliseconds())
	recs := tradeRecords(input, partitions)
	all := append(append([]trade(nil), input...), tail...)
	wantBuckets := replayPerTask(t, topo, "ByBucket", all, 1)
	wantTotals := replayPerTask(t, topo, "Totals", all, 1)
	if len(wantBuckets) < 50 || len(wantTotals) < 4 {
		t.Fatalf("replay gave %d bucket rows and %d totals: the test proves little", len(wantBuckets), len(wantTotals))
	}

	opts := func(dir string) Options {
		o := baseOptions(c, topo)
		o.Bindings = nil
		o.StateDir = dir
		o.CommitInterval = 20 * time.Millisecond
		o.RepartitionPurgeInterval = time.Millisecond
		o.Guarantee = g
		return o
	}
	dirA, dirB := filepath.Join(t.TempDir(), "a"), filepath.Join(t.TempDir(), "b")
	a := startWorker(t, opts(dirA))
	b := startWorker(t, opts(dirB))
	c.Produce(t, recs[:2000]...)
	waitFor(t, "the first chunk committed", 30*time.Second, func() bool { return committedSum(t, c) == 2000 })
	if err := a.stop(t); err != nil {
		t.Fatalf("A: %v", err)
	}
	c.Produce(t, recs[2000:]...)
	waitFor(t, "the input committed", 30*time.Second, func() bool { return committedSum(t, c) == int64(len(input)) })
	waitRepartitionsDrained(t, c, topo)
	// Only now the tail: sent earlier, it could overtake input still
	// queued in a repartition topic and make it late.
	c.Produce(t, tradeRecords(tail, partitions)...)

	gotBuckets := c.Read(t, "by_bucket", kafkatest.ReadOptions{Want: len(wantBuckets), Timeout: 30 * time.Second, Linger: 300 * time.Millisecond})
	gotTotals := c.Read(t, "totals", kafkatest.ReadOptions{Want: len(wantTotals), Timeout: 30 * time.Second, Linger: 300 * time.Millisecond})
	if err := b.stop(t); err != nil {
		t.Fatalf("B: %v", err)
	}
	diffLines(t, outputLines(gotBuckets), wantBuckets)
	diffLines(t, outputLines(gotTotals), wantTotals)
	for _, r := range gotTotals {
		if r.Partition != 0 {
			t.Fatalf("a global aggregate wrote partition %d", r.Partition)
		}
	}
	// The readers purged what they committed.
	for _, n := range topo.Repartitions() {
		topic := topology.ResolveAppID(n.Binding.Topic, "app")
		start, _ := c.Offsets(t, topic)
		purged := int64(0)
		for _, off := range start {
			purged += off
		}
		if purged == 0 {
			t.Errorf("%s: nothing purged (log start offsets %v)", topic, start)
		}
	}
	// Every bucket's rows come from one task: the repartition is keyed.
	where := map[string]int32{}
	for _, r := range gotBuckets {
		bucket := strings.SplitN(strings.TrimPrefix(string(r.Value), `{"bucket":`), ",", 2)[0]
		if p, ok := where[bucket]; ok && p != r.Partition {
			t.Fatalf("bucket %s written to partitions %d and %d", bucket, p, r.Partition)
		}
		where[bucket] = r.Partition
	}
}

// waitRepartitionsDrained waits until the group's committed offset of
// every repartition partition is past its last record. (The end offset
// does not tell: each upstream producer's last transaction leaves a
// marker after it.) A partition without records left has been purged up
// to its committed offset.
func waitRepartitionsDrained(t *testing.T, c *kafkatest.Cluster, topo *topology.Topology) {
	t.Helper()
	for _, n := range topo.Repartitions() {
		topic := topology.ResolveAppID(n.Binding.Topic, "app")
		waitFor(t, topic+" drained", 30*time.Second, func() bool {
			last := map[int32]int64{}
			for _, r := range c.Read(t, topic, kafkatest.ReadOptions{Linger: 500 * time.Millisecond}) {
				last[r.Partition] = max(last[r.Partition], r.Offset)
			}
			committed := c.Committed(t, "app", topic)
			for p, off := range last {
				if committed[p] <= off {
					return false
				}
			}
			return true
		})
	}
}

// The repartition record format round-trips every value kind, NULL keys
// included, and a record of another shape is a decode error (dead
// letter), not a crash.
func TestRepartitionRecordFormat(t *testing.T) {
	schema := &topology.Schema{Name: "rp", Attrs: []topology.Attribute{{Name: "k", Type: topology.TypeString}, {Name: "x", Type: topology.TypeDouble}}}
	ev := &topology.Event{TS: 42, Kind: topology.Expired, Values: []topology.Value{topology.Null(), topology.Double(1.5)}}
	got, err := eventDecoder{schema}.Decode(topology.AppendEvent(nil, ev), 0)
	if err != nil || got.TS != 42 || got.Kind != topology.Expired || !got.Values[0].IsNull() || got.Values[1].String() != "1.5" {
		t.Fatalf("round trip: %+v, %v", got, err)
	}
	short := &topology.Event{TS: 1, Values: []topology.Value{topology.String("a")}}
	for _, bad := range [][]byte{nil, {0xff}, topology.AppendEvent(nil, short)} {
		if _, err := (eventDecoder{schema}).Decode(bad, 0); err == nil {
			t.Errorf("decoded %x", bad)
		}
	}
}

// A watermark record moves stream time like an event and crosses
// repartition topics: it closes a global tumbling window that no later
// event would close. Expired events come out with HeaderKind.
func TestWatermarkRecordsAndExpiredHeader(t *testing.T) {
	c := kafkatest.NewCluster(t)
	c.CreateTopic(t, "s", 2)
	topo := compile(t, `
CREATE STREAM S (k STRING, x INT) WITH (topic = 's', key = 'k');
CREATE STREAM Counts (n LONG) WITH (topic = 'counts');
CREATE STREAM Gone (k STRING, x INT) WITH (topic = 'gone');
INSERT INTO Counts SELECT count() AS n FROM S WINDOW('tumbling', 1 SECOND);
INSERT EXPIRED EVENTS INTO Gone SELECT k, x FROM S WINDOW('length', 1);`)
	o := baseOptions(c, topo)
	o.Bindings = nil
	startWorker(t, o)
	var recs []kafka.Record
	for i, k := range []string{"a", "b", "c"} {
		recs = append(recs, kafka.Record{Topic: "s", Partition: int32(i % 2), Key: []byte(k),
			Value: fmt.Appendf(nil, `{"k":%q,"x":%d}`, k, i), Timestamp: time.UnixMilli(int64(100 * (i + 1)))})
	}
	c.Produce(t, recs...)
	if got := c.Read(t, "counts", kafkatest.ReadOptions{Linger: 500 * time.Millisecond}); len(got) != 0 {
		t.Fatalf("a window closed without a watermark: %v", got)
	}
	c.Produce(t, kafka.Record{Topic: "s", Partition: 0, Timestamp: time.UnixMilli(2000), Headers: []kafka.Header{{Key: HeaderWatermark}}})
	got := c.Read(t, "counts", kafkatest.ReadOptions{Want: 1, Linger: 300 * time.Millisecond})
	if len(got) != 1 || string(got[0].Value) != `{"n":3}` {
		t.Fatalf("counts after the watermark: %v", got)
	}
	gone := c.Read(t, "gone", kafkatest.ReadOptions{Want: 2, Linger: 300 * time.Millisecond})
	if len(gone) != 2 {
		t.Fatalf("expired: %v", gone)
	}
	for _, r := range gone {
		if len(r.Headers) != 1 || r.Headers[0].Key != HeaderKind || string(r.Headers[0].Value) != "expired" {
			t.Fatalf("expired record headers %v", r.Headers)
		}
	}
}
