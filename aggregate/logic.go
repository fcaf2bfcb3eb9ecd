package aggregate

import "github.com/eventflux-io/eventflux-go/topology"

// logic is and(b) / or(b) over BOOL arguments, as Siddhi computes them:
// and is true when at least one TRUE and no FALSE is aggregated, or is
// true when at least one TRUE is; both are false when empty. NULL
// arguments are ignored.
type logic struct {
	trues, falses int64
	or            bool
}

func (l *logic) Add(v topology.Value)    { l.step(v, 1) }
func (l *logic) Remove(v topology.Value) { l.step(v, -1) }

func (l *logic) step(v topology.Value, d int64) {
	switch {
	case v.IsNull():
	case v.RawBool():
		l.trues += d
	default:
		l.falses += d
	}
}

func (l *logic) Result() topology.Value {
	if l.or {
		return topology.Bool(l.trues > 0)
	}
	return topology.Bool(l.trues > 0 && l.falses == 0)
}

func (l *logic) Reset() { l.trues, l.falses = 0, 0 }
