package testscript

import (
	"errors"
	"fmt"
	"strings"

	"github.com/eventflux-io/eventflux-go/sqlc/diag"
	"github.com/eventflux-io/eventflux-go/topology"
)

// Failure is one failed check of a script.
type Failure struct {
	File string
	Line int
	Msg  string
}

// String renders "file.test:LINE: msg".
func (f Failure) String() string { return fmt.Sprintf("%s:%d: %s", f.File, f.Line, f.Msg) }

// Result is the outcome of running one script.
type Result struct {
	File string
	// Expectations counts the expect commands that ran (each `expect
	// error` counts once).
	Expectations int
	Failures     []Failure
}

// Failed reports whether any check failed.
func (r *Result) Failed() bool { return len(r.Failures) > 0 }

// pending is an output waiting to be expected, with the line of the
// command that produced it.
type pending struct {
	Output
	line int
}

type runner struct {
	s       *Script
	b       Backend
	res     *Result
	env     map[string]string
	queue   []pending
	loaded  bool // the current app compiled
	skipped bool // the current app failed to compile unexpectedly
	// streamTime is the largest time sent or advanced to in this section.
	streamTime int64
}

// Run executes s against b and returns what passed and failed. It never
// stops early on a failed expectation; an app that fails to compile
// unexpectedly skips the rest of its section.
func Run(s *Script, b Backend) *Result {
	r := &runner{s: s, b: b, res: &Result{File: s.File}, env: map[string]string{}, streamTime: topology.NoTime}
	for _, c := range s.Cmds {
		r.exec(c)
	}
	r.flush()
	if err := b.Close(); err != nil {
		r.failf(lastLine(s), "close: %v", err)
	}
	return r.res
}

func lastLine(s *Script) int {
	if len(s.Cmds) == 0 {
		return 1
	}
	return s.Cmds[len(s.Cmds)-1].line()
}

func (r *runner) failf(line int, format string, args ...any) {
	r.res.Failures = append(r.res.Failures, Failure{File: r.s.File, Line: line, Msg: fmt.Sprintf(format, args...)})
}

func (r *runner) exec(c Cmd) {
	if _, isApp := c.(*App); !isApp && r.skipped {
		if _, isEnv := c.(*Env); !isEnv {
			return
		}
	}
	switch c := c.(type) {
	case *App:
		r.app(c)
	case *Env:
		r.env[c.Name] = c.Value
	case *Send:
		ts := c.TS
		if !c.HasTS {
			ts = max(r.streamTime, 0)
		}
		if err := r.b.Send(c.Stream, ts, c.Data); err != nil {
			r.failf(c.Line, "send %s: %v", c.Stream, err)
		}
		r.streamTime = max(r.streamTime, ts)
		r.collect(c.Line)
	case *Advance:
		ts := c.TS
		if c.Relative {
			ts += max(r.streamTime, 0)
		}
		if err := r.b.Advance(ts); err != nil {
			r.failf(c.Line, "advance: %v", err)
		}
		r.streamTime = max(r.streamTime, ts)
		r.collect(c.Line)
	case *ExpectEvent:
		r.expectEvent(c)
	case *ExpectNothing:
		r.res.Expectations++
		if len(r.queue) > 0 {
			r.failf(c.Line, "expect nothing: %d output(s) pending:%s", len(r.queue), r.listQueue())
			r.queue = nil
		}
	case *ExpectSchema:
		r.expectSchema(c)
	}
}

func (r *runner) collect(line int) {
	for _, o := range r.b.Outputs() {
		r.queue = append(r.queue, pending{Output: o, line: line})
	}
}

func (r *runner) listQueue() string {
	var b strings.Builder
	for _, p := range r.queue {
		fmt.Fprintf(&b, "\n    %s (from line %d)", p.Output, p.line)
	}
	return b.String()
}

// flush reports every output nobody expected.
func (r *runner) flush() {
	for _, p := range r.queue {
		r.failf(p.line, "unexpected output: %s", p.Output)
	}
	r.queue = nil
}

func (r *runner) app(c *App) {
	r.flush()
	r.loaded, r.skipped, r.streamTime = false, false, topology.NoTime
	// Pad the SQL with blank lines so compile errors carry the line
	// numbers of the .test file.
	src := strings.Repeat("\n", c.SQLLine-1) + c.SQL
	lookup := func(name string) (string, bool) { v, ok := r.env[name]; return v, ok }
	err := r.b.Compile(r.s.File, src, lookup)
	if len(c.Errors) == 0 {
		if err != nil {
			r.failf(c.Line, "app does not compile (skipping its section):\n    %s", indent(err.Error()))
			r.skipped = true
			return
		}
		r.loaded = true
		return
	}
	for _, want := range c.Errors {
		r.res.Expectations++
		if err == nil {
			r.failf(want.Line, "expect error %s: the app compiled", want.describe())
			continue
		}
		if !matchesError(want, err) {
			r.failf(want.Line, "expect error %s: got\n    %s", want.describe(), indent(err.Error()))
		}
	}
	r.skipped = true // nothing may run after expect error (the parser enforces it)
}

func (e *ExpectError) describe() string {
	if e.HasPos {
		return fmt.Sprintf("%d:%d %q", e.ErrLine, e.ErrCol, e.Text)
	}
	return fmt.Sprintf("%q", e.Text)
}

// matchesError reports whether some error in err contains want's text and,
// when want has a position, sits there.
func matchesError(want *ExpectError, err error) bool {
	var list diag.List
	if !errors.As(err, &list) {
		var one *diag.Error
		if errors.As(err, &one) {
			list = diag.List{one}
		}
	}
	if list == nil {
		return !want.HasPos && strings.Contains(err.Error(), want.Text)
	}
	for _, e := range list {
		if !strings.Contains(e.Error(), want.Text) {
			continue
		}
		if !want.HasPos || e.Pos.Line == want.ErrLine && e.Pos.Col == want.ErrCol {
			return true
		}
	}
	return false
}

func (r *runner) expectEvent(c *ExpectEvent) {
	r.res.Expectations++
	want := fmt.Sprintf("%s at %s %s", c.Stream, formatTS(c.TS), c.Raw)
	if c.Expired {
		want += " (expired)"
	}
	if len(r.queue) == 0 {
		r.failf(c.Line, "expect %s: no output pending\n    want: %s", c.Stream, want)
		return
	}
	got := r.queue[0]
	r.queue = r.queue[1:]
	if diffs := compareEvent(c, got.Output); len(diffs) > 0 {
		r.failf(c.Line, "expect %s: %s\n    want: %s\n    got:  %s (from line %d)",
			c.Stream, strings.Join(diffs, "; "), want, got.Output, got.line)
	}
}

func (r *runner) expectSchema(c *ExpectSchema) {
	r.res.Expectations++
	s := r.b.Schema(c.Stream)
	if s == nil {
		r.failf(c.Line, "expect schema: the app has no stream %s", c.Stream)
		return
	}
	ok := len(s.Attrs) == len(c.Attrs)
	for i := 0; ok && i < len(s.Attrs); i++ {
		ok = s.Attrs[i].Name == c.Attrs[i].Name && s.Attrs[i].Type.String() == c.Attrs[i].Type
	}
	if !ok {
		r.failf(c.Line, "expect schema:\n    want: %s\n    got:  %s", c.Raw, s)
	}
}

func indent(s string) string { return strings.ReplaceAll(s, "\n", "\n    ") }
