package expr

import (
	"github.com/eventflux-io/eventflux-go/sqlc/ast"
	"github.com/eventflux-io/eventflux-go/topology"
)

// arithExpr is l op r for + - * / %. Its operands are already coerced to
// the operation type (DOUBLE or FLOAT for /).
type arithExpr struct {
	node
	op   ast.BinaryOp
	l, r Expr
}

// negExpr is -x.
type negExpr struct {
	node
	x Expr
}

func (b *binder) bindUnary(x *ast.Unary) Expr {
	v := b.bind(x.X)
	if isBad(v) {
		return v
	}
	if x.Op == ast.OpNot {
		return b.bindNot(x, v)
	}
	t := v.Type()
	if t != topology.TypeNull && !t.IsNumeric() {
		sym := "-"
		if x.Op == ast.OpPlus {
			sym = "+"
		}
		return b.errorf(x, "cannot apply '%s' to %s", sym, t)
	}
	if x.Op == ast.OpPlus {
		return v
	}
	if c, ok := isIntLit(v); ok {
		n := newConst(x, topology.Long(-c.val.RawLong()))
		n.intLit = true
		return n
	}
	return &negExpr{node: node{n: x, typ: t, konst: allConst(v)}, x: v}
}

func (b *binder) bindArith(n ast.Expr, op ast.BinaryOp, l, r Expr) Expr {
	if isBad(l, r) {
		return &badExpr{}
	}
	lt, rt := l.Type(), r.Type()
	if (lt != topology.TypeNull && !lt.IsNumeric()) || (rt != topology.TypeNull && !rt.IsNumeric()) {
		err := b.errorf(n, "cannot apply '%s' to %s and %s", opName(op), lt, rt)
		if op == ast.OpAdd && (lt == topology.TypeString || rt == topology.TypeString) {
			b.errs[len(b.errs)-1].Hint = "use concat(a, b)"
		}
		return err
	}
	t, _, _, _ := common([]Expr{l, r})
	if op == ast.OpDiv {
		return &arithExpr{node: node{n: n, typ: topology.TypeDouble, konst: allConst(l, r)},
			op: op, l: toFloatPayload(l), r: toFloatPayload(r)}
	}
	e := &arithExpr{node: node{n: n, typ: t, konst: allConst(l, r)}, op: op, l: coerce(l, t), r: coerce(r, t)}
	_, li := isIntLit(l)
	_, ri := isIntLit(r)
	if li && ri {
		v := Compile(e)(&emptyFrame)
		c := &constExpr{node: node{n: n, typ: topology.TypeLong, konst: true}, val: v, intLit: !v.IsNull()}
		return c
	}
	return e
}

func (e *arithExpr) compile(c *compiler) Func {
	if e.typ == topology.TypeNull {
		return constFunc(null)
	}
	lk, lc := c.constOf(e.l)
	rk, rc := c.constOf(e.r)
	if (lc && lk.IsNull()) || (rc && rk.IsNull()) {
		return constFunc(null)
	}
	op, l, r := e.op, e.l, e.r
	if lc && !rc && (op == ast.OpAdd || op == ast.OpMul) {
		l, r = r, l
		lk, rk = rk, lk
		lc, rc = rc, lc
	}
	ls, li, lcol := colOf(l)
	rs, ri, rcol := colOf(r)
	t := l.Type() // the operation type: the operands are coerced to it
	if op == ast.OpDiv {
		switch {
		case lcol && rc:
			return divKC(ls, li, rk)
		case lcol && rcol:
			return divKK(ls, li, rs, ri)
		case rc:
			return divFC(c.fn(l), rk)
		}
		return divFF(c.fn(l), c.fn(r))
	}
	switch {
	case lcol && rc:
		return arithKC(t, op, ls, li, rk)
	case lcol && rcol:
		return arithKK(t, op, ls, li, rs, ri)
	case rc:
		return arithFC(t, op, c.fn(l), rk)
	}
	return arithFF(t, op, c.fn(l), c.fn(r))
}

func (e *negExpr) compile(c *compiler) Func {
	x := c.fn(e.x)
	switch e.typ {
	case topology.TypeInt:
		return func(f *Frame) topology.Value {
			v := x(f)
			if v.IsNull() {
				return v
			}
			return topology.Int(-int32(v.RawLong()))
		}
	case topology.TypeLong:
		return func(f *Frame) topology.Value {
			v := x(f)
			if v.IsNull() {
				return v
			}
			return topology.Long(-v.RawLong())
		}
	case topology.TypeFloat:
		return func(f *Frame) topology.Value {
			v := x(f)
			if v.IsNull() {
				return v
			}
			return topology.Float(-float32(v.RawDouble()))
		}
	case topology.TypeDouble:
		return func(f *Frame) topology.Value {
			v := x(f)
			if v.IsNull() {
				return v
			}
			return topology.Double(-v.RawDouble())
		}
	}
	return constFunc(null)
}

// toFloatPayload coerces e to DOUBLE unless it is FLOAT already: a FLOAT is
// stored widened to float64, so / reads both kinds alike.
func toFloatPayload(e Expr) Expr {
	if e.Type() == topology.TypeFloat {
		return e
	}
	return coerce(e, topology.TypeDouble)
}
