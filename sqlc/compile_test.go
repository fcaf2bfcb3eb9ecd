package sqlc_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/cockroachdb/datadriven"

	"github.com/eventflux-io/eventflux-go/sqlc"
)

// testEnv is the environment ${ENV} references see in golden tests.
func testEnv(name string) (string, bool) {
	v, ok := map[string]string{"TOPIC": "env-trades", "EMPTY": ""}[name]
	return v, ok
}

// TestGolden runs the datadriven files under testdata/{plan,explain,errors}.
// Directives: `plan` prints the logical plan, `explain` the topology
// description, `errors` every compile error (or "ok"), `excerpt` the
// terminal form of each error. Rewrite with -rewrite.
func TestGolden(t *testing.T) {
	for _, dir := range []string{"testdata/plan", "testdata/explain", "testdata/errors"} {
		datadriven.Walk(t, dir, func(t *testing.T, path string) {
			datadriven.RunTest(t, path, func(t *testing.T, d *datadriven.TestData) string {
				prog, err := sqlc.Compile(d.Input, sqlc.Options{File: "app.sql", LookupEnv: testEnv})
				switch d.Cmd {
				case "plan", "explain":
					if err != nil {
						return "error:\n" + err.Error() + "\n"
					}
					if d.Cmd == "plan" {
						return prog.Plan
					}
					return prog.Describe()
				case "errors", "excerpt":
					if err == nil {
						return "ok\n"
					}
					var list sqlc.ErrorList
					if !errors.As(err, &list) {
						t.Fatalf("%s: compile error is %T, want sqlc.ErrorList: %v", d.Pos, err, err)
					}
					var b strings.Builder
					for _, e := range list {
						if d.Cmd == "excerpt" {
							b.WriteString(e.Excerpt(d.Input))
						} else {
							b.WriteString(e.Error())
						}
						b.WriteByte('\n')
					}
					return b.String()
				}
				t.Fatalf("%s: unknown directive %q", d.Pos, d.Cmd)
				return ""
			})
		})
	}
}

// TestCompileSources checks that several files form one application and
// that each error carries its own file's position.
func TestCompileSources(t *testing.T) {
	streams := sqlc.Source{File: "streams.sql", Text: "CREATE STREAM Trades (symbol STRING, price DOUBLE);\n"}
	good := sqlc.Source{File: "queries.sql", Text: "-- alerts\nINSERT INTO Alerts SELECT symbol FROM Trades WHERE price > 1;\n"}
	prog, err := sqlc.CompileSources([]sqlc.Source{streams, good}, sqlc.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if prog.Streams != 2 || prog.Queries != 1 {
		t.Errorf("got %d streams, %d queries; want 2, 1", prog.Streams, prog.Queries)
	}
	bad := sqlc.Source{File: "bad.sql", Text: "\nINSERT INTO Out SELECT prcie FROM Trades;\nSELEC 1;\n"}
	_, err = sqlc.CompileSources([]sqlc.Source{streams, good, bad}, sqlc.Options{})
	var list sqlc.ErrorList
	if !errors.As(err, &list) {
		t.Fatalf("got %v, want an ErrorList", err)
	}
	var got []string
	for _, e := range list {
		got = append(got, fmt.Sprintf("%s:%d:%d", e.File, e.Pos.Line, e.Pos.Col))
		if line := strings.Split(bad.Text, "\n")[e.Pos.Line-1]; !strings.Contains(line, e.Text) {
			t.Errorf("%v: line %d of bad.sql is %q, which lacks %q", e, e.Pos.Line, line, e.Text)
		}
	}
	if want := "bad.sql:3:1"; len(got) != 1 || got[0] != want {
		// The parse error stops compilation before binding.
		t.Errorf("errors at %v, want [%s]", got, want)
	}
	_, err = sqlc.CompileSources([]sqlc.Source{streams, {File: "q.sql", Text: "\n\nINSERT INTO Out SELECT prcie FROM Trades;"}}, sqlc.Options{})
	if !errors.As(err, &list) || len(list) != 1 || list[0].File != "q.sql" || list[0].Pos.Line != 3 || list[0].Pos.Col != 24 {
		t.Errorf("bind error = %v, want q.sql:3:24", err)
	}
}
