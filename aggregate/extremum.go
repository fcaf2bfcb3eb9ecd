package aggregate

import (
	"math"

	"github.com/eventflux-io/eventflux-go/topology"
)

// lessFunc orders two non-NULL values of one static type.
type lessFunc func(a, b topology.Value) bool

// lessFor returns the ascending order of type t. NaN sorts below every
// number, as Go's cmp.Compare does, so max ignores NaN unless it is all
// there is.
func lessFor(t topology.Type) lessFunc {
	switch {
	case t.IsIntegral():
		return func(a, b topology.Value) bool { return a.RawLong() < b.RawLong() }
	case t.IsNumeric():
		return func(a, b topology.Value) bool {
			x, y := a.RawDouble(), b.RawDouble()
			return x < y || (math.IsNaN(x) && !math.IsNaN(y))
		}
	}
	return func(a, b topology.Value) bool { return a.Str() < b.Str() }
}

func greater(less lessFunc) lessFunc {
	return func(a, b topology.Value) bool { return less(b, a) }
}

// extremum is min or max (less decides which) with exact retraction: a
// binary heap of the aggregated values plus a count of removed values
// still in it. A removed value leaves the heap when it reaches the top;
// when removed values outnumber live ones the heap is rebuilt without
// them, so its size stays within twice the live count and every
// operation is O(log n) amortised.
type extremum struct {
	heap  []topology.Value
	dead  map[topology.Value]int
	ndead int
	less  lessFunc
}

func (e *extremum) Add(v topology.Value) {
	if v.IsNull() {
		return
	}
	e.heap = append(e.heap, v)
	e.up(len(e.heap) - 1)
}

func (e *extremum) Remove(v topology.Value) {
	if v.IsNull() {
		return
	}
	if len(e.heap) > 0 && e.heap[0].Equal(v) {
		e.pop()
		return
	}
	if e.dead == nil {
		e.dead = map[topology.Value]int{}
	}
	e.dead[v]++
	e.ndead++
	if e.ndead > 16 && 2*e.ndead > len(e.heap) {
		e.compact()
	}
}

func (e *extremum) Result() topology.Value {
	for e.ndead > 0 && len(e.heap) > 0 {
		top := e.heap[0]
		n := e.dead[top]
		if n == 0 {
			break
		}
		e.unmark(top, n)
		e.pop()
	}
	if len(e.heap) == 0 {
		return topology.Null()
	}
	return e.heap[0]
}

func (e *extremum) Reset() {
	clear(e.heap)
	e.heap = e.heap[:0]
	clear(e.dead)
	e.ndead = 0
}

func (e *extremum) unmark(v topology.Value, n int) {
	if n == 1 {
		delete(e.dead, v)
	} else {
		e.dead[v] = n - 1
	}
	e.ndead--
}

// compact drops the removed values and restores the heap order.
func (e *extremum) compact() {
	live := e.heap[:0]
	for _, v := range e.heap {
		if n := e.dead[v]; n > 0 {
			e.unmark(v, n)
			continue
		}
		live = append(live, v)
	}
	clear(e.heap[len(live):])
	e.heap = live
	for i := len(e.heap)/2 - 1; i >= 0; i-- {
		e.down(i)
	}
}

func (e *extremum) pop() {
	n := len(e.heap) - 1
	e.heap[0] = e.heap[n]
	e.heap[n] = topology.Value{}
	e.heap = e.heap[:n]
	if n > 0 {
		e.down(0)
	}
}

func (e *extremum) up(i int) {
	for i > 0 {
		p := (i - 1) / 2
		if !e.less(e.heap[i], e.heap[p]) {
			return
		}
		e.heap[i], e.heap[p] = e.heap[p], e.heap[i]
		i = p
	}
}

func (e *extremum) down(i int) {
	n := len(e.heap)
	for {
		c := 2*i + 1
		if c >= n {
			return
		}
		if r := c + 1; r < n && e.less(e.heap[r], e.heap[c]) {
			c = r
		}
		if !e.less(e.heap[c], e.heap[i]) {
			return
		}
		e.heap[i], e.heap[c] = e.heap[c], e.heap[i]
		i = c
	}
}

// forever is minForever or maxForever: the extreme of every value ever
// added. Remove and Reset do nothing.
type forever struct {
	v    topology.Value
	less lessFunc
}

func (f *forever) Add(v topology.Value) {
	if !v.IsNull() && (f.v.IsNull() || f.less(v, f.v)) {
		f.v = v
	}
}

func (f *forever) Remove(topology.Value)  {}
func (f *forever) Result() topology.Value { return f.v }
func (f *forever) Reset()                 {}
