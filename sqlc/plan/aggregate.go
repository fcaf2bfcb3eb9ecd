package plan

import (
	"github.com/eventflux-io/eventflux-go/sqlc/ast"
	"github.com/eventflux-io/eventflux-go/sqlc/expr"
)

// Aggregation is the bound aggregation part of a query.
type Aggregation struct{}

// aggBinder binds the aggregation clauses of one query: the select list
// is bound with its expression options (the aggregate hook), then finish
// binds the remaining clauses.
type aggBinder struct {
	b  *binder
	q  *ast.Query
	bq *Query
}

func (b *binder) beginAggregation(q *ast.Query, bq *Query, scope expr.Scope) *aggBinder {
	return &aggBinder{b: b, q: q, bq: bq}
}

// exprOptions returns the options the select list and HAVING bind with.
// Without an Aggregate hook, aggregate calls are "not supported yet".
func (a *aggBinder) exprOptions() expr.Options { return expr.Options{} }

// finish binds GROUP BY, HAVING, ORDER BY, LIMIT, OFFSET and OUTPUT.
func (a *aggBinder) finish() {
	b, q := a.b, a.q
	if len(q.GroupBy) > 0 {
		b.errorf(q.GroupBy[0].Pos(), q.GroupBy[0].String(), "GROUP BY is not supported yet")
	}
	if q.Having != nil {
		b.errorf(q.Having.Pos(), q.Having.String(), "HAVING is not supported yet")
	}
	if len(q.OrderBy) > 0 {
		b.errorf(q.OrderBy[0].Expr.Pos(), q.OrderBy[0].Expr.String(), "ORDER BY is not supported yet")
	}
	if q.Limit != nil {
		b.errorf(q.Limit.Pos(), q.Limit.String(), "LIMIT is not supported yet")
	}
	if q.Offset != nil {
		b.errorf(q.Offset.Pos(), q.Offset.String(), "OFFSET is not supported yet")
	}
	if q.Output != nil {
		b.errorf(q.Output.At, "OUTPUT", "output rate limiting is not supported yet")
	}
}
