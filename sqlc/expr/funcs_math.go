package expr

import (
	"math"

	"github.com/eventflux-io/eventflux-go/sqlc/ast"
	"github.com/eventflux-io/eventflux-go/topology"
)

func init() {
	N, I := argNumeric, argIntegral
	dbl := topology.TypeDouble
	register(funcDef{name: "abs", min: 1, max: 1, bind: bindAbs})
	register(funcDef{name: "round", min: 1, max: 2, bind: bindRound})
	for name, fn := range map[string]func(float64) float64{
		"floor": math.Floor, "ceil": math.Ceil, "sqrt": math.Sqrt, "exp": math.Exp,
		"ln": math.Log, "log10": math.Log10, "sin": math.Sin, "cos": math.Cos, "tan": math.Tan,
		"asin": math.Asin, "acos": math.Acos, "atan": math.Atan,
	} {
		aliases := []string(nil)
		if name == "ceil" {
			aliases = []string{"ceiling"}
		}
		register(funcDef{name: name, min: 1, max: 1, bind: floatFunc(floatFn1(fn))}, aliases...)
	}
	register(funcDef{name: "log", min: 1, max: 2, bind: floatFunc(strictN(
		func(x topology.Value) topology.Value { return topology.Double(math.Log(x.RawDouble())) },
		func(b, x topology.Value) topology.Value {
			return topology.Double(math.Log(x.RawDouble()) / math.Log(b.RawDouble()))
		}, nil))})
	register(funcDef{name: "power", min: 2, max: 2, bind: floatFunc(strict2(func(x, y topology.Value) topology.Value {
		return topology.Double(math.Pow(x.RawDouble(), y.RawDouble()))
	}))}, "pow")
	register(funcDef{name: "mod", min: 2, max: 2, bind: func(b *binder, n *ast.Call, args []Expr) Expr {
		if !b.checkArgs(n, args, N, N) {
			return &badExpr{}
		}
		return b.bindArith(n, ast.OpMod, args[0], args[1])
	}})
	register(funcDef{name: "sign", min: 1, max: 1, bind: typed(topology.TypeInt, buildSign, N)})
	register(funcDef{name: "trunc", min: 1, max: 2, bind: func(b *binder, n *ast.Call, args []Expr) Expr {
		if !b.checkArgs(n, args, N, I) {
			return &badExpr{}
		}
		args[0] = toFloatPayload(args[0])
		return newCall(n, dbl, args, true, strictN(
			func(x topology.Value) topology.Value { return topology.Double(math.Trunc(x.RawDouble())) },
			func(x, d topology.Value) topology.Value {
				return topology.Double(scaled(x.RawDouble(), d.RawLong(), math.Trunc))
			}, nil))
	}}, "truncate")
	register(funcDef{name: "maximum", min: 1, max: -1, bind: bindExtremum(false)})
	register(funcDef{name: "minimum", min: 1, max: -1, bind: bindExtremum(true)})
}

// floatFunc binds a function of numeric arguments computed in DOUBLE.
func floatFunc(build builder) func(*binder, *ast.Call, []Expr) Expr {
	return func(b *binder, n *ast.Call, args []Expr) Expr {
		if !b.checkArgs(n, args, argNumeric) {
			return &badExpr{}
		}
		for i := range args {
			args[i] = toFloatPayload(args[i])
		}
		return newCall(n, topology.TypeDouble, args, true, build)
	}
}

func floatFn1(fn func(float64) float64) builder {
	return strict1(func(x topology.Value) topology.Value { return topology.Double(fn(x.RawDouble())) })
}

func bindAbs(b *binder, n *ast.Call, args []Expr) Expr {
	if !b.checkArgs(n, args, argNumeric) {
		return &badExpr{}
	}
	t := args[0].Type()
	if _, ok := isIntLit(args[0]); ok {
		t = topology.TypeLong
	}
	var fn func(topology.Value) topology.Value
	switch t {
	case topology.TypeInt:
		fn = func(x topology.Value) topology.Value {
			if v := int32(x.RawLong()); v < 0 {
				return topology.Int(-v)
			}
			return x
		}
	case topology.TypeLong:
		fn = func(x topology.Value) topology.Value {
			if v := x.RawLong(); v < 0 {
				return topology.Long(-v)
			}
			return x
		}
	case topology.TypeFloat:
		fn = func(x topology.Value) topology.Value { return topology.Float(float32(math.Abs(x.RawDouble()))) }
	default:
		fn = func(x topology.Value) topology.Value { return topology.Double(math.Abs(x.RawDouble())) }
	}
	return newCall(n, t, args, true, strict1(fn))
}

