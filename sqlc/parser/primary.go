package parser

import (
	"strconv"
	"strings"

	"github.com/eventflux-io/eventflux-go/sqlc/ast"
)

// extractUnits are the units EXTRACT accepts.
var extractUnits = []string{"YEAR", "MONTH", "WEEK", "DAY", "HOUR", "MINUTE", "SECOND", "MILLISECOND", "DOW", "DOY"}

// exprEndKeywords are reserved words that end an expression rather than
// being a misused name; no quoting hint is given for them.
var exprEndKeywords = map[string]bool{
	"SELECT": true, "FROM": true, "WHERE": true, "INSERT": true, "INTO": true, "HAVING": true,
	"AND": true, "OR": true, "THEN": true, "ELSE": true, "WHEN": true, "AS": true, "IS": true,
	"IN": true, "BETWEEN": true, "LIKE": true, "ON": true, "JOIN": true, "WITHIN": true,
	"EVERY": true, "BY": true,
}

// primary parses literals, names, calls, CASE, CAST, EXTRACT, INTERVAL
// and parenthesised expressions.
func (p *parser) primary() ast.Expr {
	t := p.tok()
	switch t.kind {
	case tInt:
		return p.intLiteral(t)
	case tFloat:
		return p.floatLiteral(t)
	case tString:
		p.i++
		return &ast.Literal{At: t.pos, Kind: ast.LitString, Str: t.val, Raw: t.text}
	case tLParen:
		return p.paren()
	case tIdent:
		return p.word(t)
	case tQIdent:
		if p.peek(1).kind == tLParen {
			return p.call()
		}
		return p.columnRef()
	case tKeyword:
		return p.keywordPrimary(t)
	}
	p.fail(t, "expected an expression", "")
	return nil
}

// keywordPrimary handles reserved words in operand position.
func (p *parser) keywordPrimary(t token) ast.Expr {
	switch t.val {
	case "NULL":
		p.i++
		return &ast.Literal{At: t.pos, Kind: ast.LitNull, Raw: t.text}
	case "TRUE", "FALSE":
		p.i++
		return &ast.Literal{At: t.pos, Kind: ast.LitBool, Bool: t.val == "TRUE", Raw: t.text}
	case "CASE":
		return p.caseExpr()
	case "AND", "OR":
		// and(x) and or(x) are aggregates.
		if p.peek(1).kind == tLParen {
			return p.call()
		}
	}
	hint := ""
	if !exprEndKeywords[t.val] && !p.peek(1).is("BY") {
		hint = t.val + " is a reserved word; " + reservedHint(t)
	}
	p.fail(t, "expected an expression", hint)
	return nil
}

func (p *parser) intLiteral(t token) ast.Expr {
	if p.inWindow {
		if _, ok := unitMillis(p.peek(1), false); ok {
			return p.duration()
		}
		if u := p.peek(1); isIntervalOnlyUnit(u) {
			p.fail(u, upper(u.text)+" is only allowed in INTERVAL", "write INTERVAL '"+t.text+"' "+upper(u.text))
		}
	}
	n := p.intValue(t)
	p.i++
	return &ast.Literal{At: t.pos, Kind: ast.LitInt, Int: n, Raw: t.text}
}

func (p *parser) floatLiteral(t token) ast.Expr {
	if p.inWindow {
		if _, ok := unitMillis(p.peek(1), false); ok {
			p.fail(t, "a duration takes a whole number", "use a smaller unit, e.g. 1500 MILLISECONDS")
		}
	}
	f, err := strconv.ParseFloat(t.text, 64)
	if err != nil {
		p.fail(t, "number out of range", "")
	}
	p.i++
	return &ast.Literal{At: t.pos, Kind: ast.LitFloat, Float: f, Raw: t.text}
}

// paren parses ( expr ).
func (p *parser) paren() ast.Expr {
	at := p.advance().pos
	defer p.resetFlags()()
	x := p.expr()
	p.expect(tRParen, ")")
	return &ast.Paren{At: at, X: x}
}

// word parses an operand starting with a non-reserved word: INTERVAL
// '5' SECOND, a special form (CAST, EXTRACT, position, substring), a call
// or a column reference.
func (p *parser) word(t token) ast.Expr {
	next := p.peek(1)
	if t.isWord("INTERVAL") && next.kind == tString {
		return p.interval()
	}
	if next.kind != tLParen {
		return p.columnRef()
	}
	switch {
	case t.isWord("CAST"):
		return p.cast()
	case t.isWord("EXTRACT"):
		return p.extract()
	}
	return p.call()
}

// columnRef parses name or qualifier.name.
func (p *parser) columnRef() ast.Expr {
	c := &ast.ColumnRef{Name: p.name("column name")}
	if p.tok().kind == tDot {
		p.i++
		if t := p.tok(); t.kind == tStar {
			p.fail(t, c.Name.Name+".* is only allowed in the SELECT list", "")
		}
		c.Qualifier, c.Name = c.Name, p.name("column name")
	}
	switch t := p.tok(); t.kind {
	case tLBrack:
		p.fail(t, "pattern indexing is not supported yet", "")
	case tDot:
		p.fail(t, "a column reference has at most one qualifier (qualifier.name)", "")
	}
	return c
}

