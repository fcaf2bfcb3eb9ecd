package windows

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/eventflux-io/eventflux-go/topology"
)

// Layout says what a window processor keeps in its store, for tools that
// decode the store's changelog (eventflux state). The byte layouts are
// those of persist.go and docs/state.md; Layout adds what the bytes do
// not say: the window type, its key attributes and the names of its
// meta record's scalars.
type Layout struct {
	// Kind is the window type. A hopping window whose advance equals its
	// size reports Tumbling.
	Kind Kind
	// KeyAttrs are the indexes, in the window's input schema, of the key
	// attributes of unique, firstUnique, frequent and lossyFrequent; nil
	// when the key is the whole event (frequent and lossyFrequent without
	// attributes).
	KeyAttrs []int
	// Meta lists the scalars of the meta record ('m'), in order; nil when
	// the window writes none (tumbling, hopping, firstUnique).
	Meta []MetaField
}

// MetaField is one scalar of a window's meta record.
type MetaField struct {
	// Name is the scalar's name, after the variable that holds it.
	Name string
	// Enc is how it is encoded.
	Enc MetaEncoding
}

// MetaEncoding is the encoding of one meta scalar.
type MetaEncoding uint8

// Meta scalar encodings.
const (
	// MetaUint is a uvarint.
	MetaUint MetaEncoding = iota
	// MetaInt is a zigzag varint.
	MetaInt
	// MetaBool is a uvarint, 0 or 1.
	MetaBool
	// MetaUintInt is an int64's two's complement bits as a uvarint.
	MetaUintInt
	// MetaUintFloat is a float64's bits as a uvarint.
	MetaUintFloat
)

// LayoutOf returns the layout of the store of p, a processor made by a
// supplier New returned; false for any other processor.
func LayoutOf(p topology.Processor) (Layout, bool) {
	next := MetaField{"next_seq", MetaUint}
	batch := []MetaField{next, {"open_batch_first_seq", MetaUint}}
	timeBatch := append(batch[:2:2], MetaField{"started", MetaBool}, MetaField{"batch_end", MetaInt})
	switch w := p.(type) {
	case *lengthWindow:
		return Layout{Kind: Length, Meta: []MetaField{next}}, true
	case *timeWindow:
		return Layout{Kind: Time, Meta: []MetaField{next}}, true
	case *delayWindow:
		return Layout{Kind: Delay, Meta: []MetaField{next}}, true
	case *externalTimeWindow:
		return Layout{Kind: ExternalTime, Meta: []MetaField{next, {"clock", MetaInt}}}, true
	case *expressionWindow:
		meta := []MetaField{next}
		for _, a := range w.aggs {
			name := a.Agg.String()
			meta = append(meta, MetaField{name + ".count", MetaUintInt}, MetaField{name + ".non_null", MetaUintInt},
				MetaField{name + ".int_sum", MetaUintInt}, MetaField{name + ".float_sum", MetaUintFloat})
		}
		return Layout{Kind: Expression, Meta: meta}, true
	case *lengthBatchWindow:
		return Layout{Kind: LengthBatch, Meta: batch}, true
	case *timeBatchWindow:
		return Layout{Kind: TimeBatch, Meta: timeBatch}, true
	case *externalTimeBatchWindow:
		return Layout{Kind: ExternalTimeBatch, Meta: append(timeBatch, MetaField{"clock", MetaInt})}, true
	case *cronWindow:
		return Layout{Kind: Cron, Meta: append(batch, MetaField{"started", MetaBool}, MetaField{"next_fire", MetaInt})}, true
	case *hoppingWindow:
		if w.advance == w.size {
			return Layout{Kind: Tumbling}, true
		}
		return Layout{Kind: Hopping}, true
	case *sessionWindow:
		return Layout{Kind: Session, Meta: []MetaField{{"next_id", MetaUint}, {"next_key_order", MetaUint}}}, true
	case *sortWindow:
		return Layout{Kind: Sort, Meta: []MetaField{{"last_seq", MetaUint}}}, true
	case *uniqueWindow:
		return Layout{Kind: Unique, KeyAttrs: w.keys, Meta: []MetaField{next}}, true
	case *firstUniqueWindow:
		return Layout{Kind: FirstUnique, KeyAttrs: w.keys}, true
	case *frequentWindow:
		return Layout{Kind: Frequent, KeyAttrs: w.keys, Meta: []MetaField{{"next_id", MetaUint}}}, true
	case *lossyFrequentWindow:
		return Layout{Kind: LossyFrequent, KeyAttrs: w.keys, Meta: []MetaField{{"next_id", MetaUint}, {"events_seen", MetaInt}}}, true
	}
	return Layout{}, false
}

