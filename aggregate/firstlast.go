package aggregate

import "github.com/eventflux-io/eventflux-go/topology"

// firstLast is first(x) (the argument of the oldest aggregated event) or
// last(x) (of the newest), NULL included. The values are kept in arrival
// order in a ring buffer; Remove takes out the oldest equal value, which
// is the front one when events expire in arrival order (every window but
// sort), so retraction is O(1) there and O(n) otherwise.
type firstLast struct {
	buf        []topology.Value // ring buffer, len is a power of two or 0
	head, size int
	last       bool
}

func (f *firstLast) Add(v topology.Value) {
	if f.size == len(f.buf) {
		f.grow()
	}
	f.buf[(f.head+f.size)&(len(f.buf)-1)] = v
	f.size++
}

func (f *firstLast) grow() {
	n := max(8, 2*len(f.buf))
	buf := make([]topology.Value, n)
	for i := 0; i < f.size; i++ {
		buf[i] = f.at(i)
	}
	f.buf, f.head = buf, 0
}

func (f *firstLast) at(i int) topology.Value { return f.buf[(f.head+i)&(len(f.buf)-1)] }

func (f *firstLast) Remove(v topology.Value) {
	mask := len(f.buf) - 1
	for i := 0; i < f.size; i++ {
		if !f.at(i).Equal(v) {
			continue
		}
		// Shift the values before i one place towards the back.
		for j := i; j > 0; j-- {
			f.buf[(f.head+j)&mask] = f.buf[(f.head+j-1)&mask]
		}
		f.buf[f.head] = topology.Value{}
		f.head = (f.head + 1) & mask
		f.size--
		return
	}
}

func (f *firstLast) Result() topology.Value {
	switch {
	case f.size == 0:
		return topology.Null()
	case f.last:
		return f.at(f.size - 1)
	}
	return f.at(0)
}

func (f *firstLast) Reset() {
	clear(f.buf)
	f.head, f.size = 0, 0
}
