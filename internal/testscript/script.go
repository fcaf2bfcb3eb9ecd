package testscript

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// Script is a parsed .test file: its commands in file order.
type Script struct {
	// File names the script in failure messages.
	File string
	Cmds []Cmd
}

// Cmd is one command of a script. Line is the 1-based line it starts on.
type Cmd interface {
	line() int
}

// App is an `app` ... `end` block: the SQL of a new application, which
// replaces the previous one (and its state and pending outputs).
type App struct {
	Line int
	// SQLLine is the file line of the first SQL line (Line + 1).
	SQLLine int
	SQL     string
	// Errors are the `expect error` lines that directly follow the block;
	// when there are any, compilation must fail.
	Errors []*ExpectError
}

// Env is `env NAME=value`: it defines a variable for the ${NAME} and
// ${NAME:default} references of the apps that follow. Scripts never see
// the process environment, so they are hermetic.
type Env struct {
	Line  int
	Name  string
	Value string
}

// Send is `send Stream [at TIME] {json}`: one input event.
type Send struct {
	Line   int
	Stream string
	// HasTS is false when `at` was omitted: the event is sent at the
	// current stream time (0 before any event).
	HasTS bool
	TS    int64
	Data  []byte
}

// Advance is `advance TIME` (absolute) or `advance +DURATION` (relative to
// the current stream time): a watermark with no event.
type Advance struct {
	Line     int
	TS       int64
	Relative bool
}

// ExpectEvent is `expect Stream at TIME {json} [(expired)]`: the next
// pending output must be exactly this event.
type ExpectEvent struct {
	Line    int
	Stream  string
	TS      int64
	Expired bool
	// Attrs are the expected attributes in the order written.
	Attrs []ExpectAttr
	// Raw is the JSON object as written, for messages.
	Raw string
}

// ExpectAttr is one expected attribute: its name and its JSON value
// (null, true/false, a number or a string) as written.
type ExpectAttr struct {
	Name  string
	Value json.RawMessage
}

// ExpectNothing is `expect nothing`: no output may be pending.
type ExpectNothing struct {
	Line int
}

// ExpectError is `expect error [LINE:COL] "text"`: compiling the app block
// above must fail with an error whose message contains Text (and, when
// given, that sits at line:col of the .test file).
type ExpectError struct {
	Line    int
	HasPos  bool
	ErrLine int
	ErrCol  int
	Text    string
}

// ExpectSchema is `expect schema Stream(a TYPE, ...)`: the compiled app's
// stream must have exactly these attributes, names and types, in order.
type ExpectSchema struct {
	Line   int
	Stream string
	Attrs  []SchemaAttr
	Raw    string
}

// SchemaAttr is one attribute of an ExpectSchema.
type SchemaAttr struct {
	Name string
	Type string // canonical type name, e.g. DOUBLE
}

func (c *App) line() int           { return c.Line }
func (c *Env) line() int           { return c.Line }
func (c *Send) line() int          { return c.Line }
func (c *Advance) line() int       { return c.Line }
func (c *ExpectEvent) line() int   { return c.Line }
func (c *ExpectNothing) line() int { return c.Line }
func (c *ExpectError) line() int   { return c.Line }
func (c *ExpectSchema) line() int  { return c.Line }

// SyntaxError is a malformed script line.
type SyntaxError struct {
	File string
	Line int
	Msg  string
}

// Error renders "file.test:LINE: msg".
func (e *SyntaxError) Error() string { return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg) }

// Parse parses the text of a .test file named file.
func Parse(file, src string) (*Script, error) {
	p := &parser{file: file, lines: strings.Split(strings.ReplaceAll(src, "\r\n", "\n"), "\n")}
	return p.parse()
}

type parser struct {
	file  string
	lines []string
	s     Script
	// lastApp is the app block the next `expect error` attaches to; it is
	// cleared by any other command.
	lastApp *App
	// errApp is set once an app has `expect error` lines: nothing but
	// another app may follow it.
	errApp  bool
	seenApp bool
}

func (p *parser) errorf(line int, format string, args ...any) error {
	return &SyntaxError{File: p.file, Line: line, Msg: fmt.Sprintf(format, args...)}
}

func (p *parser) parse() (*Script, error) {
	p.s.File = p.file
	for i := 0; i < len(p.lines); i++ {
		n := i + 1
		text := strings.TrimSpace(p.lines[i])
		if text == "" || text[0] == '#' {
			continue
		}
		word, rest := cutWord(text)
		switch word {
		case "app", "env", "send", "advance", "expect":
		default:
			return nil, p.errorf(n, "unknown command %q (want app, env, send, advance or expect)", word)
		}
		if word != "app" && word != "env" && !(word == "expect" && firstWord(rest) == "error") {
			p.lastApp = nil
			if p.errApp {
				return nil, p.errorf(n, "%s after `expect error`: a failing app runs nothing; start a new app block", word)
			}
			if !p.seenApp {
				return nil, p.errorf(n, "%s before any app block", word)
			}
		}
		var err error
		switch word {
		case "app":
			i, err = p.app(i, rest)
		case "env":
			err = p.env(n, rest)
		case "send":
			err = p.send(n, rest)
		case "advance":
			err = p.advance(n, rest)
		case "expect":
			err = p.expect(n, rest)
		}
		if err != nil {
			return nil, err
		}
	}
	return &p.s, nil
}

