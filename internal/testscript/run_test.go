package testscript

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/eventflux-io/eventflux-go/sqlc"
	"github.com/eventflux-io/eventflux-go/sqlc/ast"
	"github.com/eventflux-io/eventflux-go/sqlc/diag"
	"github.com/eventflux-io/eventflux-go/topology"
)

// fakeCompile stands in for sqlc.Compile so the runner is tested on its
// own: any app compiles to In(x LONG, y DOUBLE, s STRING, n INT, ts LONG)
// -> Out(x LONG, y2 DOUBLE, s STRING), where y2 = y * 2 and events with
// x < 0 are dropped, plus a second output Echo of In when x = 99. An app
// containing the word BAD fails with a positioned error there; one using
// ${MSG} fails with the variable's value.
func fakeCompile(src string, opts sqlc.Options) (*sqlc.Program, error) {
	if i := strings.Index(src, "BAD"); i >= 0 {
		line := strings.Count(src[:i], "\n") + 1
		col := i - strings.LastIndex(src[:i], "\n")
		return nil, diag.List{&diag.Error{File: opts.File, Pos: ast.Pos{Line: line, Col: col, Offset: i}, Text: "BAD", Msg: "unknown word BAD", Hint: "did you mean 'BAT'?"}}
	}
	if strings.Contains(src, "${MSG}") {
		if v, ok := opts.LookupEnv("MSG"); ok {
			return nil, diag.List{&diag.Error{File: opts.File, Pos: ast.Pos{Line: 1, Col: 1}, Msg: v}}
		}
	}
	in := topology.NewSchema("In",
		topology.Attribute{Name: "x", Type: topology.TypeLong},
		topology.Attribute{Name: "y", Type: topology.TypeDouble},
		topology.Attribute{Name: "s", Type: topology.TypeString},
		topology.Attribute{Name: "n", Type: topology.TypeInt},
		topology.Attribute{Name: "ts", Type: topology.TypeLong})
	out := topology.NewSchema("Out",
		topology.Attribute{Name: "x", Type: topology.TypeLong},
		topology.Attribute{Name: "y2", Type: topology.TypeDouble},
		topology.Attribute{Name: "s", Type: topology.TypeString})
	echo := topology.NewSchema("Echo", in.Attrs...)
	b := topology.NewBuilder()
	bind := topology.Binding{Topic: "in", Format: "json"}
	if strings.Contains(src, "timestamp") {
		bind.Timestamp = "ts"
	}
	b.AddStream(in, bind)
	b.AddStream(out, topology.Binding{})
	b.AddStream(echo, topology.Binding{})
	project := topology.ProcessorFunc(func(ctx topology.Context, ev *topology.Event) error {
		v := ev.Values
		if !v[0].IsNull() && v[0].AsLong() < 0 {
			return nil
		}
		y2 := topology.Null()
		if !v[1].IsNull() {
			y2 = topology.Double(v[1].AsDouble() * 2)
		}
		return ctx.Forward(topology.NewEvent(ev.TS, v[0], y2, v[2]))
	})
	b.AddProcessor(topology.NodeInfo{Name: "q0", Op: "project", Schema: out}, project.Supplier(), "In")
	b.Connect("q0", "Out")
	b.AddProcessor(topology.NodeInfo{Name: "q1", Op: "filter", Schema: echo}, topology.ProcessorFunc(func(ctx topology.Context, ev *topology.Event) error {
		if ev.Values[0].AsLong() == 99 {
			return ctx.Forward(ev)
		}
		return nil
	}).Supplier(), "In")
	b.Connect("q1", "Echo")
	topo, err := b.Build()
	if err != nil {
		return nil, err
	}
	return &sqlc.Program{Topology: topo}, nil
}

func runSrc(t *testing.T, src string) *Result {
	t.Helper()
	s, err := Parse("t.test", src)
	if err != nil {
		t.Fatal(err)
	}
	return Run(s, &Memory{CompileFunc: fakeCompile})
}

const header = "app\nanything\nend\n"

