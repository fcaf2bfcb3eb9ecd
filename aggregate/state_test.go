package aggregate

import (
	"errors"
	"math/rand/v2"
	"testing"

	"github.com/eventflux-io/eventflux-go/topology"
)

// stateDefs are one Def of every aggregator type.
func stateDefs(t *testing.T) []Def {
	var defs []Def
	for _, c := range []Call{
		{Name: "count"}, {Name: "count", HasArg: true, Arg: topology.TypeDouble},
		{Name: "count", Distinct: true, HasArg: true, Arg: topology.TypeDouble},
		{Name: "sum", HasArg: true, Arg: topology.TypeLong}, {Name: "sum", HasArg: true, Arg: topology.TypeDouble},
		{Name: "avg", HasArg: true, Arg: topology.TypeDouble}, {Name: "stdDev", HasArg: true, Arg: topology.TypeDouble},
		{Name: "variance", HasArg: true, Arg: topology.TypeDouble},
		{Name: "min", HasArg: true, Arg: topology.TypeDouble}, {Name: "max", HasArg: true, Arg: topology.TypeDouble},
		{Name: "minForever", HasArg: true, Arg: topology.TypeDouble}, {Name: "maxForever", HasArg: true, Arg: topology.TypeDouble},
		{Name: "distinctCount", HasArg: true, Arg: topology.TypeDouble},
		{Name: "first", HasArg: true, Arg: topology.TypeDouble}, {Name: "last", HasArg: true, Arg: topology.TypeDouble},
		{Name: "and", HasArg: true, Arg: topology.TypeBool}, {Name: "or", HasArg: true, Arg: topology.TypeBool},
	} {
		defs = append(defs, mustLookup(t, c))
	}
	return defs
}

func randomArg(rng *rand.Rand, d Def) topology.Value {
	switch {
	case rng.IntN(8) == 0:
		return topology.Null()
	case d.Name == "and" || d.Name == "or":
		return topology.Bool(rng.IntN(2) == 0)
	case d.Name == "sum" && d.Type == topology.TypeLong:
		return topology.Long(rng.Int64N(1000) - 500)
	}
	return topology.Double(float64(rng.IntN(400))/3 - 50)
}

// build applies a random history of additions and (when retract)
// out-of-order retractions to a fresh aggregator and returns it with the
// live values in arrival order.
func build(rng *rand.Rand, d Def, retract bool) (Aggregator, []topology.Value) {
	a := d.New()
	var live []topology.Value
	for range rng.IntN(40) {
		if retract && len(live) > 0 && rng.IntN(3) == 0 {
			i := rng.IntN(len(live)) // out of arrival order, as sort windows expire
			a.Remove(live[i])
			live = append(live[:i], live[i+1:]...)
			continue
		}
		v := randomArg(rng, d)
		a.Add(v)
		live = append(live, v)
	}
	return a, live
}

// TestStateRoundTrip checks each mode's promise: Full restores an equal
// aggregator; NoRetract one equal under further additions; History, laid
// over a fresh aggregator that re-added the live values in arrival
// order, one equal under further additions and retractions.
func TestStateRoundTrip(t *testing.T) {
	for _, d := range stateDefs(t) {
		for _, mode := range []StateMode{StateFull, StateNoRetract, StateHistory} {
			for round := range 30 {
				rng := rand.New(rand.NewPCG(uint64(round), uint64(mode)))
				retract := mode != StateNoRetract
				a, live := build(rng, d, retract)
				b := d.New()
				if mode == StateHistory {
					for _, v := range live {
						b.Add(v)
					}
				}
				enc := AppendState([]byte{7}, a, mode)
				rest, err := LoadState(b, enc[1:], mode)
				if err != nil || len(rest) != 0 {
					t.Fatalf("%s mode %d: load: %v, %d bytes left", d.Name, mode, err, len(rest))
				}
				for step := range 30 {
					if got, want := b.Result(), a.Result(); !got.Equal(want) {
						t.Fatalf("%s mode %d round %d step %d: restored %v, want %v", d.Name, mode, round, step, got, want)
					}
					if retract && len(live) > 0 && rng.IntN(2) == 0 {
						i := rng.IntN(len(live))
						a.Remove(live[i])
						b.Remove(live[i])
						live = append(live[:i], live[i+1:]...)
						continue
					}
					v := randomArg(rng, d)
					a.Add(v)
					b.Add(v)
					live = append(live, v)
				}
			}
		}
	}
}

func TestStateBadInput(t *testing.T) {
	for _, d := range stateDefs(t) {
		for _, mode := range []StateMode{StateFull, StateNoRetract, StateHistory} {
			a := d.New()
			enc := AppendState(nil, a, mode)
			if len(enc) == 0 {
				continue
			}
			if _, err := LoadState(d.New(), enc[:len(enc)-1], mode); !errors.Is(err, errBadState) {
				t.Errorf("%s mode %d: truncated state: %v", d.Name, mode, err)
			}
		}
	}
}
