package expr

import (
	"fmt"
	"slices"
	"strings"

	"github.com/eventflux-io/eventflux-go/sqlc/ast"
	"github.com/eventflux-io/eventflux-go/sqlc/diag"
	"github.com/eventflux-io/eventflux-go/topology"
)

// builder compiles a call from its (bound, coerced) arguments.
type builder func(c *compiler, args []Expr) Func

// funcDef is one scalar function of the library.
type funcDef struct {
	name     string
	min, max int // max < 0: any number
	// bind checks the bound arguments and returns the call; it reports its
	// own errors. args are never bad.
	bind func(b *binder, n *ast.Call, args []Expr) Expr
	// raw, when set, binds the unbound arguments itself (date_add's unit
	// word).
	raw func(b *binder, n *ast.Call) Expr
}

// callExpr is a scalar function call compiled by build.
type callExpr struct {
	node
	name  string
	args  []Expr
	build builder
}

func (e *callExpr) compile(c *compiler) Func { return e.build(c, e.args) }

// newCall returns a call of type t. A pure call over constant arguments
// is folded.
func newCall(n *ast.Call, t topology.Type, args []Expr, pure bool, build builder) *callExpr {
	return &callExpr{node: node{n: n, typ: t, konst: pure && allConst(args...)},
		name: lower(n.Name.Name), args: args, build: build}
}

var (
	funcTable = map[string]*funcDef{}
	funcNames []string
)

// register adds defs to the library; each def may be reachable under
// several names (aliases).
func register(def funcDef, aliases ...string) {
	for _, name := range append([]string{def.name}, aliases...) {
		d := def
		d.name = name
		funcTable[lower(name)] = &d
		funcNames = append(funcNames, name)
	}
}

// Functions lists the scalar function names, sorted (for docs and hints).
func Functions() []string {
	out := slices.Clone(funcNames)
	slices.Sort(out)
	return out
}

var aggregates = []string{"count", "sum", "avg", "min", "max", "minForever", "maxForever",
	"distinctCount", "stdDev", "variance", "first", "last", "and", "or"}

// IsAggregate reports whether name (case-insensitive) is an aggregate
// function.
func IsAggregate(name string) bool {
	for _, a := range aggregates {
		if strings.EqualFold(a, name) {
			return true
		}
	}
	return false
}

// Aggregates lists the aggregate function names.
func Aggregates() []string { return slices.Clone(aggregates) }

func (b *binder) bindCall(n *ast.Call) Expr {
	name := n.Name.Name
	if IsAggregate(name) {
		if b.opts.Aggregate != nil {
			e, errs := b.opts.Aggregate(n, b.sc)
			if len(errs) > 0 {
				b.errs = append(b.errs, errs...)
				return &badExpr{}
			}
			return e
		}
		return b.errorf(n, "aggregate function '%s' is not supported yet", name)
	}
	def := funcTable[lower(name)]
	if def == nil {
		err := diag.Errorf(n.Name.At, name, "unknown function '%s'", name)
		err.Hint = diag.DidYouMean(name, append(Functions(), aggregates...))
		b.report(err)
		for _, a := range n.Args {
			b.bind(a)
		}
		return &badExpr{}
	}
	if n.Star {
		return b.errorf(n, "'*' is only allowed in count(*)")
	}
	if n.Distinct {
		return b.errorf(n, "DISTINCT is only allowed in aggregate functions")
	}
	if !b.checkArity(n, def, len(n.Args)) {
		for _, a := range n.Args {
			b.bind(a)
		}
		return &badExpr{}
	}
	if def.raw != nil {
		return def.raw(b, n)
	}
	args := make([]Expr, len(n.Args))
	for i, a := range n.Args {
		args[i] = b.bind(a)
	}
	if isBad(args...) {
		return &badExpr{}
	}
	return def.bind(b, n, args)
}

