package config

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/rs/zerolog"
)

var rewrite = flag.Bool("rewrite", false, "rewrite the expectations of testdata/*.good.yaml (.out) and *.bad.yaml (# error: lines)")

// testEnv is the environment the fixtures see.
var testEnv = map[string]string{
	"KAFKA_PASSWORD": "s3cr3t-Pa55",
	"BROKERS":        "b1:9092, b2:9092",
}

func lookupTest(name string) (string, bool) {
	v, ok := testEnv[name]
	return v, ok
}

func parseFixture(t *testing.T, path string) (*Pipeline, []byte, error) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	p, err := Parse(data, WithDir(filepath.Dir(path)), WithFilename(filepath.Base(path)), WithLookupEnv(lookupTest))
	return p, data, err
}

// TestGoodFixtures parses each testdata/*.good.yaml and compares the
// redacted result with its .out file.
func TestGoodFixtures(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.good.yaml")
	if len(files) < 3 {
		t.Fatalf("found %d good fixtures", len(files))
	}
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			p, _, err := parseFixture(t, path)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			got := p.String()
			out := strings.TrimSuffix(path, ".yaml") + ".out"
			if *rewrite {
				if err := os.WriteFile(out, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(out)
			if err != nil {
				t.Fatalf("%v (run go test ./config -rewrite)", err)
			}
			if got != string(want) {
				t.Errorf("Parse(%s).String() =\n%s\nwant (%s)\n%s", path, got, out, want)
			}
			if _, err := p.SQLSources(); err != nil {
				t.Errorf("SQLSources: %v", err)
			}
		})
	}
}

// TestBadFixtures parses each testdata/*.bad.yaml and checks the error
// against its leading "# error: " lines, one line per error.
func TestBadFixtures(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.bad.yaml")
	if len(files) < 10 {
		t.Fatalf("found %d bad fixtures, want at least 10", len(files))
	}
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			p, data, err := parseFixture(t, path)
			if err == nil {
				t.Fatalf("Parse succeeded:\n%s", p)
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Errorf("error %T is not an *Error", err)
			}
			var want []string
			lines := strings.SplitAfter(string(data), "\n")
			n := 0
			for ; n < len(lines) && strings.HasPrefix(lines[n], "# error: "); n++ {
				want = append(want, strings.TrimSuffix(strings.TrimPrefix(lines[n], "# error: "), "\n"))
			}
			if *rewrite {
				var b strings.Builder
				for _, l := range strings.Split(err.Error(), "\n") {
					b.WriteString("# error: " + l + "\n")
				}
				b.WriteString(strings.Join(lines[n:], ""))
				if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			if got := err.Error(); got != strings.Join(want, "\n") {
				t.Errorf("error:\n%s\nwant:\n%s", got, strings.Join(want, "\n"))
			}
		})
	}
}