// bindRound: round(x[, digits]) rounds half away from zero; FLOAT/DOUBLE
// give DOUBLE, INT/LONG give LONG (negative digits round to tens, hundreds).
func bindRound(b *binder, n *ast.Call, args []Expr) Expr {
	if !b.checkArgs(n, args, argNumeric, argIntegral) {
		return &badExpr{}
	}
	if args[0].Type().IsIntegral() || args[0].Type() == topology.TypeNull {
		args[0] = coerce(args[0], topology.TypeLong)
		return newCall(n, topology.TypeLong, args, true, strictN(
			func(x topology.Value) topology.Value { return x },
			func(x, d topology.Value) topology.Value { return topology.Long(roundLong(x.RawLong(), d.RawLong())) }, nil))
	}
	return newCall(n, topology.TypeDouble, args, true, strictN(
		func(x topology.Value) topology.Value { return topology.Double(math.Round(x.RawDouble())) },
		func(x, d topology.Value) topology.Value {
			return topology.Double(scaled(x.RawDouble(), d.RawLong(), math.Round))
		}, nil))
}

// scaled applies fn (round or trunc) at d decimal digits.
func scaled(x float64, d int64, fn func(float64) float64) float64 {
	switch {
	case math.IsNaN(x) || math.IsInf(x, 0):
		return x
	case d > 340:
		return x
	case d < -340:
		return fn(0)
	case d >= 0:
		p := math.Pow10(int(d))
		if y := x * p; !math.IsInf(y, 0) {
			return fn(y) / p
		}
		return x
	}
	p := math.Pow10(int(-d))
	return fn(x/p) * p
}

// roundLong rounds x half away from zero at d decimal digits (d < 0 only
// changes anything).
func roundLong(x, d int64) int64 {
	if d >= 0 {
		return x
	}
	if d < -18 {
		return 0
	}
	p := int64(1)
	for range -d {
		p *= 10
	}
	q, r := x/p, x%p
	if r < 0 {
		r = -r
	}
	if r >= p-r { // 2r >= p without overflow
		if x < 0 {
			q--
		} else {
			q++
		}
	}
	return q * p
}

func buildSign(c *compiler, args []Expr) Func {
	if args[0].Type().IsIntegral() {
		return strict1(func(x topology.Value) topology.Value {
			v := x.RawLong()
			switch {
			case v > 0:
				return topology.Int(1)
			case v < 0:
				return topology.Int(-1)
			}
			return topology.Int(0)
		})(c, args)
	}
	return strict1(func(x topology.Value) topology.Value {
		v := x.RawDouble()
		switch {
		case v > 0:
			return topology.Int(1)
		case v < 0:
			return topology.Int(-1)
		}
		return topology.Int(0) // 0 and NaN
	})(c, args)
}

// bindExtremum binds maximum/minimum: the arguments promote to a common
// numeric type; NULL arguments are ignored (as Siddhi's maximum does) and
// the result is NULL only when every argument is NULL.
func bindExtremum(isMin bool) func(*binder, *ast.Call, []Expr) Expr {
	return func(b *binder, n *ast.Call, args []Expr) Expr {
		if !b.checkArgs(n, args, argNumeric) {
			return &badExpr{}
		}
		t, _, _, _ := common(args)
		args = coerceAll(args, t)
		cls := classOf(t)
		return newCall(n, t, args, true, func(c *compiler, args []Expr) Func {
			fns := make([]Func, len(args))
			for i, a := range args {
				fns[i] = c.fn(a)
			}
			return func(f *Frame) topology.Value {
				best := null
				for _, fn := range fns {
					v := fn(f)
					if v.IsNull() {
						continue
					}
					if best.IsNull() || (isMin && less(cls, v, best)) || (!isMin && less(cls, best, v)) {
						best = v
					}
				}
				return best
			}
		})
	}
}
