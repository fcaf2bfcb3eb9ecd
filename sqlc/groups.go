package sqlc

import (
	"encoding/binary"
	"math"

	"github.com/eventflux-io/eventflux-go/aggregate"
	"github.com/eventflux-io/eventflux-go/sqlc/expr"
	"github.com/eventflux-io/eventflux-go/topology"
)

// group is the aggregation state of one GROUP BY key.
type group struct {
	// key is the encoded group key ("" without GROUP BY); rate limiters
	// and snapshots use it to tell groups apart.
	key  string
	aggs []aggregate.Aggregator
	// n counts the events aggregated and not retracted: a group whose
	// count drops to 0 is dropped (unless it holds a forever aggregate).
	n int64
	// last and maxTS are, in a batch, the group's last event (it gives
	// the non-aggregated attributes) and its largest timestamp.
	last    *topology.Event
	maxTS   int64
	inBatch bool
	// stored: the store holds the group's record; dirty: it is listed
	// for the next Flush (kept across drop and reuse, see groupTable).
	stored, dirty bool
}

// reset empties g for the next batch (forever aggregates keep their
// state).
func (g *group) reset() {
	for _, a := range g.aggs {
		a.Reset()
	}
	g.n, g.last, g.maxTS, g.inBatch = 0, nil, 0, false
}

// groupTable finds the group of an event. Keys are encoded without
// allocation: a single STRING key is used as is (NULL has its own
// group), other keys append their typed values into a byte buffer that
// is looked up as a string, which Go does without copying. Dropped groups
// are recycled.
type groupTable struct {
	defs   []aggregate.Def
	keys   []expr.Func
	strKey bool // exactly one key, of type STRING
	byKey  map[string]*group
	null   *group // the NULL group of a single STRING key
	single *group // without GROUP BY
	buf    []byte
	free   []*group
	// Write-back bookkeeping of the select stage's store (persist.go):
	// on once the store holds groups; dirty lists the groups changed
	// since the last Flush (a dropped, reused group stays listed under
	// its new key); dels the store keys of dropped stored groups.
	on    bool
	dirty []*group
	dels  [][]byte
}

func newGroupTable(defs []aggregate.Def, keys []expr.Func, strKey bool) groupTable {
	return groupTable{defs: defs, keys: keys, strKey: strKey, byKey: map[string]*group{}}
}

// get returns the group of the event in f, creating it if needed.
func (t *groupTable) get(f *expr.Frame) *group {
	switch {
	case len(t.keys) == 0:
		if t.single == nil {
			t.single = t.newGroup("")
		}
		return t.single
	case t.strKey:
		v := t.keys[0](f)
		if v.IsNull() {
			if t.null == nil {
				t.null = t.newGroup("\x00null")
			}
			return t.null
		}
		if g := t.byKey[v.Str()]; g != nil {
			return g
		}
		g := t.newGroup(v.Str())
		t.byKey[g.key] = g
		return g
	}
	t.buf = t.buf[:0]
	for _, k := range t.keys {
		t.buf = appendKey(t.buf, k(f))
	}
	if g := t.byKey[string(t.buf)]; g != nil {
		return g
	}
	g := t.newGroup(string(t.buf))
	t.byKey[g.key] = g
	return g
}

func (t *groupTable) newGroup(key string) *group {
	if n := len(t.free); n > 0 {
		g := t.free[n-1]
		t.free = t.free[:n-1]
		g.key = key
		for i, d := range t.defs {
			if d.Forever { // Reset keeps a forever extreme: start afresh
				g.aggs[i] = d.New()
			}
		}
		return g
	}
	g := &group{key: key, aggs: make([]aggregate.Aggregator, len(t.defs))}
	for i, d := range t.defs {
		g.aggs[i] = d.New()
	}
	return g
}

// drop forgets g (its state must be empty) and keeps it for reuse.
func (t *groupTable) drop(g *group) {
	if g.stored {
		t.dels = append(t.dels, t.groupStoreKey(nil, g))
		g.stored = false
	}
	switch {
	case g == t.single:
		t.single = nil
	case g == t.null:
		t.null = nil
	default:
		delete(t.byKey, g.key)
	}
	g.reset()
	t.free = append(t.free, g)
}

// appendKey appends the typed encoding of v: a kind byte, then 8 bytes for
// numbers and booleans (NaN canonical) or a length-prefixed string.
func appendKey(b []byte, v topology.Value) []byte {
	k := v.Kind()
	b = append(b, byte(k))
	switch k {
	case topology.TypeNull:
	case topology.TypeString:
		b = binary.AppendUvarint(b, uint64(len(v.Str())))
		b = append(b, v.Str()...)
	case topology.TypeFloat, topology.TypeDouble:
		f := v.RawDouble()
		if f != f {
			f = math.NaN()
		}
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(f))
	default:
		b = binary.LittleEndian.AppendUint64(b, uint64(v.RawLong()))
	}
	return b
}
