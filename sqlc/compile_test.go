package sqlc_test

import (
	"errors"
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
