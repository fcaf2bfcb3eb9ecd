package runtime

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/eventflux-io/eventflux-go/kafka/kafkatest"
	"github.com/eventflux-io/eventflux-go/topology"
)

// The end-to-end benchmarks share one in-process broker, so EOS and ALO
// pipelines and their bare sarama baselines run against the same thing:
//
//	go test -run '^$' -bench 'Pipeline|Loop' -benchtime 1x ./internal/runtime/
//
// Each iteration pre-produces benchRecords records (4 partitions, untimed)
// and times from start until the group's committed offsets cover them all.
// EVENTFLUX_BENCH_RECORDS overrides the count (default 200000).

var (
	benchOnce    sync.Once
	benchCluster *kafkatest.Cluster
	benchErr     error
	benchSeq     int
)

func sharedCluster(b *testing.B) *kafkatest.Cluster {
	benchOnce.Do(func() { benchCluster, benchErr = kafkatest.Start() })
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	return benchCluster
}

func closeBenchCluster() {
	if benchCluster != nil {
		benchCluster.Close()
	}
}

func benchRecords() int {
	if n, err := strconv.Atoi(os.Getenv("EVENTFLUX_BENCH_RECORDS")); err == nil && n > 0 {
		return n
	}
	return 200_000
}

// benchInput creates a fresh input topic holding n trades and returns
// its name and a fresh output/group name.
func benchInput(b *testing.B, c *kafkatest.Cluster, n int) (in, out, group string) {
	benchSeq++
	in, out, group = fmt.Sprintf("bench-in-%d", benchSeq), fmt.Sprintf("bench-out-%d", benchSeq), fmt.Sprintf("bench-%d", benchSeq)
	if err := c.CreateTopicErr(in, 4); err != nil {
		b.Fatal(err)
	}
	if err := c.CreateTopicErr(out, 4); err != nil {
		b.Fatal(err)
	}
	trades := genTrades(0, n)
	recs := tradeRecords(trades, 4)
	for i := range recs {
		recs[i].Topic = in
	}
	c.Produce(b, recs...)
	return in, out, group
}

