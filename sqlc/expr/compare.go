package expr

import (
	"slices"

	"github.com/eventflux-io/eventflux-go/sqlc/ast"
	"github.com/eventflux-io/eventflux-go/topology"
)

// compareExpr is l op r for = != < <= > >=, operands coerced to a common
// type.
type compareExpr struct {
	node
	op   ast.BinaryOp
	l, r Expr
	cls  cmpClass
}

func (b *binder) bindCompare(n ast.Expr, op ast.BinaryOp, l, r Expr) Expr {
	if isBad(l, r) {
		return &badExpr{}
	}
	t, _, _, ok := common([]Expr{l, r})
	if !ok {
		return b.errorf(n, "cannot compare %s with %s", l.Type(), r.Type())
	}
	if t == topology.TypeBool && op != ast.OpEq && op != ast.OpNe {
		return b.errorf(n, "operator '%s' is not defined for BOOL", opName(op))
	}
	konst := allConst(l, r)
	if t == topology.TypeNull {
		return &constExpr{node: node{n: n, typ: topology.TypeBool, konst: true}, val: null}
	}
	return &compareExpr{node: node{n: n, typ: topology.TypeBool, konst: konst},
		op: op, l: coerce(l, t), r: coerce(r, t), cls: classOf(t)}
}

// flip returns the operator that gives the same result with the operands
// swapped.
func flip(op ast.BinaryOp) ast.BinaryOp {
	switch op {
	case ast.OpLt:
		return ast.OpGt
	case ast.OpLe:
		return ast.OpGe
	case ast.OpGt:
		return ast.OpLt
	case ast.OpGe:
		return ast.OpLe
	}
	return op
}

// operands normalises the operand order so a constant is on the right.
func (e *compareExpr) operands(c *compiler) (op ast.BinaryOp, l, r Expr, k topology.Value, kc, isNull bool) {
	op, l, r = e.op, e.l, e.r
	lk, lc := c.constOf(l)
	rk, rc := c.constOf(r)
	if (lc && lk.IsNull()) || (rc && rk.IsNull()) {
		return op, l, r, null, false, true
	}
	if lc && !rc {
		return flip(op), r, l, lk, true, false
	}
	return op, l, r, rk, rc, false
}

func (e *compareExpr) compile(c *compiler) Func {
	op, l, r, k, kc, isNull := e.operands(c)
	if isNull {
		return constFunc(null)
	}
	ls, li, lcol := colOf(l)
	rs, ri, rcol := colOf(r)
	switch {
	case lcol && kc:
		return cmpKC(e.cls, op, ls, li, k)
	case lcol && rcol:
		return cmpKK(e.cls, op, ls, li, rs, ri)
	case kc:
		return cmpFC(e.cls, op, c.fn(l), k)
	}
	return cmpFF(e.cls, op, c.fn(l), c.fn(r))
}

func (e *compareExpr) pred(c *compiler) func(*Frame) bool {
	op, l, r, k, kc, isNull := e.operands(c)
	if isNull {
		return func(*Frame) bool { return false }
	}
	ls, li, lcol := colOf(l)
	rs, ri, rcol := colOf(r)
	switch {
	case lcol && kc:
		return predKC(e.cls, op, ls, li, k)
	case lcol && rcol:
		return predKK(e.cls, op, ls, li, rs, ri)
	case kc:
		return predFC(e.cls, op, c.fn(l), k)
	}
	return predFF(e.cls, op, c.fn(l), c.fn(r))
}

// less and equal compare two non-NULL values of class cls.
func less(cls cmpClass, a, b topology.Value) bool {
	switch cls {
	case clsI:
		return a.RawLong() < b.RawLong()
	case clsF:
		return a.RawDouble() < b.RawDouble()
	case clsS:
		return a.Str() < b.Str()
	}
	return !a.RawBool() && b.RawBool()
}

func equal(cls cmpClass, a, b topology.Value) bool {
	switch cls {
	case clsI:
		return a.RawLong() == b.RawLong()
	case clsF:
		return a.RawDouble() == b.RawDouble()
	case clsS:
		return a.Str() == b.Str()
	}
	return a.RawBool() == b.RawBool()
}

// inExpr is x [NOT] IN (list...).
type inExpr struct {
	node
	x    Expr
	list []Expr
	not  bool
	cls  cmpClass
}

func (b *binder) bindIn(n *ast.In) Expr {
	x := b.bind(n.X)
	list := make([]Expr, len(n.List))
	for i, a := range n.List {
		list[i] = b.bind(a)
	}
	if isBad(x) || isBad(list...) {
		return &badExpr{}
	}
	all := append([]Expr{x}, list...)
	t, _, bad, ok := common(all)
	if !ok {
		return b.errorf(bad.Node(), "cannot compare %s with %s", x.Type(), bad.Type())
	}
	if t == topology.TypeNull {
		return &constExpr{node: node{n: n, typ: topology.TypeBool, konst: true}, val: null}
	}
	all = coerceAll(all, t)
	return &inExpr{node: node{n: n, typ: topology.TypeBool, konst: allConst(all...)},
		x: all[0], list: all[1:], not: n.Not, cls: classOf(t)}
}

