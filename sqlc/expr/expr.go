package expr

import (
	"github.com/eventflux-io/eventflux-go/sqlc/ast"
	"github.com/eventflux-io/eventflux-go/sqlc/diag"
	"github.com/eventflux-io/eventflux-go/topology"
)

// Frame is what a compiled expression evaluates against: the current event
// of each input slot (slot 0 for a single-stream query). A nil event reads
// as all-NULL attributes.
type Frame struct{ Events []*topology.Event }

// Func is a compiled expression.
type Func func(f *Frame) topology.Value

// Column is a resolved attribute reference: the input slot, the attribute
// position in that slot's events, its type and its name.
type Column struct {
	Slot, Index int
	Type        topology.Type
	Name        string
}

// Expr is a bound, type-checked expression. Every Expr produced by this
// package can be passed to Compile.
type Expr interface {
	// Type is the static type of the expression (TypeNull only for an
	// expression that is always NULL, such as the NULL literal).
	Type() topology.Type
	// Node is the syntax the expression was bound from.
	Node() ast.Expr
	// String is the expression's source text.
	String() string
}

// Options tune Bind. The zero value is the default.
type Options struct {
	// Aggregate binds a call of an aggregate function (IsAggregate). When
	// nil, aggregate calls are the error "aggregate function 'sum' is not
	// supported yet".
	Aggregate func(call *ast.Call, sc Scope) (Expr, diag.List)
	// Clock returns the wall-clock time in epoch milliseconds for now().
	// Default: time.Now.
	Clock func() int64
}

// node is the part every bound expression shares.
type node struct {
	n     ast.Expr
	typ   topology.Type
	konst bool // no attribute access and deterministic: folded at compile time
}

func (b *node) Type() topology.Type { return b.typ }
func (b *node) Node() ast.Expr      { return b.n }
func (b *node) String() string {
	if b.n == nil {
		return "?"
	}
	return b.n.String()
}
func (b *node) isConst() bool { return b.konst }

// bound is implemented by every Expr of this package.
type bound interface {
	Expr
	isConst() bool
	compile(c *compiler) Func
}

// columnExpr reads an attribute.
type columnExpr struct {
	node
	col Column
}

// NewColumn returns an expression reading col, bound from n. The planner
// uses it, for example, to stand for an aggregate's output slot.
func NewColumn(n ast.Expr, col Column) Expr {
	return &columnExpr{node: node{n: n, typ: col.Type}, col: col}
}

// Column returns the column e reads and true when e is an attribute
// reference (parentheses and implicit conversions are not looked through).
func ColumnOf(e Expr) (Column, bool) {
	if c, ok := e.(*columnExpr); ok {
		return c.col, true
	}
	return Column{}, false
}

// funcExpr wraps a closure supplied by the caller.
type funcExpr struct {
	node
	fn Func
}

// NewFuncExpr returns an expression of type t, bound from n, that evaluates
// fn. It is never folded.
func NewFuncExpr(n ast.Expr, t topology.Type, fn Func) Expr {
	return &funcExpr{node: node{n: n, typ: t}, fn: fn}
}

func (e *funcExpr) compile(*compiler) Func { return e.fn }

// constExpr is a constant: a literal, a duration or a folded expression.
// intLit marks an integer literal (LONG) that may still become INT when its
// context is INT and it fits.
type constExpr struct {
	node
	val    topology.Value
	intLit bool
}

func newConst(n ast.Expr, v topology.Value) *constExpr {
	return &constExpr{node: node{n: n, typ: v.Kind(), konst: true}, val: v}
}

// ConstValue returns the value of e and true when e is a constant
// expression (no attribute access, deterministic), evaluating it once.
func ConstValue(e Expr) (topology.Value, bool) {
	b, ok := e.(bound)
	if !ok || !b.isConst() {
		return topology.Value{}, false
	}
	if c, ok := e.(*constExpr); ok {
		return c.val, true
	}
	return Compile(e)(&emptyFrame), true
}

var emptyFrame Frame
