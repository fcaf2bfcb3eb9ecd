package expr

//go:generate go run gen_ops.go

import (
	"fmt"

	"github.com/eventflux-io/eventflux-go/sqlc/ast"
	"github.com/eventflux-io/eventflux-go/sqlc/diag"
	"github.com/eventflux-io/eventflux-go/topology"
)

// Compile turns a bound expression into a closure. Constant
// sub-expressions are folded at compile time. It panics on an Expr that
// was not produced by this package.
func Compile(e Expr) Func {
	var c compiler
	return c.fn(e)
}

// CompileFilter returns a predicate that is true only when the expression
// is TRUE (NULL and FALSE are false), as WHERE, HAVING and ON need.
func CompileFilter(e Expr) func(*Frame) bool {
	var c compiler
	return c.pred(e)
}

// RequireBool returns an error when e is not a BOOL expression; what names
// the clause ("WHERE"). A NULL literal is accepted (it filters out
// everything).
func RequireBool(e Expr, what string) *diag.Error {
	if t := e.Type(); t != topology.TypeBool && t != topology.TypeNull && !isBad(e) {
		return diag.Errorf(e.Node().Pos(), e.String(), "%s needs a BOOL expression, got %s", what, t)
	}
	return nil
}

// compiler carries compile-time settings. noFold (tests only) disables
// folding and constant specialisation so the run-time paths are exercised.
type compiler struct{ noFold bool }

// fn compiles e, folding it when it is constant.
func (c *compiler) fn(e Expr) Func {
	b, ok := e.(bound)
	if !ok {
		panic(fmt.Sprintf("expr: Compile of an Expr not bound by package expr (%T)", e))
	}
	if ce, ok := e.(*constExpr); ok {
		return constFunc(ce.val)
	}
	if b.isConst() && !c.noFold {
		return constFunc(b.compile(c)(&emptyFrame))
	}
	return b.compile(c)
}

func constFunc(v topology.Value) Func {
	return func(*Frame) topology.Value { return v }
}

// constOf returns the folded value of e when it is constant.
func (c *compiler) constOf(e Expr) (topology.Value, bool) {
	if c.noFold {
		return null, false
	}
	if ce, ok := e.(*constExpr); ok {
		return ce.val, true
	}
	if b, ok := e.(bound); ok && b.isConst() {
		return b.compile(c)(&emptyFrame), true
	}
	return null, false
}

// colOf returns the slot and index of e when it reads an attribute directly.
func colOf(e Expr) (slot, index int, ok bool) {
	if ce, isCol := e.(*columnExpr); isCol {
		return ce.col.Slot, ce.col.Index, true
	}
	return 0, 0, false
}

// pred compiles e as a predicate: true only for TRUE.
func (c *compiler) pred(e Expr) func(*Frame) bool {
	if v, ok := c.constOf(e); ok {
		t := v.AsBool()
		return func(*Frame) bool { return t }
	}
	switch x := e.(type) {
	case *logicExpr:
		l, r := c.pred(x.l), c.pred(x.r)
		if x.op == ast.OpAnd {
			return func(f *Frame) bool { return l(f) && r(f) }
		}
		return func(f *Frame) bool { return l(f) || r(f) }
	case *compareExpr:
		return x.pred(c)
	case *isNullExpr:
		fn := c.fn(x.x)
		if x.not {
			return func(f *Frame) bool { return !fn(f).IsNull() }
		}
		return func(f *Frame) bool { return fn(f).IsNull() }
	case *columnExpr:
		s, i := x.col.Slot, x.col.Index
		return func(f *Frame) bool {
			ev := f.Events[s]
			return ev != nil && ev.Values[i].AsBool()
		}
	}
	fn := c.fn(e)
	return func(f *Frame) bool { return fn(f).AsBool() }
}

func (e *constExpr) compile(*compiler) Func { return constFunc(e.val) }

func (e *columnExpr) compile(*compiler) Func {
	s, i := e.col.Slot, e.col.Index
	return func(f *Frame) topology.Value {
		ev := f.Events[s]
		if ev == nil {
			return null
		}
		return ev.Values[i]
	}
}