func (e *inExpr) compile(c *compiler) Func {
	x := c.fn(e.x)
	hit, miss := topology.Bool(!e.not), topology.Bool(e.not)
	consts := make([]topology.Value, 0, len(e.list))
	hasNull := false
	for _, a := range e.list {
		v, ok := c.constOf(a)
		if !ok {
			consts = nil
			break
		}
		if v.IsNull() {
			hasNull = true
			continue
		}
		consts = append(consts, v)
	}
	unknown := miss
	if hasNull {
		unknown = null
	}
	if consts != nil || len(e.list) == 0 || (hasNull && len(consts) == 0) {
		switch e.cls {
		case clsI:
			set := make([]int64, len(consts))
			for i, v := range consts {
				set[i] = v.RawLong()
			}
			return inSorted(x, set, func(v topology.Value) int64 { return v.RawLong() }, hit, unknown)
		case clsS:
			set := make([]string, len(consts))
			for i, v := range consts {
				set[i] = v.Str()
			}
			return inSorted(x, set, topology.Value.Str, hit, unknown)
		case clsF:
			set := make([]float64, len(consts))
			for i, v := range consts {
				set[i] = v.RawDouble()
			}
			return func(f *Frame) topology.Value {
				v := x(f)
				if v.IsNull() {
					return null
				}
				d := v.RawDouble()
				for _, s := range set {
					if d == s {
						return hit
					}
				}
				return unknown
			}
		}
	}
	list := make([]Func, len(e.list))
	for i, a := range e.list {
		list[i] = c.fn(a)
	}
	cls := e.cls
	return func(f *Frame) topology.Value {
		v := x(f)
		if v.IsNull() {
			return null
		}
		res := miss
		for _, fn := range list {
			w := fn(f)
			if w.IsNull() {
				res = null
			} else if equal(cls, v, w) {
				return hit
			}
		}
		return res
	}
}

// inSorted tests membership in a constant set: a linear scan for short
// lists, a binary search over the sorted set for long ones.
func inSorted[T int64 | string](x Func, set []T, get func(topology.Value) T, hit, unknown topology.Value) Func {
	if len(set) > 8 {
		slices.Sort(set)
		set = slices.Compact(set)
		return func(f *Frame) topology.Value {
			v := x(f)
			if v.IsNull() {
				return null
			}
			if _, ok := slices.BinarySearch(set, get(v)); ok {
				return hit
			}
			return unknown
		}
	}
	return func(f *Frame) topology.Value {
		v := x(f)
		if v.IsNull() {
			return null
		}
		k := get(v)
		for _, s := range set {
			if k == s {
				return hit
			}
		}
		return unknown
	}
}

// betweenExpr is x [NOT] BETWEEN lo AND hi (inclusive).
type betweenExpr struct {
	node
	x, lo, hi Expr
	not       bool
	cls       cmpClass
}

func (b *binder) bindBetween(n *ast.Between) Expr {
	x, lo, hi := b.bind(n.X), b.bind(n.Lo), b.bind(n.Hi)
	if isBad(x, lo, hi) {
		return &badExpr{}
	}
	all := []Expr{x, lo, hi}
	t, _, bad, ok := common(all)
	if !ok {
		return b.errorf(bad.Node(), "cannot compare %s with %s", x.Type(), bad.Type())
	}
	if t == topology.TypeBool {
		return b.errorf(n, "BETWEEN is not defined for BOOL")
	}
	if t == topology.TypeNull {
		return &constExpr{node: node{n: n, typ: topology.TypeBool, konst: true}, val: null}
	}
	all = coerceAll(all, t)
	return &betweenExpr{node: node{n: n, typ: topology.TypeBool, konst: allConst(all...)},
		x: all[0], lo: all[1], hi: all[2], not: n.Not, cls: classOf(t)}
}

func (e *betweenExpr) compile(c *compiler) Func {
	x := c.fn(e.x)
	not := e.not
	lk, lc := c.constOf(e.lo)
	hk, hc := c.constOf(e.hi)
	if lc && hc && !lk.IsNull() && !hk.IsNull() {
		switch e.cls {
		case clsI:
			lo, hi := lk.RawLong(), hk.RawLong()
			return func(f *Frame) topology.Value {
				v := x(f)
				if v.IsNull() {
					return null
				}
				n := v.RawLong()
				return topology.Bool((n >= lo && n <= hi) != not)
			}
		case clsF:
			lo, hi := lk.RawDouble(), hk.RawDouble()
			return func(f *Frame) topology.Value {
				v := x(f)
				if v.IsNull() {
					return null
				}
				n := v.RawDouble()
				return topology.Bool((n >= lo && n <= hi) != not)
			}
		}
	}
	lo, hi, cls := c.fn(e.lo), c.fn(e.hi), e.cls
	return func(f *Frame) topology.Value {
		v := x(f)
		if v.IsNull() {
			return null
		}
		// x >= lo AND x <= hi, each side unknown when its bound is NULL.
		l, h := lo(f), hi(f)
		geKnown, leKnown := !l.IsNull(), !h.IsNull()
		ge := geKnown && !less(cls, v, l) && (cls != clsF || v.RawDouble() >= l.RawDouble())
		le := leKnown && !less(cls, h, v) && (cls != clsF || v.RawDouble() <= h.RawDouble())
		switch {
		case (geKnown && !ge) || (leKnown && !le):
			return topology.Bool(not)
		case !geKnown || !leKnown:
			return null
		}
		return topology.Bool(!not)
	}
}
