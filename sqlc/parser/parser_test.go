package parser

import (
	"flag"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/cockroachdb/datadriven"

	"github.com/eventflux-io/eventflux-go/sqlc/ast"
	"github.com/eventflux-io/eventflux-go/sqlc/diag"
)

// testdata is the golden corpus shared by the parser tests.
const testdata = "../testdata/parse"

// TestParse runs the golden files. Directives:
//
//	parse       SQL -> String() of each statement, or the errors
//	parse-expr  expression -> String(), or the errors
//	parse-tree  SQL or (with expr) an expression -> indented tree dump
//
// Rewrite the expectations with: go test ./sqlc/parser -run TestParse -rewrite
func TestParse(t *testing.T) {
	datadriven.Walk(t, testdata, func(t *testing.T, path string) {
		datadriven.RunTest(t, path, func(t *testing.T, d *datadriven.TestData) string {
			switch d.Cmd {
			case "parse":
				return runParse(d.Input)
			case "parse-expr":
				return runParseExpr(d.Input)
			case "parse-tree":
				if d.HasArg("expr") {
					x, errs := ParseExpr(d.Input)
					if len(errs) > 0 {
						return errorLines(errs)
					}
					return dumpTree(x)
				}
				s, errs := Parse("app.sql", d.Input)
				if len(errs) > 0 {
					return errorLines(errs)
				}
				var b strings.Builder
				for _, st := range s.Stmts {
					b.WriteString(dumpTree(st))
				}
				return b.String()
			}
			t.Fatalf("unknown directive %q", d.Cmd)
			return ""
		})
	})
}

func runParse(src string) string {
	s, errs := Parse("app.sql", src)
	if len(errs) > 0 {
		return errorLines(errs)
	}
	var b strings.Builder
	for _, st := range s.Stmts {
		b.WriteString(st.String())
		b.WriteByte('\n')
	}
	return b.String()
}

func runParseExpr(src string) string {
	x, errs := ParseExpr(src)
	if len(errs) > 0 {
		return errorLines(errs)
	}
	return x.String() + "\n"
}

func errorLines(errs diag.List) string {
	return errs.Error() + "\n"
}

// rewriting reports whether the test run rewrites the golden files; the
// tests that only read the corpus skip then.
func rewriting() bool {
	f := flag.Lookup("rewrite")
	return f != nil && f.Value.String() == "true"
}

// corpus calls fn with the directive and input of every case of the
// golden files.
func corpus(tb testing.TB, fn func(cmd, input string)) {
	files, err := filepath.Glob(filepath.Join(testdata, "*"))
	if err != nil || len(files) == 0 {
		tb.Fatalf("no golden files in %s: %v", testdata, err)
	}
	for _, path := range files {
		datadriven.RunTestAny(tb, path, func(_ testing.TB, d *datadriven.TestData) string {
			fn(d.Cmd, d.Input)
			return d.Expected
		})
	}
}

// TestRoundTrip checks that every statement of the corpus that parses
// prints SQL which parses again, without error, to the same text.
func TestRoundTrip(t *testing.T) {
	if rewriting() {
		t.Skip("golden files are being rewritten")
	}
	n := 0
	corpus(t, func(cmd, input string) {
		switch cmd {
		case "parse", "parse-tree":
			if s, errs := Parse("app.sql", input); len(errs) == 0 {
				n++
				if err := roundTripScript(s); err != nil {
					t.Errorf("%s\ninput:\n%s", err, input)
				}
			}
		case "parse-expr":
			if x, errs := ParseExpr(input); len(errs) == 0 {
				n++
				if err := roundTripExpr(x); err != nil {
					t.Errorf("%s\ninput:\n%s", err, input)
				}
			}
		}
	})
	if n < 50 {
		t.Errorf("only %d successful cases in the corpus", n)
	}
}

func roundTripScript(s *ast.Script) error {
	first := s.String()
	s2, errs := Parse("app.sql", first)
	if len(errs) > 0 {
		return fmt.Errorf("printed SQL does not parse:\n%s\nerrors:\n%s", first, errs.Error())
	}
	if second := s2.String(); second != first {
		return fmt.Errorf("round trip changed the SQL:\nfirst:  %s\nsecond: %s", first, second)
	}
	return nil
}

func roundTripExpr(x ast.Expr) error {
	first := x.String()
	x2, errs := ParseExpr(first)
	if len(errs) > 0 {
		return fmt.Errorf("printed expression does not parse: %s\nerrors:\n%s", first, errs.Error())
	}
	if second := x2.String(); second != first {
		return fmt.Errorf("round trip changed the expression:\nfirst:  %s\nsecond: %s", first, second)
	}
	return nil
}

// dumpTree renders a node as an indented tree: one line per node with its
// type, position and scalar fields, children indented below.
func dumpTree(n any) string {
	var b strings.Builder
	dumpValue(&b, "", reflect.ValueOf(n), 0)
	return b.String()
}

var posType = reflect.TypeOf(ast.Pos{})

func dumpValue(b *strings.Builder, label string, v reflect.Value, depth int) {
	for v.Kind() == reflect.Interface || v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return
		}
		v = v.Elem()
	}
	indent := strings.Repeat("  ", depth)
	if v.Kind() == reflect.Slice {
		for i := 0; i < v.Len(); i++ {
			dumpValue(b, fmt.Sprintf("%s[%d]", label, i), v.Index(i), depth)
		}
		return
	}
	if v.Kind() != reflect.Struct {
		return
	}
	b.WriteString(indent)
	if label != "" {
		b.WriteString(label + ": ")
	}
	b.WriteString(v.Type().Name())
	var children []int
	for i := 0; i < v.NumField(); i++ {
		f, fv := v.Type().Field(i), v.Field(i)
		switch {
		case f.Type == posType:
			if p := fv.Interface().(ast.Pos); p.IsValid() {
				fmt.Fprintf(b, " %s=%s", f.Name, p)
			}
		case f.Type == reflect.TypeOf(&ast.Ident{}):
			if !fv.IsNil() {
				fmt.Fprintf(b, " %s=%s@%s", f.Name, fv.Interface().(*ast.Ident), fv.Elem().FieldByName("At").Interface())
			}
		case fv.Kind() == reflect.Interface || fv.Kind() == reflect.Pointer || fv.Kind() == reflect.Slice:
			children = append(children, i)
		default:
			if s, ok := fv.Interface().(fmt.Stringer); ok && s.String() != "" {
				fmt.Fprintf(b, " %s=%s", f.Name, s)
			} else if !fv.IsZero() {
				fmt.Fprintf(b, " %s=%v", f.Name, fmtScalar(fv))
			}
		}
	}
	b.WriteByte('\n')
	for _, i := range children {
		dumpValue(b, v.Type().Field(i).Name, v.Field(i), depth+1)
	}
}

func fmtScalar(v reflect.Value) string {
	if v.Kind() == reflect.String {
		return fmt.Sprintf("%q", v.String())
	}
	return fmt.Sprint(v.Interface())
}