func waitCommitted(b *testing.B, c *kafkatest.Cluster, group, topic string, n int) {
	deadline := time.Now().Add(5 * time.Minute)
	for {
		sum, err := c.CommittedSum(group, topic)
		if err != nil {
			b.Fatal(err)
		}
		if sum >= int64(n) {
			return
		}
		if time.Now().After(deadline) {
			b.Fatalf("only %d of %d records committed", sum, n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func benchPipeline(b *testing.B, g Guarantee, where string) {
	c := sharedCluster(b)
	n := benchRecords()
	var elapsed time.Duration
	for i := 0; i < b.N; i++ {
		in, out, group := benchInput(b, c, n)
		topo := compile(b, fmt.Sprintf(`
CREATE STREAM Trades (symbol STRING, price DOUBLE, volume INT) WITH (topic = '%s', format = 'json', key = 'symbol');
INSERT INTO Alerts SELECT symbol, price, volume * 2 AS doubled FROM Trades WHERE %s;`, in, where))
		o := Options{App: group, Kafka: c.Options(), Topology: topo, Guarantee: g,
			Bindings: map[string]topology.Binding{"Alerts": {Topic: out, Format: "json", Key: []string{"symbol"}}}}
		elapsed += timeRun(b, o, func() { waitCommitted(b, c, group, in, n) })
	}
	b.ReportMetric(float64(n*b.N)/elapsed.Seconds(), "records/s")
}

// timeRun runs a worker with o until done returns and returns how long
// that took.
func timeRun(b *testing.B, o Options, done func()) time.Duration {
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan error, 1)
	start := time.Now()
	go func() { stopped <- Run(ctx, o) }()
	done()
	elapsed := time.Since(start)
	cancel()
	if err := <-stopped; err != nil {
		b.Fatal(err)
	}
	return elapsed
}

func benchBare(b *testing.B, txn bool) {
	c := sharedCluster(b)
	n := benchRecords()
	var elapsed time.Duration
	for i := 0; i < b.N; i++ {
		in, out, group := benchInput(b, c, n)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		start := time.Now()
		go func() {
			done <- kafkatest.BareLoop(ctx, kafkatest.BareOptions{Brokers: c.Addrs(), Group: group, In: in, Out: out, Transactional: txn})
		}()
		waitCommitted(b, c, group, in, n)
		elapsed += time.Since(start)
		cancel()
		if err := <-done; err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n*b.N)/elapsed.Seconds(), "records/s")
}

// BenchmarkEOSPipeline: the worker, exactly-once, filter (keeps half) +
// projection.
func BenchmarkEOSPipeline(b *testing.B) { benchPipeline(b, ExactlyOnce, "price > 50") }

// BenchmarkEOSPipelineAllPass: as BenchmarkEOSPipeline with a filter that
// keeps every record, so it writes as many records as the bare loop.
func BenchmarkEOSPipelineAllPass(b *testing.B) { benchPipeline(b, ExactlyOnce, "price > 0") }

// BenchmarkBareTxnLoop: sarama consume -> transactional produce, no engine.
func BenchmarkBareTxnLoop(b *testing.B) { benchBare(b, true) }

// BenchmarkALOPipeline: the worker, at-least-once.
func BenchmarkALOPipeline(b *testing.B) { benchPipeline(b, AtLeastOnce, "price > 50") }

// BenchmarkALOPipelineAllPass: at-least-once, every record kept.
func BenchmarkALOPipelineAllPass(b *testing.B) { benchPipeline(b, AtLeastOnce, "price > 0") }

// BenchmarkBareLoop: sarama consume -> produce -> commit, no engine.
func BenchmarkBareLoop(b *testing.B) { benchBare(b, false) }

// inCounter counts the records tasks read from topics with prefix.
type inCounter struct {
	nopMetrics
	prefix string
	n      atomic.Int64
}

func (m *inCounter) RecordsIn(topic string, n int) {
	if strings.HasPrefix(topic, m.prefix) {
		m.n.Add(int64(n))
	}
}

// benchGroupBy runs a GROUP BY over 50 buckets, rows per event, timed
// until the aggregating tasks have read (and committed) every record.
// Grouping by symbol, the record key, runs in the source tasks; grouping
// by volume % 50 goes through a repartition topic and a second set of
// tasks.
func benchGroupBy(b *testing.B, key string) {
	c := sharedCluster(b)
	n := benchRecords()
	var elapsed time.Duration
	for i := 0; i < b.N; i++ {
		in, out, group := benchInput(b, c, n)
		topo := compile(b, fmt.Sprintf(`
CREATE STREAM Trades (symbol STRING, price DOUBLE, volume INT) WITH (topic = '%s', format = 'json', key = 'symbol');
INSERT INTO Counts SELECT %s AS k, count() AS n FROM Trades GROUP BY %s;`, in, key, key))
		m := &inCounter{prefix: in}
		if len(topo.Repartitions()) > 0 {
			m.prefix = group + "-rp"
		}
		o := Options{App: group, Kafka: c.Options(), Topology: topo, Metrics: m,
			Bindings: map[string]topology.Binding{"Counts": {Topic: out, Format: "json", Key: []string{"k"}}}}
		elapsed += timeRun(b, o, func() {
			for m.n.Load() < int64(n) {
				time.Sleep(5 * time.Millisecond)
			}
		})
	}
	b.ReportMetric(float64(n*b.N)/elapsed.Seconds(), "records/s")
}

// BenchmarkEOSGroupByKey: exactly-once GROUP BY the record key, in the
// source tasks (the baseline of BenchmarkEOSGroupByRepartition).
func BenchmarkEOSGroupByKey(b *testing.B) { benchGroupBy(b, "symbol") }

// BenchmarkEOSGroupByRepartition: exactly-once GROUP BY another
// attribute, through a repartition topic.
func BenchmarkEOSGroupByRepartition(b *testing.B) { benchGroupBy(b, "volume % 50") }
