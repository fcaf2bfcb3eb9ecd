package windows

import (
	"encoding/binary"
	"fmt"
	"slices"
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
	next uint64
	st   kvState
	j    journal
}

func newUnique(s *Spec) *uniqueWindow {
	return &uniqueWindow{keys: attrIndexes(s.Keys), held: map[topology.Value]item{}}
}

// Init implements topology.Processor: it restores the held events.
func (w *uniqueWindow) Init(ctx topology.Context) error {
	w.ctx = ctx
	if err := w.st.openMeta(ctx, func(r *metaReader) { w.next = r.uint() }); err != nil {
		return err
	}
	its, err := w.st.loadItems()
	if err != nil {
		return err
	}
	for _, it := range its {
		w.held[keyOf(it.vals, w.keys)] = it
	}
	w.j.restored(len(its), w.next)
	return nil
}

// Flush implements topology.Flusher.
func (w *uniqueWindow) Flush() error {
	err := w.j.flush(&w.st, w.next, func(fn func(item) error) error {
		its := make([]item, 0, len(w.held))
		for _, it := range w.held {
			its = append(its, it)
		}
		slices.SortFunc(its, func(a, b item) int { return cmpUint(a.seq, b.seq) })
		for _, it := range its {
			if err := fn(it); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	w.st.val = binary.AppendUvarint(w.st.val[:0], w.next)
	return w.st.writeMeta(w.st.val)
}

// Replay implements topology.Replayer.
func (w *uniqueWindow) Replay(fn func(*topology.Event) error) error {
	its := make([]item, 0, len(w.held))
	for _, it := range w.held {
		its = append(its, it)
	}
	return replayItems(its, fn)
}

// Process implements topology.Processor.
func (w *uniqueWindow) Process(ev *topology.Event) error {
	if isMarker(ev) {
		return nil
	}
	k := keyOf(ev.Values, w.keys)
	if old, ok := w.held[k]; ok {
		w.j.remove(old)
		if err := w.expire(old); err != nil {
			return err
		}
	}
	it := itemOf(ev)
	it.seq = w.next
	w.next++
	w.held[k] = it
	w.j.add(it)
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
	st   kvState
	// on: the store holds keys, so fresh lists the keys seen since the
	// last Flush (see journal).
	on    bool
	fresh []topology.Value
}

func newFirstUnique(s *Spec) *firstUniqueWindow {
	return &firstUniqueWindow{keys: attrIndexes(s.Keys), seen: map[topology.Value]struct{}{}}
}

// Init implements topology.Processor: it restores the keys seen, stored
// as 'k' + the key's value encoding.
func (w *firstUniqueWindow) Init(ctx topology.Context) error {
	w.ctx = ctx
	if err := w.st.open(ctx); err != nil {
		return err
	}
	var derr error
	err := w.st.kv.Scan([]byte{'k'}, func(k, _ []byte) bool {
		v, rest, err := topology.DecodeValue(k[1:])
		if err == nil && len(rest) != 0 {
			err = topology.ErrBadEncoding
		}
		if err != nil {
			derr = fmt.Errorf("windows: firstUnique key %x: %w", k, err)
			return false
		}
		w.seen[v] = struct{}{}
		return true
	})
	if err == nil {
		err = derr
	}
	w.on = len(w.seen) > 0
	return err
}

// Flush implements topology.Flusher.
func (w *firstUniqueWindow) Flush() error {
	put := func(v topology.Value) error {
		w.st.key = topology.AppendValue(append(w.st.key[:0], 'k'), v)
		return w.st.kv.Put(w.st.key, nil)
	}
	if !w.on {
		keys := make([]topology.Value, 0, len(w.seen))
		for v := range w.seen {
			keys = append(keys, v)
		}
		slices.SortFunc(keys, compareValues) // a deterministic changelog
		for _, v := range keys {
			if err := put(v); err != nil {
				return err
			}
		}
		w.on = true
		return nil
	}
	for _, v := range w.fresh {
		if err := put(v); err != nil {
			return err
		}
	}
	clear(w.fresh)
	w.fresh = w.fresh[:0]
	return nil
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
	if w.on {
		w.fresh = append(w.fresh, k)
	}
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
