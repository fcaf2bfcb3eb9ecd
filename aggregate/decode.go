package aggregate

import (
	"fmt"

	"github.com/eventflux-io/eventflux-go/topology"
)

// DecodeState decodes the state of an aggregator of d at the start of
// src, as AppendState encoded it with mode, for tools that read a select
// stage's store (eventflux state). It returns the aggregate's value over
// that state, whether the encoding determines the value at all, and the
// rest of src.
//
// StateNoRetract and StateFull always determine it. StateHistory stores
// only what re-adding the window's contents cannot rebuild, so it
// determines the value of sum/avg over floating-point values, stdDev,
// variance, minForever, maxForever, first and last, and not that of
// count, distinctCount, min, max, an integer sum, and or or (known is
// false; those are a function of the window's contents).
func DecodeState(d Def, src []byte, mode StateMode) (v topology.Value, known bool, rest []byte, err error) {
	if d.New == nil {
		return topology.Value{}, false, nil, fmt.Errorf("aggregate: decode %s state: no constructor", d.Name)
	}
	a := d.New()
	s, ok := a.(Stateful)
	if !ok {
		return topology.Value{}, false, nil, fmt.Errorf("aggregate: decode %s state: aggregator keeps no state", d.Name)
	}
	rest, err = s.LoadState(src, mode)
	if err != nil {
		return topology.Value{}, false, nil, fmt.Errorf("aggregate: decode %s state: %w", d.Name, err)
	}
	return a.Result(), mode != StateHistory || historyDetermines(a), rest, nil
}

// historyDetermines reports whether a's StateHistory encoding holds all
// it needs for Result (see StateMode).
func historyDetermines(a Aggregator) bool {
	switch a.(type) {
	case *floatSum, *avg, *moments, *forever, *firstLast:
		return true
	}
	return false
}