// app reads the SQL block that starts after line i, up to a line that is
// exactly "end", and returns the index of that line.
func (p *parser) app(i int, rest string) (int, error) {
	if r := stripComment(rest); r != "" {
		return i, p.errorf(i+1, "app takes no arguments (the SQL goes on the following lines, up to a line `end`)")
	}
	start := i + 1
	for j := start; j < len(p.lines); j++ {
		if strings.TrimRight(p.lines[j], " \t\r") == "end" {
			a := &App{Line: i + 1, SQLLine: start + 1, SQL: strings.Join(p.lines[start:j], "\n")}
			p.s.Cmds = append(p.s.Cmds, a)
			p.lastApp, p.errApp, p.seenApp = a, false, true
			return j, nil
		}
	}
	return i, p.errorf(i+1, "app block has no closing `end` line")
}

func (p *parser) env(n int, rest string) error {
	name, value, ok := strings.Cut(rest, "=")
	name = strings.TrimSpace(name)
	if !ok || !validEnvName(name) {
		return p.errorf(n, "env wants NAME=value, got %q", rest)
	}
	p.s.Cmds = append(p.s.Cmds, &Env{Line: n, Name: name, Value: strings.TrimSpace(value)})
	return nil
}

func validEnvName(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		ok := r == '_' || r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || i > 0 && r >= '0' && r <= '9'
		if !ok {
			return false
		}
	}
	return true
}

func (p *parser) send(n int, rest string) error {
	stream, rest := cutWord(rest)
	if stream == "" || strings.HasPrefix(stream, "{") {
		return p.errorf(n, "send wants: send STREAM [at TIME] {json}")
	}
	c := &Send{Line: n, Stream: unquoteName(stream)}
	if w, r := cutWord(rest); w == "at" {
		tw, r2 := cutWord(r)
		ts, err := ParseTime(tw)
		if err != nil {
			return p.errorf(n, "send: %v", err)
		}
		c.HasTS, c.TS, rest = true, ts, r2
	}
	obj, tail, err := splitJSONObject(rest)
	if err != nil {
		return p.errorf(n, "send: %v", err)
	}
	if tail != "" {
		return p.errorf(n, "send: unexpected %q after the JSON object", tail)
	}
	c.Data = obj
	p.s.Cmds = append(p.s.Cmds, c)
	return nil
}

func (p *parser) advance(n int, rest string) error {
	w, tail := cutWord(stripComment(rest))
	if w == "" || tail != "" {
		return p.errorf(n, "advance wants one time: advance TIME or advance +DURATION")
	}
	c := &Advance{Line: n}
	if strings.HasPrefix(w, "+") {
		c.Relative, w = true, w[1:]
	}
	ts, err := ParseTime(w)
	if err != nil {
		return p.errorf(n, "advance: %v", err)
	}
	c.TS = ts
	p.s.Cmds = append(p.s.Cmds, c)
	return nil
}

func (p *parser) expect(n int, rest string) error {
	first, after := cutWord(rest)
	second, _ := cutWord(after)
	switch {
	case first == "":
		return p.errorf(n, "expect wants: expect STREAM at TIME {json}, expect nothing, expect error \"text\" or expect schema STREAM(...)")
	case first == "nothing" && second != "at":
		if stripComment(after) != "" {
			return p.errorf(n, "expect nothing takes no arguments")
		}
		p.s.Cmds = append(p.s.Cmds, &ExpectNothing{Line: n})
		return nil
	case first == "error" && second != "at":
		return p.expectError(n, after)
	case first == "schema" && second != "at":
		return p.expectSchema(n, after)
	}
	c := &ExpectEvent{Line: n, Stream: unquoteName(first)}
	if second != "at" {
		return p.errorf(n, "expect %s: want `at TIME` after the stream name", first)
	}
	_, r := cutWord(after)
	tw, r := cutWord(r)
	ts, err := ParseTime(tw)
	if err != nil {
		return p.errorf(n, "expect: %v", err)
	}
	c.TS = ts
	obj, tail, err := splitJSONObject(r)
	if err != nil {
		return p.errorf(n, "expect: %v", err)
	}
	switch tail {
	case "":
	case "(expired)":
		c.Expired = true
	case "(current)":
	default:
		return p.errorf(n, "expect: unexpected %q after the JSON object (only (expired) or (current) may follow)", tail)
	}
	c.Raw = string(obj)
	if c.Attrs, err = parseAttrs(obj); err != nil {
		return p.errorf(n, "expect: %v", err)
	}
	p.s.Cmds = append(p.s.Cmds, c)
	return nil
}

