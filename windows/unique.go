package windows

import (
	"strconv"
	"strings"

	"github.com/eventflux-io/eventflux-go/topology"
)

// uniqueWindow is WINDOW('unique', attr): it holds the latest event per
// key. An arrival whose key is held replaces the held event, which is
// forwarded as expired (stream time) before the arrival is forwarded as
// current (Siddhi UniqueWindowProcessor). NULL is a key like any other.
type uniqueWindow struct {
	base
	keys []int
	held map[topology.Value]item
}

func newUnique(s *Spec) *uniqueWindow {
	return &uniqueWindow{keys: attrIndexes(s.Keys), held: map[topology.Value]item{}}
}

// Process implements topology.Processor.
func (w *uniqueWindow) Process(ev *topology.Event) error {
	if isMarker(ev) {
		return nil
	}
	k := keyOf(ev.Values, w.keys)
	if old, ok := w.held[k]; ok {
		if err := w.expire(old); err != nil {
			return err
		}
	}
	w.held[k] = itemOf(ev)
	return w.arrive(ev)
}

// firstUniqueWindow is WINDOW('firstUnique', attr): only the first event
// of each key passes (as current); later events of a seen key are dropped.
// Nothing ever expires (Siddhi FirstUniqueWindowProcessor). It remembers
// keys only, not events.
type firstUniqueWindow struct {
	base
	keys []int
	seen map[topology.Value]struct{}
}

func newFirstUnique(s *Spec) *firstUniqueWindow {
	return &firstUniqueWindow{keys: attrIndexes(s.Keys), seen: map[topology.Value]struct{}{}}
}

// Process implements topology.Processor.
func (w *firstUniqueWindow) Process(ev *topology.Event) error {
	if isMarker(ev) {
		return nil
	}
	k := keyOf(ev.Values, w.keys)
	if _, ok := w.seen[k]; ok {
		return nil
	}
	w.seen[k] = struct{}{}
	return w.arrive(ev)
}

// keyOf returns the grouping key of vals over the attributes idx (every
// attribute when idx is nil): the value itself for one attribute, else an
// unambiguous string encoding of the tuple.
func keyOf(vals []topology.Value, idx []int) topology.Value {
	if len(idx) == 1 {
		return vals[idx[0]]
	}
	var b strings.Builder
	add := func(v topology.Value) {
		s := v.Kind().String() + ":" + v.String()
		b.WriteString(strconv.Itoa(len(s)))
		b.WriteByte('|')
		b.WriteString(s)
	}
	if idx == nil {
		for _, v := range vals {
			add(v)
		}
	} else {
		for _, i := range idx {
			add(vals[i])
		}
	}
	return topology.String(b.String())
}

func attrIndexes(as []Attr) []int {
	if len(as) == 0 {
		return nil
	}
	out := make([]int, len(as))
	for i, a := range as {
		out[i] = a.Index
	}
	return out
}
