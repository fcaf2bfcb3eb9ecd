package plan

import (
	"fmt"
	"strings"

	"github.com/eventflux-io/eventflux-go/aggregate"
	"github.com/eventflux-io/eventflux-go/sqlc/ast"
	"github.com/eventflux-io/eventflux-go/sqlc/diag"
	"github.com/eventflux-io/eventflux-go/sqlc/expr"
	"github.com/eventflux-io/eventflux-go/topology"
)

// Frame slots of an aggregating select stage. Slot 0 is the input event
// (the event that triggered the row); aggregate calls read their results
// from slot AggSlot; HAVING and ORDER BY read output attributes from
// slot RowSlot.
const (
	AggSlot = 1
	RowSlot = 2
)

// Aggregation is the bound aggregation part of a query: its aggregate
// calls, GROUP BY, HAVING, ORDER BY, LIMIT, OFFSET and OUTPUT rate. A
// query has one when any of them is present.
type Aggregation struct {
	// Calls are the distinct aggregate calls of the select list, HAVING
	// and ORDER BY, in order of first appearance; call i's result is
	// column i of slot AggSlot.
	Calls []*AggCall
	// GroupBy are the grouping expressions over the input (slot 0).
	GroupBy []expr.Expr
	// Having filters output rows, or is nil. It may read output
	// attributes (slot RowSlot), input attributes and aggregates.
	Having expr.Expr
	// OrderBy sorts each emitted batch of rows.
	OrderBy []*OrderKey
	// Limit and Offset bound each emitted batch; -1 when absent.
	Limit, Offset int64
	// Output is the OUTPUT rate limit, or nil.
	Output *OutputRate
}

// AggCall is one aggregate call: its function, its argument over the
// input (nil for count() and count(*)) and its result type.
type AggCall struct {
	Def  aggregate.Def
	Arg  expr.Expr
	Text string
}

// OrderKey is one ORDER BY key.
type OrderKey struct {
	Expr expr.Expr
	Desc bool
}

// OutputRate is a bound OUTPUT clause: Events > 0 for EVERY n EVENTS,
// else Every milliseconds.
type OutputRate struct {
	Mode   ast.OutputMode
	Events int64
	Every  int64
}

// Batched reports whether rows of a query with window w are emitted per
// batch (lengthBatch, timeBatch, externalTimeBatch, tumbling, hopping,
// session, cron) rather than per event.
func Batched(w *Window) bool {
	if w == nil {
		return false
	}
	switch strings.ToLower(w.Type) {
	case "lengthbatch", "timebatch", "externaltimebatch", "tumbling", "hopping", "session", "cron":
		return true
	}
	return false
}

// Aggregating reports whether the select stage keeps aggregate state: it
// has aggregate calls or GROUP BY. Without either, a query with an
// Aggregation still emits one row per event (HAVING, ORDER BY, LIMIT,
// OFFSET or OUTPUT alone).
func (a *Aggregation) Aggregating() bool { return len(a.Calls) > 0 || len(a.GroupBy) > 0 }

// aggBinder binds the aggregation clauses of one query: the select list
// is bound with its expression options (the aggregate hook), then finish
// binds the remaining clauses.
type aggBinder struct {
	b     *binder
	q     *ast.Query
	bq    *Query
	scope expr.Scope
	agg   *Aggregation
	calls map[string]int
}

func (b *binder) beginAggregation(q *ast.Query, bq *Query, scope expr.Scope) *aggBinder {
	return &aggBinder{b: b, q: q, bq: bq, scope: scope,
		agg: &Aggregation{Limit: -1, Offset: -1}, calls: map[string]int{}}
}

// exprOptions returns the options the select list, HAVING and ORDER BY
// bind with: aggregate calls become columns of slot AggSlot.
func (a *aggBinder) exprOptions() expr.Options { return expr.Options{Aggregate: a.bindCall} }

// noAggregates returns options under which an aggregate call is an error
// naming clause, with hint.
func noAggregates(clause, hint string) expr.Options {
	return expr.Options{Aggregate: func(call *ast.Call, _ expr.Scope) (expr.Expr, diag.List) {
		err := diag.Errorf(call.Pos(), call.String(), "aggregate function '%s' is not allowed in %s", call.Name.Name, clause)
		err.Hint = hint
		return nil, diag.List{err}
	}}
}

