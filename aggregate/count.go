package aggregate

import "github.com/eventflux-io/eventflux-go/topology"

// count is count() / count(*) (all: every event) or count(x) (non-NULL
// arguments only).
type count struct {
	n   int64
	all bool
}

func (c *count) Add(v topology.Value) {
	if c.all || !v.IsNull() {
		c.n++
	}
}

func (c *count) Remove(v topology.Value) {
	if c.all || !v.IsNull() {
		c.n--
	}
}

func (c *count) Result() topology.Value { return topology.Long(c.n) }
func (c *count) Reset()                 { c.n = 0 }

// distinct counts distinct values with a value->occurrences map, so an
// expired event retracts exactly. skipNull is true for count(DISTINCT x)
// (SQL); distinctCount counts NULL as a value (Siddhi).
type distinct struct {
	seen     map[topology.Value]int
	skipNull bool
}

func newDistinct(skipNull bool) *distinct {
	return &distinct{seen: map[topology.Value]int{}, skipNull: skipNull}
}

func (d *distinct) Add(v topology.Value) {
	if d.skipNull && v.IsNull() {
		return
	}
	d.seen[v]++
}

func (d *distinct) Remove(v topology.Value) {
	if d.skipNull && v.IsNull() {
		return
	}
	if n := d.seen[v]; n > 1 {
		d.seen[v] = n - 1
	} else {
		delete(d.seen, v)
	}
}

func (d *distinct) Result() topology.Value { return topology.Long(int64(len(d.seen))) }
func (d *distinct) Reset()                 { clear(d.seen) }
