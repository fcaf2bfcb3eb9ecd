package plan

import (
	"fmt"
	"strings"

	"github.com/eventflux-io/eventflux-go/sqlc/ast"
	"github.com/eventflux-io/eventflux-go/sqlc/expr"
	"github.com/eventflux-io/eventflux-go/topology"
)

// Plan is a bound application: its streams and its queries, in the order
// they must be wired (a query comes after the queries defining its input).
type Plan struct {
	Streams []*Stream
	Queries []*Query
	// Blocks are the PARTITION WITH blocks, in source order.
	Blocks []*PartitionBlock
}

// Stream is a declared or inferred stream.
type Stream struct {
	Schema  *topology.Schema
	Binding topology.Binding
	// Declared is true for CREATE STREAM, false for a stream whose schema
	// was inferred from the first query inserting into it.
	Declared bool
	At       ast.Pos
	// Inner is set for a PARTITION WITH inner stream (#Name), local to
	// Block: its events stay in the partition instance that produced them.
	Inner bool
	Block *PartitionBlock
}

// Query is one bound INSERT INTO ... SELECT ... FROM.
type Query struct {
	// Name is "q<N>", N the 1-based position of the query in the source,
	// for people reading plans.
	Name string
	// ID is the query's stable name: "q" and 12 hex digits of the FNV-64
	// hash of its canonical description (see nameQueries). The compiler
	// derives node, store and internal topic names from it, so they do
	// not change when unrelated queries are added, removed or reordered.
	ID string
	At ast.Pos
	// Block is the PARTITION WITH block the query is in, or nil. PartKey
	// is the partition key of its input stream (nil outside blocks and
	// for a query reading an inner stream).
	Block   *PartitionBlock
	PartKey *PartitionKey
	// Partitioning is where the query's state lives across tasks.
	Partitioning Partitioning
	// canon is the query as SQL, for its ID.
	canon string
	// Input is the stream read; Alias its alias in the query ("" if none).
	Input *Stream
	Alias string
	// Filter is the WHERE condition, or nil. It runs before the window.
	Filter expr.Expr
	// Window is the query's window, or nil.
	Window *Window
	// Agg is the query's aggregation (GROUP BY, aggregates, HAVING, ORDER
	// BY, LIMIT, OFFSET, OUTPUT rate), or nil for a plain projection.
	Agg *Aggregation
	// Project lists the output attributes, in order.
	Project []*Projection
	// Target is the stream inserted into, and Events which event kinds
	// reach it.
	Target *Stream
	Events ast.EventSelector
}

// Projection is one output attribute: its name, its expression and the
// type it is stored as in the target stream (a widening of the
// expression's type when the target was declared wider).
type Projection struct {
	Name string
	Expr expr.Expr
	Type topology.Type
}

// EventKinds returns the event kinds a query inserts.
func (q *Query) EventKinds() (current, expired bool) {
	switch q.Events {
	case ast.EventsExpired:
		return false, true
	case ast.EventsAll:
		return true, true
	}
	return true, false
}

// String renders the plan as an indented tree, the form the golden tests
// and `eventflux explain --plan` show.
func (p *Plan) String() string {
	var b strings.Builder
	for _, s := range p.Streams {
		kind := "inferred"
		if s.Declared {
			kind = "declared"
		}
		where := "internal"
		if s.Inner {
			where = "inner stream of the partition at " + s.Block.At.String()
		}
		if !s.Binding.Internal() {
			where = "topic " + s.Binding.Topic
		}
		fmt.Fprintf(&b, "stream %s (%s, %s)\n", s.Schema, kind, where)
	}
	for _, q := range p.Queries {
		fmt.Fprintf(&b, "query %s (%s)\n", q.Name, q.ID)
		if q.Block != nil {
			fmt.Fprintf(&b, "  in %s, per key of %s\n", q.Block.describe(), q.keyName())
		}
		if q.Partitioning.Mode != Stateless || q.Block != nil {
			fmt.Fprintf(&b, "  partitioning: %s\n", q.Partitioning.String())
		}
		fmt.Fprintf(&b, "  insert %s events into %s\n", eventsName(q.Events), q.Target.Schema)
		items := make([]string, len(q.Project))
		for i, pr := range q.Project {
			items[i] = fmt.Sprintf("%s %s := %s", pr.Name, pr.Type, pr.Expr)
		}
		indent := "    "
		if q.Agg != nil {
			indent = q.Agg.writeAbove(&b, indent)
		}
		fmt.Fprintf(&b, "%sproject %s\n", indent, strings.Join(items, ", "))
		indent += "  "
		if q.Agg != nil {
			indent = q.Agg.writeBelow(&b, indent)
		}
		if q.Window != nil {
			fmt.Fprintf(&b, "%s%s\n", indent, q.Window.PlanLine())
			indent += "  "
		}
		r := q.Partitioning.Repartition
		if r != nil && r.AfterFilter {
			indent = r.writeLine(&b, indent)
		}
		if q.Filter != nil {
			fmt.Fprintf(&b, "%sfilter %s\n", indent, q.Filter)
			indent += "  "
		}
		if r != nil && !r.AfterFilter {
			indent = r.writeLine(&b, indent)
		}
		fmt.Fprintf(&b, "%sscan %s", indent, q.Input.Schema.Name)
		if q.Alias != "" {
			fmt.Fprintf(&b, " AS %s", q.Alias)
		}
		b.WriteByte('\n')
	}
	return b.String()
}

func eventsName(e ast.EventSelector) string {
	switch e {
	case ast.EventsExpired:
		return "expired"
	case ast.EventsAll:
		return "all"
	}
	return "current"
}

// keyName names the partition key a block query's state is kept per.
func (q *Query) keyName() string {
	if q.PartKey != nil {
		return q.PartKey.String()
	}
	return "the partition key carried by " + q.Input.Schema.Name
}

// writeLine renders the repartition step of the plan tree.
func (r *Repartition) writeLine(b *strings.Builder, indent string) string {
	if r.Single {
		fmt.Fprintf(b, "%srepartition %s into 1 partition\n", indent, r.Node)
	} else {
		fmt.Fprintf(b, "%srepartition %s by %s\n", indent, r.Node, exprList(r.Key))
	}
	return indent + "  "
}