func TestRunPasses(t *testing.T) {
	res := runSrc(t, header+`
send In at 10s {"x": 1, "y": 1.25, "s": "a"}
expect Out at 10s {"x": 1, "y2": 2.5, "s": "a"}
send In at 11s {"x": -1}
expect nothing
send In {"x": 2, "y": 0.1}           # at the current stream time: 11s
expect Out at 11000 {"x": 2, "y2": 0.2, "s": null}
send In at 5s {"x": 99, "n": 7}      # late: still processed
expect Out at 5s {"x": 99, "y2": null, "s": null}
expect Echo at 5s {"x": 99, "y": null, "s": null, "n": 7, "ts": null}
advance +1m
expect nothing
send In at 1m {"x": 3, "y": "NaN", "s": "\"q\""}
expect Out at 1m {"x": 3, "y2": "NaN", "s": "\"q\""}
expect schema Out(x LONG, y2 DOUBLE, s STRING)
app
BAD
end
expect error 20:1 "unknown word BAD"
expect error "did you mean 'BAT'"
app
timestamp
end
send In at 1s {"x": 4, "ts": 7000}
expect Out at 7s {"x": 4, "y2": null, "s": null}
env MSG=custom failure
app
${MSG}
end
expect error "custom failure"
`)
	for _, f := range res.Failures {
		t.Error(f)
	}
	if res.Expectations != 12 {
		t.Errorf("counted %d expectations, want 12", res.Expectations)
	}
}

