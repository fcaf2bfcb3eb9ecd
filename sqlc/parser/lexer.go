package parser

import (
	"strings"
	"unicode/utf8"

	"github.com/eventflux-io/eventflux-go/sqlc/ast"
	"github.com/eventflux-io/eventflux-go/sqlc/diag"
)

// lexer splits the source into tokens up front. Lexical errors are
// recorded in errs and leave a tIllegal token behind so the parser stops
// at that point without reporting the same problem again.
type lexer struct {
	src       string
	off       int
	line      int
	lineStart int
	toks      []token
	errs      diag.List
}

// lex tokenises src. The result always ends with a tEOF token.
func lex(src string) ([]token, diag.List) {
	l := &lexer{src: src, line: 1, toks: make([]token, 0, len(src)/4+1)}
	if strings.HasPrefix(src, "\uFEFF") {
		l.off = 3
		l.lineStart = 3
	}
	for l.next() {
	}
	return l.toks, l.errs
}

func (l *lexer) pos() ast.Pos {
	return ast.Pos{Line: l.line, Col: l.off - l.lineStart + 1, Offset: l.off}
}

func (l *lexer) emit(kind tokKind, pos ast.Pos, val string) {
	l.toks = append(l.toks, token{kind: kind, text: l.src[pos.Offset:l.off], val: val, pos: pos})
}

func (l *lexer) errorf(pos ast.Pos, text, format string, args ...any) {
	l.errs = append(l.errs, diag.Errorf(pos, text, format, args...))
}

// newline records that the byte at off-1 was '\n'.
func (l *lexer) newline() {
	l.line++
	l.lineStart = l.off
}

// next lexes one token (after skipping blanks and comments) and reports
// whether there is more input.
func (l *lexer) next() bool {
	if !l.skipSpace() {
		l.emit(tEOF, l.pos(), "")
		return false
	}
	pos := l.pos()
	c := l.src[l.off]
	switch {
	case c == '\'':
		l.quoted(pos, '\'', tString, "string literal")
	case c == '"':
		l.quoted(pos, '"', tQIdent, "quoted identifier")
	case '0' <= c && c <= '9':
		l.number(pos)
	case c == '#' && l.innerName(pos):
	default:
		r, size := utf8.DecodeRuneInString(l.src[l.off:])
		if r != utf8.RuneError && ast.IsIdentStart(r) {
			l.word(pos)
			return true
		}
		if !l.operator(pos, c) {
			l.off += size
			l.errorf(pos, l.src[pos.Offset:l.off], "unexpected character")
			l.emit(tIllegal, pos, "")
		}
	}
	return true
}

// skipSpace skips white space and comments; it reports false at the end
// of the input.
func (l *lexer) skipSpace() bool {
	for l.off < len(l.src) {
		c := l.src[l.off]
		switch {
		case c == '\n':
			l.off++
			l.newline()
		case c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v':
			l.off++
		case c == '-' && strings.HasPrefix(l.src[l.off:], "--"):
			for l.off < len(l.src) && l.src[l.off] != '\n' {
				l.off++
			}
		case c == '/' && strings.HasPrefix(l.src[l.off:], "/*"):
			if !l.blockComment() {
				return false
			}
		default:
			return true
		}
	}
	return false
}

// blockComment skips a /* ... */ comment; an unterminated one is an error
// that consumes the rest of the input.
func (l *lexer) blockComment() bool {
	pos := l.pos()
	l.off += 2
	for l.off < len(l.src) {
		switch {
		case l.src[l.off] == '\n':
			l.off++
			l.newline()
		case strings.HasPrefix(l.src[l.off:], "*/"):
			l.off += 2
			return true
		default:
			l.off++
		}
	}
	l.errorf(pos, "/*", "unterminated comment")
	l.emit(tIllegal, pos, "")
	return false
}

