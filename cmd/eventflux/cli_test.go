package main_test

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// binary is the eventflux executable TestMain builds.
var binary string

const testVersion = "v9.9.9-test"

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "eventflux-cli-test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "eventflux")
	build := exec.Command("go", "build", "-ldflags", "-X main.version="+testVersion, "-o", binary, ".")
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "go build: %v\n%s", err, out)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// result is what one run of the binary did.
type result struct {
	stdout, stderr string
	code           int
}

// eventflux runs the binary with args, feeding stdin.
func eventflux(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	var exit *exec.ExitError
	code := 0
	switch {
	case errors.As(err, &exit):
		code = exit.ExitCode()
	case err != nil:
		t.Fatalf("running eventflux %v: %v", args, err)
	}
	return result{stdout: out.String(), stderr: errb.String(), code: code}
}

func (r result) mustSucceed(t *testing.T) result {
	t.Helper()
	if r.code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
	return r
}

const (
	tradesSQL   = "../../testdata/examples/trades.sql"
	tradesInput = "../../testdata/examples/trades.jsonl"
	tradesWant  = "../../testdata/examples/trades.out.jsonl"
	// tradesPipelineWant is the output of the whole example pipeline
	// (trades.sql and volumes.sql) over tradesInput, whose final watermark
	// closes the windows.
	tradesPipelineWant = "../../testdata/examples/trades_pipeline.out.jsonl"
)

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestReplayFiles(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out.jsonl")
	r := eventflux(t, "", "replay", "--sql", tradesSQL, "--input", tradesInput, "--output", out).mustSucceed(t)
	if r.stdout != "" || r.stderr != "" {
		t.Errorf("unexpected chatter:\nstdout: %s\nstderr: %s", r.stdout, r.stderr)
	}
	if got, want := readFile(t, out), readFile(t, tradesWant); got != want {
		t.Errorf("output:\n%s\nwant:\n%s", got, want)
	}
}

func TestReplayStdinStdout(t *testing.T) {
	r := eventflux(t, readFile(t, tradesInput), "replay", "--sql", tradesSQL).mustSucceed(t)
	if want := readFile(t, tradesWant); r.stdout != want {
		t.Errorf("stdout:\n%s\nwant:\n%s", r.stdout, want)
	}
	r = eventflux(t, readFile(t, tradesInput), "replay", "--sql", tradesSQL, "-i", "-", "-o", "-").mustSucceed(t)
	if want := readFile(t, tradesWant); r.stdout != want {
		t.Errorf("with '-': stdout:\n%s\nwant:\n%s", r.stdout, want)
	}
}

const badInput = `{"stream":"Trades","ts":1000,"data":{"symbol":"IBM","price":75.5,"volume":100}}
{"stream":"Trades","ts":1100,"data":{"symbol":"IBM","price":"abc"}}
{"stream":"Trade","ts":1200,"data":{"symbol":"IBM","price":80}}
{"stream":"Trades","ts":1300,"data":{"symbol":"IBM","price":81,"volume":1}}
`

func TestReplayBadLineFails(t *testing.T) {
	r := eventflux(t, badInput, "replay", "--sql", tradesSQL)
	if r.code != 1 {
		t.Fatalf("exit %d, want 1\nstderr:\n%s", r.code, r.stderr)
	}
	if want := `eventflux: line 2: field data.price: expected DOUBLE, got string "abc"` + "\n"; r.stderr != want {
		t.Errorf("stderr %q, want %q", r.stderr, want)
	}
	if !strings.Contains(r.stdout, `"ts":1000`) || strings.Contains(r.stdout, `"ts":1300`) {
		t.Errorf("stdout should hold the output before the bad line only:\n%s", r.stdout)
	}
	in := writeFile(t, "events.jsonl", badInput)
	r = eventflux(t, "", "replay", "--sql", tradesSQL, "--input", in)
	if r.code != 1 || !strings.HasPrefix(r.stderr, "eventflux: "+in+": line 2: field data.price") {
		t.Errorf("exit %d, stderr %q", r.code, r.stderr)
	}
}

func TestReplaySkipBad(t *testing.T) {
	r := eventflux(t, badInput, "replay", "--sql", tradesSQL, "--skip-bad").mustSucceed(t)
	want := `line 2: field data.price: expected DOUBLE, got string "abc"
line 3: field stream: unknown stream "Trade"; did you mean 'Trades'?
eventflux: replay: 2 lines of 4 rejected
`
	if r.stderr != want {
		t.Errorf("stderr:\n%s\nwant:\n%s", r.stderr, want)
	}
	if n := strings.Count(r.stdout, "\n"); n != 2 {
		t.Errorf("got %d output lines, want 2:\n%s", n, r.stdout)
	}
}

// badSQL has two errors: an unknown attribute and an unknown stream.
const badSQL = `CREATE STREAM Trades (symbol STRING, price DOUBLE, volume INT);
INSERT INTO Alerts SELECT symbol FROM Trades WHERE prcie > 50;
INSERT INTO Alerts2 SELECT symbol FROM Trade;
`

