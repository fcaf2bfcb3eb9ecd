package sqlc

import (
	"github.com/eventflux-io/eventflux-go/sqlc/plan"
	"github.com/eventflux-io/eventflux-go/topology"
)

// buildWindow adds q's window operator after parent, if q has a window,
// and returns the node the select stage reads from.
func buildWindow(b *topology.Builder, q *plan.Query, parent string) string {
	if q.Window == nil {
		return parent
	}
	// The planner rejects windows until the window operators exist.
	return parent
}
