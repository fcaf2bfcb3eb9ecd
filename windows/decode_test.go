package windows

import (
	"math"
	"testing"

	"github.com/eventflux-io/eventflux-go/topology"
)

// TestLayoutOf: every window kind reports its kind, and a processor that
// is no window reports none.
func TestLayoutOf(t *testing.T) {
	sched, err := ParseCron("* * * * * ?")
	if err != nil {
		t.Fatal(err)
	}
	for k := Tumbling; k <= Cron; k++ {
		s := Spec{Kind: k, N: 2, Size: 10, Advance: 10, Support: 0.5, Error: 0.1, Cron: sched,
			Expr: &ExprSpec{Aggs: []Agg{{Op: AggCount}, {Op: AggSum, Attr: Attr{Name: "x"}}}, NewCond: func() Cond { return nil }}}
		if k == Hopping {
			s.Advance = 5 // advance = size is tumbling
		}
		l, ok := LayoutOf(New(s)())
		if !ok || l.Kind != k {
			t.Errorf("%s: layout %+v, %v", k, l, ok)
		}
		if k == Expression && (len(l.Meta) != 9 || l.Meta[5].Name != "sum(x).count") {
			t.Errorf("expression meta: %+v", l.Meta)
		}
	}
	if l, ok := LayoutOf(New(Spec{Kind: Hopping, Size: 10, Advance: 10})()); !ok || l.Kind != Tumbling {
		t.Errorf("hopping by its size: %+v, %v", l, ok)
	}
	if _, ok := LayoutOf(nil); ok {
		t.Error("nil processor has a layout")
	}
}

// TestKeyValues decodes what keyOf encodes, for every kind of value.
func TestKeyValues(t *testing.T) {
	vals := []topology.Value{topology.String(`a|b:c"d`), topology.Null(), topology.Bool(true), topology.Int(-3),
		topology.Long(1 << 40), topology.Float(0.1), topology.Double(math.NaN()), topology.Double(math.Inf(-1)),
		topology.String(""), topology.String("12|x")}
	got, err := Layout{Kind: Frequent}.KeyValues(keyOf(vals, nil))
	if err != nil || len(got) != len(vals) {
		t.Fatalf("KeyValues: %v, %v", got, err)
	}
	for i := range vals {
		if got[i].Kind() != vals[i].Kind() || got[i].String() != vals[i].String() {
			t.Errorf("value %d: %v, want %v", i, got[i], vals[i])
		}
	}
	one := Layout{Kind: FirstUnique, KeyAttrs: []int{2}}
	if got, err := one.KeyValues(topology.Long(7)); err != nil || len(got) != 1 || !got[0].Equal(topology.Long(7)) {
		t.Errorf("single key: %v, %v", got, err)
	}
	for _, bad := range []topology.Value{topology.Long(1), topology.String("3|abc"), topology.String("x"),
		topology.String("5|INT:x"), topology.String("7|WHAT:1"), topology.String("-1|")} {
		if got, err := (Layout{Kind: Frequent}).KeyValues(bad); err == nil {
			t.Errorf("%v: decoded %v", bad, got)
		}
	}
}
