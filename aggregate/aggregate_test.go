package aggregate

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/eventflux-io/eventflux-go/topology"
)

func mustLookup(t *testing.T, c Call) Def {
	t.Helper()
	d, err := Lookup(c)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// brute recomputes an aggregate from the live values.
func brute(name string, live []topology.Value) topology.Value {
	var nn []topology.Value
	for _, v := range live {
		if !v.IsNull() {
			nn = append(nn, v)
		}
	}
	switch name {
	case "first", "last":
		if len(live) == 0 {
			return topology.Null()
		}
		if name == "first" {
			return live[0]
		}
		return live[len(live)-1]
	case "distinctCount":
		seen := map[topology.Value]bool{}
		for _, v := range live {
			seen[v] = true
		}
		return topology.Long(int64(len(seen)))
	}
	if len(nn) == 0 {
		return topology.Null()
	}
	best, sum := nn[0].RawLong(), int64(0)
	for _, v := range nn {
		sum += v.RawLong()
		switch {
		case name == "min" && v.RawLong() < best, name == "max" && v.RawLong() > best:
			best = v.RawLong()
		}
	}
	if name == "sum" {
		return topology.Long(sum)
	}
	return topology.Long(best)
}

// TestRetraction adds random values and removes live ones (for most
// aggregates not only the oldest, as the sort window does) and compares every result
// with a recomputation.
func TestRetraction(t *testing.T) {
	for _, name := range []string{"min", "max", "sum", "first", "last", "distinctCount"} {
		d := mustLookup(t, Call{Name: name, HasArg: true, Arg: topology.TypeLong})
		a := d.New()
		r := rand.New(rand.NewPCG(1, 2))
		var live []topology.Value
		for i := 0; i < 4000; i++ {
			if len(live) > 0 && r.IntN(3) == 0 {
				j := 0
				// first/last remove the oldest equal value: exact when
				// events leave in arrival order.
				if r.IntN(4) == 0 && name != "first" && name != "last" {
					j = r.IntN(len(live))
				}
				a.Remove(live[j])
				live = append(live[:j], live[j+1:]...)
			} else {
				v := topology.Long(int64(r.IntN(50)))
				if r.IntN(10) == 0 {
					v = topology.Null()
				}
				a.Add(v)
				live = append(live, v)
			}
			want := brute(name, live)
			if name == "sum" && want.IsNull() {
				want = topology.Null()
			}
			if got := a.Result(); !got.Equal(want) {
				t.Fatalf("%s step %d: got %v, want %v", name, i, got, want)
			}
		}
	}
}

func TestTypes(t *testing.T) {
	cases := []struct {
		c    Call
		want topology.Type
	}{
		{Call{Name: "count"}, topology.TypeLong},
		{Call{Name: "sum", HasArg: true, Arg: topology.TypeInt}, topology.TypeLong},
		{Call{Name: "sum", HasArg: true, Arg: topology.TypeFloat}, topology.TypeDouble},
		{Call{Name: "avg", HasArg: true, Arg: topology.TypeInt}, topology.TypeDouble},
		{Call{Name: "MIN", HasArg: true, Arg: topology.TypeString}, topology.TypeString},
		{Call{Name: "maxforever", HasArg: true, Arg: topology.TypeInt}, topology.TypeInt},
		{Call{Name: "stddev", HasArg: true, Arg: topology.TypeInt}, topology.TypeDouble},
		{Call{Name: "count", Distinct: true, HasArg: true, Arg: topology.TypeString}, topology.TypeLong},
		{Call{Name: "and", HasArg: true, Arg: topology.TypeBool}, topology.TypeBool},
	}
	for _, c := range cases {
		if d := mustLookup(t, c.c); d.Type != c.want {
			t.Errorf("%+v: type %s, want %s", c.c, d.Type, c.want)
		}
	}
	for _, c := range []Call{{Name: "sum", HasArg: true, Arg: topology.TypeString}, {Name: "sum"},
		{Name: "avg", Distinct: true, HasArg: true, Arg: topology.TypeInt}, {Name: "or", HasArg: true, Arg: topology.TypeInt}} {
		if _, err := Lookup(c); err == nil {
			t.Errorf("%+v: no error", c)
		}
	}
}

func TestVarianceRetraction(t *testing.T) {
	a := mustLookup(t, Call{Name: "variance", HasArg: true, Arg: topology.TypeDouble}).New()
	for _, x := range []float64{1e6, 1e6 + 1, 1e6 + 2} {
		a.Add(topology.Double(x))
	}
	a.Remove(topology.Double(1e6))
	if got := a.Result().AsDouble(); math.Abs(got-0.25) > 1e-6 {
		t.Fatalf("variance %v, want 0.25", got)
	}
}

func TestForeverSurvivesReset(t *testing.T) {
	a := mustLookup(t, Call{Name: "minForever", HasArg: true, Arg: topology.TypeInt}).New()
	a.Add(topology.Int(3))
	a.Remove(topology.Int(3))
	a.Reset()
	if got := a.Result(); !got.Equal(topology.Int(3)) {
		t.Fatalf("minForever %v after remove and reset", got)
	}
}
