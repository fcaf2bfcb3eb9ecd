package expr

import (
	"slices"
	"strings"
	"testing"

	"github.com/eventflux-io/eventflux-go/sqlc/ast"
	"github.com/eventflux-io/eventflux-go/sqlc/diag"
	"github.com/eventflux-io/eventflux-go/sqlc/parser"
	"github.com/eventflux-io/eventflux-go/topology"
)

func mustBind(t testing.TB, src string) Expr {
	t.Helper()
	n, perrs := parser.ParseExpr(src)
	if len(perrs) > 0 {
		t.Fatalf("parse %q: %v", src, perrs)
	}
	e, errs := Bind(n, NewStreamScope(testSchema, "t"))
	if len(errs) > 0 {
		t.Fatalf("bind %q: %v", src, errs)
	}
	return e
}

func TestStreamScope(t *testing.T) {
	sc := NewStreamScope(testSchema, "")
	ref := func(q, name string) *ast.ColumnRef {
		r := &ast.ColumnRef{Name: &ast.Ident{Name: name, At: ast.Pos{Line: 1, Col: 5}}}
		if q != "" {
			r.Qualifier = &ast.Ident{Name: q, At: ast.Pos{Line: 1, Col: 1}}
		}
		return r
	}
	col, err := sc.Resolve(ref("", "volume"))
	if err != nil || col != (Column{Slot: 0, Index: 2, Type: topology.TypeInt, Name: "volume"}) {
		t.Fatalf("volume: %+v %v", col, err)
	}
	if _, err := sc.Resolve(ref("Trades", "price")); err != nil {
		t.Fatal(err)
	}
	tests := []struct{ q, name, msg, hint string }{
		{"", "prcie", "unknown attribute 'prcie' in stream Trades", "did you mean 'price'?"},
		{"t", "price", "unknown stream or alias 't'", ""},
		{"Trade", "price", "unknown stream or alias 'Trade'", "did you mean 'Trades'?"},
	}
	for _, tc := range tests {
		_, err := sc.Resolve(ref(tc.q, tc.name))
		if err == nil || err.Msg != tc.msg || err.Hint != tc.hint {
			t.Errorf("%s.%s: got %+v, want %q / %q", tc.q, tc.name, err, tc.msg, tc.hint)
		}
	}
}

// TestBindHandBuilt binds AST nodes built by hand (no parser).
func TestBindHandBuilt(t *testing.T) {
	lit := func(v int64) ast.Expr { return &ast.Literal{Kind: ast.LitInt, Int: v, Raw: "1"} }
	vol := &ast.ColumnRef{Name: &ast.Ident{Name: "volume"}}
	e, errs := Bind(&ast.Binary{Op: ast.OpAdd, L: vol, R: lit(1)}, NewStreamScope(testSchema, ""))
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	if e.Type() != topology.TypeInt {
		t.Fatalf("volume + 1: %v", e.Type())
	}
	if got := Compile(e)(&Frame{Events: []*topology.Event{testEvent()}}); !got.Equal(topology.Int(501)) {
		t.Fatalf("got %v", got)
	}
	d, _ := Bind(&ast.Duration{Millis: 5000, Raw: "5 SECONDS"}, NewStreamScope(testSchema, ""))
	if v, ok := ConstValue(d); !ok || !v.Equal(topology.Long(5000)) || d.Type() != topology.TypeLong {
		t.Fatalf("duration: %v %v", v, ok)
	}
}

func TestNilEventIsNull(t *testing.T) {
	e := mustBind(t, "volume + 1")
	if v := Compile(e)(&Frame{Events: []*topology.Event{nil}}); !v.IsNull() {
		t.Fatalf("got %v", v)
	}
	if CompileFilter(mustBind(t, "volume > 1"))(&Frame{Events: []*topology.Event{nil}}) {
		t.Fatal("filter over nil event is true")
	}
	if v := Compile(mustBind(t, "eventTimestamp()"))(&Frame{}); !v.IsNull() {
		t.Fatalf("eventTimestamp without events: %v", v)
	}
}

func TestFolding(t *testing.T) {
	for _, src := range []string{"1 + 2 * 3", "upper('a') = 'A'", "CAST('5' AS INT) + 1", "date_add(0, 1, DAY)", "5 IN (1, 5)"} {
		e := mustBind(t, src)
		if _, ok := ConstValue(e); !ok {
			t.Errorf("%s: not constant", src)
		}
	}
	for _, src := range []string{"volume + 1", "now()", "uuid()", "eventTimestamp() + 1"} {
		if _, ok := ConstValue(mustBind(t, src)); ok {
			t.Errorf("%s: constant", src)
		}
	}
}