// bindCall binds one aggregate call: its argument over the input stream
// (a nested aggregate is an error), then its type.
func (a *aggBinder) bindCall(call *ast.Call, _ expr.Scope) (expr.Expr, diag.List) {
	c := aggregate.Call{Name: call.Name.Name, Distinct: call.Distinct, HasArg: len(call.Args) > 0}
	if len(call.Args) > 1 {
		return nil, diag.List{diag.Errorf(call.Pos(), call.String(), "%s takes one argument, not %d", call.Name.Name, len(call.Args))}
	}
	if call.Star && !strings.EqualFold(call.Name.Name, "count") {
		return nil, diag.List{diag.Errorf(call.Pos(), call.String(), "'*' is only allowed in count(*)")}
	}
	var arg expr.Expr
	if c.HasArg {
		hint := fmt.Sprintf("aggregate the value once, e.g. compute %s in an earlier query", call.Args[0].String())
		be, errs := expr.BindWith(call.Args[0], a.scope,
			noAggregates(fmt.Sprintf("the argument of %s (aggregates do not nest)", call.Name.Name), hint))
		if len(errs) > 0 {
			return nil, errs
		}
		arg, c.Arg = be, be.Type()
	}
	def, err := aggregate.Lookup(c)
	if err != nil {
		e := diag.Errorf(call.Pos(), call.String(), "%s", err.Msg)
		e.Hint = err.Hint
		return nil, diag.List{e}
	}
	text := call.String()
	i, ok := a.calls[text]
	if !ok {
		i = len(a.agg.Calls)
		a.calls[text] = i
		a.agg.Calls = append(a.agg.Calls, &AggCall{Def: def, Arg: arg, Text: text})
	}
	return expr.NewColumn(call, expr.Column{Slot: AggSlot, Index: i, Type: def.Type, Name: text}), nil
}

// finish binds GROUP BY, HAVING, ORDER BY, LIMIT, OFFSET and OUTPUT and
// sets the query's Aggregation when any of them (or an aggregate call) is
// present.
func (a *aggBinder) finish() {
	q := a.q
	for _, g := range q.GroupBy {
		be, errs := expr.BindWith(g, a.scope, noAggregates("GROUP BY", "group by input attributes or expressions over them"))
		if len(errs) > 0 {
			a.b.addErrors(errs)
			continue
		}
		a.agg.GroupBy = append(a.agg.GroupBy, be)
	}
	out := &rowScope{in: a.scope, proj: a.bq.Project}
	if q.Having != nil {
		a.agg.Having = a.bindHaving(q.Having, out)
	}
	for _, o := range q.OrderBy {
		be, errs := expr.BindWith(o.Expr, out, a.exprOptions())
		if len(errs) > 0 {
			a.b.addErrors(errs)
			continue
		}
		a.agg.OrderBy = append(a.agg.OrderBy, &OrderKey{Expr: be, Desc: o.Desc})
	}
	a.agg.Limit = a.bindCount("LIMIT", q.Limit)
	a.agg.Offset = a.bindCount("OFFSET", q.Offset)
	if q.Output != nil {
		a.agg.Output = a.bindOutput(q.Output)
	}
	ag := a.agg
	if len(ag.Calls) > 0 || len(q.GroupBy) > 0 || q.Having != nil || len(q.OrderBy) > 0 ||
		q.Limit != nil || q.Offset != nil || q.Output != nil {
		a.bq.Agg = ag
	}
}

func (a *aggBinder) bindHaving(e ast.Expr, sc expr.Scope) expr.Expr {
	be, errs := expr.BindWith(e, sc, a.exprOptions())
	if len(errs) > 0 {
		a.b.addErrors(errs)
		return nil
	}
	if t := be.Type(); t != topology.TypeBool && t != topology.TypeNull {
		a.b.errorf(e.Pos(), e.String(), "HAVING condition must be BOOL, not %s", t).
			WithHint("compare it, e.g. %s > 0", e.String())
		return nil
	}
	return be
}

// bindCount binds a LIMIT or OFFSET: a non-negative integer constant, or
// -1 when absent.
func (a *aggBinder) bindCount(clause string, e ast.Expr) int64 {
	if e == nil {
		return -1
	}
	be, errs := expr.BindWith(e, a.scope, noAggregates(clause, ""))
	if len(errs) > 0 {
		a.b.addErrors(errs)
		return -1
	}
	v, ok := expr.ConstValue(be)
	if !ok || !be.Type().IsIntegral() || v.IsNull() || v.AsLong() < 0 {
		a.b.errorf(e.Pos(), e.String(), "%s must be a non-negative integer constant", clause).
			WithHint("write %s 10", clause)
		return -1
	}
	return v.AsLong()
}

