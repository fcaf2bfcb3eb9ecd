package expr

import (
	"math"

	"github.com/eventflux-io/eventflux-go/sqlc/ast"
	"github.com/eventflux-io/eventflux-go/topology"
)

var null = topology.Null()

// cmpClass is how two values of a common type are compared: by their
// integer payload (INT, LONG), float payload (FLOAT, DOUBLE), bytes
// (STRING) or truth value (BOOL).
type cmpClass uint8

const (
	clsI cmpClass = iota
	clsF
	clsS
	clsB
)

func classOf(t topology.Type) cmpClass {
	switch t {
	case topology.TypeInt, topology.TypeLong:
		return clsI
	case topology.TypeFloat, topology.TypeDouble:
		return clsF
	case topology.TypeString:
		return clsS
	}
	return clsB
}

// isIntLit reports whether e is an integer literal that may still take the
// INT type of its context.
func isIntLit(e Expr) (*constExpr, bool) {
	c, ok := e.(*constExpr)
	if ok && c.intLit {
		return c, true
	}
	return nil, false
}

func fitsInt(v int64) bool { return v >= math.MinInt32 && v <= math.MaxInt32 }

// common computes the type that es combine to: numeric types promote
// (INT < LONG < FLOAT < DOUBLE), other types must be equal, NULL takes the
// other's type. Integer literals are INT when the rest is INT and they fit,
// else LONG. On a mismatch it returns ok=false with the two types and the
// expression that did not fit.
func common(es []Expr) (t topology.Type, other topology.Type, bad Expr, ok bool) {
	t = topology.TypeNull
	var lits []*constExpr
	for _, e := range es {
		if c, isLit := isIntLit(e); isLit {
			if t != topology.TypeNull && !t.IsNumeric() {
				return t, topology.TypeLong, e, false
			}
			lits = append(lits, c)
			continue
		}
		et := e.Type()
		switch {
		case et == topology.TypeNull:
		case t == topology.TypeNull:
			if len(lits) > 0 && !et.IsNumeric() {
				return topology.TypeLong, et, e, false
			}
			t = et
		case t.IsNumeric() && et.IsNumeric():
			t = max(t, et)
		case t != et:
			return t, et, e, false
		}
	}
	switch {
	case len(lits) == 0:
	case t == topology.TypeNull:
		t = topology.TypeLong
	case t == topology.TypeInt:
		for _, c := range lits {
			if !fitsInt(c.val.RawLong()) {
				return topology.TypeLong, 0, nil, true
			}
		}
	}
	return t, 0, nil, true
}

// coerce returns e converted to t by numeric widening (or typed NULL).
// Constants convert at bind time.
func coerce(e Expr, t topology.Type) Expr {
	if e.Type() == t {
		return e
	}
	if c, ok := e.(*constExpr); ok {
		return &constExpr{node: node{n: c.n, typ: t, konst: true}, val: widen(c.val, t)}
	}
	b := e.(bound)
	return &convertExpr{node: node{n: e.Node(), typ: t, konst: b.isConst()}, x: e}
}

func coerceAll(es []Expr, t topology.Type) []Expr {
	out := make([]Expr, len(es))
	for i, e := range es {
		out[i] = coerce(e, t)
	}
	return out
}

// widen converts a numeric value to the wider numeric type t.
func widen(v topology.Value, t topology.Type) topology.Value {
	if v.IsNull() {
		return v
	}
	switch t {
	case topology.TypeInt:
		return topology.Int(int32(v.AsLong()))
	case topology.TypeLong:
		return topology.Long(v.AsLong())
	case topology.TypeFloat:
		return topology.Float(float32(v.AsDouble()))
	case topology.TypeDouble:
		return topology.Double(v.AsDouble())
	}
	return v
}

// convertExpr is an implicit numeric widening inserted by promotion.
type convertExpr struct {
	node
	x Expr
}

func (e *convertExpr) compile(c *compiler) Func {
	x := c.fn(e.x)
	from := e.x.Type()
	switch {
	case from == topology.TypeNull:
		return constFunc(null)
	case e.typ == topology.TypeLong && from == topology.TypeInt:
		return func(f *Frame) topology.Value {
			v := x(f)
			if v.IsNull() {
				return v
			}
			return topology.Long(v.RawLong())
		}
	case e.typ == topology.TypeDouble && from.IsIntegral():
		return func(f *Frame) topology.Value {
			v := x(f)
			if v.IsNull() {
				return v
			}
			return topology.Double(float64(v.RawLong()))
		}
	case e.typ == topology.TypeFloat && from.IsIntegral():
		return func(f *Frame) topology.Value {
			v := x(f)
			if v.IsNull() {
				return v
			}
			return topology.Float(float32(v.RawLong()))
		}
	case e.typ == topology.TypeDouble && from == topology.TypeFloat:
		return func(f *Frame) topology.Value {
			v := x(f)
			if v.IsNull() {
				return v
			}
			return topology.Double(v.RawDouble())
		}
	}
	t := e.typ
	return func(f *Frame) topology.Value { return widen(x(f), t) }
}

// badExpr stands for a sub-expression that failed to bind, so that its
// parents bind without cascading errors.
type badExpr struct{ node }

func (e *badExpr) compile(*compiler) Func { return constFunc(null) }

func isBad(es ...Expr) bool {
	for _, e := range es {
		if _, ok := e.(*badExpr); ok {
			return true
		}
	}
	return false
}

func allConst(es ...Expr) bool {
	for _, e := range es {
		if b, ok := e.(bound); !ok || !b.isConst() {
			return false
		}
	}
	return true
}

func typeName(t topology.Type) string { return t.String() }

var _ = ast.OpAdd