func TestAggregateHook(t *testing.T) {
	n, _ := parser.ParseExpr("sum(price) / 2")
	var seen []string
	opts := Options{Aggregate: func(call *ast.Call, sc Scope) (Expr, diag.List) {
		seen = append(seen, call.String())
		return NewColumn(call, Column{Slot: 1, Index: 0, Type: topology.TypeDouble, Name: "sum"}), nil
	}}
	e, errs := BindWith(n, NewStreamScope(testSchema, ""), opts)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	agg := topology.NewEvent(0, topology.Double(10))
	v := Compile(e)(&Frame{Events: []*topology.Event{testEvent(), agg}})
	if !v.Equal(topology.Double(5)) || len(seen) != 1 {
		t.Fatalf("got %v, seen %v", v, seen)
	}
	if !IsAggregate("STDDEV") || IsAggregate("upper") {
		t.Fatal("IsAggregate")
	}
}

func TestFunctionsList(t *testing.T) {
	names := Functions()
	if !slices.IsSorted(names) {
		t.Fatal("not sorted")
	}
	for _, want := range []string{"concat", "substr", "regexp_matches", "pow", "eventTimestamp", "date_add", "ifnull", "locate"} {
		if !slices.Contains(names, want) {
			t.Errorf("missing %s", want)
		}
	}
	for _, n := range names {
		if IsAggregate(n) {
			t.Errorf("%s is both scalar and aggregate", n)
		}
	}
}

func TestRequireBool(t *testing.T) {
	if err := RequireBool(mustBind(t, "volume + 1"), "WHERE"); err == nil || err.Msg != "WHERE needs a BOOL expression, got INT" {
		t.Fatalf("got %v", err)
	}
	if err := RequireBool(mustBind(t, "volume > 1"), "WHERE"); err != nil {
		t.Fatal(err)
	}
}

// TestNoAllocs: numeric and boolean evaluation must not allocate.
func TestNoAllocs(t *testing.T) {
	f := &Frame{Events: []*topology.Event{testEvent()}}
	for _, src := range []string{
		"price > 50 AND volume < 1000", "price * volume + 1", "volume % 7", "ts / 1000",
		"CASE WHEN price > 100 THEN 1 ELSE 2 END", "volume IN (1, 2, 500)", "abs(neg) + sign(price)",
		"coalesce(ni, volume)", "EXTRACT(HOUR FROM ts)", "symbol = 'IBM'", "symbol LIKE 'I%'",
		"date_add(ts, 1, MONTH)", "round(price, 1)", "NOT (ni IS NULL)", "price BETWEEN 1 AND 100",
	} {
		fn := Compile(mustBind(t, src))
		if n := testing.AllocsPerRun(100, func() { fn(f) }); n != 0 {
			t.Errorf("%s: %v allocs per evaluation", src, n)
		}
	}
}

func TestJavaFloat(t *testing.T) {
	for _, tc := range []struct {
		f    float64
		bits int
		want string
	}{
		{1, 64, "1.0"}, {0.5, 64, "0.5"}, {1e7, 64, "1.0E7"}, {9999999, 64, "9999999.0"},
		{1.0e-4, 64, "1.0E-4"}, {123456789012, 64, "1.23456789012E11"}, {-2.5e-10, 64, "-2.5E-10"},
		{float64(float32(3.3)), 32, "3.3"},
	} {
		if got := formatJavaFloat(tc.f, tc.bits); got != tc.want {
			t.Errorf("%v: got %s want %s", tc.f, got, tc.want)
		}
	}
}

func TestLikeMatcher(t *testing.T) {
	for _, tc := range []struct {
		p, s string
		want bool
	}{
		{"a%b%c", "aXbYc", true}, {"a%b%c", "aXbY", false}, {"%%", "", true}, {"a\\", "a\\", true},
		{"_%_", "ab", true}, {"_%_", "a", false}, {"%a_", "bab", true}, {"%a_", "ba", false},
	} {
		if got := compileLike(tc.p).match(tc.s); got != tc.want {
			t.Errorf("%q LIKE %q: got %v", tc.s, tc.p, got)
		}
	}
}

func TestErrorExcerptText(t *testing.T) {
	n, _ := parser.ParseExpr("price + symbol")
	_, errs := Bind(n, NewStreamScope(testSchema, ""))
	if len(errs) != 1 || !strings.Contains(errs[0].Excerpt("price + symbol"), "^") {
		t.Fatalf("got %v", errs)
	}
}