// bindOutput checks an OUTPUT clause against the query: SNAPSHOT emits
// current state, so it cannot feed INSERT EXPIRED EVENTS, and over a
// sliding window it needs aggregates or GROUP BY to have a state to show.
func (a *aggBinder) bindOutput(o *ast.OutputRate) *OutputRate {
	r := &OutputRate{Mode: o.Mode, Events: o.Events}
	if o.Every != nil {
		r.Every = o.Every.Millis
		if r.Every <= 0 {
			a.b.errorf(o.Every.At, o.Every.Raw, "OUTPUT period must be positive").WithHint("write OUTPUT EVERY 1 SECOND")
			return nil
		}
	} else if r.Events <= 0 {
		a.b.errorf(o.At, "OUTPUT", "OUTPUT needs a positive number of events").WithHint("write OUTPUT EVERY 10 EVENTS")
		return nil
	}
	if r.Mode != ast.OutputSnapshot {
		return r
	}
	if a.bq.Events == ast.EventsExpired {
		a.b.errorf(o.At, "OUTPUT", "OUTPUT SNAPSHOT emits current state and cannot insert expired events").
			WithHint("use INSERT [CURRENT] EVENTS INTO, or OUTPUT ALL/LAST")
		return nil
	}
	w := a.bq.Window
	if w != nil && !Batched(w) && len(a.agg.Calls) == 0 && len(a.q.GroupBy) == 0 {
		a.b.errorf(o.At, "OUTPUT", "OUTPUT SNAPSHOT over a sliding window needs an aggregate or GROUP BY").
			WithHint("aggregate the window, e.g. SELECT count() ..., or use OUTPUT ALL EVERY ...")
		return nil
	}
	return r
}

// rowScope resolves HAVING and ORDER BY names: an unqualified name of an
// output attribute reads the output row (slot RowSlot), as in Siddhi;
// anything else resolves against the input stream.
type rowScope struct {
	in   expr.Scope
	proj []*Projection
}

func (s *rowScope) Resolve(ref *ast.ColumnRef) (expr.Column, *diag.Error) {
	if ref.Qualifier == nil {
		for i, p := range s.proj {
			if p.Name == ref.Name.Name {
				return expr.Column{Slot: RowSlot, Index: i, Type: p.Expr.Type(), Name: p.Name}, nil
			}
		}
	}
	col, err := s.in.Resolve(ref)
	if err != nil && ref.Qualifier == nil && err.Hint == "" {
		names := make([]string, len(s.proj))
		for i, p := range s.proj {
			names[i] = p.Name
		}
		err.Hint = diag.DidYouMean(ref.Name.Name, names)
	}
	return col, err
}

// String renders the aggregation's lines above the projection (output
// rate, limit, order, having) for Plan.String.
func (a *Aggregation) writeAbove(b *strings.Builder, indent string) string {
	if o := a.Output; o != nil {
		mode := strings.ToLower(o.Mode.String())
		if mode == "" {
			mode = "all"
		}
		if o.Events > 0 {
			fmt.Fprintf(b, "%soutput %s every %d events\n", indent, mode, o.Events)
		} else {
			fmt.Fprintf(b, "%soutput %s every %dms\n", indent, mode, o.Every)
		}
		indent += "  "
	}
	if a.Limit >= 0 || a.Offset >= 0 {
		var parts []string
		if a.Limit >= 0 {
			parts = append(parts, fmt.Sprintf("limit %d", a.Limit))
		}
		if a.Offset >= 0 {
			parts = append(parts, fmt.Sprintf("offset %d", a.Offset))
		}
		fmt.Fprintf(b, "%s%s\n", indent, strings.Join(parts, " "))
		indent += "  "
	}
	if len(a.OrderBy) > 0 {
		keys := make([]string, len(a.OrderBy))
		for i, k := range a.OrderBy {
			dir := "asc"
			if k.Desc {
				dir = "desc"
			}
			keys[i] = k.Expr.String() + " " + dir
		}
		fmt.Fprintf(b, "%sorder by %s\n", indent, strings.Join(keys, ", "))
		indent += "  "
	}
	if a.Having != nil {
		fmt.Fprintf(b, "%shaving %s\n", indent, a.Having)
		indent += "  "
	}
	return indent
}

// writeBelow renders the aggregate calls and GROUP BY below the
// projection.
func (a *Aggregation) writeBelow(b *strings.Builder, indent string) string {
	if !a.Aggregating() {
		return indent
	}
	calls := make([]string, len(a.Calls))
	for i, c := range a.Calls {
		calls[i] = fmt.Sprintf("$%d %s := %s", i, c.Def.Type, c.Text)
	}
	line := "aggregate " + strings.Join(calls, ", ")
	if len(a.Calls) == 0 {
		line = "aggregate (no aggregate calls)"
	}
	if len(a.GroupBy) > 0 {
		keys := make([]string, len(a.GroupBy))
		for i, g := range a.GroupBy {
			keys[i] = g.String()
		}
		line += " group by " + strings.Join(keys, ", ")
	}
	fmt.Fprintf(b, "%s%s\n", indent, line)
	return indent + "  "
}
