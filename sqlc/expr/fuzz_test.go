package expr

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/eventflux-io/eventflux-go/sqlc/parser"
	"github.com/eventflux-io/eventflux-go/topology"
)

// fuzzEvents are the fixed inputs every fuzzed expression is evaluated
// over: the test event, an all-NULL event and one of extreme values.
func fuzzEvents() []*topology.Event {
	nulls := make([]topology.Value, testSchema.Len())
	return []*topology.Event{
		testEvent(),
		topology.NewEvent(-1, nulls...),
		topology.NewEvent(math.MinInt64,
			topology.String("\xff%_\\é"), topology.Double(math.NaN()), topology.Int(math.MinInt32),
			topology.Long(math.MinInt64), topology.Float(float32(math.Inf(-1))), topology.Bool(false),
			topology.Int(-1), topology.String(""), topology.Double(math.Inf(1)), topology.Long(math.MaxInt64),
			topology.Bool(true), topology.Long(-1), topology.Int(0), topology.String("(["), topology.Int(math.MaxInt32)),
	}
}

// FuzzEval parses, binds and evaluates random expressions: nothing may
// panic, and every value must have its expression's static type.
func FuzzEval(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.txt")
	for _, file := range files {
		data, _ := os.ReadFile(file)
		for _, line := range strings.Split(string(data), "\n") {
			if src, _, ok := strings.Cut(line, " => "); ok && !strings.HasPrefix(line, "#") {
				f.Add(strings.TrimSpace(src))
			}
		}
	}
	events := fuzzEvents()
	f.Fuzz(func(t *testing.T, src string) {
		// A hang is a bug too: crash the worker so the input is recorded.
		watchdog := time.AfterFunc(2*time.Second, func() { panic(fmt.Sprintf("FuzzEval: %q takes over 2s", src)) })
		defer watchdog.Stop()
		n, perrs := parser.ParseExpr(src)
		if len(perrs) > 0 || n == nil {
			return
		}
		e, errs := BindWith(n, NewStreamScope(testSchema, "t"), Options{Clock: func() int64 { return 0 }})
		if len(errs) > 0 {
			for _, err := range errs {
				if strings.Contains(err.Msg, "internal error") {
					t.Fatalf("%q: %v", src, err)
				}
			}
			return
		}
		volatile := strings.Contains(strings.ToLower(src), "uuid")
		fn, pred := Compile(e), CompileFilter(e)
		slow := &compiler{noFold: true}
		nf := slow.fn(e)
		for _, ev := range events {
			fr := &Frame{Events: []*topology.Event{ev}}
			v := fn(fr)
			if !v.IsNull() && v.Kind() != e.Type() {
				t.Fatalf("%q: value %v of kind %v, static type %v", src, v, v.Kind(), e.Type())
			}
			if volatile {
				continue
			}
			if pred(fr) != v.AsBool() {
				t.Fatalf("%q: filter disagrees with value %v", src, v)
			}
			if w := nf(fr); !sameValue(v, w) {
				t.Fatalf("%q: folded %v, unfolded %v", src, v, w)
			}
		}
	})
}
