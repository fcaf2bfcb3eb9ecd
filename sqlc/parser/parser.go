package parser

import (
	"fmt"
	"sort"
	"strings"

	"github.com/eventflux-io/eventflux-go/sqlc/ast"
	"github.com/eventflux-io/eventflux-go/sqlc/diag"
)

// maxDepth bounds expression nesting so hostile input cannot exhaust the
// stack.
const maxDepth = 500

// bailout is the panic value that abandons the current statement after
// its error has been recorded.
type bailout struct{}

// parser is a recursive-descent parser over a pre-lexed token slice.
type parser struct {
	toks  []token
	i     int
	errs  diag.List
	depth int
	// inWindow is set while parsing WINDOW(...) arguments, where an integer
	// followed by a time unit is a duration.
	inWindow bool
	// noIn stops the comparison level at IN, for position(sub IN s).
	noIn bool
	// inPartition is set inside a PARTITION WITH block, where END may
	// follow a query.
	inPartition bool
}

// Parse parses a whole application. It returns the statements that parsed
// and every error found, sorted by position, each stamped with file.
func Parse(file, src string) (*ast.Script, diag.List) {
	script := &ast.Script{File: file}
	toks, errs := lex(src)
	p := &parser{toks: toks, errs: errs}
	func() {
		defer p.recoverInternal()
		script.Stmts = p.script()
	}()
	p.errs.SetFile(file)
	return script, p.sorted()
}

// ParseExpr parses one expression, for tests and fuzzing.
func ParseExpr(src string) (ast.Expr, diag.List) {
	toks, errs := lex(src)
	p := &parser{toks: toks, errs: errs}
	var x ast.Expr
	func() {
		defer p.recoverInternal()
		x = p.expr()
		if t := p.tok(); t.kind != tEOF {
			p.fail(t, "unexpected text after the expression", "")
		}
	}()
	if len(p.errs) > 0 {
		return nil, p.sorted()
	}
	return x, nil
}

// recoverInternal turns a bailout into a normal return and any other panic
// (a parser bug) into an error, so no panic leaves the package.
func (p *parser) recoverInternal() {
	r := recover()
	if r == nil {
		return
	}
	if _, ok := r.(bailout); ok {
		return
	}
	t := p.tok()
	p.errs = append(p.errs, diag.Errorf(t.pos, t.text, "internal parser error: %v", r))
}

func (p *parser) sorted() diag.List {
	if len(p.errs) == 0 {
		return nil
	}
	sort.SliceStable(p.errs, func(i, j int) bool { return p.errs[i].Pos.Offset < p.errs[j].Pos.Offset })
	return p.errs
}

// tok returns the current token.
func (p *parser) tok() token { return p.toks[p.i] }

// peek returns the token n places after the current one (EOF past the
// end).
func (p *parser) peek(n int) token {
	if p.i+n < len(p.toks) {
		return p.toks[p.i+n]
	}
	return p.toks[len(p.toks)-1]
}

// advance consumes and returns the current token.
func (p *parser) advance() token {
	t := p.toks[p.i]
	if t.kind != tEOF {
		p.i++
	}
	return t
}

// report records an error at t. Errors at a tIllegal token are dropped:
// the lexer already reported it.
func (p *parser) report(t token, msg, hint string) {
	if t.kind == tIllegal {
		return
	}
	text := t.text
	if t.kind == tEOF {
		msg += ", found end of input"
	}
	e := diag.Errorf(t.pos, text, "%s", msg)
	e.Hint = hint
	p.errs = append(p.errs, e)
}

// fail records an error at t and abandons the statement.
func (p *parser) fail(t token, msg, hint string) {
	p.report(t, msg, hint)
	panic(bailout{})
}

// failf is fail with a formatted message and no hint.
func (p *parser) failf(t token, format string, args ...any) {
	p.fail(t, fmt.Sprintf(format, args...), "")
}

// expect consumes a token of kind k or fails with "expected what".
func (p *parser) expect(k tokKind, what string) token {
	t := p.tok()
	if t.kind != k {
		p.fail(t, "expected "+what, "")
	}
	return p.advance()
}

// expectKw consumes the reserved word kw or fails, suggesting kw when the
// token looks like a typo of it.
func (p *parser) expectKw(kw string) token {
	t := p.tok()
	if !t.is(kw) {
		p.fail(t, "expected "+kw, typoHint(t, kw))
	}
	return p.advance()
}

