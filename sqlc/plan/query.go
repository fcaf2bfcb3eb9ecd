package plan

import (
	"fmt"

	"github.com/eventflux-io/eventflux-go/sqlc/ast"
	"github.com/eventflux-io/eventflux-go/sqlc/diag"
	"github.com/eventflux-io/eventflux-go/sqlc/expr"
	"github.com/eventflux-io/eventflux-go/topology"
)

// bindQuery binds one query (index is its 0-based position among the
// script's queries; blk its PARTITION WITH block, or nil) and appends it
// to the plan.
func (b *binder) bindQuery(q *ast.Query, index int, blk *PartitionBlock) {
	if blk != nil {
		n := len(b.errs)
		defer func() { blk.failed = blk.failed || len(b.errs) > n }()
	}
	if q.Insert == nil {
		b.errorf(q.At, "SELECT", "query has no INSERT INTO target").
			WithHint("write INSERT INTO <stream> SELECT ... or end the query with INSERT INTO <stream>")
		return
	}
	if q.From == nil {
		b.errorf(q.At, "SELECT", "query has no FROM clause")
		return
	}
	in, key, ok := b.bindInput(q.From.Stream, blk)
	if !ok {
		return
	}
	if q.Insert.Target.Name == in.Schema.Name {
		b.errorf(q.Insert.Target.At, q.Insert.Target.Name, "query inserts into %s, the stream it reads", in.Schema.Name).
			WithHint("insert into a new stream; a query feeding itself would loop forever")
		return
	}
	alias := ""
	if q.From.Alias != nil {
		alias = q.From.Alias.Name
	}
	scope := expr.NewStreamScope(in.Schema, alias)
	bq := &Query{Name: fmt.Sprintf("q%d", index+1), At: q.At, Input: in, Alias: alias, Events: q.Insert.Events,
		Block: blk, PartKey: key, canon: q.String()}
	nErrs := len(b.errs)
	if q.Where != nil {
		bq.Filter = b.bindCondition("WHERE", q.Where, scope,
			noAggregates("WHERE", "WHERE filters events before they are aggregated; filter rows with HAVING"))
	}
	bq.Window = b.bindWindow(q.From.Window, in, alias)
	agg := b.beginAggregation(q, bq, scope)
	bq.Project = b.bindSelect(q, in, alias, scope, agg.exprOptions())
	agg.finish()
	if len(b.errs) > nErrs || !b.checkTarget(q.Insert.Target, blk) {
		return
	}
	if bq.Target = b.bindTarget(q.Insert.Target, bq.Project); bq.Target != nil {
		if q.Insert.Target.IsInnerStream() && bq.Target.Block == nil && !bq.Target.Declared {
			bq.Target.Inner, bq.Target.Block = true, blk
		}
		b.plan.Queries = append(b.plan.Queries, bq)
		if blk != nil {
			blk.Queries = append(blk.Queries, bq)
		}
	}
}

// bindCondition binds a WHERE-like condition, which must be BOOL.
func (b *binder) bindCondition(clause string, e ast.Expr, scope expr.Scope, opts expr.Options) expr.Expr {
	be, errs := expr.BindWith(e, scope, opts)
	if len(errs) > 0 {
		b.addErrors(errs)
		return nil
	}
	if t := be.Type(); t != topology.TypeBool && t != topology.TypeNull {
		b.errorf(e.Pos(), e.String(), "%s condition must be BOOL, not %s", clause, t).
			WithHint("compare it, e.g. %s > 0", e.String())
		return nil
	}
	return be
}

