package ast

import (
	"math"
	"testing"
)

// Trees built by hand (not by the parser) must still print readable SQL;
// the parser's round-trip tests cover everything the parser produces.
func TestFormatBuiltNodes(t *testing.T) {
	col := func(n string) Expr { return &ColumnRef{Name: &Ident{Name: n}} }
	for _, tc := range []struct {
		n    interface{ String() string }
		want string
	}{
		{&Duration{Millis: 5000}, "5000 MILLISECONDS"},
		{&Duration{Millis: 5000, Raw: "5 SECONDS"}, "5 SECONDS"},
		{&Ident{Name: "order"}, `"order"`},
		{&Ident{Name: "window"}, "window"},
		{&Ident{Name: `a "b"`}, `"a ""b"""`},
		{&Ident{Name: "plain", Quoted: true}, `"plain"`},
		{&Literal{Kind: LitString, Str: "it's"}, `'it''s'`},
		{&Literal{Kind: LitFloat, Float: 3}, "3.0"},
		{&Literal{Kind: LitFloat, Float: 1e21}, "1e+21"},
		{&Literal{Kind: LitFloat, Float: math.Inf(1)}, "(1.0 / 0.0)"},
		{&Unary{Op: OpNeg, X: &Literal{Kind: LitInt, Int: -5}}, "(- -5)"},
		{&Paren{X: &Binary{Op: OpAdd, L: col("a"), R: col("b")}}, "(a + b)"},
		{&Paren{X: col("a")}, "(a)"},
		{&Binary{Op: OpOr, L: col("a"), R: col("b")}, "(a OR b)"},
		{&Call{Name: &Ident{Name: "and"}, Args: []Expr{col("x")}}, "and(x)"},
		{&Call{Name: &Ident{Name: "not"}, Args: []Expr{col("x")}}, `"not"(x)`},
		{&Option{Key: "json.mapping.price", Value: "$.p", Kind: OptString}, `"json.mapping.price" = '$.p'`},
		{&Option{Key: "", Value: "x", Kind: OptIdent}, `'' = x`},
		{&Option{Key: "from", Value: "a b", Kind: OptIdent}, `"from" = "a b"`},
	} {
		if got := tc.n.String(); got != tc.want {
			t.Errorf("%#v: got %s, want %s", tc.n, got, tc.want)
		}
	}
}

func TestIsReserved(t *testing.T) {
	for w, want := range map[string]bool{"select": true, "Between": true, "WINDOW": false, "count": false, "BETWEENX": false, "": false} {
		if got := IsReserved(w); got != want {
			t.Errorf("IsReserved(%q) = %v", w, got)
		}
	}
}
