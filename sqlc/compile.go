package sqlc

import (
	"fmt"
	"os"
	"strings"

	"github.com/eventflux-io/eventflux-go/sqlc/ast"

	"github.com/eventflux-io/eventflux-go/sqlc/parser"
	"github.com/eventflux-io/eventflux-go/sqlc/plan"

	"github.com/eventflux-io/eventflux-go/sqlc/diag"
	"github.com/eventflux-io/eventflux-go/topology"
)

// Error is one positioned compile error.
type Error = diag.Error

// ErrorList is every error of a failed compilation, in source order. It is
// the error type Compile returns when the SQL is at fault.
type ErrorList = diag.List

// Options configures Compile.
type Options struct {
	// File names the source in error messages. Default "app.sql".
	File string
	// LookupEnv resolves ${ENV} references in WITH values. Default
	// os.LookupEnv.
	LookupEnv func(name string) (string, bool)
	// Keys gives declared streams whose WITH names no key a record key
	// from outside the SQL (the pipeline YAML), which the partitioning
	// decisions count (see plan.Options.Keys).
	Keys map[string][]string
}

// Program is a compiled application.
type Program struct {
	// Topology is the runnable operator graph.
	Topology *topology.Topology
	// Plan is the logical plan, rendered as an indented tree.
	Plan string
	// Streams and Queries count the application's streams (declared and
	// inferred) and queries.
	Streams, Queries int
	// Notes are advice about the plan, one line each: queries whose
	// global state runs in a single task, with how to partition them.
	Notes []string
}

// Describe renders the program for `eventflux explain`: the topology's
// description, then the notes.
func (p *Program) Describe() string { return p.DescribeWith(nil) }

// DescribeWith is Describe with stream bindings overridden (see
// topology.Topology.DescribeWith).
func (p *Program) DescribeWith(bindings map[string]topology.Binding) string {
	s := p.Topology.DescribeWith(bindings)
	if len(p.Notes) > 0 {
		s += "notes:\n"
		for _, n := range p.Notes {
			s += "  " + n + "\n"
		}
	}
	return s
}

func (o *Options) defaults() {
	if o.File == "" {
		o.File = "app.sql"
	}
	if o.LookupEnv == nil {
		o.LookupEnv = os.LookupEnv
	}
}

// Source is one SQL text of an application and the file name its errors
// carry.
type Source struct {
	File string
	Text string
}

// Compile parses, binds and plans src and builds its topology. On bad SQL
// the error is an ErrorList holding every error found.
func Compile(src string, opts Options) (*Program, error) {
	opts.defaults()
	return CompileSources([]Source{{File: opts.File, Text: src}}, opts)
}

// CompileSources compiles several sources as one application, their
// statements in order (a query in one file may read a stream another
// declares). Every error carries the position in its own file.
func CompileSources(srcs []Source, opts Options) (prog *Program, err error) {
	// Invariant checks deeper in the compiler panic; none may escape to
	// the caller as a crash (STYLE item 7).
	defer func() {
		if r := recover(); r != nil {
			prog, err = nil, fmt.Errorf("sqlc: internal compiler error: %v", r)
		}
	}()
	opts.defaults()
	if len(srcs) == 0 {
		return nil, fmt.Errorf("sqlc: no SQL sources")
	}
	// Each source is parsed behind as many blank lines as the sources
	// before it hold, so positions are unique across the application;
	// errors are mapped back to their file's own lines afterwards.
	script := &ast.Script{File: srcs[0].File}
	spans := make([]sourceSpan, len(srcs))
	var errs diag.List
	first := 0
	for i, src := range srcs {
		spans[i] = sourceSpan{file: src.File, first: first, pad: first}
		sc, perrs := parser.Parse(src.File, strings.Repeat("\n", first)+src.Text)
		errs = append(errs, perrs...)
		if sc != nil {
			script.Stmts = append(script.Stmts, sc.Stmts...)
		}
		first += strings.Count(src.Text, "\n") + 1
	}
	if len(errs) == 0 {
		var p *plan.Plan
		if p, errs = plan.Build(script, plan.Options{LookupEnv: opts.LookupEnv, Keys: opts.Keys}); len(errs) == 0 {
			topo, err := build(p)
			if err != nil {
				return nil, fmt.Errorf("sqlc: %w", err)
			}
			prog := &Program{Topology: topo, Plan: p.String(), Streams: len(p.Streams), Queries: len(p.Queries)}
			for _, q := range p.Queries {
				if n := q.Partitioning.Note; n != "" {
					prog.Notes = append(prog.Notes, fmt.Sprintf("query %s at %s %s", q.Name, place(q.At, spans), n))
				}
			}
			return prog, nil
		}
	}
	sorted := errs.Err() // in application order, before positions go per file
	for _, e := range errs {
		relocate(e, spans)
	}
	return nil, sorted
}

// sourceSpan records where one source starts in the padded line space.
type sourceSpan struct {
	file  string
	first int // 0-based line the source starts at
	pad   int // bytes of padding before it
}

// relocate maps e from the padded line space back to its source.
func relocate(e *diag.Error, spans []sourceSpan) {
	if sp, ok := spanOf(e.Pos.Line, spans); ok {
		e.File = sp.file
		e.Pos.Line -= sp.first
		e.Pos.Offset -= sp.pad
	}
}

// spanOf returns the source holding line (1-based, padded line space).
func spanOf(line int, spans []sourceSpan) (sourceSpan, bool) {
	for i := len(spans) - 1; i >= 0; i-- {
		if line-1 >= spans[i].first {
			return spans[i], true
		}
	}
	return sourceSpan{}, false
}

// place renders pos for a note: "line:col" of a single source, with the
// file in front when the application has several.
func place(pos ast.Pos, spans []sourceSpan) string {
	sp, ok := spanOf(pos.Line, spans)
	if !ok {
		return pos.String()
	}
	at := fmt.Sprintf("%d:%d", pos.Line-sp.first, pos.Col)
	if len(spans) > 1 {
		return sp.file + ":" + at
	}
	return at
}

// build turns a logical plan into a topology: a node per stream, and per
// query an optional filter (WHERE runs before any window), the repartition
// topic its partitioning decision asks for, the window, and the select
// stage that inserts into the target stream. A query inside PARTITION
// WITH becomes one partition node (buildPartitioned). Node names start
// with the query's stable ID, so the stores named after them are stable
// too.
func build(p *plan.Plan) (*topology.Topology, error) {
	b := topology.NewBuilder()
	for _, s := range p.Streams {
		if s.Inner {
			b.AddInnerStream(innerNodeSchema(s))
			continue
		}
		b.AddStream(s.Schema, s.Binding)
	}
	for _, q := range p.Queries {
		if q.Block != nil {
			if err := buildPartitioned(b, q); err != nil {
				return nil, err
			}
			continue
		}
		named := *q
		named.Name = q.ID
		parent := addFilter(b, &named, q.Input.Schema.Name)
		if r := q.Partitioning.Repartition; r != nil {
			parent = addRepartition(b, r, parent)
		}
		parent = buildWindow(b, &named, parent)
		b.Connect(buildSelect(b, &named, parent), q.Target.Schema.Name)
	}
	return b.Build()
}
