package parser

import (
	"github.com/eventflux-io/eventflux-go/sqlc/ast"
	"github.com/eventflux-io/eventflux-go/sqlc/diag"
)

// fromTypoWords are the keywords a misspelt word after the stream name is
// checked against.
var fromTypoWords = []string{"WHERE", "GROUP", "HAVING", "ORDER", "LIMIT", "OFFSET", "OUTPUT", "INSERT", "WINDOW", "JOIN"}

// from parses Stream [[AS] alias] [WINDOW('type', args...)] and rejects
// joins, patterns and sequences.
func (p *parser) from() *ast.From {
	t := p.tok()
	if (t.isWord("PATTERN") || t.isWord("SEQUENCE")) && p.peek(1).kind == tLParen {
		what := "patterns"
		if t.isWord("SEQUENCE") {
			what = "sequences"
		}
		p.fail(t, what+" are not supported yet", "")
	}
	f := &ast.From{At: t.pos, Stream: p.name("stream name")}
	p.checkIndexing()
	p.checkJoin()
	f.Alias = p.fromAlias()
	p.checkJoin()
	if t := p.tok(); t.isWord("WINDOW") && p.peek(1).kind == tLParen {
		f.Window = p.window()
		p.checkJoin()
		if t := p.tok(); t.is("AS") {
			p.fail(t, "the stream alias goes before WINDOW", "write FROM Stream AS alias WINDOW(...)")
		}
	}
	return f
}

// checkIndexing rejects Stream[filter], the pattern step syntax.
func (p *parser) checkIndexing() {
	if t := p.tok(); t.kind == tLBrack {
		p.fail(t, "stream filters in brackets are not supported yet", "filter events with WHERE")
	}
}

// checkJoin rejects every join form at the point it starts.
func (p *parser) checkJoin() {
	t := p.tok()
	switch {
	case t.is("JOIN"), t.kind == tComma, t.isWord("UNIDIRECTIONAL"):
	case t.isWord("LEFT"), t.isWord("RIGHT"), t.isWord("FULL"), t.isWord("INNER"), t.isWord("CROSS"):
		if n := p.peek(1); !n.is("JOIN") && !n.isWord("OUTER") {
			return
		}
	case t.is("WITHIN"):
		p.fail(t, "WITHIN bounds are not supported yet", "")
	default:
		return
	}
	p.fail(t, "joins are not supported yet", "")
}

// fromAlias parses an optional [AS] alias after the stream name.
func (p *parser) fromAlias() *ast.Ident {
	t := p.tok()
	if t.is("AS") {
		p.i++
		return p.name("stream alias")
	}
	if t.kind == tQIdent {
		return p.name("stream alias")
	}
	if t.kind != tIdent {
		return nil
	}
	next := p.peek(1)
	switch {
	case t.isWord("WINDOW") && next.kind == tLParen:
		return nil
	case t.isWord("OUTPUT") && !followsAlias(next):
		return nil
	case next.kind == tLParen:
		p.fail(t, "expected WINDOW(...) after the stream name", typoHint(t, "WINDOW"))
	case !followsAlias(next) && diag.Suggest(t.text, fromTypoWords) != "":
		p.fail(t, "expected "+listWords(append([]string{"WINDOW"}, clauseNames[:]...)), typoHint(t, fromTypoWords...))
	}
	return p.name("stream alias")
}

// followsAlias reports whether t may follow a stream alias.
func followsAlias(t token) bool {
	switch t.kind {
	case tSemi, tEOF, tComma:
		return true
	}
	return t.is("WHERE") || t.is("GROUP") || t.is("HAVING") || t.is("ORDER") || t.is("LIMIT") ||
		t.is("OFFSET") || t.is("INSERT") || t.is("JOIN") || t.is("WITHIN") || t.isWord("OUTPUT") ||
		t.isWord("WINDOW") || t.isWord("LEFT") || t.isWord("RIGHT") || t.isWord("FULL") ||
		t.isWord("INNER") || t.isWord("UNIDIRECTIONAL")
}

// window parses WINDOW('type', args...). Inside the arguments an integer
// followed by a time unit is a duration.
func (p *parser) window() *ast.Window {
	w := &ast.Window{At: p.advance().pos}
	p.i++ // (
	t := p.tok()
	if t.kind != tString {
		hint := "write WINDOW('length', ...), WINDOW('time', ...), ..."
		if t.kind == tIdent {
			hint = "write WINDOW('" + t.text + "', ...)"
		}
		p.fail(t, "expected the window type as a quoted string", hint)
	}
	p.i++
	w.Type = t.val
	saved := p.inWindow
	p.inWindow = true
	defer func() { p.inWindow = saved }()
	for p.tok().kind == tComma {
		p.i++
		w.Args = append(w.Args, p.expr())
	}
	if t := p.tok(); t.kind != tRParen {
		p.fail(t, "expected , or ) in the WINDOW arguments", typoHint(t, unitWords...))
	}
	p.i++
	return w
}

// output parses OUTPUT [ALL|FIRST|LAST|SNAPSHOT] EVERY (n EVENTS | duration).
func (p *parser) output() *ast.OutputRate {
	o := &ast.OutputRate{At: p.advance().pos}
	t := p.tok()
	switch {
	case t.isWord("ALL"):
		o.Mode = ast.OutputAll
	case t.isWord("FIRST"):
		o.Mode = ast.OutputFirst
	case t.isWord("LAST"):
		o.Mode = ast.OutputLast
	case t.isWord("SNAPSHOT"):
		o.Mode = ast.OutputSnapshot
	}
	if o.Mode != ast.OutputDefault {
		p.i++
	}
	if t := p.tok(); !t.is("EVERY") {
		words := []string{"EVERY"}
		if o.Mode == ast.OutputDefault {
			words = append(words, "ALL", "FIRST", "LAST", "SNAPSHOT")
		}
		p.fail(t, "expected EVERY", typoHint(t, words...))
	}
	p.i++
	p.outputEvery(o)
	return o
}

// outputEvery parses what follows OUTPUT ... EVERY.
func (p *parser) outputEvery(o *ast.OutputRate) {
	t := p.tok()
	switch {
	case t.isWord("INTERVAL") && p.peek(1).kind == tString:
		o.Every = p.interval()
		return
	case t.kind == tFloat:
		p.fail(t, "expected a whole number after EVERY", "")
	case t.kind != tInt:
		p.fail(t, "expected a number of events or a duration after EVERY", "write EVERY 10 EVENTS or EVERY 5 SECONDS")
	}
	unit := p.peek(1)
	if unit.isWord("EVENTS") {
		if o.Mode == ast.OutputSnapshot {
			p.fail(unit, "OUTPUT SNAPSHOT takes a duration, not a number of events", "write OUTPUT SNAPSHOT EVERY 5 SECONDS")
		}
		n := p.intValue(t)
		if n <= 0 {
			p.fail(t, "the number of events must be positive", "")
		}
		p.i += 2
		o.Events = n
		return
	}
	if _, ok := unitMillis(unit, false); !ok {
		p.fail(unit, "expected EVENTS or a time unit after the number", typoHint(unit, append([]string{"EVENTS"}, unitWords...)...))
	}
	o.Every = p.duration()
}
