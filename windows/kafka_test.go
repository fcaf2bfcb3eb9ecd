package windows

import (
	"strings"
	"testing"
)

func TestTumbling(t *testing.T) {
	h := newHarness(t, Spec{Kind: Tumbling, Size: 1000})
	h.send(100, 1)
	h.send(999, 2)
	h.expect("")
	h.send(1000, 3) // [0, 1000) closes when stream time reaches 1000
	h.expect("+1@100 +2@999 |@1000")
	h.send(500, 4) // late: [0, 1000) has closed
	h.expect("")
	if c := h.counters(); c.Late != 1 {
		t.Errorf("Late = %d, want 1", c.Late)
	}
	h.advance(3000)
	h.expect("-1@3000 -2@3000 +3@1000 |@2000")
}

func TestTumblingGrace(t *testing.T) {
	h := newHarness(t, Spec{Kind: Tumbling, Size: 1000, Grace: 500})
	h.send(100, 1)
	h.send(1200, 2)
	h.send(900, 3) // within grace
	h.expect("")
	h.advance(1500)
	h.expect("+1@100 +3@900 |@1000")
	h.send(950, 4)
	h.expect("")
	if c := h.counters(); c.Late != 1 {
		t.Errorf("Late = %d, want 1", c.Late)
	}
}

func TestHopping(t *testing.T) {
	h := newHarness(t, Spec{Kind: Hopping, Size: 1000, Advance: 500})
	h.send(100, 1)  // [0, 1000)
	h.send(700, 2)  // [0, 1000), [500, 1500)
	h.send(1000, 3) // [500, 1500), [1000, 2000); closes [0, 1000)
	h.expect("+1@100 +2@700 |@1000")
	h.advance(1500)
	h.expect("-1@1500 -2@1500 +2@700 +3@1000 |@1500")
	h.advance(2000)
	h.expect("-2@2000 -3@2000 +3@1000 |@2000")
}

func TestSession(t *testing.T) {
	h := newHarness(t, Spec{Kind: Session, Size: 1000})
	h.send(100, 1)
	h.send(900, 2) // same session: [100, 1900)
	h.advance(1899)
	h.expect("")
	h.send(1900, 3) // the session closed at 1900; a new one starts
	h.expect("+1@100 +2@900 |@1900")
	h.send(3500, 4)
	h.expect("-1@3500 -2@3500 +3@1900 |@2900")
	h.send(2000, 5) // late: its own session [2000, 3000) has closed
	h.expect("")
	if c := h.counters(); c.Late != 1 {
		t.Errorf("Late = %d, want 1", c.Late)
	}
}

func TestSessionMerge(t *testing.T) {
	h := newHarness(t, Spec{Kind: Session, Size: 1000, Grace: 5000})
	h.send(100, 1)  // [100, 1100)
	h.send(1900, 2) // [1900, 2900)
	h.send(1050, 3) // late: [1050, 2050) overlaps both, merging them
	h.advance(2899 + 5000)
	h.expect("")
	h.advance(2900 + 5000)
	h.expect("+1@100 +2@1900 +3@1050 |@2900")
}

// TestLateHook checks that a Kafka-style window reports each late event
// it drops, the event itself and when its last window closed, through
// Context.Late, and still counts it.
func TestLateHook(t *testing.T) {
	for _, tc := range []struct {
		name string
		spec Spec
		want string
	}{
		// [0, 1000) closes at 1000 + 500 of grace.
		{"tumbling", Spec{Kind: Tumbling, Size: 1000, Grace: 500}, "4@950: window closed at 1970-01-01T00:00:01.500Z"},
		// 950 is in [0, 1000) and [500, 1500); the later closes at 1500.
		{"hopping", Spec{Kind: Hopping, Size: 1000, Advance: 500}, "4@950: window closed at 1970-01-01T00:00:01.500Z"},
		// A session of 950 alone would close at 950 + 100 of gap + 200.
		{"session", Spec{Kind: Session, Size: 100, Grace: 200}, "4@950: window closed at 1970-01-01T00:00:01.250Z"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, tc.spec)
			h.send(100, 1)
			h.send(1200, 2)
			h.send(1100, 3) // not late
			if len(h.ctx.late) != 0 {
				t.Fatalf("on-time events reported late: %v", h.ctx.late)
			}
			h.advance(3000)
			h.ctx.out = nil
			h.send(950, 4)
			h.expect("")
			if got := strings.Join(h.ctx.late, "; "); got != tc.want {
				t.Errorf("Late reports\n  got:  %s\n  want: %s", got, tc.want)
			}
			if c := h.counters(); c.Late != 1 {
				t.Errorf("Late = %d, want 1", c.Late)
			}
		})
	}
}
