package runtime

import (
	"context"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/eventflux-io/eventflux-go/kafka/kafkatest"
)

// timingHandler records when the worker logged each message.
type timingHandler struct {
	mu sync.Mutex
	at map[string]time.Time
}

func (h *timingHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h *timingHandler) WithAttrs([]slog.Attr) slog.Handler       { return h }
func (h *timingHandler) WithGroup(string) slog.Handler            { return h }
func (h *timingHandler) Handle(_ context.Context, r slog.Record) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, ok := h.at[r.Message]; !ok {
		h.at[r.Message] = time.Now()
	}
	return nil
}

func (h *timingHandler) get(msg string) time.Time {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.at[msg]
}

// TestReadyLatency measures how soon a worker with no state is ready
// (Ready(true): assigned, committed offsets fetched, one transactional
// producer initialised per task) after it starts joining the group, and
// after the assignment arrives. The target is 200ms from joining; the
// test fails only past 2s (a loaded CI machine) and logs the medians.
func TestReadyLatency(t *testing.T) {
	c := kafkatest.NewCluster(t)
	c.CreateTopic(t, "trades", 4)
	topo := compile(t, tradesSQL)
	const runs = 5
	var fromStart, fromJoin, fromAssign []time.Duration
	for i := range runs {
		h := &timingHandler{at: map[string]time.Time{}}
		ready := make(chan time.Time, 1)
		o := baseOptions(c, topo)
		o.App = "ready-" + string(rune('a'+i))
		o.Logger = slog.New(h)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		o.Ready = func(r bool) {
			if r {
				ready <- time.Now()
			}
		}
		start := time.Now()
		go func() { done <- Run(ctx, o) }()
		var at time.Time
		select {
		case at = <-ready:
		case <-time.After(20 * time.Second):
			cancel()
			<-done
			t.Fatal("worker not ready within 20s")
		}
		cancel()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		join, assign := h.get("runtime: joining group"), h.get("runtime: assigned")
		if join.IsZero() || assign.IsZero() {
			t.Fatalf("the worker did not log joining and assignment: %v", h.at)
		}
		fromStart = append(fromStart, at.Sub(start))
		fromJoin = append(fromJoin, at.Sub(join))
		fromAssign = append(fromAssign, at.Sub(assign))
	}
	slices.Sort(fromStart)
	slices.Sort(fromJoin)
	slices.Sort(fromAssign)
	t.Logf("ready after Run: median %v; after joining the group: median %v (all %v); after the assignment: median %v",
		fromStart[runs/2], fromJoin[runs/2], fromJoin, fromAssign[runs/2])
	if fromJoin[runs/2] > 2*time.Second {
		t.Errorf("median time from joining to ready %v, target 200ms", fromJoin[runs/2])
	}
}
