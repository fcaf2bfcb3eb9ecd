package expr

import (
	"strings"
	"sync/atomic"
	"unicode/utf8"

	"github.com/eventflux-io/eventflux-go/sqlc/ast"
	"github.com/eventflux-io/eventflux-go/topology"
)

// likeExpr is x [NOT] LIKE pattern.
type likeExpr struct {
	node
	x, pattern Expr
	not        bool
}

func (b *binder) bindLike(n *ast.Like) Expr {
	x, p := b.bind(n.X), b.bind(n.Pattern)
	if isBad(x, p) {
		return &badExpr{}
	}
	failed := false
	for _, e := range []Expr{x, p} {
		if t := e.Type(); t != topology.TypeString && t != topology.TypeNull {
			b.errorf(e.Node(), "LIKE needs STRING operands, got %s", t)
			failed = true
		}
	}
	if failed {
		return &badExpr{}
	}
	return &likeExpr{node: node{n: n, typ: topology.TypeBool, konst: allConst(x, p)}, x: x, pattern: p, not: n.Not}
}

func (e *likeExpr) compile(c *compiler) Func {
	x, not := c.fn(e.x), e.not
	if pv, ok := c.constOf(e.pattern); ok {
		if pv.IsNull() {
			return constFunc(null)
		}
		m := compileLike(pv.Str())
		return func(f *Frame) topology.Value {
			v := x(f)
			if v.IsNull() {
				return v
			}
			return topology.Bool(m.match(v.Str()) != not)
		}
	}
	p := c.fn(e.pattern)
	var cache atomic.Pointer[likeMatcher]
	return func(f *Frame) topology.Value {
		v := x(f)
		if v.IsNull() {
			return v
		}
		pv := p(f)
		if pv.IsNull() {
			return pv
		}
		m := cache.Load()
		if m == nil || m.src != pv.Str() {
			m = compileLike(pv.Str())
			cache.Store(m)
		}
		return topology.Bool(m.match(v.Str()) != not)
	}
}

type likeKind uint8

const (
	likeExact likeKind = iota
	likePrefix
	likeSuffix
	likeContains
	likeGeneral
)

type likeTok struct {
	kind uint8 // tokLit, tokAny, tokStar
	s    string
}

const (
	tokLit = iota
	tokAny
	tokStar
)

// likeMatcher is a precompiled LIKE pattern: % matches any sequence, _ one
// character, backslash escapes the next character (a trailing backslash is
// literal).
type likeMatcher struct {
	src  string
	kind likeKind
	lit  string
	toks []likeTok
}

func compileLike(p string) *likeMatcher {
	m := &likeMatcher{src: p}
	var toks []likeTok
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			toks = append(toks, likeTok{kind: tokLit, s: lit.String()})
			lit.Reset()
		}
	}
	for i := 0; i < len(p); i++ {
		switch ch := p[i]; ch {
		case '\\':
			if i+1 < len(p) {
				i++
			}
			lit.WriteByte(p[i])
		case '%':
			flush()
			if len(toks) == 0 || toks[len(toks)-1].kind != tokStar {
				toks = append(toks, likeTok{kind: tokStar})
			}
		case '_':
			flush()
			toks = append(toks, likeTok{kind: tokAny})
		default:
			lit.WriteByte(ch)
		}
	}
	flush()
	m.toks = toks
	m.kind = likeGeneral
	isLit := func(i int) bool { return toks[i].kind == tokLit }
	isStar := func(i int) bool { return toks[i].kind == tokStar }
	switch {
	case len(toks) == 0:
		m.kind = likeExact
	case len(toks) == 1 && isLit(0):
		m.kind, m.lit = likeExact, toks[0].s
	case len(toks) == 1 && isStar(0):
		m.kind = likePrefix // prefix "" matches everything
	case len(toks) == 2 && isLit(0) && isStar(1):
		m.kind, m.lit = likePrefix, toks[0].s
	case len(toks) == 2 && isStar(0) && isLit(1):
		m.kind, m.lit = likeSuffix, toks[1].s
	case len(toks) == 3 && isStar(0) && isLit(1) && isStar(2):
		m.kind, m.lit = likeContains, toks[1].s
	}
	return m
}

func (m *likeMatcher) match(s string) bool {
	switch m.kind {
	case likeExact:
		return s == m.lit
	case likePrefix:
		return strings.HasPrefix(s, m.lit)
	case likeSuffix:
		return strings.HasSuffix(s, m.lit)
	case likeContains:
		return strings.Contains(s, m.lit)
	}
	return matchToks(m.toks, s)
}

// matchToks is the linear-backtracking wildcard match: on a mismatch it
// retries from the last % one character further.
func matchToks(toks []likeTok, s string) bool {
	ti, si := 0, 0
	starT, starS := -1, 0
	for si < len(s) || ti < len(toks) {
		if ti < len(toks) {
			t := toks[ti]
			switch t.kind {
			case tokStar:
				starT, starS = ti, si
				ti++
				continue
			case tokAny:
				if si < len(s) {
					_, w := utf8.DecodeRuneInString(s[si:])
					si += w
					ti++
					continue
				}
			case tokLit:
				if strings.HasPrefix(s[si:], t.s) {
					si += len(t.s)
					ti++
					continue
				}
			}
		}
		if starT >= 0 && starS < len(s) {
			_, w := utf8.DecodeRuneInString(s[starS:])
			starS += w
			si, ti = starS, starT+1
			continue
		}
		return false
	}
	return true
}
