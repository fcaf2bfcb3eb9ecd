package runtime

import (
	"sync"
	"testing"
	"time"

	"github.com/eventflux-io/eventflux-go/kafka/kafkatest"
)

// lagMetrics records the last lag of each partition.
type lagMetrics struct {
	nopMetrics
	mu  sync.Mutex
	lag map[int32]int64
}

func (m *lagMetrics) Lag(topic string, partition int32, lag int64) {
	if topic != "trades" {
		return
	}
	m.mu.Lock()
	m.lag[partition] = lag
	m.mu.Unlock()
}

func (m *lagMetrics) snapshot() map[int32]int64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := map[int32]int64{}
	for p, l := range m.lag {
		out[p] = l
	}
	return out
}

// TestLagGauge checks that every partition's lag is reported and drops to
// zero once the worker has committed all the input (non-transactional
// input has no markers, so caught up means exactly 0).
func TestLagGauge(t *testing.T) {
	c := kafkatest.NewCluster(t)
	c.CreateTopic(t, "trades", 3)
	c.Produce(t, tradeRecords(genTrades(0, 600), 3)...)
	m := &lagMetrics{lag: map[int32]int64{}}
	o := baseOptions(c, compile(t, tradesSQL))
	o.Metrics = m
	startWorker(t, o)
	deadline := time.Now().Add(20 * time.Second)
	for {
		got := m.snapshot()
		if len(got) == 3 && got[0] == 0 && got[1] == 0 && got[2] == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("lag per partition after 20s: %v, want 0 for each of 3", got)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
