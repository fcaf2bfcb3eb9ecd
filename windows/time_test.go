package windows

import (
	"testing"

	"github.com/eventflux-io/eventflux-go/topology"
)

func TestTimeWindow(t *testing.T) {
	h := newHarness(t, Spec{Kind: Time, Size: 5000})
	h.send(1000, 1)
	h.send(3000, 2)
	h.expect("+1@1000 +2@3000")
	h.send(6000, 3) // 1 leaves when stream time reaches 1000 + 5000
	h.expect("-1@6000 +3@6000")
	h.advance(7999)
	h.expect("")
	h.advance(8000)
	h.expect("-2@8000")
	h.send(2500, 4) // late and already past its expiry: in and out at once
	h.expect("+4@2500 -4@8000")
	h.send(7000, 5) // late but inside the window: held in time order
	h.advance(20000)
	h.expect("+5@7000 -3@20000 -5@20000")
}

func TestExternalTime(t *testing.T) {
	h := newHarness(t, Spec{Kind: ExternalTime, Size: 1000, TimeAttr: Attr{Index: 1}})
	h.send(10, 1, 100)
	h.send(20, 2, 600)
	h.advance(50000) // stream time does not drive an external-time window
	h.expect("+1@10 +2@20")
	h.send(30, 3, 1100)
	h.expect("-1@50000 +3@30")
	h.sendValues(40, topology.Long(4), topology.Null())
	h.expect("")
	if c := h.counters(); c.NoTime != 1 {
		t.Errorf("NoTime = %d, want 1", c.NoTime)
	}
}

func TestTimeBatch(t *testing.T) {
	h := newHarness(t, Spec{Kind: TimeBatch, Size: 1000})
	h.send(500, 1) // batches [500, 1500), [1500, 2500), ...
	h.send(1400, 2)
	h.expect("")
	h.send(1500, 3)
	h.expect("+1@500 +2@1400 |@1500")
	h.advance(2500)
	h.expect("-1@2500 -2@2500 +3@1500 |@2500")
	h.advance(3500)
	h.expect("-3@3500 |@3500")
	h.advance(100000)
	h.expect("")
	h.send(100200, 4) // still aligned to 500 + k*1000
	h.advance(100499)
	h.expect("")
	h.advance(100500)
	h.expect("+4@100200 |@100500")
}

func TestTimeBatchStart(t *testing.T) {
	h := newHarness(t, Spec{Kind: TimeBatch, Size: 1000, Start: 0, HasStart: true})
	h.send(500, 1)
	h.send(1000, 2)
	h.expect("+1@500 |@1000")
	h.send(1999, 3)
	h.send(2000, 4)
	h.expect("-1@2000 +2@1000 +3@1999 |@2000")
}

func TestExternalTimeBatch(t *testing.T) {
	h := newHarness(t, Spec{Kind: ExternalTimeBatch, Size: 1000, TimeAttr: Attr{Index: 1}})
	h.send(1, 1, 100)
	h.send(2, 2, 900)
	h.advance(5000)
	h.expect("")
	h.send(5001, 3, 1100) // attr reaches 100 + 1000: the batch closes
	h.expect("+1@1 +2@2 |@1100")
	h.send(5002, 4, 5000) // skips empty batches, expiring the last one
	h.expect("-1@5002 -2@5002 +3@5001 |@2100 -3@5002 |@3100")
}
