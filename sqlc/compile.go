package sqlc

import (
	"fmt"
	"os"
	"strings"

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
// query an optional filter followed by a select that inserts into the
// target stream.
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
		cols := make([]expr.Func, len(q.Project))
		items := make([]string, len(q.Project))
		for i, pr := range q.Project {
			cols[i] = expr.Compile(pr.Expr)
			if pr.Expr.Type() != pr.Type && pr.Expr.Type() != topology.TypeNull {
				cols[i] = widen(cols[i], pr.Type)
			}
			items[i] = pr.Expr.String()
			if items[i] != pr.Name {
				items[i] += " AS " + pr.Name
			}
		}
		current, expired := q.EventKinds()
		name := q.Name + "/select"
		detail := fmt.Sprintf("%s; insert %s into %s", strings.Join(items, ", "), kindsName(current, expired), q.Target.Schema.Name)
		b.AddProcessor(topology.NodeInfo{Name: name, Op: "select", Detail: detail, Schema: q.Target.Schema},
			newSelect(cols, current, expired), parent)
		b.Connect(name, q.Target.Schema.Name)
	}
	return b.Build()
}

func kindsName(current, expired bool) string {
	switch {
	case current && expired:
		return "all events"
	case expired:
		return "expired events"
	}
	return "current events"
}