func TestDefaults(t *testing.T) {
	p, err := Parse([]byte("app: a1\nkafka: {brokers: [h:1]}\nsql: {inline: x}\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := Default()
	want.App = "a1"
	want.Kafka.Brokers = []string{"h:1"}
	want.SQL.Inline = "x"
	want.Processing.StateDir = filepath.Join("eventflux-state", "a1")
	want.Errors.DLQTopic = "a1-dlq"
	want.baseDir, want.pos = p.baseDir, p.pos
	if !reflect.DeepEqual(p, want) {
		t.Errorf("Parse =\n%s\nwant\n%s", p, want)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"client_id", p.Kafka.ClientID, "eventflux"},
		{"version", p.Kafka.Version, "3.9.0"},
		{"guarantee", p.Processing.Guarantee, ExactlyOnce},
		{"commit_interval", p.Processing.CommitInterval, 100 * time.Millisecond},
		{"max_task_idle", p.Processing.MaxTaskIdle, time.Duration(0)},
		{"shutdown_timeout", p.Processing.ShutdownTimeout, 30 * time.Second},
		{"policy", p.Errors.Policy, PolicyDLQ},
		{"late_events", p.Errors.LateEvents, LateDrop},
		{"listen", p.HTTP.Listen, ":8080"},
		{"level", p.Log.Level, "info"},
		{"format", p.Log.Format, "auto"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
}

func TestLoadResolvesSQLFiles(t *testing.T) {
	p, err := Load("testdata/full.good.yaml", WithLookupEnv(lookupTest))
	if err != nil {
		t.Fatal(err)
	}
	src, err := p.SQLSources()
	if err != nil {
		t.Fatal(err)
	}
	if len(src) != 1 || src[0].Name != filepath.Join("testdata", "trades.sql") || !strings.Contains(src[0].Text, "CREATE STREAM Trades") {
		t.Errorf("SQLSources = %+v", src)
	}
	if got := p.Kafka.Brokers; !reflect.DeepEqual(got, []string{"b1:9092", "b2:9092"}) {
		t.Errorf("brokers from ${BROKERS} = %q", got)
	}
	if got := p.Processing.CommitInterval; got != 250*time.Millisecond {
		t.Errorf("commit_interval from ${COMMIT:250ms} = %v", got)
	}
	if got := p.Kafka.SASL.Password.Value(); got != testEnv["KAFKA_PASSWORD"] {
		t.Errorf("password = %q", got)
	}

	_, err = Load("testdata/missing.yaml")
	if err == nil || !strings.HasPrefix(err.Error(), "config: open testdata/missing.yaml") || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Load(missing) = %v", err)
	}
	p.SQL.Files = []string{"nope.sql"}
	if _, err := p.SQLSources(); err == nil || !strings.Contains(err.Error(), "sql.files[0]: open testdata/nope.sql") {
		t.Errorf("SQLSources(nope.sql) = %v", err)
	}
}

// TestSecretsNeverLogged logs a pipeline with a password every way a
// caller might and checks the password text is in none of them.
func TestSecretsNeverLogged(t *testing.T) {
	p, err := Load("testdata/full.good.yaml", WithLookupEnv(lookupTest))
	if err != nil {
		t.Fatal(err)
	}
	secret := testEnv["KAFKA_PASSWORD"]
	js, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	var zl strings.Builder
	logger := zerolog.New(&zl)
	logger.Info().Interface("config", p).Stringer("pipeline", p).Interface("sasl", p.Kafka.SASL).
		Str("password", p.Kafka.SASL.Password.String()).Msg("loaded")
	forms := map[string]string{
		"String":      p.String(),
		"Redacted %v": fmt.Sprintf("%v", *p.Redacted()),
		"%v":          fmt.Sprintf("%v", p.Kafka),
		"%+v":         fmt.Sprintf("%+v", *p),
		"%#v":         fmt.Sprintf("%#v", *p),
		"%s":          fmt.Sprintf("%s", p.Kafka.SASL.Password),
		"%q":          fmt.Sprintf("%q", p.Kafka.SASL.Password),
		"json":        string(js),
		"zerolog":     zl.String(),
	}
	for name, s := range forms {
		if strings.Contains(s, secret) {
			t.Errorf("%s form contains the password:\n%s", name, s)
		}
		if !strings.Contains(s, "redacted") {
			t.Errorf("%s form does not show <redacted>:\n%s", name, s)
		}
	}
	if p.Kafka.SASL.Password.Value() != secret {
		t.Error("Redacted changed the original")
	}
	if r := p.Redacted(); r.Kafka.SASL.Password.Value() != "<redacted>" {
		t.Errorf("Redacted password = %q", r.Kafka.SASL.Password.Value())
	}
}

func TestRedactedIsDeep(t *testing.T) {
	p, err := Load("testdata/full.good.yaml", WithLookupEnv(lookupTest))
	if err != nil {
		t.Fatal(err)
	}
	r := p.Redacted()
	r.Kafka.Brokers[0] = "x:1"
	r.Streams["Trades"].JSON.Mapping["price"] = "$.x"
	if p.Kafka.Brokers[0] == "x:1" || p.Streams["Trades"].JSON.Mapping["price"] == "$.x" {
		t.Error("Redacted shares slices or maps with the original")
	}
}

func TestExpand(t *testing.T) {
	env := map[string]string{"A": "1", "EMPTY": ""}
	lookup := func(n string) (string, bool) { v, ok := env[n]; return v, ok }
	for _, c := range []struct{ in, want, err string }{
		{in: "plain", want: "plain"},
		{in: "${A}", want: "1"},
		{in: "x${A}y${A}", want: "x1y1"},
		{in: "${B:def}", want: "def"},
		{in: "${B:}", want: ""},
		{in: "${B:a:b}", want: "a:b"},
		{in: "${EMPTY:def}", want: ""},
		{in: "$${A}", want: "${A}"},
		{in: "$A and $", want: "$A and $"},
		{in: "${B}", err: "environment variable B is not set (write ${B:default} for a default)"},
		{in: "${A", err: `unterminated ${ in "${A"`},
		{in: "${1X}", err: "invalid environment variable reference ${1X}: want ${NAME} or ${NAME:default}"},
		{in: "${}", err: "invalid environment variable reference ${}: want ${NAME} or ${NAME:default}"},
	} {
		got, err := expand(c.in, lookup)
		switch {
		case c.err != "" && (err == nil || err.Error() != c.err):
			t.Errorf("expand(%q) error = %v, want %q", c.in, err, c.err)
		case c.err == "" && (err != nil || got != c.want):
			t.Errorf("expand(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
}

func TestValidateCodeBuilt(t *testing.T) {
	p := Default()
	p.App = "built"
	p.Kafka.Brokers = []string{"localhost:9092"}
	p.SQL.Inline = "SELECT 1"
	if err := p.Validate(); err == nil || err.Error() != "config: processing.state_dir: must not be empty\nconfig: errors.dlq_topic: must not be empty" {
		t.Errorf("Validate before Derive = %v", err)
	}
	p.Derive()
	if err := p.Validate(); err != nil {
		t.Errorf("Validate after Derive = %v", err)
	}
	p.Processing.CommitInterval = 0
	err := p.Validate()
	var e *Error
	if !errors.As(err, &e) || e.Path != "processing.commit_interval" || e.Line != 0 {
		t.Errorf("Validate = %#v", err)
	}
}

func TestPasswordKeepsText(t *testing.T) {
	// A plain scalar that YAML would read as a number keeps its text.
	p, err := Parse([]byte("app: a\nkafka:\n  brokers: [h:1]\n  sasl: {mechanism: PLAIN, username: 007, password: 0123}\nsql: {inline: x}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if p.Kafka.SASL.Username != "007" || p.Kafka.SASL.Password.Value() != "0123" {
		t.Errorf("username, password = %q, %q", p.Kafka.SASL.Username, p.Kafka.SASL.Password.Value())
	}
}

func TestSuggest(t *testing.T) {
	names := []string{"commit_interval", "state_dir", "guarantee"}
	for in, want := range map[string]string{
		"commit_intervl": ` (did you mean "commit_interval"?)`,
		"statedir":       ` (did you mean "state_dir"?)`,
		"GUARANTEE":      ` (did you mean "guarantee"?)`,
		"zzz":            "",
	} {
		if got := suggest(in, names); got != want {
			t.Errorf("suggest(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestStringReparses checks that String's YAML parses back to itself, so
// `eventflux check` output is a valid pipeline file (with the password
// redacted).
func TestStringReparses(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.good.yaml")
	for _, path := range files {
		p, _, err := parseFixture(t, path)
		if err != nil {
			t.Fatal(err)
		}
		s := p.String()
		q, err := Parse([]byte(s), WithLookupEnv(lookupTest))
		if err != nil {
			t.Errorf("%s: Parse(String()): %v\n%s", path, err, s)
			continue
		}
		if q.String() != s {
			t.Errorf("%s: String() does not round-trip:\n%s\nthen\n%s", path, s, q.String())
		}
	}
}

func TestFlowHostPort(t *testing.T) {
	// Inside a flow mapping the YAML library reads [h:1] as [{h: 1}].
	p, err := Parse([]byte("app: a\nkafka: {brokers: [localhost:9092, 'k2:1', k3:2]}\nsql: {inline: x}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"localhost:9092", "k2:1", "k3:2"}; !reflect.DeepEqual(p.Kafka.Brokers, want) {
		t.Errorf("brokers = %q, want %q", p.Kafka.Brokers, want)
	}
	// A real mapping is still an error.
	_, err = Parse([]byte("app: a\nkafka: {brokers: [{host: h}]}\nsql: {inline: x}\n"))
	if err == nil || err.Error() != "config: 2:19: kafka.brokers[0]: must be a scalar, got a mapping" {
		t.Errorf("err = %v", err)
	}
}

// TestExamplePipelines loads the pipelines the README and docker-compose.yml
// use, with an empty environment (every default) and with the compose one.
func TestExamplePipelines(t *testing.T) {
	files, _ := filepath.Glob("../testdata/pipelines/*.yaml")
	if len(files) == 0 {
		t.Fatal("no example pipelines")
	}
	none := func(string) (string, bool) { return "", false }
	compose := func(n string) (string, bool) {
		v, ok := map[string]string{"KAFKA_BROKERS": "kafka:29092", "EVENTFLUX_INSTANCE_ID": "worker-1", "HTTP_LISTEN": ":8080"}[n]
		return v, ok
	}
	for _, path := range files {
		for _, env := range []func(string) (string, bool){none, compose} {
			p, err := Load(path, WithLookupEnv(env))
			if err != nil {
				t.Errorf("%s: %v", path, err)
				continue
			}
			if _, err := p.SQLSources(); err != nil {
				t.Errorf("%s: %v", path, err)
			}
		}
	}
	p, err := Load("../testdata/pipelines/trades.yaml", WithLookupEnv(none))
	if err != nil {
		t.Fatal(err)
	}
	if p.Kafka.Brokers[0] != "127.0.0.1:9092" || p.HTTP.Listen != ":8080" || p.Processing.StateDir != filepath.Join("eventflux-state", "trades-alerts") {
		t.Errorf("trades.yaml defaults: brokers %q, listen %q, state_dir %q", p.Kafka.Brokers, p.HTTP.Listen, p.Processing.StateDir)
	}
	src, err := p.SQLSources()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, s := range src {
		names = append(names, s.Name)
	}
	dir := filepath.Join("..", "testdata", "examples")
	if want := []string{filepath.Join(dir, "trades.sql"), filepath.Join(dir, "volumes.sql")}; !reflect.DeepEqual(names, want) {
		t.Errorf("trades.yaml SQL files %q, want %q", names, want)
	}
	for stream, topic := range map[string]string{"Trades": "trades", "Alerts": "alerts", "Volumes": "volumes", "Market": "market"} {
		if got := p.Streams[stream].Topic; got != topic {
			t.Errorf("trades.yaml: stream %s on topic %q, want %q", stream, got, topic)
		}
	}
}

// TestWithFS reads sql.files from a file system other than the OS's, as
// `eventflux dev` reads the example from the binary: paths are joined
// slash-separated onto WithDir, and name the sources and the errors.
func TestWithFS(t *testing.T) {
	fsys := fstest.MapFS{
		"pipelines/p.yaml": {Data: []byte("app: a\nkafka: {brokers: [h:1]}\nsql: {files: [../sql/a.sql, ../sql/b.sql]}\n")},
		"sql/a.sql":        {Data: []byte("A")},
		"sql/b.sql":        {Data: []byte("B")},
	}
	p, err := Parse(fsys["pipelines/p.yaml"].Data, WithFS(fsys), WithDir("pipelines"))
	if err != nil {
		t.Fatal(err)
	}
	src, err := p.SQLSources()
	if want := []SQLSource{{Name: "sql/a.sql", Text: "A"}, {Name: "sql/b.sql", Text: "B"}}; err != nil || !reflect.DeepEqual(src, want) {
		t.Errorf("SQLSources = %+v, %v; want %+v", src, err, want)
	}
	p.SQL.Files = []string{"../sql/a.sql", "c.sql"}
	if _, err := p.SQLSources(); err == nil || !strings.Contains(err.Error(), "sql.files[1]: open pipelines/c.sql: file does not exist") {
		t.Errorf("SQLSources(c.sql) = %v", err)
	}
}