// bindSelect binds the select list, expanding * and q.*.
func (b *binder) bindSelect(q *ast.Query, in *Stream, alias string, scope expr.Scope, opts expr.Options) []*Projection {
	var out []*Projection
	names := map[string]bool{}
	add := func(at ast.Pos, name string, e expr.Expr) {
		if names[name] {
			b.errorf(at, name, "duplicate output attribute %s", name).WithHint("give one of them another name with AS")
			return
		}
		names[name] = true
		out = append(out, &Projection{Name: name, Expr: e, Type: e.Type()})
	}
	for i, item := range q.Select {
		if item.Star {
			if item.Qualifier != nil && item.Qualifier.Name != in.Schema.Name && item.Qualifier.Name != alias {
				b.errorf(item.Qualifier.At, item.Qualifier.Name+".*", "unknown stream or alias %s", item.Qualifier.Name).
					WithHint("%s", hintOr(diag.DidYouMean(item.Qualifier.Name, []string{in.Schema.Name, alias}), "the query reads "+in.Schema.Name))
				continue
			}
			for _, a := range in.Schema.Attrs {
				ref := &ast.ColumnRef{Name: &ast.Ident{At: item.At, Name: a.Name}}
				be, errs := expr.Bind(ref, scope)
				if len(errs) > 0 {
					b.addErrors(errs)
					continue
				}
				add(item.At, a.Name, be)
			}
			continue
		}
		be, errs := expr.BindWith(item.Expr, scope, opts)
		if len(errs) > 0 {
			b.addErrors(errs)
			continue
		}
		add(item.Pos(), outputName(item, i), be)
	}
	return out
}

// outputName names a select item: its alias, the attribute name of a bare
// (possibly qualified) reference, else _col<i>.
func outputName(item *ast.SelectItem, i int) string {
	if item.Alias != nil {
		return item.Alias.Name
	}
	e := item.Expr
	for {
		p, ok := e.(*ast.Paren)
		if !ok {
			break
		}
		e = p.X
	}
	if ref, ok := e.(*ast.ColumnRef); ok {
		return ref.Name.Name
	}
	return fmt.Sprintf("_col%d", i)
}

// bindTarget resolves the INSERT INTO stream: a declared or earlier
// inferred stream must match the projection by position (widening numeric
// types); an unknown one is inferred from the projection.
func (b *binder) bindTarget(target *ast.Ident, proj []*Projection) *Stream {
	if s := b.streams[target.Name]; s != nil {
		if !b.matchTarget(target, s, proj) {
			return nil
		}
		return s
	}
	schema := &topology.Schema{Name: target.Name}
	for _, p := range proj {
		if p.Type == topology.TypeNull {
			b.errorf(p.Expr.Node().Pos(), p.Expr.String(), "cannot infer the type of %s.%s from NULL", target.Name, p.Name).
				WithHint("write CAST(NULL AS <type>), or declare %s with CREATE STREAM", target.Name)
			return nil
		}
		schema.Attrs = append(schema.Attrs, topology.Attribute{Name: p.Name, Type: p.Type})
	}
	s := &Stream{Schema: schema, At: target.At}
	b.addStream(s)
	return s
}

func (b *binder) matchTarget(target *ast.Ident, s *Stream, proj []*Projection) bool {
	attrs := s.Schema.Attrs
	if len(attrs) != len(proj) {
		b.errorf(target.At, target.Name, "query produces %d attribute(s) but stream %s has %d", len(proj), s.Schema.Name, len(attrs)).
			WithHint("%s is %s", s.Schema.Name, s.Schema)
		return false
	}
	ok := true
	for i, p := range proj {
		want := attrs[i].Type
		if !assignable(p.Type, want) {
			b.errorf(p.Expr.Node().Pos(), p.Expr.String(), "attribute %d (%s) is %s but stream %s declares %s as %s",
				i+1, p.Name, p.Type, s.Schema.Name, attrs[i].Name, want).
				WithHint("CAST(%s AS %s)", p.Expr.String(), want)
			ok = false
			continue
		}
		p.Name, p.Type = attrs[i].Name, want
	}
	return ok
}

// assignable reports whether a value of type from may be stored in an
// attribute of type to: the same type, NULL, or a numeric widening.
func assignable(from, to topology.Type) bool {
	if from == to || from == topology.TypeNull {
		return true
	}
	return from.IsNumeric() && to.IsNumeric() && from < to
}
