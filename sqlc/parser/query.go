package parser

import (
	"github.com/eventflux-io/eventflux-go/sqlc/ast"
	"github.com/eventflux-io/eventflux-go/sqlc/diag"
)

// Clause stages of a query after FROM, in the order they must appear.
const (
	stWhere = iota
	stGroup
	stHaving
	stOrder
	stLimit
	stOffset
	stOutput
	stInsert
	stEnd
)

var clauseNames = [...]string{"WHERE", "GROUP BY", "HAVING", "ORDER BY", "LIMIT", "OFFSET", "OUTPUT", "INSERT INTO"}

// clauseWords are the first words of the clauses, for did-you-mean hints.
var clauseWords = [...]string{"WHERE", "GROUP", "HAVING", "ORDER", "LIMIT", "OFFSET", "OUTPUT", "INSERT"}

const clauseOrderHint = "clauses go in this order: WHERE, GROUP BY, HAVING, ORDER BY, LIMIT, OFFSET, OUTPUT, INSERT INTO"

// query parses the prefix form INSERT ... INTO T SELECT ... and the
// trailing form SELECT ... INSERT INTO T.
func (p *parser) query() *ast.Query {
	q := &ast.Query{At: p.tok().pos}
	if p.tok().is("INSERT") {
		q.Insert = p.insert(false)
	}
	p.expectKw("SELECT")
	q.Select = p.selectList()
	if t := p.tok(); !t.is("FROM") {
		p.fail(t, "expected FROM", typoHint(t, "FROM"))
	}
	p.i++
	q.From = p.from()
	p.clauses(q)
	return q
}

// clauseAt returns the stage of the clause starting at the current token,
// or -1.
func (p *parser) clauseAt() int {
	t := p.tok()
	switch {
	case t.is("WHERE"):
		return stWhere
	case t.is("GROUP"):
		return stGroup
	case t.is("HAVING"):
		return stHaving
	case t.is("ORDER"):
		return stOrder
	case t.is("LIMIT"):
		return stLimit
	case t.is("OFFSET"):
		return stOffset
	case t.isWord("OUTPUT"):
		return stOutput
	case t.is("INSERT"):
		return stInsert
	}
	return -1
}

// clauses parses the optional clauses after FROM, in order.
func (p *parser) clauses(q *ast.Query) {
	stage, lastExpr := stWhere, false
	for {
		c := p.clauseAt()
		if c < 0 {
			p.queryEnd(q, stage, lastExpr)
			return
		}
		t := p.tok()
		if c < stage {
			p.fail(t, clauseNames[c]+" clause is out of place", clauseOrderHint)
		}
		lastExpr = p.clause(q, c)
		stage = c + 1
	}
}

// clause parses one clause; it reports whether the clause ended with an
// expression (which an operator could have continued).
func (p *parser) clause(q *ast.Query, c int) bool {
	t := p.advance()
	switch c {
	case stWhere:
		q.Where = p.expr()
	case stGroup:
		p.expectBy(t)
		q.GroupBy = p.exprList()
	case stHaving:
		q.Having = p.expr()
	case stOrder:
		p.expectBy(t)
		q.OrderBy = p.orderList()
	case stLimit:
		q.Limit = p.expr()
	case stOffset:
		q.Offset = p.expr()
	case stOutput:
		p.i--
		q.Output = p.output()
		return false
	case stInsert:
		if q.Insert != nil {
			p.failf(t, "the query already has an INSERT INTO (at %s)", q.Insert.At)
		}
		p.i--
		q.Insert = p.insert(true)
		return false
	}
	return true
}

func (p *parser) expectBy(kw token) {
	if t := p.tok(); !t.is("BY") {
		p.fail(t, "expected BY after "+kw.val, typoHint(t, "BY"))
	}
	p.i++
}