// call parses f(args), count(*), f(DISTINCT args), position(sub IN s) and
// substring(s FROM a [FOR b]).
func (p *parser) call() ast.Expr {
	nt := p.advance()
	c := &ast.Call{At: nt.pos, Name: &ast.Ident{At: nt.pos, Name: nt.text}}
	if nt.kind == tQIdent {
		c.Name.Name, c.Name.Quoted = nt.val, true
	}
	p.i++ // (
	defer p.resetFlags()()
	t := p.tok()
	switch {
	case t.kind == tRParen:
		p.i++
		return c
	case t.kind == tStar:
		if !strings.EqualFold(c.Name.Name, "count") {
			p.fail(t, "only count accepts *", "")
		}
		p.i++
		c.Star = true
		p.expect(tRParen, ") after *")
		return c
	case t.isWord("DISTINCT") && startsOperand(p.peek(1)):
		p.i++
		c.Distinct = true
	}
	special := nt.kind == tIdent && !c.Distinct
	if special && strings.EqualFold(nt.text, "position") {
		p.noIn = true
	}
	first := p.expr()
	p.noIn = false
	c.Args = []ast.Expr{first}
	if special && p.specialArgs(c, nt) {
		return c
	}
	for p.tok().kind == tComma {
		p.i++
		c.Args = append(c.Args, p.expr())
	}
	p.expect(tRParen, ", or ) in the argument list")
	return c
}

// specialArgs finishes position(sub IN s) and substring(s FROM a [FOR b]);
// it reports false when the call uses plain commas.
func (p *parser) specialArgs(c *ast.Call, nt token) bool {
	t := p.tok()
	switch {
	case t.is("IN") && strings.EqualFold(nt.text, "position"):
		p.i++
		c.Args = append(c.Args, p.expr())
	case t.is("FROM") && strings.EqualFold(nt.text, "substring"):
		p.i++
		c.Args = append(c.Args, p.expr())
		if p.tok().isWord("FOR") {
			p.i++
			c.Args = append(c.Args, p.expr())
		}
	default:
		return false
	}
	p.expect(tRParen, ")")
	return true
}

// cast parses CAST(x AS type).
func (p *parser) cast() ast.Expr {
	c := &ast.Cast{At: p.advance().pos}
	p.i++ // (
	defer p.resetFlags()()
	c.X = p.expr()
	if t := p.tok(); !t.is("AS") {
		p.fail(t, "expected AS in CAST", "write CAST(x AS type)")
	}
	p.i++
	c.TypeName = p.name("type name")
	p.expect(tRParen, ") after the CAST type")
	return c
}

// extract parses EXTRACT(unit FROM x).
func (p *parser) extract() ast.Expr {
	e := &ast.Extract{At: p.advance().pos}
	p.i++ // (
	defer p.resetFlags()()
	t := p.tok()
	u := upper(t.text)
	valid := false
	for _, w := range extractUnits {
		valid = valid || (t.kind == tIdent && u == w)
	}
	if !valid {
		p.fail(t, "expected an EXTRACT unit: "+listWords(extractUnits), typoHint(t, extractUnits...))
	}
	p.i++
	e.Unit, e.UnitAt = u, t.pos
	if t := p.tok(); !t.is("FROM") {
		p.fail(t, "expected FROM in EXTRACT", "write EXTRACT(unit FROM x)")
	}
	p.i++
	e.X = p.expr()
	p.expect(tRParen, ") after EXTRACT")
	return e
}

// caseExpr parses CASE [operand] WHEN c THEN r ... [ELSE e] END.
func (p *parser) caseExpr() ast.Expr {
	c := &ast.Case{At: p.advance().pos}
	defer p.resetFlags()()
	if t := p.tok(); t.is("END") {
		p.fail(t, "CASE needs at least one WHEN ... THEN ...", "")
	}
	if !p.tok().is("WHEN") {
		c.Operand = p.expr()
	}
	if t := p.tok(); !t.is("WHEN") {
		p.fail(t, "expected WHEN in CASE", typoHint(t, "WHEN"))
	}
	for p.tok().is("WHEN") {
		p.i++
		w := &ast.When{Cond: p.expr()}
		if t := p.tok(); !t.is("THEN") {
			p.fail(t, "expected THEN after the WHEN condition", typoHint(t, "THEN"))
		}
		p.i++
		w.Result = p.expr()
		c.Whens = append(c.Whens, w)
	}
	if p.tok().is("ELSE") {
		p.i++
		c.Else = p.expr()
	}
	if t := p.tok(); !t.is("END") {
		p.fail(t, "expected WHEN, ELSE or END in CASE", typoHint(t, "WHEN", "ELSE", "END"))
	}
	p.i++
	return c
}
