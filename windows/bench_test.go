package windows

import (
	"fmt"
	"testing"

	"github.com/eventflux-io/eventflux-go/topology"
)

// nopCtx is a context whose Forward discards events.
type nopCtx struct{ fakeCtx }

func (c *nopCtx) Forward(*topology.Event) error { return nil }

// BenchmarkTimeWindow measures one arrival into a full sliding time window
// holding size events (one per millisecond, so each arrival also expires
// one). The cost per event (ns/op) must not grow with the size.
func BenchmarkTimeWindow(b *testing.B) {
	for _, size := range []int{10_000, 100_000, 1_000_000, 6_000_000} {
		b.Run(fmt.Sprintf("events=%d", size), func(b *testing.B) {
			ctx := &nopCtx{}
			w := newTimeWindow(&Spec{Kind: Time, Size: int64(size)})
			if err := w.Init(ctx); err != nil {
				b.Fatal(err)
			}
			vals := []topology.Value{topology.Long(1), topology.String("IBM")}
			evs := make([]topology.Event, 4096)
			ts := int64(0)
			send := func(i int) {
				ts++
				ctx.st = ts
				_ = w.Punctuate(ts)
				ev := &evs[i%len(evs)]
				ev.TS, ev.Values = ts, vals
				_ = w.Process(ev)
			}
			for i := 0; i < size; i++ {
				send(i)
			}
			if w.state.held.Len() != size {
				b.Fatalf("window holds %d, want %d", w.state.held.Len(), size)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				send(i)
			}
		})
	}
}