// String renders the aggregate as the condition reads it: "count()",
// "sum(price)".
func (a Agg) String() string {
	names := [...]string{AggCount: "count", AggCountOf: "count", AggSum: "sum", AggAvg: "avg", AggMin: "min", AggMax: "max"}
	name := "agg" + strconv.Itoa(int(a.Op))
	if int(a.Op) < len(names) {
		name = names[a.Op]
	}
	if a.Op == AggCount {
		return name + "()"
	}
	return name + "(" + a.Attr.Name + ")"
}

// KeyValues returns the attribute values of a key the window stores for
// unique, firstUnique, frequent and lossyFrequent (keyOf): the value
// itself for one key attribute, else the tuple it encodes.
func (l Layout) KeyValues(v topology.Value) ([]topology.Value, error) {
	if len(l.KeyAttrs) == 1 {
		return []topology.Value{v}, nil
	}
	if v.Kind() != topology.TypeString {
		return nil, fmt.Errorf("windows: tuple key %s: %w", v, topology.ErrBadEncoding)
	}
	return splitTupleKey(v.Str())
}

// splitTupleKey decodes keyOf's tuple encoding: per value, the length of
// "KIND:literal", '|', then "KIND:literal" (Value.String).
func splitTupleKey(s string) ([]topology.Value, error) {
	bad := func(what string) error {
		return fmt.Errorf("windows: tuple key %q: %s: %w", s, what, topology.ErrBadEncoding)
	}
	out := []topology.Value{}
	for rest := s; rest != ""; {
		bar := strings.IndexByte(rest, '|')
		if bar <= 0 {
			return nil, bad("no length")
		}
		n, err := strconv.Atoi(rest[:bar])
		if err != nil || n < 0 || n > len(rest)-bar-1 {
			return nil, bad("bad length")
		}
		part := rest[bar+1 : bar+1+n]
		rest = rest[bar+1+n:]
		kind, lit, ok := strings.Cut(part, ":")
		if !ok {
			return nil, bad("no kind")
		}
		v, err := parseLiteral(kind, lit)
		if err != nil {
			return nil, bad(err.Error())
		}
		out = append(out, v)
	}
	return out, nil
}

// parseLiteral parses what Value.String rendered for a value of kind.
func parseLiteral(kind, lit string) (topology.Value, error) {
	if kind == topology.TypeNull.String() {
		return topology.Null(), nil
	}
	t, ok := topology.ParseType(kind)
	if !ok || t.String() != kind {
		return topology.Value{}, fmt.Errorf("kind %s", kind)
	}
	switch t {
	case topology.TypeBool:
		b, err := strconv.ParseBool(lit)
		return topology.Bool(b), err
	case topology.TypeInt:
		n, err := strconv.ParseInt(lit, 10, 32)
		return topology.Int(int32(n)), err
	case topology.TypeLong:
		n, err := strconv.ParseInt(lit, 10, 64)
		return topology.Long(n), err
	case topology.TypeFloat:
		f, err := strconv.ParseFloat(lit, 32)
		return topology.Float(float32(f)), err
	case topology.TypeDouble:
		f, err := strconv.ParseFloat(lit, 64)
		return topology.Double(f), err
	}
	s, err := strconv.Unquote(lit)
	return topology.String(s), err
}
