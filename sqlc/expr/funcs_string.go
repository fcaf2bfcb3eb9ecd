package expr

import (
	"hash/maphash"
	"regexp"
	"strings"
	"sync/atomic"
	"unicode/utf8"

	"github.com/eventflux-io/eventflux-go/sqlc/ast"
	"github.com/eventflux-io/eventflux-go/topology"
)

// MaxStringLen bounds the strings repeat, lpad and rpad build: a longer
// result is NULL instead of exhausting memory.
const MaxStringLen = 1 << 24

func init() {
	S, I := argString, argIntegral
	str, i32 := topology.TypeString, topology.TypeInt
	register(funcDef{name: "concat", min: 1, max: -1, bind: typed(str, buildConcat, argAny)})
	register(funcDef{name: "length", min: 1, max: 1, bind: typed(i32, strict1(func(a topology.Value) topology.Value {
		return topology.Int(int32(utf8.RuneCountInString(a.Str())))
	}), S)})
	register(funcDef{name: "upper", min: 1, max: 1, bind: typed(str, strFn(strings.ToUpper), S)})
	register(funcDef{name: "lower", min: 1, max: 1, bind: typed(str, strFn(strings.ToLower), S)})
	register(funcDef{name: "trim", min: 1, max: 1, bind: typed(str, strFn(trimJava), S)})
	register(funcDef{name: "ltrim", min: 1, max: 1, bind: typed(str, strFn(func(s string) string {
		return strings.TrimLeftFunc(s, func(r rune) bool { return r <= ' ' })
	}), S)})
	register(funcDef{name: "rtrim", min: 1, max: 1, bind: typed(str, strFn(func(s string) string {
		return strings.TrimRightFunc(s, func(r rune) bool { return r <= ' ' })
	}), S)})
	register(funcDef{name: "reverse", min: 1, max: 1, bind: typed(str, strFn(reverse), S)})
	register(funcDef{name: "substring", min: 2, max: 3, bind: typed(str, strictN(nil,
		func(s, start topology.Value) topology.Value {
			return topology.String(substring(s.Str(), start.RawLong(), -1, false))
		},
		func(s, start, n topology.Value) topology.Value {
			return topology.String(substring(s.Str(), start.RawLong(), n.RawLong(), true))
		}), S, I, I)}, "substr")
	register(funcDef{name: "replace", min: 3, max: 3, bind: typed(str, strict3(func(s, from, to topology.Value) topology.Value {
		if n := strings.Count(s.Str(), from.Str()); n > 0 && len(s.Str())+n*(len(to.Str())-len(from.Str())) > MaxStringLen {
			return null
		}
		return topology.String(strings.ReplaceAll(s.Str(), from.Str(), to.Str()))
	}), S, S, S)})
	register(funcDef{name: "left", min: 2, max: 2, bind: typed(str, strict2(func(s, n topology.Value) topology.Value {
		if n.RawLong() <= 0 {
			return topology.String("")
		}
		return topology.String(s.Str()[:runeOffset(s.Str(), n.RawLong())])
	}), S, I)})
	register(funcDef{name: "right", min: 2, max: 2, bind: typed(str, strict2(func(s, n topology.Value) topology.Value {
		str, k := s.Str(), n.RawLong()
		rc := int64(utf8.RuneCountInString(str))
		switch {
		case k <= 0:
			return topology.String("")
		case k >= rc:
			return s
		}
		return topology.String(str[runeOffset(str, rc-k):])
	}), S, I)})
	register(funcDef{name: "repeat", min: 2, max: 2, bind: typed(str, strict2(func(s, n topology.Value) topology.Value {
		k := n.RawLong()
		if k <= 0 || s.Str() == "" {
			return topology.String("")
		}
		if k > MaxStringLen/int64(len(s.Str())) {
			return null
		}
		return topology.String(strings.Repeat(s.Str(), int(k)))
	}), S, I)})
	register(funcDef{name: "lpad", min: 2, max: 3, bind: typed(str, padBuilder(true), S, I, S)})
	register(funcDef{name: "rpad", min: 2, max: 3, bind: typed(str, padBuilder(false), S, I, S)})
	register(funcDef{name: "position", min: 2, max: 2, bind: typed(i32, strict2(func(sub, s topology.Value) topology.Value {
		return topology.Int(position(s.Str(), sub.Str()))
	}), S, S)}, "locate")
	register(funcDef{name: "instr", min: 2, max: 2, bind: typed(i32, strict2(func(s, sub topology.Value) topology.Value {
		return topology.Int(position(s.Str(), sub.Str()))
	}), S, S)})
	register(funcDef{name: "ascii", min: 1, max: 1, bind: typed(i32, strict1(func(s topology.Value) topology.Value {
		if s.Str() == "" {
			return topology.Int(0)
		}
		r, _ := utf8.DecodeRuneInString(s.Str())
		return topology.Int(int32(r))
	}), S)})
	register(funcDef{name: "chr", min: 1, max: 1, bind: typed(str, strict1(func(n topology.Value) topology.Value {
		c := n.RawLong()
		if c < 0 || c > utf8.MaxRune || (c >= 0xD800 && c <= 0xDFFF) {
			return null
		}
		return topology.String(string(rune(c)))
	}), I)}, "char")
	register(funcDef{name: "regexp_matches", min: 2, max: 2, bind: bindRegexp})
}

func strFn(fn func(string) string) builder {
	return strict1(func(a topology.Value) topology.Value { return topology.String(fn(a.Str())) })
}