// TestRunFailures checks that every kind of wrong expectation fails, at
// the right line, with a message saying what was expected and what came.
func TestRunFailures(t *testing.T) {
	for _, tc := range []struct {
		name, body string
		want       []string // one per failure, in order
	}{
		{"wrong value", `
send In at 10s {"x": 1, "y": 1.0}
expect Out at 10s {"x": 1, "y2": 3.0, "s": null}`,
			[]string{"t.test:6: expect Out: attribute y2: expected 3.0, got DOUBLE 2.0\n    want: Out at 10000 {\"x\": 1, \"y2\": 3.0, \"s\": null}\n    got:  Out at 10000 {\"x\":1,\"y2\":2.0,\"s\":null} (from line 5)"}},
		{"wrong ts", `
send In at 10s {"x": 1}
expect Out at 11s {"x": 1, "y2": null, "s": null}`,
			[]string{"t.test:6: expect Out: ts: expected 11000, got 10000"}},
		{"wrong stream", `
send In at 1s {"x": 99}
expect Echo at 1s {"x": 99}`,
			[]string{"t.test:6: expect Echo: stream: expected Echo, got Out", "t.test:5: unexpected output: Echo at 1000"}},
		{"integer for a double", `
send In at 1s {"x": 1, "y": 1.0}
expect Out at 1s {"x": 1, "y2": 2, "s": null}`,
			[]string{"attribute y2: expected 2 (an integer literal), got DOUBLE 2.0; write 2.0 to expect a FLOAT or DOUBLE"}},
		{"fraction for a long", `
send In at 1s {"x": 1}
expect Out at 1s {"x": 1.0, "y2": null, "s": null}`,
			[]string{"attribute x: expected 1.0 (a FLOAT/DOUBLE literal), got LONG 1"}},
		{"string for a long", `
send In at 1s {"x": 1}
expect Out at 1s {"x": "1", "y2": null, "s": null}`,
			[]string{`attribute x: expected "1", got LONG 1`}},
		{"null for a value", `
send In at 1s {"x": 1, "s": "a"}
expect Out at 1s {"x": 1, "y2": null, "s": null}`,
			[]string{`attribute s: expected null, got STRING "a"`}},
		{"value for a null", `
send In at 1s {"x": 1}
expect Out at 1s {"x": 1, "y2": null, "s": ""}`,
			[]string{`attribute s: expected "", got NULL`}},
		{"NaN for a number", `
send In at 1s {"x": 1, "y": 1.0}
expect Out at 1s {"x": 1, "y2": "NaN", "s": null}`,
			[]string{`attribute y2: expected "NaN", got DOUBLE 2.0`}},
		{"missing attribute", `
send In at 1s {"x": 1}
expect Out at 1s {"x": 1, "y2": null}`,
			[]string{"attribute s: not expected, got NULL"}},
		{"extra attribute", `
send In at 1s {"x": 1}
expect Out at 1s {"x": 1, "y2": null, "s": null, "z": 5}`,
			[]string{"attribute z: expected 5, but Out has no such attribute (it has x, y2, s)"}},
		{"attribute order", `
send In at 1s {"x": 1}
expect Out at 1s {"s": null, "x": 1, "y2": null}`,
			[]string{"attribute order: expected s, x, y2, got x, y2, s"}},
		{"expired vs current", `
send In at 1s {"x": 1}
expect Out at 1s {"x": 1, "y2": null, "s": null} (expired)`,
			[]string{"kind: expected expired, got current event"}},
		{"nothing pending", `
send In at 1s {"x": -1}
expect Out at 1s {"x": -1, "y2": null, "s": null}`,
			[]string{"t.test:6: expect Out: no output pending\n    want: Out at 1000 {\"x\": -1, \"y2\": null, \"s\": null}"}},
		{"unexpected output at end", `
send In at 1s {"x": 5}`,
			[]string{`t.test:5: unexpected output: Out at 1000 {"x":5,"y2":null,"s":null}`}},
		{"unexpected output before next app", `
send In at 1s {"x": 5}
app
x
end`,
			[]string{`t.test:5: unexpected output: Out at 1000 {"x":5,"y2":null,"s":null}`}},
		{"expect nothing", `
send In at 1s {"x": 99}
expect nothing`,
			[]string{"t.test:6: expect nothing: 2 output(s) pending:\n    Out at 1000 {\"x\":99,\"y2\":null,\"s\":null} (from line 5)\n    Echo at 1000"}},
		{"schema", `
expect schema Out(x LONG, y2 FLOAT, s STRING)`,
			[]string{"t.test:5: expect schema:\n    want: Out(x LONG, y2 FLOAT, s STRING)\n    got:  Out(x LONG, y2 DOUBLE, s STRING)"}},
		{"schema of unknown stream", `
expect schema Nope(x LONG)`,
			[]string{"t.test:5: expect schema: the app has no stream Nope"}},
		{"send errors", `
send Nop at 1s {"x": 1}
send In at 1s {"tss": 1}
send In at 1s {"n": 3000000000}
send In at 1s {"x": 1.5}`,
			[]string{"t.test:5: send Nop: unknown stream Nop", `t.test:6: send In: stream In has no attribute "tss"; did you mean 'ts'?`,
				"t.test:7: send In: attribute n (INT): 3000000000 is out of INT range", "t.test:8: send In: attribute x (LONG): cannot take 1.5"}},
		{"unexpected compile error", `
app
ok
BAD
end
send In at 1s {"x": 1}
expect nothing
app
ok
end
send In at 1s {"x": 1}`,
			[]string{"t.test:5: app does not compile (skipping its section):\n    t.test:7:1: unknown word BAD (at \"BAD\"); hint: did you mean 'BAT'?",
				"t.test:14: unexpected output"}},
		{"expected error that compiled", `
app
fine
end
expect error "boom"`,
			[]string{`t.test:8: expect error "boom": the app compiled`}},
		{"expected error with other text", `
app
BAD
end
expect error "boom"`,
			[]string{"t.test:8: expect error \"boom\": got\n    t.test:6:1: unknown word BAD (at \"BAD\"); hint: did you mean 'BAT'?"}},
		{"expected error at another position", `
app
  BAD
end
expect error 6:1 "unknown word"`,
			[]string{"t.test:8: expect error 6:1 \"unknown word\": got\n    t.test:6:3: unknown word BAD"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := runSrc(t, header+tc.body)
			if len(res.Failures) != len(tc.want) {
				t.Fatalf("got %d failures, want %d:\n%s", len(res.Failures), len(tc.want), failures(res))
			}
			for i, f := range res.Failures {
				if !strings.Contains(f.String(), tc.want[i]) {
					t.Errorf("failure %d:\n%s\nwant it to contain:\n%s", i, f, tc.want[i])
				}
			}
		})
	}
}

func failures(r *Result) string {
	var b strings.Builder
	for _, f := range r.Failures {
		b.WriteString(f.String())
		b.WriteByte('\n')
	}
	return b.String()
}