// queryEnd checks what follows the last clause: the end of the statement,
// or a new statement (a missing ';' is reported by endStatement).
func (p *parser) queryEnd(q *ast.Query, stage int, lastExpr bool) {
	t := p.tok()
	if t.kind == tSemi || t.kind == tEOF || atStatementStart(t) || p.inPartition && t.is("END") {
		return
	}
	if t.is("WITHIN") {
		p.fail(t, "WITHIN bounds are not supported yet", "")
	}
	if t.is("JOIN") || t.is("ON") {
		p.fail(t, "joins are not supported yet", "")
	}
	var want, words []string
	for c := stage; c < stEnd; c++ {
		if c == stInsert && q.Insert != nil {
			continue
		}
		want = append(want, clauseNames[c])
		words = append(words, clauseWords[c])
	}
	want = append(want, ";")
	if lastExpr {
		words = append(words, "AND", "OR", "NOT", "IS", "IN", "LIKE", "BETWEEN")
		if stage == stOrder+1 {
			words = append(words, "ASC", "DESC")
		}
	}
	p.fail(t, "expected "+listWords(want), typoHint(t, words...))
}

// insert parses INSERT [CURRENT|EXPIRED|ALL] [EVENTS] INTO Target.
func (p *parser) insert(trailing bool) *ast.Insert {
	ins := &ast.Insert{At: p.advance().pos, Trailing: trailing}
	t := p.tok()
	switch {
	case t.isWord("CURRENT"):
		ins.Events = ast.EventsCurrent
	case t.isWord("EXPIRED"):
		ins.Events = ast.EventsExpired
	case t.isWord("ALL"):
		ins.Events = ast.EventsAll
	}
	if ins.Events != ast.EventsDefault {
		p.i++
	}
	hasEvents := p.tok().isWord("EVENTS")
	if hasEvents {
		p.i++
	}
	if t := p.tok(); !t.is("INTO") {
		words := []string{"INTO"}
		if !hasEvents {
			words = append(words, "EVENTS")
			if ins.Events == ast.EventsDefault {
				words = append(words, "CURRENT", "EXPIRED", "ALL")
			}
		}
		p.fail(t, "expected INTO", typoHint(t, words...))
	}
	p.i++
	ins.Target = p.name("target stream name")
	return ins
}

// selectList parses the projections up to FROM.
func (p *parser) selectList() []*ast.SelectItem {
	if t := p.tok(); t.isWord("DISTINCT") && startsOperand(p.peek(1)) {
		p.fail(t, "SELECT DISTINCT is not supported", "use GROUP BY to get one row per distinct value")
	}
	var items []*ast.SelectItem
	for {
		items = append(items, p.selectItem())
		if p.tok().kind != tComma {
			return items
		}
		p.i++
	}
}

// selectItem parses *, q.* or expr [[AS] alias].
func (p *parser) selectItem() *ast.SelectItem {
	t := p.tok()
	it := &ast.SelectItem{At: t.pos}
	if t.kind == tStar {
		p.i++
		it.Star = true
		return it
	}
	if t.isName() && p.peek(1).kind == tDot && p.peek(2).kind == tStar {
		it.Star = true
		it.Qualifier = p.name("qualifier")
		p.i += 2
		return it
	}
	it.Expr = p.expr()
	if p.tok().is("AS") {
		p.i++
		it.Alias = p.name("column alias")
	} else if p.implicitAlias() {
		it.Alias = p.name("column alias")
	}
	return it
}

// implicitAlias reports whether the current token is an alias written
// without AS. A word that looks like a misspelt FROM and is not followed
// by what may follow an alias is left for the FROM check, which suggests
// the keyword.
func (p *parser) implicitAlias() bool {
	t := p.tok()
	if !t.isName() {
		return false
	}
	if t.kind == tQIdent {
		return true
	}
	next := p.peek(1)
	if next.kind == tComma || next.is("FROM") || next.kind == tSemi || next.kind == tEOF {
		return true
	}
	return diag.Suggest(t.text, []string{"FROM"}) == ""
}
