package expr

import (
	"fmt"
	"strings"

	"github.com/eventflux-io/eventflux-go/sqlc/ast"
	"github.com/eventflux-io/eventflux-go/sqlc/diag"
	"github.com/eventflux-io/eventflux-go/topology"
)

// Bind type-checks e in sc. Every error found is returned, positioned at
// the offending sub-expression with its source text and, where possible, a
// hint; the Expr is nil when there are errors.
func Bind(e ast.Expr, sc Scope) (Expr, diag.List) {
	return BindWith(e, sc, Options{})
}

// BindWith is Bind with options (aggregate binding, clock).
func BindWith(e ast.Expr, sc Scope, opts Options) (out Expr, errs diag.List) {
	b := &binder{sc: sc, opts: opts}
	defer func() {
		if r := recover(); r != nil {
			out = nil
			errs = append(b.errs, diag.Errorf(e.Pos(), e.String(), "internal error binding expression: %v", r))
		}
	}()
	x := b.bind(e)
	if len(b.errs) > 0 {
		return nil, b.errs
	}
	return x, nil
}

type binder struct {
	sc   Scope
	opts Options
	errs diag.List
}

// errorf records an error about node n and returns a placeholder.
func (b *binder) errorf(n ast.Node, format string, args ...any) *badExpr {
	b.report(diag.Errorf(n.Pos(), n.String(), format, args...))
	return &badExpr{}
}

func (b *binder) report(err *diag.Error) { b.errs = append(b.errs, err) }

func (b *binder) bind(e ast.Expr) Expr {
	switch x := e.(type) {
	case *ast.Literal:
		return bindLiteral(x)
	case *ast.Duration:
		return newConst(x, topology.Long(x.Millis))
	case *ast.ColumnRef:
		col, err := b.sc.Resolve(x)
		if err != nil {
			b.report(err)
			return &badExpr{}
		}
		return &columnExpr{node: node{n: x, typ: col.Type}, col: col}
	case *ast.Paren:
		return b.bind(x.X)
	case *ast.Unary:
		return b.bindUnary(x)
	case *ast.Binary:
		switch x.Op {
		case ast.OpAdd, ast.OpSub, ast.OpMul, ast.OpDiv, ast.OpMod:
			return b.bindArith(x, x.Op, b.bind(x.L), b.bind(x.R))
		case ast.OpEq, ast.OpNe, ast.OpLt, ast.OpLe, ast.OpGt, ast.OpGe:
			return b.bindCompare(x, x.Op, b.bind(x.L), b.bind(x.R))
		case ast.OpAnd, ast.OpOr:
			return b.bindLogic(x)
		}
		return b.errorf(x, "unsupported operator")
	case *ast.IsNull:
		v := b.bind(x.X)
		if isBad(v) {
			return v
		}
		return &isNullExpr{node: node{n: x, typ: topology.TypeBool, konst: allConst(v)}, x: v, not: x.Not}
	case *ast.In:
		return b.bindIn(x)
	case *ast.Between:
		return b.bindBetween(x)
	case *ast.Like:
		return b.bindLike(x)
	case *ast.Case:
		return b.bindCase(x)
	case *ast.Cast:
		return b.bindCast(x)
	case *ast.Call:
		return b.bindCall(x)
	case *ast.Extract:
		return b.bindExtract(x)
	case nil:
		panic("nil expression")
	}
	return b.errorf(e, "unsupported expression %T", e)
}

func bindLiteral(x *ast.Literal) Expr {
	switch x.Kind {
	case ast.LitBool:
		return newConst(x, topology.Bool(x.Bool))
	case ast.LitInt:
		c := newConst(x, topology.Long(x.Int))
		c.intLit = true
		return c
	case ast.LitFloat:
		return newConst(x, topology.Double(x.Float))
	case ast.LitString:
		return newConst(x, topology.String(x.Str))
	}
	return newConst(x, null)
}

// opName renders a binary operator for messages.
func opName(op ast.BinaryOp) string {
	switch op {
	case ast.OpAdd:
		return "+"
	case ast.OpSub:
		return "-"
	case ast.OpMul:
		return "*"
	case ast.OpDiv:
		return "/"
	case ast.OpMod:
		return "%"
	case ast.OpEq:
		return "="
	case ast.OpNe:
		return "!="
	case ast.OpLt:
		return "<"
	case ast.OpLe:
		return "<="
	case ast.OpGt:
		return ">"
	case ast.OpGe:
		return ">="
	case ast.OpAnd:
		return "AND"
	case ast.OpOr:
		return "OR"
	}
	return fmt.Sprintf("op%d", op)
}

// lower is strings.ToLower for identifiers.
func lower(s string) string { return strings.ToLower(s) }
