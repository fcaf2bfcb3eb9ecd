// Package diag holds the positioned compile errors shared by every stage of
// the SQL compiler, and the "did you mean" suggester they use.
package diag

import (
	"fmt"
	"sort"
	"strings"

	"github.com/eventflux-io/eventflux-go/sqlc/ast"
)

// Error is one compile error: where (file, line, column), what text it is
// about, what is wrong, and when possible a hint on how to fix it.
type Error struct {
	File string
	Pos  ast.Pos
	// Text is the offending source text (a token, a name, an expression).
	Text string
	Msg  string
	// Hint is a suggestion ("did you mean 'price'?"), or "".
	Hint string
}

// Errorf returns an Error at pos about text.
func Errorf(pos ast.Pos, text, format string, args ...any) *Error {
	return &Error{Pos: pos, Text: text, Msg: fmt.Sprintf(format, args...)}
}

// WithHint sets the hint and returns e.
func (e *Error) WithHint(format string, args ...any) *Error {
	e.Hint = fmt.Sprintf(format, args...)
	return e
}

// Error renders "file:line:col: msg (near "text"); hint: ...".
func (e *Error) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File)
		b.WriteByte(':')
	}
	fmt.Fprintf(&b, "%d:%d: %s", e.Pos.Line, e.Pos.Col, e.Msg)
	if e.Text != "" {
		fmt.Fprintf(&b, " (at %q)", e.Text)
	}
	if e.Hint != "" {
		b.WriteString("; hint: ")
		b.WriteString(e.Hint)
	}
	return b.String()
}

// Excerpt renders the error followed by the source line it points at and a
// caret under the offending text, for terminal output.
func (e *Error) Excerpt(src string) string {
	var b strings.Builder
	b.WriteString(e.Error())
	lines := strings.Split(src, "\n")
	if e.Pos.Line >= 1 && e.Pos.Line <= len(lines) {
		line := strings.TrimRight(lines[e.Pos.Line-1], "\r")
		b.WriteString("\n    ")
		b.WriteString(strings.ReplaceAll(line, "\t", " "))
		b.WriteString("\n    ")
		col := e.Pos.Col - 1
		if col < 0 || col > len(line) {
			col = len(line)
		}
		b.WriteString(strings.Repeat(" ", col))
		n := len(e.Text)
		if n == 0 || col+n > len(line) || strings.Contains(e.Text, "\n") {
			n = 1
		}
		b.WriteString(strings.Repeat("^", n))
	}
	return b.String()
}

// List is every error of one compilation, in source order.
type List []*Error

// Error joins the errors one per line.
func (l List) Error() string {
	msgs := make([]string, len(l))
	for i, e := range l {
		msgs[i] = e.Error()
	}
	return strings.Join(msgs, "\n")
}

// Err returns nil for an empty list, else the list sorted by position.
func (l List) Err() error {
	if len(l) == 0 {
		return nil
	}
	sort.SliceStable(l, func(i, j int) bool { return l[i].Pos.Offset < l[j].Pos.Offset })
	return l
}

// SetFile stamps file on every error that has none.
func (l List) SetFile(file string) {
	for _, e := range l {
		if e.File == "" {
			e.File = file
		}
	}
}

// Suggest returns the candidate closest to name (case-insensitive edit
// distance), or "" when none is close enough to be a plausible typo.
func Suggest(name string, candidates []string) string {
	best, bestD := "", 1<<30
	ln := strings.ToLower(name)
	for _, c := range candidates {
		d := distance(ln, strings.ToLower(c))
		if d < bestD || (d == bestD && c < best) {
			best, bestD = c, d
		}
	}
	limit := 2
	switch {
	case len(name) <= 2:
		limit = 0 // one letter off a one- or two-letter name is no evidence of a typo
	case len(name) <= 3:
		limit = 1
	}
	if len(name) >= 8 {
		limit = 3
	}
	if best == "" || bestD > limit {
		return ""
	}
	return best
}

// DidYouMean returns "did you mean 'x'?" for the closest candidate, or "".
func DidYouMean(name string, candidates []string) string {
	if s := Suggest(name, candidates); s != "" {
		return fmt.Sprintf("did you mean '%s'?", s)
	}
	return ""
}

// distance is the optimal-string-alignment (Damerau–Levenshtein) distance,
// so a swapped pair of letters ("prcie") counts as one edit.
func distance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev2 := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(rb)]
}
