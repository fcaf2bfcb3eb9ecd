package plan

import (
	"os"
	"sort"
	"strings"

	"github.com/eventflux-io/eventflux-go/sqlc/ast"
	"github.com/eventflux-io/eventflux-go/sqlc/diag"
)

// Options configures Build.
type Options struct {
	// LookupEnv resolves ${ENV} references in WITH values. Default
	// os.LookupEnv.
	LookupEnv func(name string) (string, bool)
	// Keys gives record keys from outside the SQL (the pipeline YAML's
	// streams.<name>.key) to declared streams whose WITH names none: the
	// partitioning decisions count them as if WITH (key = ...) said so.
	// Names that are no attribute of the stream are ignored here (the
	// pipeline's binding check reports them).
	Keys map[string][]string
}

// binder carries the state of one Build.
type binder struct {
	opts    Options
	errs    diag.List
	streams map[string]*Stream
	plan    *Plan
}

// Build binds script and returns its logical plan, or every error found.
func Build(script *ast.Script, opts Options) (*Plan, diag.List) {
	if opts.LookupEnv == nil {
		opts.LookupEnv = os.LookupEnv
	}
	b := &binder{opts: opts, streams: map[string]*Stream{}, plan: &Plan{}}
	var queries []*pendingQuery
	for _, st := range script.Stmts {
		switch st := st.(type) {
		case *ast.CreateStream:
			b.bindStream(st)
		case *ast.Query:
			queries = append(queries, &pendingQuery{q: st, index: len(queries)})
		case *ast.Partition:
			blk := b.beginPartition(st)
			for _, q := range st.Queries {
				queries = append(queries, &pendingQuery{q: q, index: len(queries), block: blk})
			}
		default:
			b.errorf(st.Pos(), "", "unsupported statement %T", st)
		}
	}
	b.bindQueries(queries)
	b.finishPartitions()
	if len(b.errs) == 0 {
		b.nameQueries()
		b.decidePartitioning()
	}
	if len(b.errs) > 0 {
		b.errs.SetFile(script.File)
		b.errs.Err()
		return nil, b.errs
	}
	return b.plan, nil
}

// pendingQuery is a query waiting for its input stream to be defined.
type pendingQuery struct {
	q     *ast.Query
	index int
	block *PartitionBlock // the PARTITION WITH block, or nil
	done  bool
}

// bindQueries binds queries in dependency order: a query reading a stream
// that a later query defines (by inserting into it) waits for that query.
// Queries whose inputs become known in the same pass bind in source order.
func (b *binder) bindQueries(queries []*pendingQuery) {
	for progress := true; progress; {
		progress = false
		for _, pq := range queries {
			if pq.done || b.waitsForDefinition(pq, queries) {
				continue
			}
			pq.done, progress = true, true
			b.bindQuery(pq.q, pq.index, pq.block)
		}
	}
	var stuck []string
	for _, pq := range queries {
		if !pq.done && pq.q.From != nil {
			stuck = append(stuck, pq.q.From.Stream.Name)
		}
	}
	sort.Strings(stuck)
	for _, pq := range queries {
		if !pq.done {
			in := pq.q.From.Stream
			b.errorf(in.At, in.Name, "stream %s is only defined by queries that depend on this one", in.Name).
				WithHint("queries must not form a cycle (streams involved: %s)", strings.Join(stuck, ", "))
		}
	}
}

// waitsForDefinition reports whether pq reads a stream that is not known
// yet but that another unbound query inserts into.
func (b *binder) waitsForDefinition(pq *pendingQuery, queries []*pendingQuery) bool {
	if pq.q.From == nil || b.streams[pq.q.From.Stream.Name] != nil {
		return false
	}
	for _, other := range queries {
		if other != pq && !other.done && other.q.Insert != nil && other.q.Insert.Target.Name == pq.q.From.Stream.Name {
			return true
		}
	}
	return false
}

func (b *binder) addStream(s *Stream) {
	b.streams[s.Schema.Name] = s
	b.plan.Streams = append(b.plan.Streams, s)
}

// streamNames lists every known stream, for hints.
func (b *binder) streamNames() []string {
	names := make([]string, 0, len(b.streams))
	for n := range b.streams {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func (b *binder) errorf(pos ast.Pos, text, format string, args ...any) *diag.Error {
	e := diag.Errorf(pos, text, format, args...)
	b.errs = append(b.errs, e)
	return e
}

func (b *binder) addErrors(l diag.List) {
	b.errs = append(b.errs, l...)
}
