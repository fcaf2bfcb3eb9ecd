package runtime

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/eventflux-io/eventflux-go/kafka"
	"github.com/eventflux-io/eventflux-go/statestore/pebblestore"
)

// BenchmarkRestore measures a full restore: changelog records read from
// the in-process broker (read_committed) and applied into a fresh Pebble
// store, reported as records/s.
//
//	go test -run '^$' -bench Restore -benchtime 5x ./internal/runtime/
//
// EVENTFLUX_BENCH_RECORDS sets the changelog size (default 200000; 100k
// distinct keys, 64-byte values, some overwritten).
func BenchmarkRestore(b *testing.B) {
	c := sharedCluster(b)
	n := benchRecords()
	benchSeq++
	app := fmt.Sprintf("bench-restore-%d", benchSeq)
	w := &worker{opts: Options{App: app, Metrics: nopMetrics{}}, log: slog.New(slog.DiscardHandler), plan: &plan{units: []*unit{{name: "bench"}}}}
	topic := w.changelogTopic("s")
	if err := c.CreateTopicErr(topic, 1); err != nil {
		b.Fatal(err)
	}
	recs := make([]kafka.Record, n)
	value := make([]byte, 64)
	for i := range recs {
		recs[i] = kafka.Record{Topic: topic, Key: fmt.Appendf(nil, "key-%06d", i%100_000), Value: value}
	}
	c.Produce(b, recs...)
	r, err := kafka.NewReader(c.Options())
	if err != nil {
		b.Fatal(err)
	}
	defer r.Close()
	w.reader = r
	var elapsed time.Duration
	b.ResetTimer()
	for i := range b.N {
		b.StopTimer()
		st, err := pebblestore.Open(filepath.Join(b.TempDir(), fmt.Sprint(i)), pebblestore.Options{})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := st.Open("s"); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		start := time.Now()
		if err := w.restoreStores(context.Background(), taskID{}, st); err != nil {
			b.Fatal(err)
		}
		elapsed += time.Since(start)
		b.StopTimer()
		if got := st.Checkpoint().Changelog["s"]; got != int64(n) {
			b.Fatalf("restored to offset %d, want %d", got, n)
		}
		st.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(n)*float64(b.N)/elapsed.Seconds(), "records/s")
}