// typoHint returns a did-you-mean hint when t is a word close to one of
// the candidates.
func typoHint(t token, candidates ...string) string {
	if t.kind != tIdent {
		return ""
	}
	return diag.DidYouMean(t.text, candidates)
}

// reservedHint tells how to use a reserved word as a name.
func reservedHint(t token) string {
	return fmt.Sprintf("write it in double quotes (\"%s\") to use it as a name", t.text)
}

// name parses an identifier used as a name; what describes it for errors
// ("stream name").
func (p *parser) name(what string) *ast.Ident {
	t := p.tok()
	switch t.kind {
	case tIdent:
		p.i++
		return &ast.Ident{At: t.pos, Name: t.text}
	case tQIdent:
		p.i++
		return &ast.Ident{At: t.pos, Name: t.val, Quoted: true}
	case tKeyword:
		p.fail(t, "reserved word "+t.val+" cannot be used as a "+what, reservedHint(t))
	}
	p.fail(t, "expected a "+what, "")
	return nil
}

// statementStarts lists the words a statement may start with, for the
// did-you-mean hint.
var statementStarts = []string{"CREATE", "INSERT", "SELECT", "PARTITION", "DEFINE", "UPDATE", "DELETE", "UPSERT"}

// atStatementStart reports whether t begins a new statement (used to
// recover from a missing ';' without losing the next statement).
func atStatementStart(t token) bool {
	return t.is("SELECT") || t.is("INSERT") || t.isWord("CREATE")
}

// script parses statements until the end of input, recovering from each
// error at the next ';'.
func (p *parser) script() []ast.Stmt {
	var stmts []ast.Stmt
	for {
		switch p.tok().kind {
		case tEOF:
			return stmts
		case tSemi:
			p.i++
			continue
		}
		st, ok := p.statementRecover()
		if !ok {
			p.skipStatement()
			continue
		}
		if st != nil {
			stmts = append(stmts, st)
		}
		p.endStatement()
	}
}

// statementRecover parses one statement, turning a bailout into ok=false.
func (p *parser) statementRecover() (st ast.Stmt, ok bool) {
	defer func() {
		if r := recover(); r != nil {
			if _, is := r.(bailout); !is {
				panic(r)
			}
			st, ok = nil, false
		}
	}()
	p.depth, p.inWindow, p.noIn, p.inPartition = 0, false, false, false
	return p.statement(), true
}

// statement dispatches on the first token. Unsupported statements report
// and return nil after skipping what they own.
func (p *parser) statement() ast.Stmt {
	t := p.tok()
	switch {
	case t.is("SELECT"), t.is("INSERT"):
		return p.query()
	case t.isWord("CREATE"):
		return p.create()
	case t.isWord("PARTITION"):
		return p.partition()
	case t.isWord("DEFINE"):
		p.fail(t, "define statements are not supported yet", "declare streams with CREATE STREAM Name (col TYPE, ...)")
	case t.isWord("UPDATE"):
		p.fail(t, "table updates are not supported yet", "")
	case t.isWord("DELETE"):
		p.fail(t, "table deletes are not supported yet", "")
	case t.isWord("UPSERT"):
		p.fail(t, "upserts are not supported yet", "")
	}
	hint := typoHint(t, statementStarts...)
	if hint == "" && t.is("FROM") {
		hint = "queries are written SELECT ... FROM ..."
	}
	p.fail(t, "expected a statement (CREATE STREAM, INSERT INTO or SELECT)", hint)
	return nil
}

// endStatement consumes the ';' after a statement. When it is missing but
// a new statement visibly starts, the error is reported and parsing goes
// on from there.
func (p *parser) endStatement() {
	t := p.tok()
	switch {
	case t.kind == tSemi:
		p.i++
	case t.kind == tEOF:
	case atStatementStart(t):
		p.report(t, "expected ; before the next statement", "end each statement with ';'")
	default:
		p.report(t, "expected ; after the statement", "")
		p.skipStatement()
	}
}

// skipStatement skips past the next ';' (or to the end of input).
func (p *parser) skipStatement() {
	for {
		switch p.advance().kind {
		case tSemi, tEOF:
			return
		}
	}
}

// listWords renders "A, B or C".
func listWords(words []string) string {
	switch len(words) {
	case 0:
		return ""
	case 1:
		return words[0]
	}
	return strings.Join(words[:len(words)-1], ", ") + " or " + words[len(words)-1]
}
