package sqlc

import (
	"fmt"
	"os"

	"github.com/eventflux-io/eventflux-go/sqlc/expr"
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
}

// Describe renders the program for `eventflux explain`.
func (p *Program) Describe() string { return p.Topology.Describe() }

func (o *Options) defaults() {
	if o.File == "" {
		o.File = "app.sql"
	}
	if o.LookupEnv == nil {
		o.LookupEnv = os.LookupEnv
	}
}

// Compile parses, binds and plans src and builds its topology. On bad SQL
// the error is an ErrorList holding every error found.
func Compile(src string, opts Options) (*Program, error) {
	opts.defaults()
	script, errs := parser.Parse(opts.File, src)
	if len(errs) > 0 {
		errs.SetFile(opts.File)
		return nil, errs.Err()
	}
	p, errs := plan.Build(script, plan.Options{LookupEnv: opts.LookupEnv})
	if len(errs) > 0 {
		errs.SetFile(opts.File)
		return nil, errs.Err()
	}
	topo, err := build(p)
	if err != nil {
		return nil, fmt.Errorf("sqlc: %w", err)
	}
	return &Program{Topology: topo, Plan: p.String(), Streams: len(p.Streams), Queries: len(p.Queries)}, nil
}

// build turns a logical plan into a topology: a node per stream, and per
// query an optional filter (WHERE runs before any window), the window, and
// the select stage that inserts into the target stream.
func build(p *plan.Plan) (*topology.Topology, error) {
	b := topology.NewBuilder()
	for _, s := range p.Streams {
		b.AddStream(s.Schema, s.Binding)
	}
	for _, q := range p.Queries {
		parent := q.Input.Schema.Name
		if q.Filter != nil {
			name := q.Name + "/filter"
			b.AddProcessor(topology.NodeInfo{Name: name, Op: "filter", Detail: q.Filter.String(), Schema: q.Input.Schema},
				newFilter(expr.CompileFilter(q.Filter)), parent)
			parent = name
		}
		parent = buildWindow(b, q, parent)
		b.Connect(buildSelect(b, q, parent), q.Target.Schema.Name)
	}
	return b.Build()
}
