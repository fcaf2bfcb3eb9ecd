package windows

import (
	"testing"

	"github.com/eventflux-io/eventflux-go/topology"
)

func TestSortAsc(t *testing.T) {
	h := newHarness(t, Spec{Kind: Sort, N: 2, SortKeys: []SortKey{{Attr: Attr{Index: 0}}}})
	h.send(1, 5)
	h.send(2, 3)
	h.expect("+5@1 +3@2")
	h.send(3, 4) // evicts 5, the last in ascending order, after the current
	h.expect("+4@3 -5@3")
	h.send(4, 9) // the arrival itself is last
	h.expect("+9@4 -9@4")
	h.send(5, 4) // ties: the later arrival sorts last
	h.expect("+4@5 -4@5")
}

func TestSortDesc(t *testing.T) {
	h := newHarness(t, Spec{Kind: Sort, N: 1, SortKeys: []SortKey{{Attr: Attr{Index: 0}, Desc: true}}})
	h.send(1, 5)
	h.send(2, 7)
	h.expect("+5@1 +7@2 -5@2")
}

func TestUnique(t *testing.T) {
	h := newHarness(t, Spec{Kind: Unique, Keys: []Attr{{Index: 1}}})
	h.send(1, 1, 10)
	h.send(2, 2, 20)
	h.send(3, 3, 10)
	h.expect("+1@1 +2@2 -1@3 +3@3")
}

func TestFirstUnique(t *testing.T) {
	h := newHarness(t, Spec{Kind: FirstUnique, Keys: []Attr{{Index: 1}}})
	h.send(1, 1, 10)
	h.send(2, 2, 10)
	h.send(3, 3, 20)
	h.expect("+1@1 +3@3")
}

func TestDelay(t *testing.T) {
	h := newHarness(t, Spec{Kind: Delay, Size: 1000})
	h.send(100, 1)
	h.send(600, 2)
	h.expect("")
	h.send(1100, 3)
	h.expect("+1@1100")
	h.advance(5000)
	h.expect("+2@1600 +3@2100")
	h.send(200, 4) // late: released at once, stamped 200 + 1000
	h.expect("+4@1200")
}

func TestFrequent(t *testing.T) {
	h := newHarness(t, Spec{Kind: Frequent, N: 2})
	h.send(1, 1)
	h.send(2, 2)
	h.send(3, 1) // tracked key: expire the held event, pass the new one
	h.expect("+1@1 +2@2 -1@3 +1@3")
	h.send(4, 3) // new key: counts 1 -> 1 (was 2), 2 -> 0: 2 expires, 3 enters
	h.expect("-2@4 +3@4")
	h.send(5, 4) // counts 1 -> 0, 3 -> 0: both expire, 4 enters
	h.expect("-1@5 -3@5 +4@5")
}

func TestFrequentDropsNewKey(t *testing.T) {
	h := newHarness(t, Spec{Kind: Frequent, N: 1})
	h.send(1, 1)
	h.send(2, 1)
	h.send(3, 2) // 1's count 2 -> 1: nothing leaves, so 2 is dropped
	h.expect("+1@1 -1@2 +1@2")
}

func TestLossyFrequent(t *testing.T) {
	// support 0.5, error 0.25: buckets of 4 events; an event passes when
	// its key's count >= 0.25 * N.
	h := newHarness(t, Spec{Kind: LossyFrequent, Support: 0.5, Error: 0.25})
	h.send(1, 1) // count 1 >= 0.25
	h.send(2, 1) // 2 >= 0.5: replaces
	h.send(3, 2) // 1 >= 0.75: passes
	h.expect("+1@1 -1@2 +1@2 +2@3")
	h.send(4, 3) // 1 >= 1.0: passes; bucket 1 ends: prune count+delta <= 1 (keys 2, 3)
	h.expect("-2@4 +3@4 -3@4")
	h.send(5, 4) // 1 >= 1.25 fails: dropped
	h.expect("")
}

func TestExpressionWindow(t *testing.T) {
	// count() <= 2 with sum(x) < 10, x at index 0.
	cond := func(newest, aggs *topology.Event) bool {
		return aggs.Values[0].AsLong() <= 2 && aggs.Values[1].AsLong() < 10
	}
	h := newHarness(t, Spec{Kind: Expression, Expr: &ExprSpec{
		Aggs:    []Agg{{Op: AggCount}, {Op: AggSum, Attr: Attr{Index: 0, Type: topology.TypeLong}}},
		NewCond: func() Cond { return cond },
	}})
	h.send(1, 1)
	h.send(2, 2)
	h.send(3, 3)
	h.expect("+1@1 +2@2 -1@3 +3@3")
	h.send(4, 8) // 3 + 8 >= 10: 2 and 3 leave
	h.expect("-2@4 -3@4 +8@4")
	h.send(5, 20) // even alone it fails: in and out
	h.expect("-8@5 +20@5 -20@5")
}

func TestExpressionMinMax(t *testing.T) {
	var mins []int64
	cond := func(newest, aggs *topology.Event) bool {
		mins = append(mins, aggs.Values[0].AsLong())
		return aggs.Values[1].AsLong() <= 3
	}
	h := newHarness(t, Spec{Kind: Expression, Expr: &ExprSpec{
		Aggs:    []Agg{{Op: AggMin, Attr: Attr{Index: 0, Type: topology.TypeLong}}, {Op: AggCount}},
		NewCond: func() Cond { return cond },
	}})
	for i, v := range []int64{5, 2, 7, 9, 8} {
		h.send(int64(i), v)
	}
	want := []int64{5, 2, 2, 2, 2, 2, 7} // {5,2,7,9} fails, {2,7,9}; {2,7,9,8} fails, {7,9,8}
	if len(mins) != len(want) {
		t.Fatalf("min evaluations = %v, want %v", mins, want)
	}
	for i := range want {
		if mins[i] != want[i] {
			t.Fatalf("min evaluations = %v, want %v", mins, want)
		}
	}
}

func TestCronWindow(t *testing.T) {
	sched, err := ParseCron("*/5 * * * * ?")
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, Spec{Kind: Cron, Cron: sched})
	h.send(1000, 1)
	h.send(4999, 2)
	h.expect("")
	h.send(5000, 3)
	h.expect("+1@1000 +2@4999 |@5000")
	h.advance(10000)
	h.expect("-1@10000 -2@10000 +3@5000 |@10000")
	h.advance(15000)
	h.expect("-3@15000 |@15000")
	h.advance(60000)
	h.expect("")
}