func (p *parser) expectError(n int, rest string) error {
	if p.lastApp == nil {
		return p.errorf(n, "expect error must directly follow an app block (or another expect error)")
	}
	c := &ExpectError{Line: n}
	rest = strings.TrimSpace(rest)
	if rest != "" && rest[0] >= '0' && rest[0] <= '9' {
		w, r := cutWord(rest)
		l, col, ok := strings.Cut(w, ":")
		var err1, err2 error
		c.ErrLine, err1 = strconv.Atoi(l)
		c.ErrCol, err2 = strconv.Atoi(col)
		if !ok || err1 != nil || err2 != nil {
			return p.errorf(n, "expect error: bad position %q (want LINE:COL)", w)
		}
		c.HasPos, rest = true, strings.TrimSpace(r)
	}
	q, err := strconv.QuotedPrefix(rest)
	if err != nil {
		return p.errorf(n, "expect error wants a quoted string: expect error [LINE:COL] \"text\"")
	}
	if tail := stripComment(rest[len(q):]); tail != "" {
		return p.errorf(n, "expect error: unexpected %q after the string", tail)
	}
	c.Text, _ = strconv.Unquote(q)
	p.lastApp.Errors = append(p.lastApp.Errors, c)
	p.errApp = true
	return nil
}

func (p *parser) expectSchema(n int, rest string) error {
	rest = stripComment(rest)
	open := strings.IndexByte(rest, '(')
	if open < 0 || !strings.HasSuffix(rest, ")") {
		return p.errorf(n, "expect schema wants: expect schema STREAM(name TYPE, ...)")
	}
	c := &ExpectSchema{Line: n, Stream: unquoteName(strings.TrimSpace(rest[:open])), Raw: rest}
	if c.Stream == "" {
		return p.errorf(n, "expect schema: missing stream name")
	}
	inner := strings.TrimSpace(rest[open+1 : len(rest)-1])
	if inner != "" {
		for _, part := range strings.Split(inner, ",") {
			part = strings.TrimSpace(part)
			sp := strings.LastIndexAny(part, " \t")
			if sp < 0 {
				return p.errorf(n, "expect schema: attribute %q wants `name TYPE`", part)
			}
			typ, ok := canonicalType(strings.TrimSpace(part[sp+1:]))
			if !ok {
				return p.errorf(n, "expect schema: unknown type %q", part[sp+1:])
			}
			c.Attrs = append(c.Attrs, SchemaAttr{Name: unquoteName(strings.TrimSpace(part[:sp])), Type: typ})
		}
	}
	p.s.Cmds = append(p.s.Cmds, c)
	return nil
}

// splitJSONObject reads one JSON object at the start of s and returns it
// and the rest of the line with any trailing # comment removed.
func splitJSONObject(s string) (obj []byte, tail string, err error) {
	s = strings.TrimSpace(s)
	if !strings.HasPrefix(s, "{") {
		return nil, "", fmt.Errorf("want a JSON object, got %q", s)
	}
	dec := json.NewDecoder(strings.NewReader(s))
	var raw json.RawMessage
	if err := dec.Decode(&raw); err != nil {
		return nil, "", fmt.Errorf("bad JSON object: %v", err)
	}
	off := int(dec.InputOffset())
	return raw, stripComment(s[off:]), nil
}

// parseAttrs splits a JSON object into its members in written order; every
// value must be a scalar.
func parseAttrs(obj []byte) ([]ExpectAttr, error) {
	dec := json.NewDecoder(bytes.NewReader(obj))
	if _, err := dec.Token(); err != nil { // {
		return nil, err
	}
	var out []ExpectAttr
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		key := tok.(string)
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, err
		}
		if c := raw[0]; c == '{' || c == '[' {
			return nil, fmt.Errorf("attribute %q: want a scalar (null, boolean, number or string)", key)
		}
		if seen[key] {
			return nil, fmt.Errorf("attribute %q given twice", key)
		}
		seen[key] = true
		out = append(out, ExpectAttr{Name: key, Value: raw})
	}
	return out, nil
}

// cutWord splits s at its first run of whitespace.
func cutWord(s string) (word, rest string) {
	s = strings.TrimSpace(s)
	if i := strings.IndexAny(s, " \t"); i >= 0 {
		return s[:i], strings.TrimSpace(s[i+1:])
	}
	return s, ""
}

func firstWord(s string) string { w, _ := cutWord(s); return w }

// stripComment removes a trailing "# ..." comment and surrounding space.
func stripComment(s string) string {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "#") {
		return ""
	}
	for _, sep := range []string{" #", "\t#"} {
		if i := strings.Index(s, sep); i >= 0 {
			s = s[:i]
		}
	}
	return strings.TrimSpace(s)
}

// unquoteName strips the double quotes of a "quoted" stream or attribute
// name.
func unquoteName(s string) string {
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		return s[1 : len(s)-1]
	}
	return s
}