func TestCompareValue(t *testing.T) {
	for _, tc := range []struct {
		exp string
		t   topology.Type
		v   topology.Value
		ok  bool
	}{
		{"1", topology.TypeInt, topology.Int(1), true},
		{"-9223372036854775808", topology.TypeLong, topology.Long(math.MinInt64), true},
		{"2", topology.TypeLong, topology.Long(1), false},
		{"0.30000000000000004", topology.TypeDouble, topology.Double(0.1 + 0.2), true},
		{"0.3", topology.TypeDouble, topology.Double(0.1 + 0.2), true}, // within 1e-9
		{"0.3000001", topology.TypeDouble, topology.Double(0.3), false},
		{"0.1", topology.TypeFloat, topology.Float(0.1), true},
		{"1e3", topology.TypeDouble, topology.Double(1000), true},
		{"0.0", topology.TypeDouble, topology.Double(0), true},
		{"-0.0", topology.TypeDouble, topology.Double(0), true},
		{`"Infinity"`, topology.TypeDouble, topology.Double(math.Inf(1)), true},
		{`"-Infinity"`, topology.TypeDouble, topology.Double(math.Inf(1)), false},
		{`"NaN"`, topology.TypeDouble, topology.Double(math.NaN()), true},
		{"null", topology.TypeDouble, topology.Double(math.NaN()), false},
		{"true", topology.TypeBool, topology.Bool(true), true},
		{"false", topology.TypeBool, topology.Bool(true), false},
		{"true", topology.TypeString, topology.String("true"), false},
		{`"é\n"`, topology.TypeString, topology.String("é\n"), true},
		{"null", topology.TypeBool, topology.Null(), true},
		{"false", topology.TypeBool, topology.Null(), false},
	} {
		d := compareValue(json.RawMessage(tc.exp), tc.t, tc.v)
		if (d == "") != tc.ok {
			t.Errorf("compareValue(%s, %s, %s) = %q, want ok=%v", tc.exp, tc.t, tc.v, d, tc.ok)
		}
	}
}

func TestFormatValue(t *testing.T) {
	for _, tc := range []struct {
		v    topology.Value
		want string
	}{
		{topology.Double(2), "2.0"}, {topology.Double(0.1), "0.1"}, {topology.Float(0.1), "0.1"},
		{topology.Double(1e21), "1e+21"}, {topology.Double(math.Inf(-1)), `"-Infinity"`},
		{topology.Long(-3), "-3"}, {topology.String("<a>\"b\""), `"<a>\"b\""`}, {topology.Null(), "null"},
	} {
		if got := formatValue(tc.v); got != tc.want {
			t.Errorf("formatValue(%s) = %s, want %s", tc.v, got, tc.want)
		}
	}
}

func TestRunFilesReport(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("a.test", header+"send In at 1s {\"x\": 1}\nexpect Out at 1s {\"x\": 1, \"y2\": null, \"s\": null}\n")
	write("b.test", header+"send In at 1s {\"x\": 1}\n")
	write("c.test", "oops\n")
	write("ignored.txt", "")
	files, err := Expand([]string{dir})
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	sum := RunFiles(&out, files, func() Backend { return &Memory{CompileFunc: fakeCompile} })
	if sum.Passed != 1 || sum.Failed != 2 {
		t.Errorf("summary %+v, want 1 passed, 2 failed", sum)
	}
	a, b, c := filepath.Join(dir, "a.test"), filepath.Join(dir, "b.test"), filepath.Join(dir, "c.test")
	want := "ok   " + a + " (1 expectations)\n" +
		"FAIL " + b + "\n  " + b + ":4: unexpected output: Out at 1000 {\"x\":1,\"y2\":null,\"s\":null}\n" +
		"FAIL " + c + "\n  " + c + ":1: syntax: unknown command \"oops\" (want app, env, send, advance or expect)\n" +
		"1 passed, 2 failed\n"
	if out.String() != want {
		t.Errorf("report:\n%s\nwant:\n%s", out.String(), want)
	}
	if _, err := Expand([]string{filepath.Join(dir, "missing")}); err == nil {
		t.Error("Expand of a missing path succeeded")
	}
}
