package sqlc

import (
	"cmp"
	"slices"
	"strings"

	"github.com/eventflux-io/eventflux-go/sqlc/expr"
	"github.com/eventflux-io/eventflux-go/topology"
)

// row is one output row on its way to the target stream: the event, its
// group key ("" without GROUP BY) and its ORDER BY key values.
type row struct {
	ev   *topology.Event
	key  string
	sort []topology.Value
}

// orderKey is one compiled ORDER BY key.
type orderKey struct {
	fn   expr.Func
	desc bool
}

// arrange applies ORDER BY (a stable sort), OFFSET and LIMIT to one
// emitted batch of rows and returns what remains.
func (cfg *aggConfig) arrange(rows []row) []row {
	if len(cfg.order) > 0 && len(rows) > 1 {
		slices.SortStableFunc(rows, cfg.compareRows)
	}
	if cfg.offset > 0 {
		rows = rows[min(int(cfg.offset), len(rows)):]
	}
	if cfg.limit >= 0 && int64(len(rows)) > cfg.limit {
		rows = rows[:cfg.limit]
	}
	return rows
}

func (cfg *aggConfig) compareRows(a, b row) int {
	for i, k := range cfg.order {
		c := compareValues(a.sort[i], b.sort[i])
		if k.desc {
			c = -c
		}
		if c != 0 {
			return c
		}
	}
	return 0
}

// compareValues orders two values of one static type: NULL first, then
// numbers (NaN below every number), strings by bytes, false before true.
func compareValues(a, b topology.Value) int {
	switch {
	case a.IsNull() || b.IsNull():
		return cmp.Compare(boolInt(!a.IsNull()), boolInt(!b.IsNull()))
	case a.Kind() == topology.TypeString:
		return strings.Compare(a.Str(), b.Str())
	case a.Kind() == topology.TypeBool:
		return cmp.Compare(boolInt(a.RawBool()), boolInt(b.RawBool()))
	case a.Kind().IsIntegral() && b.Kind().IsIntegral():
		return cmp.Compare(a.RawLong(), b.RawLong())
	}
	return cmp.Compare(a.AsDouble(), b.AsDouble())
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
