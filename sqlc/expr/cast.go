package expr

import (
	"errors"
	"math"
	"strconv"
	"strings"

	"github.com/eventflux-io/eventflux-go/sqlc/ast"
	"github.com/eventflux-io/eventflux-go/sqlc/diag"
	"github.com/eventflux-io/eventflux-go/topology"
)

// castExpr is CAST(x AS to).
type castExpr struct {
	node
	x Expr
}

func (b *binder) bindCast(n *ast.Cast) Expr {
	x := b.bind(n.X)
	to, ok := topology.ParseType(n.TypeName.Name)
	if !ok {
		err := diag.Errorf(n.TypeName.At, n.TypeName.Name, "unknown type '%s'", n.TypeName.Name)
		err.Hint = diag.DidYouMean(n.TypeName.Name, topology.TypeNames())
		b.report(err)
		return &badExpr{}
	}
	if isBad(x) {
		return x
	}
	return &castExpr{node: node{n: n, typ: to, konst: allConst(x)}, x: x}
}

func (e *castExpr) compile(c *compiler) Func {
	x := c.fn(e.x)
	from := e.x.Type()
	if from == e.typ {
		return x
	}
	if from == topology.TypeNull {
		return constFunc(null)
	}
	conv := castFunc(from, e.typ)
	return func(f *Frame) topology.Value {
		v := x(f)
		if v.IsNull() {
			return v
		}
		return conv(v)
	}
}

// castFunc returns the conversion of a non-NULL value of type from to type
// to.
func castFunc(from, to topology.Type) func(topology.Value) topology.Value {
	switch to {
	case topology.TypeString:
		return toString
	case topology.TypeBool:
		switch {
		case from == topology.TypeString:
			return func(v topology.Value) topology.Value {
				s := trimJava(v.Str())
				switch {
				case strings.EqualFold(s, "true"):
					return vTrue
				case strings.EqualFold(s, "false"):
					return vFalse
				}
				return null
			}
		case from.IsIntegral():
			return func(v topology.Value) topology.Value { return topology.Bool(v.RawLong() != 0) }
		}
		return func(v topology.Value) topology.Value { return topology.Bool(v.RawDouble() != 0) }
	case topology.TypeInt:
		switch {
		case from == topology.TypeString:
			return func(v topology.Value) topology.Value {
				i, err := strconv.ParseInt(trimJava(v.Str()), 10, 32)
				if err != nil {
					return null
				}
				return topology.Int(int32(i))
			}
		case from == topology.TypeFloat || from == topology.TypeDouble:
			return func(v topology.Value) topology.Value { return topology.Int(doubleToInt(v.RawDouble())) }
		}
		return func(v topology.Value) topology.Value { return topology.Int(int32(v.RawLong())) }
	case topology.TypeLong:
		switch {
		case from == topology.TypeString:
			return func(v topology.Value) topology.Value {
				i, err := strconv.ParseInt(trimJava(v.Str()), 10, 64)
				if err != nil {
					return null
				}
				return topology.Long(i)
			}
		case from == topology.TypeFloat || from == topology.TypeDouble:
			return func(v topology.Value) topology.Value { return topology.Long(doubleToLong(v.RawDouble())) }
		}
		return func(v topology.Value) topology.Value { return topology.Long(v.RawLong()) }
	case topology.TypeFloat, topology.TypeDouble:
		bits := 64
		mk := topology.Double
		if to == topology.TypeFloat {
			bits = 32
			mk = func(f float64) topology.Value { return topology.Float(float32(f)) }
		}
		switch {
		case from == topology.TypeString:
			return func(v topology.Value) topology.Value {
				f, ok := parseFloat(v.Str(), bits)
				if !ok {
					return null
				}
				return mk(f)
			}
		case from.IsIntegral() || from == topology.TypeBool:
			return func(v topology.Value) topology.Value { return mk(float64(v.RawLong())) }
		}
		return func(v topology.Value) topology.Value { return mk(v.RawDouble()) }
	}
	return func(topology.Value) topology.Value { return null }
}

// parseFloat parses a decimal (or Java-style NaN/Infinity) number; out of
// range values become ±Infinity or 0 as in Java.
func parseFloat(s string, bits int) (float64, bool) {
	s = trimJava(s)
	f, err := strconv.ParseFloat(s, bits)
	if err != nil {
		var ne *strconv.NumError
		if errors.As(err, &ne) && ne.Err == strconv.ErrRange {
			return f, true
		}
		return 0, false
	}
	return f, true
}

// doubleToInt and doubleToLong truncate toward zero with Java's rules:
// NaN is 0, out-of-range values saturate.
func doubleToInt(f float64) int32 {
	switch {
	case f != f:
		return 0
	case f >= math.MaxInt32:
		return math.MaxInt32
	case f <= math.MinInt32:
		return math.MinInt32
	}
	return int32(f)
}

func doubleToLong(f float64) int64 {
	switch {
	case f != f:
		return 0
	case f >= 9.223372036854775807e18:
		return math.MaxInt64
	case f <= -9.223372036854775808e18:
		return math.MinInt64
	}
	return int64(f)
}

// toString renders a non-NULL value as CAST(v AS STRING) does.
func toString(v topology.Value) topology.Value {
	if v.Kind() == topology.TypeString {
		return v
	}
	return topology.String(formatValue(v))
}

// formatValue renders a value as text: integers in decimal, floats as
// Java's Double.toString/Float.toString, BOOL as true/false.
func formatValue(v topology.Value) string {
	switch v.Kind() {
	case topology.TypeString:
		return v.Str()
	case topology.TypeBool:
		if v.RawBool() {
			return "true"
		}
		return "false"
	case topology.TypeInt, topology.TypeLong:
		return strconv.FormatInt(v.RawLong(), 10)
	case topology.TypeFloat:
		return formatJavaFloat(v.RawDouble(), 32)
	case topology.TypeDouble:
		return formatJavaFloat(v.RawDouble(), 64)
	}
	return ""
}

// formatJavaFloat renders f as Java's Double.toString (bits 64) or
// Float.toString (bits 32): the shortest representation, with ".0" for
// integral values and computerized scientific notation ("1.0E10") outside
// [1e-3, 1e7).
func formatJavaFloat(f float64, bits int) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	}
	if a := math.Abs(f); a == 0 || (a >= 1e-3 && a < 1e7) {
		s := strconv.FormatFloat(f, 'f', -1, bits)
		if !strings.Contains(s, ".") {
			s += ".0"
		}
		return s
	}
	s := strconv.FormatFloat(f, 'E', -1, bits) // 1.5E+20, 1E-05
	mant, exp, _ := strings.Cut(s, "E")
	if !strings.Contains(mant, ".") {
		mant += ".0"
	}
	neg := strings.HasPrefix(exp, "-")
	exp = strings.TrimLeft(exp, "+-")
	exp = strings.TrimLeft(exp, "0")
	if exp == "" {
		exp = "0"
	}
	if neg {
		exp = "-" + exp
	}
	return mant + "E" + exp
}

// trimJava removes leading and trailing characters <= U+0020, as Java's
// String.trim does.
func trimJava(s string) string {
	i, j := 0, len(s)
	for i < j && s[i] <= ' ' {
		i++
	}
	for j > i && s[j-1] <= ' ' {
		j--
	}
	return s[i:j]
}