// quoted lexes a 'string' or "identifier" in which a doubled quote stands
// for one quote.
func (l *lexer) quoted(pos ast.Pos, q byte, kind tokKind, what string) {
	l.off++
	var b strings.Builder
	start := l.off
	for l.off < len(l.src) {
		c := l.src[l.off]
		if c == q {
			if l.off+1 < len(l.src) && l.src[l.off+1] == q {
				b.WriteString(l.src[start : l.off+1])
				l.off += 2
				start = l.off
				continue
			}
			b.WriteString(l.src[start:l.off])
			l.off++
			l.finishQuoted(pos, kind, b.String())
			return
		}
		l.off++
		if c == '\n' {
			l.newline()
		}
	}
	l.errorf(pos, string(q), "unterminated %s", what)
	l.emit(tIllegal, pos, "")
}

func (l *lexer) finishQuoted(pos ast.Pos, kind tokKind, val string) {
	if kind == tQIdent && val == "" {
		l.errorf(pos, `""`, "empty quoted identifier")
		l.emit(tIllegal, pos, "")
		return
	}
	l.emit(kind, pos, val)
}

// number lexes 123, 1.5, 2e10, 1.5E-3. A '.' must be followed by a digit
// to belong to the number.
func (l *lexer) number(pos ast.Pos) {
	kind := tInt
	l.digits()
	if l.off+1 < len(l.src) && l.src[l.off] == '.' && isDigit(l.src[l.off+1]) {
		kind = tFloat
		l.off++
		l.digits()
	}
	if l.off < len(l.src) && (l.src[l.off] == 'e' || l.src[l.off] == 'E') {
		k := l.off + 1
		if k < len(l.src) && (l.src[k] == '+' || l.src[k] == '-') {
			k++
		}
		if k < len(l.src) && isDigit(l.src[k]) {
			kind = tFloat
			l.off = k
			l.digits()
		}
	}
	l.emit(kind, pos, "")
}

func (l *lexer) digits() {
	for l.off < len(l.src) && isDigit(l.src[l.off]) {
		l.off++
	}
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// word lexes an identifier or keyword.
func (l *lexer) word(pos ast.Pos) {
	for l.off < len(l.src) {
		r, size := utf8.DecodeRuneInString(l.src[l.off:])
		if r == utf8.RuneError || !ast.IsIdentPart(r) {
			break
		}
		l.off += size
	}
	w := l.src[pos.Offset:l.off]
	if ast.IsReserved(w) {
		l.emit(tKeyword, pos, upper(w))
		return
	}
	l.emit(tIdent, pos, w)
}

// innerName lexes #Name, a partition's inner stream, as one identifier
// (never a keyword); it reports false when no name follows the '#'.
func (l *lexer) innerName(pos ast.Pos) bool {
	r, _ := utf8.DecodeRuneInString(l.src[l.off+1:])
	if r == utf8.RuneError || !ast.IsIdentStart(r) {
		return false
	}
	l.off++
	for l.off < len(l.src) {
		r, size := utf8.DecodeRuneInString(l.src[l.off:])
		if r == utf8.RuneError || !ast.IsIdentPart(r) {
			break
		}
		l.off += size
	}
	l.emit(tIdent, pos, l.src[pos.Offset:l.off])
	return true
}

var singleOps = [256]tokKind{
	'(': tLParen, ')': tRParen, '[': tLBrack, ']': tRBrack, '{': tLBrace,
	'}': tRBrace, ',': tComma, '.': tDot, ';': tSemi, '*': tStar,
	'+': tPlus, '-': tMinus, '/': tSlash, '%': tPercent, '=': tEq,
	'<': tLt, '>': tGt, '?': tQuestion,
}

// operator lexes punctuation and operators; it reports false for a byte
// that starts none.
func (l *lexer) operator(pos ast.Pos, c byte) bool {
	two := ""
	if l.off+1 < len(l.src) {
		two = l.src[l.off : l.off+2]
	}
	var kind tokKind
	switch two {
	case "==":
		kind = tEq
	case "!=", "<>":
		kind = tNe
	case "<=":
		kind = tLe
	case ">=":
		kind = tGe
	case "->":
		kind = tArrow
	}
	if kind != 0 {
		l.off += 2
		l.emit(kind, pos, "")
		return true
	}
	if kind = singleOps[c]; kind == 0 {
		return false
	}
	l.off++
	l.emit(kind, pos, "")
	return true
}