func (b *binder) checkArity(n *ast.Call, def *funcDef, got int) bool {
	if got >= def.min && (def.max < 0 || got <= def.max) {
		return true
	}
	var want string
	switch {
	case def.max < 0:
		want = fmt.Sprintf("at least %d %s", def.min, plural(def.min))
	case def.min == def.max:
		want = fmt.Sprintf("%d %s", def.min, plural(def.min))
	default:
		want = fmt.Sprintf("%d to %d arguments", def.min, def.max)
	}
	b.errorf(n, "function '%s' takes %s, got %d", n.Name.Name, want, got)
	return false
}

func plural(n int) string {
	if n == 1 {
		return "argument"
	}
	return "arguments"
}

// Argument kinds a function may require.
type argKind uint8

const (
	argString argKind = iota
	argNumeric
	argIntegral
	argBool
	argAny
)

func (k argKind) String() string {
	return [...]string{"STRING", "numeric", "INT or LONG", "BOOL", "any type"}[k]
}

func (k argKind) accepts(t topology.Type) bool {
	switch {
	case t == topology.TypeNull || k == argAny:
		return true
	case k == argString:
		return t == topology.TypeString
	case k == argNumeric:
		return t.IsNumeric()
	case k == argIntegral:
		return t.IsIntegral()
	}
	return t == topology.TypeBool
}

// checkArgs reports every argument whose type does not fit kinds (the last
// kind repeats for variadic functions).
func (b *binder) checkArgs(n *ast.Call, args []Expr, kinds ...argKind) bool {
	ok := true
	for i, a := range args {
		k := kinds[min(i, len(kinds)-1)]
		if !k.accepts(a.Type()) {
			b.errorf(a.Node(), "function '%s' argument %d must be %s, got %s", n.Name.Name, i+1, k, a.Type())
			ok = false
		}
	}
	return ok
}

// typed returns a bind function that checks the argument kinds and builds
// a call of type t.
func typed(t topology.Type, build builder, kinds ...argKind) func(*binder, *ast.Call, []Expr) Expr {
	return func(b *binder, n *ast.Call, args []Expr) Expr {
		if !b.checkArgs(n, args, kinds...) {
			return &badExpr{}
		}
		return newCall(n, t, args, true, build)
	}
}

// strict1..strict3 build calls that are NULL when any argument is NULL.
func strict1(fn func(a topology.Value) topology.Value) builder {
	return func(c *compiler, args []Expr) Func {
		x := c.fn(args[0])
		return func(f *Frame) topology.Value {
			a := x(f)
			if a.IsNull() {
				return a
			}
			return fn(a)
		}
	}
}

func strict2(fn func(a, b topology.Value) topology.Value) builder {
	return func(c *compiler, args []Expr) Func {
		x, y := c.fn(args[0]), c.fn(args[1])
		return func(f *Frame) topology.Value {
			a := x(f)
			if a.IsNull() {
				return a
			}
			b := y(f)
			if b.IsNull() {
				return b
			}
			return fn(a, b)
		}
	}
}

func strict3(fn func(a, b, c topology.Value) topology.Value) builder {
	return func(c *compiler, args []Expr) Func {
		x, y, z := c.fn(args[0]), c.fn(args[1]), c.fn(args[2])
		return func(f *Frame) topology.Value {
			a := x(f)
			if a.IsNull() {
				return a
			}
			b := y(f)
			if b.IsNull() {
				return b
			}
			d := z(f)
			if d.IsNull() {
				return d
			}
			return fn(a, b, d)
		}
	}
}

// strictN dispatches on the argument count to strict1..strict3.
func strictN(f1 func(a topology.Value) topology.Value, f2 func(a, b topology.Value) topology.Value,
	f3 func(a, b, c topology.Value) topology.Value) builder {
	return func(c *compiler, args []Expr) Func {
		switch len(args) {
		case 1:
			return strict1(f1)(c, args)
		case 2:
			return strict2(f2)(c, args)
		}
		return strict3(f3)(c, args)
	}
}
