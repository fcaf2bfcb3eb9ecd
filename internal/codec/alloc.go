package codec

import "github.com/eventflux-io/eventflux-go/topology"

// slabSize is how many events and values the allocator carves from each
// chunk. A chunk stays alive while any event in it does (a window may hold
// one for long), which costs at most one chunk per retained event.
const slabSize = 512

// allocator hands out events and value slices carved from larger chunks,
// turning two allocations per event into two per slabSize events.
type allocator struct {
	events []topology.Event
	values []topology.Value
}

// event returns a new current event at ts holding a copy of vals.
func (a *allocator) event(ts int64, vals []topology.Value) *topology.Event {
	if len(a.events) == 0 {
		a.events = make([]topology.Event, slabSize)
	}
	if len(a.values) < len(vals) {
		a.values = make([]topology.Value, max(slabSize, len(vals)))
	}
	ev := &a.events[0]
	a.events = a.events[1:]
	n := len(vals)
	ev.TS, ev.Kind = ts, topology.Current
	ev.Values = a.values[:n:n]
	a.values = a.values[n:]
	copy(ev.Values, vals)
	return ev
}

// Interning bounds: strings up to internMaxLen bytes are shared, up to
// internMaxEntries distinct ones. Repeated keys (symbols, ids, names) then
// cost no allocation, and a stream of unique strings cannot grow the table
// without bound.
const (
	internMaxLen     = 32
	internMaxEntries = 4096
)

// interner turns byte slices into strings, sharing repeated short ones.
type interner struct {
	m map[string]string
}

func newInterner() interner { return interner{m: make(map[string]string)} }

func (in interner) string(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	if len(b) > internMaxLen {
		return string(b)
	}
	if s, ok := in.m[string(b)]; ok {
		return s
	}
	s := string(b)
	if len(in.m) < internMaxEntries {
		in.m[s] = s
	}
	return s
}