func buildConcat(c *compiler, args []Expr) Func {
	fns := make([]Func, len(args))
	for i, a := range args {
		fns[i] = c.fn(a)
	}
	if len(fns) == 2 && args[0].Type() == topology.TypeString && args[1].Type() == topology.TypeString {
		x, y := fns[0], fns[1]
		return func(f *Frame) topology.Value {
			a := x(f)
			if a.IsNull() {
				return a
			}
			b := y(f)
			if b.IsNull() {
				return b
			}
			return topology.String(a.Str() + b.Str())
		}
	}
	// concat is NULL when any argument is NULL (standard SQL; Siddhi's
	// str:concat would render "null").
	return func(f *Frame) topology.Value {
		var sb strings.Builder
		for _, fn := range fns {
			v := fn(f)
			if v.IsNull() {
				return null
			}
			if v.Kind() == topology.TypeString {
				sb.WriteString(v.Str())
			} else {
				sb.WriteString(formatValue(v))
			}
		}
		return topology.String(sb.String())
	}
}

func reverse(s string) string {
	b := make([]byte, len(s))
	i := len(b)
	for _, r := range s {
		n := utf8.RuneLen(r)
		if n < 0 { // invalid byte: copied as U+FFFD would grow the string
			r, n = utf8.RuneError, 3
		}
		i -= n
		if i < 0 {
			return string(reverseRunes(s))
		}
		utf8.EncodeRune(b[i:], r)
	}
	return string(b[i:])
}

func reverseRunes(s string) []rune {
	r := []rune(s)
	for i, j := 0, len(r)-1; i < j; i, j = i+1, j-1 {
		r[i], r[j] = r[j], r[i]
	}
	return r
}

// runeOffset returns the byte offset of the n-th character of s (0-based),
// or len(s) when s is shorter.
func runeOffset(s string, n int64) int {
	if n <= 0 {
		return 0
	}
	for i := range s {
		if n == 0 {
			return i
		}
		n--
	}
	return len(s)
}

// substring is 1-based; a start below 1 counts as 1; a negative length is
// empty.
func substring(s string, start, n int64, hasLen bool) string {
	if start < 1 {
		start = 1
	}
	begin := runeOffset(s, start-1)
	rest := s[begin:]
	if !hasLen {
		return rest
	}
	if n <= 0 {
		return ""
	}
	return rest[:runeOffset(rest, n)]
}

// position returns the 1-based character position of sub in s, 0 if
// absent.
func position(s, sub string) int32 {
	i := strings.Index(s, sub)
	if i < 0 {
		return 0
	}
	return int32(utf8.RuneCountInString(s[:i])) + 1
}

// padBuilder builds lpad/rpad(s, n[, pad]): the result is exactly n
// characters: s truncated when longer, else padded with pad (default a
// space) repeated as needed.
func padBuilder(left bool) builder {
	pad := func(s string, n int64, p string) topology.Value {
		if n <= 0 {
			return topology.String("")
		}
		rc := int64(utf8.RuneCountInString(s))
		if n <= rc {
			return topology.String(s[:runeOffset(s, n)])
		}
		if p == "" {
			return topology.String(s)
		}
		if n > MaxStringLen {
			return null
		}
		need := n - rc
		pr := int64(utf8.RuneCountInString(p))
		fill := strings.Repeat(p, int(need/pr)) + p[:runeOffset(p, need%pr)]
		if left {
			return topology.String(fill + s)
		}
		return topology.String(s + fill)
	}
	return strictN(nil,
		func(s, n topology.Value) topology.Value { return pad(s.Str(), n.RawLong(), " ") },
		func(s, n, p topology.Value) topology.Value { return pad(s.Str(), n.RawLong(), p.Str()) })
}

func bindRegexp(b *binder, n *ast.Call, args []Expr) Expr {
	if !b.checkArgs(n, args, argString, argString) {
		return &badExpr{}
	}
	if v, ok := ConstValue(args[1]); ok && !v.IsNull() {
		if _, err := regexp.Compile(v.Str()); err != nil {
			return b.errorf(args[1].Node(), "invalid regular expression: %v", err)
		}
	}
	return newCall(n, topology.TypeBool, args, true, buildRegexp)
}

func buildRegexp(c *compiler, args []Expr) Func {
	x := c.fn(args[0])
	if v, ok := c.constOf(args[1]); ok {
		if v.IsNull() {
			return constFunc(null)
		}
		re := regexp.MustCompile(v.Str())
		return func(f *Frame) topology.Value {
			s := x(f)
			if s.IsNull() {
				return s
			}
			return topology.Bool(re.MatchString(s.Str()))
		}
	}
	p := c.fn(args[1])
	cache := new(regexpCache)
	return func(f *Frame) topology.Value {
		s := x(f)
		if s.IsNull() {
			return s
		}
		pv := p(f)
		if pv.IsNull() {
			return pv
		}
		re := cache.get(pv.Str())
		if re == nil {
			return null
		}
		return topology.Bool(re.MatchString(s.Str()))
	}
}

// regexpCache holds the most recently used run-time patterns, one per
// hash bucket. It is safe for concurrent use and does not allocate on a
// hit. An invalid pattern is cached as a nil regexp.
type regexpCache struct {
	entries [8]atomic.Pointer[regexpEntry]
}

type regexpEntry struct {
	src string
	re  *regexp.Regexp
}

var regexpSeed = maphash.MakeSeed()

func (rc *regexpCache) get(src string) *regexp.Regexp {
	slot := &rc.entries[maphash.String(regexpSeed, src)%uint64(len(rc.entries))]
	if e := slot.Load(); e != nil && e.src == src {
		return e.re
	}
	re, err := regexp.Compile(src)
	if err != nil {
		re = nil
	}
	slot.Store(&regexpEntry{src: src, re: re})
	return re
}
