package expr

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/eventflux-io/eventflux-go/sqlc/diag"
	"github.com/eventflux-io/eventflux-go/sqlc/parser"
	"github.com/eventflux-io/eventflux-go/topology"
)

var rewrite = flag.Bool("rewrite", false, "rewrite testdata/*.txt expectations with the actual results")

// testSchema is the stream every golden expression is bound against.
var testSchema = topology.NewSchema("Trades",
	topology.Attribute{Name: "symbol", Type: topology.TypeString},
	topology.Attribute{Name: "price", Type: topology.TypeDouble},
	topology.Attribute{Name: "volume", Type: topology.TypeInt},
	topology.Attribute{Name: "ts", Type: topology.TypeLong},
	topology.Attribute{Name: "f", Type: topology.TypeFloat},
	topology.Attribute{Name: "flag", Type: topology.TypeBool},
	topology.Attribute{Name: "ni", Type: topology.TypeInt},
	topology.Attribute{Name: "ns", Type: topology.TypeString},
	topology.Attribute{Name: "nd", Type: topology.TypeDouble},
	topology.Attribute{Name: "nl", Type: topology.TypeLong},
	topology.Attribute{Name: "nb", Type: topology.TypeBool},
	topology.Attribute{Name: "big", Type: topology.TypeLong},
	topology.Attribute{Name: "neg", Type: topology.TypeInt},
	topology.Attribute{Name: "pat", Type: topology.TypeString},
	topology.Attribute{Name: "day", Type: topology.TypeInt},
)

// testEvent: 2023-11-14T22:13:20.123Z (a Tuesday).
func testEvent() *topology.Event {
	return topology.NewEvent(1700000000123,
		topology.String("IBM"), topology.Double(75.5), topology.Int(500), topology.Long(1700000000123),
		topology.Float(2.5), topology.Bool(true),
		topology.Null(), topology.Null(), topology.Null(), topology.Null(), topology.Null(),
		topology.Long(9007199254740993), topology.Int(-7), topology.String("I%"), topology.Int(3),
	)
}

// evalSrc parses, binds and evaluates src against testEvent, rendering
// "TYPE value" or the errors. It also checks the invariants every
// expression must keep: the value's kind is the static type (or NULL),
// folding does not change the result, and CompileFilter agrees with Compile.
func evalSrc(t testing.TB, src string) string {
	ast, perrs := parser.ParseExpr(src)
	if len(perrs) > 0 {
		return "parse error: " + perrs.Error()
	}
	sc := NewStreamScope(testSchema, "t")
	e, errs := BindWith(ast, sc, Options{Clock: func() int64 { return 1234 }})
	if len(errs) > 0 {
		return "error: " + joinErrs(errs)
	}
	f := &Frame{Events: []*topology.Event{testEvent()}}
	v := Compile(e)(f)
	if !v.IsNull() && v.Kind() != e.Type() {
		t.Errorf("%s: value %v has kind %v, static type %v", src, v, v.Kind(), e.Type())
	}
	if !isVolatile(src) {
		nf := (&compiler{noFold: true}).fn(e)(f)
		if !sameValue(nf, v) {
			t.Errorf("%s: folded %v, unfolded %v", src, v, nf)
		}
	}
	if e.Type() == topology.TypeBool || e.Type() == topology.TypeNull {
		if got, want := CompileFilter(e)(f), v.AsBool(); got != want {
			t.Errorf("%s: filter %v, value %v", src, got, v)
		}
		if got := (&compiler{noFold: true}).pred(e)(f); got != v.AsBool() {
			t.Errorf("%s: unfolded filter %v, value %v", src, got, v)
		}
	}
	return fmt.Sprintf("%s %s", e.Type(), v)
}

func isVolatile(src string) bool {
	s := strings.ToLower(src)
	return strings.Contains(s, "uuid(")
}

func sameValue(a, b topology.Value) bool {
	if a.Kind() == topology.TypeDouble || a.Kind() == topology.TypeFloat {
		x, y := a.RawDouble(), b.RawDouble()
		if x != x && y != y {
			return a.Kind() == b.Kind()
		}
	}
	return a.Equal(b)
}

func joinErrs(errs diag.List) string {
	msgs := make([]string, len(errs))
	for i, e := range errs {
		msgs[i] = e.Error()
	}
	return strings.Join(msgs, " | ")
}

// TestGolden evaluates every "expr => result" line of testdata/*.txt.
// Lines starting with # and blank lines are kept as they are.
func TestGolden(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.txt")
	if len(files) == 0 {
		t.Fatal("no testdata")
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
			changed := false
			for i, line := range lines {
				if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
					continue
				}
				src, want, _ := strings.Cut(line, " => ")
				src = strings.TrimSpace(src)
				got := evalSrc(t, src)
				if got != strings.TrimSpace(want) {
					if *rewrite {
						lines[i] = src + " => " + got
						changed = true
						continue
					}
					t.Errorf("%s:%d: %s\n  got  %s\n  want %s", file, i+1, src, got, strings.TrimSpace(want))
				}
			}
			if changed {
				if err := os.WriteFile(file, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}
