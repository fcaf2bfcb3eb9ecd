package parser

import (
	"strings"

	"github.com/eventflux-io/eventflux-go/sqlc/ast"
)

// create parses CREATE STREAM and rejects the CREATE forms that are not
// supported yet.
func (p *parser) create() ast.Stmt {
	at := p.advance().pos
	t := p.tok()
	switch {
	case t.isWord("STREAM"):
		p.i++
	case t.isWord("TABLE"):
		p.fail(t, "tables are not supported yet", "")
	case t.isWord("TRIGGER"):
		p.fail(t, "triggers are not supported yet", "")
	default:
		p.fail(t, "expected STREAM after CREATE", typoHint(t, "STREAM", "TABLE", "TRIGGER"))
	}
	s := &ast.CreateStream{At: at}
	s.Name = p.name("stream name")
	s.Columns = p.columns()
	if t := p.tok(); t.isWord("WITH") {
		p.i++
		s.With = p.options()
	} else if t.kind != tSemi && t.kind != tEOF && !atStatementStart(t) {
		p.fail(t, "expected WITH (...) or ; after the column list", typoHint(t, "WITH"))
	}
	return s
}

// columns parses "(name TYPE, ...)".
func (p *parser) columns() []*ast.ColumnDef {
	p.expect(tLParen, "( and the column list")
	var cols []*ast.ColumnDef
	for {
		if t := p.tok(); t.isWord("PRIMARY") && p.peek(1).isWord("KEY") && p.peek(2).kind == tLParen {
			p.fail(t, "PRIMARY KEY belongs to tables, which are not supported yet", "")
		}
		c := &ast.ColumnDef{Name: p.name("column name")}
		c.TypeName = p.name("column type")
		cols = append(cols, c)
		t := p.tok()
		switch t.kind {
		case tComma:
			p.i++
			continue
		case tRParen:
			p.i++
			return cols
		case tLParen:
			p.fail(t, "type parameters are not supported", "write the type without a length, e.g. "+c.TypeName.Name)
		}
		p.fail(t, "expected , or ) in the column list", "")
	}
}

// options parses "(key = value, ...)" after WITH.
func (p *parser) options() []*ast.Option {
	p.expect(tLParen, "( after WITH")
	var opts []*ast.Option
	for {
		o := &ast.Option{}
		o.KeyAt, o.Key = p.optionKey()
		p.expect(tEq, "= after the option key")
		p.optionValue(o)
		opts = append(opts, o)
		t := p.advance()
		switch t.kind {
		case tComma:
			continue
		case tRParen:
			return opts
		}
		p.fail(t, "expected , or ) in the WITH list", "")
	}
}

// optionKey parses a bare key (json.mapping.price) or a quoted one.
func (p *parser) optionKey() (ast.Pos, string) {
	t := p.advance()
	switch t.kind {
	case tString, tQIdent:
		return t.pos, t.val
	case tIdent, tKeyword:
		key := t.text
		for p.tok().kind == tDot && isWordTok(p.peek(1)) {
			key += "." + p.peek(1).text
			p.i += 2
		}
		return t.pos, key
	}
	p.fail(t, "expected an option key", "")
	return ast.Pos{}, ""
}

func isWordTok(t token) bool { return t.kind == tIdent || t.kind == tKeyword }

// optionValue parses 'text', a number, a (dotted) bare word, TRUE/FALSE
// or a "quoted" word.
func (p *parser) optionValue(o *ast.Option) {
	t := p.advance()
	o.ValueAt = t.pos
	switch {
	case t.kind == tString:
		o.Value, o.Kind = t.val, ast.OptString
	case t.kind == tInt || t.kind == tFloat:
		o.Value, o.Kind = t.text, ast.OptNumber
	case t.kind == tMinus && (p.tok().kind == tInt || p.tok().kind == tFloat):
		o.Value, o.Kind = "-"+p.advance().text, ast.OptNumber
	case t.kind == tQIdent:
		o.Value, o.Kind = t.val, ast.OptIdent
	case t.is("TRUE"), t.is("FALSE"):
		o.Value, o.Kind = t.text, ast.OptIdent
	case t.kind == tIdent:
		var b strings.Builder
		b.WriteString(t.text)
		for p.tok().kind == tDot && p.peek(1).kind == tIdent {
			b.WriteByte('.')
			b.WriteString(p.peek(1).text)
			p.i += 2
		}
		o.Value, o.Kind = b.String(), ast.OptIdent
	default:
		p.fail(t, "expected an option value (a 'string', a number or a word)", "")
	}
}
