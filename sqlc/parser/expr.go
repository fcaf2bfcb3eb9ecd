package parser

import (
	"github.com/eventflux-io/eventflux-go/sqlc/ast"
)

// Expression precedence, lowest first: OR; AND; NOT; comparisons and IS,
// IN, BETWEEN, LIKE; + -; * / %; unary - +; primary.

// expr parses a full expression.
func (p *parser) expr() ast.Expr {
	p.enter()
	defer p.leave()
	return p.or()
}

// enter guards the recursion depth.
func (p *parser) enter() {
	p.depth++
	if p.depth > maxDepth {
		p.fail(p.tok(), "expression is nested too deeply", "")
	}
}

func (p *parser) leave() { p.depth-- }

func (p *parser) or() ast.Expr {
	x := p.and()
	for p.tok().is("OR") {
		op := p.advance()
		x = &ast.Binary{At: op.pos, Op: ast.OpOr, L: x, R: p.and()}
	}
	return x
}

func (p *parser) and() ast.Expr {
	x := p.not()
	for p.tok().is("AND") {
		op := p.advance()
		x = &ast.Binary{At: op.pos, Op: ast.OpAnd, L: x, R: p.not()}
	}
	return x
}

func (p *parser) not() ast.Expr {
	if t := p.tok(); t.is("NOT") {
		p.i++
		p.enter()
		defer p.leave()
		return &ast.Unary{At: t.pos, Op: ast.OpNot, X: p.not()}
	}
	return p.comparison()
}

var comparisonOps = map[tokKind]ast.BinaryOp{
	tEq: ast.OpEq, tNe: ast.OpNe, tLt: ast.OpLt, tLe: ast.OpLe, tGt: ast.OpGt, tGe: ast.OpGe,
}

// comparison parses comparisons and the IS/IN/BETWEEN/LIKE predicates,
// left-associative.
func (p *parser) comparison() ast.Expr {
	x := p.additive()
	for {
		t := p.tok()
		if op, ok := comparisonOps[t.kind]; ok {
			p.i++
			x = &ast.Binary{At: t.pos, Op: op, L: x, R: p.additive()}
			continue
		}
		not := t.is("NOT")
		pt := t
		if not {
			pt = p.peek(1)
		}
		switch {
		case t.is("IS"):
			x = p.isNull(x)
		case pt.is("IN") && !p.noIn:
			x = p.in(x, t, not)
		case pt.is("BETWEEN"):
			x = p.between(x, t, not)
		case pt.is("LIKE"):
			p.i += 1 + b2i(not)
			x = &ast.Like{At: t.pos, X: x, Pattern: p.additive(), Not: not}
		default:
			return x
		}
	}
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func (p *parser) isNull(x ast.Expr) ast.Expr {
	at := p.advance().pos
	not := p.tok().is("NOT")
	if not {
		p.i++
	}
	if t := p.tok(); !t.is("NULL") {
		p.fail(t, "expected NULL after IS", "IS only tests for NULL; compare booleans with = TRUE")
	}
	p.i++
	return &ast.IsNull{At: at, X: x, Not: not}
}

func (p *parser) in(x ast.Expr, at token, not bool) ast.Expr {
	p.i += 1 + b2i(not)
	if t := p.tok(); t.kind != tLParen {
		p.fail(t, "expected ( after IN", "write x IN (a, b, c)")
	}
	p.i++
	defer p.resetFlags()()
	list := p.exprList()
	p.expect(tRParen, ", or ) in the IN list")
	return &ast.In{At: at.pos, X: x, List: list, Not: not}
}

func (p *parser) between(x ast.Expr, at token, not bool) ast.Expr {
	p.i += 1 + b2i(not)
	lo := p.additive()
	if t := p.tok(); !t.is("AND") {
		p.fail(t, "expected AND in BETWEEN", "write x BETWEEN low AND high")
	}
	p.i++
	return &ast.Between{At: at.pos, X: x, Lo: lo, Hi: p.additive(), Not: not}
}

// resetFlags clears noIn for a bracketed sub-expression and returns the
// function that restores it.
func (p *parser) resetFlags() func() {
	saved := p.noIn
	p.noIn = false
	return func() { p.noIn = saved }
}

func (p *parser) additive() ast.Expr {
	x := p.multiplicative()
	for {
		t := p.tok()
		var op ast.BinaryOp
		switch t.kind {
		case tPlus:
			op = ast.OpAdd
		case tMinus:
			op = ast.OpSub
		default:
			return x
		}
		p.i++
		x = &ast.Binary{At: t.pos, Op: op, L: x, R: p.multiplicative()}
	}
}

func (p *parser) multiplicative() ast.Expr {
	x := p.unary()
	for {
		t := p.tok()
		var op ast.BinaryOp
		switch t.kind {
		case tStar:
			op = ast.OpMul
		case tSlash:
			op = ast.OpDiv
		case tPercent:
			op = ast.OpMod
		default:
			return x
		}
		p.i++
		x = &ast.Binary{At: t.pos, Op: op, L: x, R: p.unary()}
	}
}

func (p *parser) unary() ast.Expr {
	t := p.tok()
	if t.kind != tMinus && t.kind != tPlus {
		return p.primary()
	}
	p.i++
	p.enter()
	defer p.leave()
	op := ast.OpNeg
	if t.kind == tPlus {
		op = ast.OpPlus
	}
	return &ast.Unary{At: t.pos, Op: op, X: p.unary()}
}

// exprList parses expr, expr, ...
func (p *parser) exprList() []ast.Expr {
	list := []ast.Expr{p.expr()}
	for p.tok().kind == tComma {
		p.i++
		list = append(list, p.expr())
	}
	return list
}

// orderList parses ORDER BY items: expr [ASC|DESC], ...
func (p *parser) orderList() []*ast.OrderItem {
	var items []*ast.OrderItem
	for {
		it := &ast.OrderItem{Expr: p.expr()}
		if t := p.tok(); t.isWord("DESC") {
			it.Desc = true
			p.i++
		} else if t.isWord("ASC") {
			p.i++
		}
		items = append(items, it)
		if p.tok().kind != tComma {
			return items
		}
		p.i++
	}
}

// startsOperand reports whether t can begin an operand (used to tell the
// DISTINCT modifier from a column named distinct). Signs are left out: a
// following + or - makes DISTINCT a column in an arithmetic expression.
func startsOperand(t token) bool {
	switch t.kind {
	case tIdent, tQIdent, tInt, tFloat, tString, tLParen:
		return true
	}
	return t.is("CASE") || t.is("NOT") || t.is("NULL") || t.is("TRUE") || t.is("FALSE")
}
