package windows

// ring is a growable FIFO of items backed by a circular buffer: push at the
// back and pop at the front are amortised O(1) and never copy the held
// items except when the buffer doubles.
type ring struct {
	buf  []item
	head int // index of the front item
	n    int
}

// Len returns the number of items held.
func (r *ring) Len() int { return r.n }

// Front returns the oldest item; the ring must not be empty.
func (r *ring) Front() item { return r.buf[r.head] }

// Back returns the newest item; the ring must not be empty.
func (r *ring) Back() item { return r.buf[r.idx(r.n-1)] }

// At returns the i-th item from the front.
func (r *ring) At(i int) item { return r.buf[r.idx(i)] }

func (r *ring) idx(i int) int {
	i += r.head
	if i >= len(r.buf) {
		i -= len(r.buf)
	}
	return i
}

// Push appends it at the back.
func (r *ring) Push(it item) {
	if r.n == len(r.buf) {
		r.grow()
	}
	r.buf[r.idx(r.n)] = it
	r.n++
}

// Pop removes and returns the front item; the ring must not be empty.
func (r *ring) Pop() item {
	it := r.buf[r.head]
	r.buf[r.head] = item{} // drop the reference for the collector
	r.head = r.idx(1)
	r.n--
	return it
}

// InsertByTime inserts it after the last item whose time is <= it.ts, so
// a ring kept in time order stays in time order. An in-order item costs
// O(1); a late one costs O(items after it).
func (r *ring) InsertByTime(it item) {
	r.Push(it)
	for i := r.n - 1; i > 0; i-- {
		prev := r.idx(i - 1)
		if r.buf[prev].ts <= it.ts {
			break
		}
		cur := r.idx(i)
		r.buf[cur], r.buf[prev] = r.buf[prev], r.buf[cur]
	}
}

// Drain removes every item and returns them in order, in a new slice.
func (r *ring) Drain() []item {
	out := make([]item, r.n)
	for i := range out {
		out[i] = r.Pop()
	}
	return out
}

func (r *ring) grow() {
	size := max(2*len(r.buf), 16)
	buf := make([]item, size)
	for i := 0; i < r.n; i++ {
		buf[i] = r.buf[r.idx(i)]
	}
	r.buf, r.head = buf, 0
}
