package aggregate

import (
	"fmt"
	"strings"

	"github.com/eventflux-io/eventflux-go/topology"
)

// Aggregator is the state of one aggregate call for one group. It is not
// safe for concurrent use.
type Aggregator interface {
	// Add aggregates the argument of an event entering the group.
	Add(v topology.Value)
	// Remove retracts the argument of an event leaving the group; v is a
	// value previously passed to Add.
	Remove(v topology.Value)
	// Result returns the aggregate over the values added and not removed.
	Result() topology.Value
	// Reset empties the state (the start of a new batch). The forever
	// aggregators keep theirs.
	Reset()
}

// Def describes one aggregate call after type checking.
type Def struct {
	// Name is the canonical function name ("count", "stdDev", ...).
	Name string
	// Type is the result type.
	Type topology.Type
	// Forever is true for minForever and maxForever, whose state outlives
	// the events that built it.
	Forever bool
	// New returns a fresh Aggregator.
	New func() Aggregator
}

// Call is an aggregate call to type check: the function name as written,
// whether the argument is DISTINCT, and the argument's static type
// (HasArg false for count() and count(*)).
type Call struct {
	Name     string
	Distinct bool
	HasArg   bool
	Arg      topology.Type
}

// Error is a type-checking error with an optional hint.
type Error struct{ Msg, Hint string }

func (e *Error) Error() string { return e.Msg }

func errorf(hint, format string, args ...any) *Error {
	return &Error{Msg: fmt.Sprintf(format, args...), Hint: hint}
}

// canonical maps a lower-case name to its canonical spelling. stddev is
// accepted as Siddhi's and EventFlux's spelling of stdDev.
var canonical = map[string]string{
	"count": "count", "sum": "sum", "avg": "avg", "min": "min", "max": "max",
	"minforever": "minForever", "maxforever": "maxForever", "distinctcount": "distinctCount",
	"stddev": "stdDev", "variance": "variance", "first": "first", "last": "last",
	"and": "and", "or": "or",
}

// Lookup type checks c and returns its Def.
func Lookup(c Call) (Def, *Error) {
	name, ok := canonical[strings.ToLower(c.Name)]
	if !ok {
		return Def{}, errorf("", "unknown aggregate function '%s'", c.Name)
	}
	if c.Distinct && name != "count" {
		return Def{}, errorf("use count(DISTINCT x) or distinctCount(x)", "DISTINCT is only allowed in count(DISTINCT x), not in %s", name)
	}
	if name == "count" {
		return countDef(c), nil
	}
	if !c.HasArg {
		return Def{}, errorf(fmt.Sprintf("write %s(x)", name), "%s takes exactly one argument", name)
	}
	return argDef(name, c.Arg)
}

func countDef(c Call) Def {
	d := Def{Name: "count", Type: topology.TypeLong}
	switch {
	case !c.HasArg:
		d.New = func() Aggregator { return &count{all: true} }
	case c.Distinct:
		d.New = func() Aggregator { return newDistinct(true) }
	default:
		d.New = func() Aggregator { return &count{} }
	}
	return d
}

func argDef(name string, t topology.Type) (Def, *Error) {
	d := Def{Name: name, Type: t}
	switch name {
	case "sum", "avg", "stdDev", "variance":
		if !t.IsNumeric() {
			return Def{}, needType(name, "a numeric", t)
		}
		d.Type, d.New = numericDef(name, t)
	case "min", "max", "minForever", "maxForever":
		if !t.IsNumeric() && t != topology.TypeString {
			return Def{}, needType(name, "a numeric or STRING", t)
		}
		d.Forever = strings.HasSuffix(name, "Forever")
		d.New = extremumDef(name, t)
	case "distinctCount":
		d.Type, d.New = topology.TypeLong, func() Aggregator { return newDistinct(false) }
	case "first":
		d.New = func() Aggregator { return &firstLast{} }
	case "last":
		d.New = func() Aggregator { return &firstLast{last: true} }
	case "and", "or":
		if t != topology.TypeBool {
			return Def{}, needType(name, "a BOOL", t)
		}
		or := name == "or"
		d.New = func() Aggregator { return &logic{or: or} }
	}
	return d, nil
}

func needType(name, what string, t topology.Type) *Error {
	hint := ""
	if t == topology.TypeNull {
		hint = fmt.Sprintf("CAST the argument, e.g. %s(CAST(NULL AS DOUBLE))", name)
	}
	return errorf(hint, "%s needs %s argument, not %s", name, what, t)
}

// numericDef returns the result type and constructor of sum, avg, stdDev
// and variance over t: sum of INT/LONG is LONG, everything else DOUBLE.
func numericDef(name string, t topology.Type) (topology.Type, func() Aggregator) {
	switch name {
	case "sum":
		if t.IsIntegral() {
			return topology.TypeLong, func() Aggregator { return &intSum{} }
		}
		return topology.TypeDouble, func() Aggregator { return &floatSum{} }
	case "avg":
		return topology.TypeDouble, func() Aggregator { return &avg{} }
	case "stdDev":
		return topology.TypeDouble, func() Aggregator { return &moments{stdDev: true} }
	}
	return topology.TypeDouble, func() Aggregator { return &moments{} }
}

func extremumDef(name string, t topology.Type) func() Aggregator {
	less := lessFor(t)
	if strings.HasPrefix(name, "max") {
		less = greater(less)
	}
	if strings.HasSuffix(name, "Forever") {
		return func() Aggregator { return &forever{less: less} }
	}
	return func() Aggregator { return &extremum{less: less} }
}
