package parser

import "github.com/eventflux-io/eventflux-go/sqlc/ast"

// tokKind classifies a token.
type tokKind uint8

const (
	tEOF     tokKind = iota
	tIllegal         // a lexical error, already reported
	tIdent           // bare word that is not reserved (keywords like WINDOW included)
	tQIdent          // "quoted" identifier; val holds the name
	tKeyword         // reserved word; val holds it in upper case
	tInt
	tFloat
	tString // 'text'; val holds the content
	tLParen
	tRParen
	tLBrack
	tRBrack
	tLBrace
	tRBrace
	tComma
	tDot
	tSemi
	tStar
	tPlus
	tMinus
	tSlash
	tPercent
	tEq // = or ==
	tNe // != or <>
	tLt
	tLe
	tGt
	tGe
	tArrow    // ->, only in patterns
	tQuestion // ?, only in patterns
)

// token is one lexical token. text is the source text; val is the decoded
// value for strings, quoted identifiers and keywords.
type token struct {
	kind tokKind
	text string
	val  string
	pos  ast.Pos
}

// is reports whether t is the reserved word kw (upper case).
func (t token) is(kw string) bool { return t.kind == tKeyword && t.val == kw }

// isWord reports whether t is the non-reserved bare word w (any case).
func (t token) isWord(w string) bool {
	return t.kind == tIdent && len(t.text) == len(w) && equalFoldASCII(t.text, w)
}

// isName reports whether t can be a name: a bare non-reserved word or a
// quoted identifier.
func (t token) isName() bool { return t.kind == tIdent || t.kind == tQIdent }

func equalFoldASCII(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'a' <= x && x <= 'z' {
			x -= 'a' - 'A'
		}
		if 'a' <= y && y <= 'z' {
			y -= 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

// upper returns the ASCII upper-case form of s.
func upper(s string) string {
	for i := 0; i < len(s); i++ {
		if 'a' <= s[i] && s[i] <= 'z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if 'a' <= b[j] && b[j] <= 'z' {
					b[j] -= 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}
