package expr

import (
	"github.com/eventflux-io/eventflux-go/sqlc/ast"
	"github.com/eventflux-io/eventflux-go/topology"
)

var (
	vTrue  = topology.Bool(true)
	vFalse = topology.Bool(false)
)

// isFalse reports whether v is the BOOL FALSE (not NULL).
func isFalse(v topology.Value) bool { return v.Kind() == topology.TypeBool && !v.RawBool() }

// logicExpr is l AND r or l OR r under three-valued logic.
type logicExpr struct {
	node
	op   ast.BinaryOp
	l, r Expr
}

// notExpr is NOT x.
type notExpr struct {
	node
	x Expr
}

// isNullExpr is x IS [NOT] NULL.
type isNullExpr struct {
	node
	x   Expr
	not bool
}

func (b *binder) requireBool(e Expr, what string) bool {
	if isBad(e) {
		return false
	}
	if t := e.Type(); t != topology.TypeBool && t != topology.TypeNull {
		b.errorf(e.Node(), "%s needs a BOOL operand, got %s", what, t)
		return false
	}
	return true
}

func (b *binder) bindLogic(n *ast.Binary) Expr {
	l, r := b.bind(n.L), b.bind(n.R)
	name := opName(n.Op)
	okL, okR := b.requireBool(l, name), b.requireBool(r, name)
	if !okL || !okR {
		return &badExpr{}
	}
	return &logicExpr{node: node{n: n, typ: topology.TypeBool, konst: allConst(l, r)}, op: n.Op, l: l, r: r}
}

func (b *binder) bindNot(n *ast.Unary, x Expr) Expr {
	if !b.requireBool(x, "NOT") {
		return &badExpr{}
	}
	return &notExpr{node: node{n: n, typ: topology.TypeBool, konst: allConst(x)}, x: x}
}

func (e *logicExpr) compile(c *compiler) Func {
	l, r := c.fn(e.l), c.fn(e.r)
	if e.op == ast.OpAnd {
		return func(f *Frame) topology.Value {
			a := l(f)
			if isFalse(a) {
				return vFalse
			}
			b := r(f)
			if isFalse(b) {
				return vFalse
			}
			if a.IsNull() || b.IsNull() {
				return null
			}
			return vTrue
		}
	}
	return func(f *Frame) topology.Value {
		a := l(f)
		if a.RawBool() && !a.IsNull() {
			return vTrue
		}
		b := r(f)
		if b.RawBool() && !b.IsNull() {
			return vTrue
		}
		if a.IsNull() || b.IsNull() {
			return null
		}
		return vFalse
	}
}

func (e *notExpr) compile(c *compiler) Func {
	x := c.fn(e.x)
	return func(f *Frame) topology.Value {
		v := x(f)
		if v.IsNull() {
			return v
		}
		return topology.Bool(!v.RawBool())
	}
}

func (e *isNullExpr) compile(c *compiler) Func {
	x := c.fn(e.x)
	if e.not {
		return func(f *Frame) topology.Value { return topology.Bool(!x(f).IsNull()) }
	}
	return func(f *Frame) topology.Value { return topology.Bool(x(f).IsNull()) }
}

// caseExpr is CASE [operand] WHEN ... THEN ... [ELSE ...] END. For the
// simple form whens holds the values compared with operand (all coerced to
// one type of class cls); for the searched form, the conditions.
type caseExpr struct {
	node
	operand Expr
	whens   []Expr
	results []Expr
	els     Expr // nil: ELSE NULL
	cls     cmpClass
}

func (b *binder) bindCase(n *ast.Case) Expr {
	e := &caseExpr{node: node{n: n}}
	var operand Expr
	if n.Operand != nil {
		operand = b.bind(n.Operand)
	}
	failed := isBad(operand)
	for _, w := range n.Whens {
		cond := b.bind(w.Cond)
		if n.Operand == nil && !b.requireBool(cond, "WHEN") {
			failed = true
		}
		e.whens = append(e.whens, cond)
		e.results = append(e.results, b.bind(w.Result))
	}
	if n.Else != nil {
		e.els = b.bind(n.Else)
	}
	all := append([]Expr(nil), e.results...)
	if e.els != nil {
		all = append(all, e.els)
	}
	if failed || isBad(e.whens...) || isBad(all...) {
		return &badExpr{}
	}
	if operand != nil {
		vals := append([]Expr{operand}, e.whens...)
		t, _, bad, ok := common(vals)
		if !ok {
			return b.errorf(bad.Node(), "cannot compare %s with %s", operand.Type(), bad.Type())
		}
		if t == topology.TypeNull {
			t = topology.TypeBool // never matches; any class will do
		}
		vals = coerceAll(vals, t)
		e.operand, e.whens, e.cls = vals[0], vals[1:], classOf(t)
	}
	t, other, bad, ok := common(all)
	if !ok {
		return b.errorf(bad.Node(), "CASE branches have incompatible types %s and %s", t, other)
	}
	e.typ = t
	e.results = coerceAll(e.results, t)
	if e.els != nil {
		e.els = coerce(e.els, t)
	}
	e.konst = allConst(all...) && allConst(e.whens...) && (operand == nil || allConst(operand))
	return e
}

func (e *caseExpr) compile(c *compiler) Func {
	whens := make([]Func, len(e.whens))
	results := make([]Func, len(e.results))
	for i := range e.whens {
		whens[i], results[i] = c.fn(e.whens[i]), c.fn(e.results[i])
	}
	els := constFunc(null)
	if e.els != nil {
		els = c.fn(e.els)
	}
	if e.operand == nil {
		return func(f *Frame) topology.Value {
			for i, w := range whens {
				if w(f).AsBool() {
					return results[i](f)
				}
			}
			return els(f)
		}
	}
	op, cls := c.fn(e.operand), e.cls
	return func(f *Frame) topology.Value {
		v := op(f)
		if !v.IsNull() {
			for i, w := range whens {
				if x := w(f); !x.IsNull() && equal(cls, v, x) {
					return results[i](f)
				}
			}
		}
		return els(f)
	}
}