func TestCheck(t *testing.T) {
	r := eventflux(t, "", "check", tradesSQL).mustSucceed(t)
	if want := tradesSQL + ": ok: 2 streams, 1 query\n"; r.stdout != want {
		t.Errorf("stdout %q, want %q", r.stdout, want)
	}
	bad := writeFile(t, "bad.sql", badSQL)
	r = eventflux(t, "", "check", tradesSQL, bad)
	if r.code != 1 {
		t.Fatalf("exit %d, want 1\nstderr:\n%s", r.code, r.stderr)
	}
	for _, want := range []string{
		bad + ":2:", "WHERE prcie > 50", "^^^^^", "did you mean 'price'?",
		bad + ":3:", "FROM Trade;", "did you mean 'Trades'?",
		"eventflux: check failed: 1 of 2 files\n",
	} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
		}
	}
	if !strings.Contains(r.stdout, tradesSQL+": ok") {
		t.Errorf("the good file is not reported: %q", r.stdout)
	}
}

func TestCompileErrorsStopReplayAndExplain(t *testing.T) {
	bad := writeFile(t, "bad.sql", badSQL)
	for _, args := range [][]string{{"replay", "--sql", bad}, {"explain", bad}} {
		r := eventflux(t, "", args...)
		if r.code != 1 || !strings.Contains(r.stderr, bad+":2:") || !strings.Contains(r.stderr, "eventflux: "+bad+": 2 compile errors\n") {
			t.Errorf("%v: exit %d, stderr:\n%s", args, r.code, r.stderr)
		}
	}
}

func TestExplain(t *testing.T) {
	r := eventflux(t, "", "explain", tradesSQL).mustSucceed(t)
	for _, want := range []string{"sources:", "Trades(symbol STRING, price DOUBLE, volume INT)", "topic=trades", "filter", "outputs:", "Alerts("} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("explain lacks %q:\n%s", want, r.stdout)
		}
	}
	p := eventflux(t, "", "explain", "--plan", tradesSQL).mustSucceed(t)
	if p.stdout == "" || p.stdout == r.stdout {
		t.Errorf("--plan printed %q", p.stdout)
	}
	// With the pipeline: its bindings, its app id in internal topic names,
	// and a note that names the file of the query.
	c := eventflux(t, "", "explain", "-c", "../../testdata/pipelines/trades.yaml").mustSucceed(t)
	for _, want := range []string{"Alerts (topic alerts, key symbol)", "Market (topic market)",
		"repartition into trades-alerts-rp", "volumes.sql:32:1 keeps global state"} {
		if !strings.Contains(c.stdout, want) {
			t.Errorf("explain -c lacks %q:\n%s", want, c.stdout)
		}
	}
	if strings.Contains(c.stdout, "${app}") {
		t.Errorf("explain -c left ${app} in:\n%s", c.stdout)
	}
}

func TestVersion(t *testing.T) {
	r := eventflux(t, "", "version").mustSucceed(t)
	if !strings.HasPrefix(r.stdout, "eventflux "+testVersion+" (go") {
		t.Errorf("version printed %q", r.stdout)
	}
}

func TestUsageErrors(t *testing.T) {
	cases := map[string][]string{
		"unknown command":  {"frobnicate"},
		"unknown flag":     {"replay", "--sql", tradesSQL, "--bogus"},
		"missing --sql":    {"replay"},
		"no files":         {"check"},
		"too many files":   {"explain", tradesSQL, tradesSQL},
		"file and -c":      {"explain", "-c", "../../testdata/pipelines/trades.yaml", tradesSQL},
		"stray argument":   {"replay", "--sql", tradesSQL, "extra"},
		"version argument": {"version", "now"},
	}
	for name, args := range cases {
		r := eventflux(t, "", args...)
		if r.code != 2 || !strings.HasPrefix(r.stderr, "eventflux: ") || !strings.Contains(r.stderr, "--help") {
			t.Errorf("%s: exit %d, stderr %q; want exit 2 with a usage hint", name, r.code, r.stderr)
		}
	}
	r := eventflux(t, "", "replay", "--sql", "no-such.sql")
	if r.code != 1 || !strings.Contains(r.stderr, "no-such.sql") {
		t.Errorf("missing file: exit %d, stderr %q", r.code, r.stderr)
	}
}

// TestReplayPipeline replays a pipeline's SQL, all its files, with its
// YAML bindings: the example's alerts, then, at the final watermark, its
// windows' rows; and a YAML naming the event-time attribute, so the
// outputs carry it as ts.
func TestReplayPipeline(t *testing.T) {
	r := eventflux(t, readFile(t, tradesInput), "replay", "-c", "../../testdata/pipelines/trades.yaml").mustSucceed(t)
	if want := readFile(t, tradesPipelineWant); r.stdout != want {
		t.Errorf("stdout:\n%s\nwant:\n%s", r.stdout, want)
	}
	dir := t.TempDir()
	sql := `CREATE STREAM "In" (v INT, at LONG) WITH (topic = 'in');` + "\nINSERT INTO Out SELECT v FROM \"In\";\n"
	if err := os.WriteFile(filepath.Join(dir, "app.sql"), []byte(sql), 0o644); err != nil {
		t.Fatal(err)
	}
	yaml := "app: t\nkafka: {brokers: [127.0.0.1:9092]}\nsql: {files: [app.sql]}\nstreams:\n  In: {topic: in, timestamp: at}\n"
	if err := os.WriteFile(filepath.Join(dir, "p.yaml"), []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	r = eventflux(t, `{"stream":"In","ts":5,"data":{"v":1,"at":42}}`+"\n", "replay", "-c", filepath.Join(dir, "p.yaml")).mustSucceed(t)
	if want := `{"stream":"Out","ts":42,"data":{"v":1}}` + "\n"; r.stdout != want {
		t.Errorf("stdout %q, want %q", r.stdout, want)
	}
}
