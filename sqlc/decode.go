package sqlc

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/eventflux-io/eventflux-go/aggregate"
	"github.com/eventflux-io/eventflux-go/sqlc/ast"
	"github.com/eventflux-io/eventflux-go/sqlc/expr"
	"github.com/eventflux-io/eventflux-go/sqlc/plan"
	"github.com/eventflux-io/eventflux-go/topology"
)

// What tools that read the stores of compiled queries (eventflux state)
// need beyond the bytes: the layouts of persist.go, partition.go and
// partition_state.go, described from the processors a compiled node
// creates.

// PartitionKeysStore is the name of a PARTITION WITH node's store of
// partition keys (big-endian sequence number -> encoded key).
const PartitionKeysStore = keysStore

// SelectLayout describes the store of an aggregating select stage
// (persist.go): group records, the OUTPUT limiter's or snapshot's
// buffered rows and per-group entries, and the meta record.
type SelectLayout struct {
	// Mode is the aggregate.StateMode of the group records.
	Mode aggregate.StateMode
	// Aggregates are the aggregate calls, in the order of their state in
	// a group record.
	Aggregates []aggregate.Def
	// Names names each aggregate call: the output attribute selecting it
	// alone ("SELECT sum(price) AS total" gives "total"), else (no such
	// attribute, or only one named _col<i>) its SQL text ("sum(price)").
	Names []string
	// GroupBy is the number of GROUP BY expressions.
	GroupBy int
	// StringKey is set when the only GROUP BY key is a STRING: groups are
	// keyed by the string itself and NULL has a group of its own.
	StringKey bool
	// Meta lists the scalars of the meta record ('m'), each a zigzag
	// varint; nil when there are none.
	Meta []SelectMetaField
}

// SelectMetaField is one scalar of a select stage's meta record.
type SelectMetaField struct {
	// Name is the scalar's name.
	Name string
	// Bool is set for a flag (0 or 1).
	Bool bool
}

// SelectLayoutOf returns the store layout of p, a processor of a compiled
// aggregating select node ("aggregate"); false for any other processor.
func SelectLayoutOf(p topology.Processor) (SelectLayout, bool) {
	var cfg *aggConfig
	switch s := p.(type) {
	case *aggSelect:
		cfg = s.cfg
	case *timedAggSelect:
		cfg = s.cfg
	default:
		return SelectLayout{}, false
	}
	l := SelectLayout{Mode: cfg.persist.stateMode(), Aggregates: cfg.defs, Names: cfg.names,
		GroupBy: len(cfg.keys), StringKey: cfg.strKey}
	if len(l.Names) != len(l.Aggregates) {
		l.Names = make([]string, len(l.Aggregates))
		for i, d := range l.Aggregates {
			l.Names[i] = fmt.Sprintf("%s#%d", d.Name, i)
		}
	}
	period := []SelectMetaField{{Name: "period_open", Bool: true}, {Name: "period_end"}}
	switch o := cfg.output; {
	case o == nil:
	case o.Mode == ast.OutputSnapshot:
		l.Meta = []SelectMetaField{{Name: "started", Bool: true}, {Name: "next_period_end"}}
	case o.Events > 0 && o.Mode != ast.OutputFirst:
		l.Meta = []SelectMetaField{{Name: "row_count"}}
	case o.Events == 0:
		l.Meta = period
	}
	return l, true
}

// aggNames names the aggregate calls of q for SelectLayout.Names.
func aggNames(q *plan.Query) []string {
	if q.Agg == nil {
		return nil
	}
	names := make([]string, len(q.Agg.Calls))
	for i, c := range q.Agg.Calls {
		names[i] = c.Text
	}
	named := make([]bool, len(names))
	for i, pr := range q.Project {
		if pr.Name == fmt.Sprintf("_col%d", i) {
			continue // a generated name: the call's text says more
		}
		if c, ok := expr.ColumnOf(pr.Expr); ok && c.Slot == plan.AggSlot && c.Index < len(names) && !named[c.Index] {
			names[c.Index], named[c.Index] = pr.Name, true
		}
	}
	return names
}

// DecodeGroupStoreKey decodes the key of a group record after its 'g':
// 's' (no GROUP BY: no values), 'n' (the NULL group of a STRING key) or
// 'k' and the group key (DecodeGroupKey).
func (l SelectLayout) DecodeGroupStoreKey(k []byte) ([]topology.Value, error) {
	switch {
	case len(k) == 1 && k[0] == 's' && l.GroupBy == 0:
		return []topology.Value{}, nil
	case len(k) == 1 && k[0] == 'n' && l.StringKey:
		return []topology.Value{topology.Null()}, nil
	case len(k) >= 1 && k[0] == 'k' && l.GroupBy > 0:
		return l.DecodeGroupKey(string(k[1:]))
	}
	return nil, fmt.Errorf("sqlc: group key %q: %w", k, topology.ErrBadEncoding)
}

// DecodeGroupKey decodes a group's key as buffered rows and OUTPUT FIRST
// entries carry it: empty without GROUP BY, the string itself for a
// STRING key ("\x00null" for NULL), else each key's typed encoding
// (DecodeKey).
func (l SelectLayout) DecodeGroupKey(key string) ([]topology.Value, error) {
	switch {
	case l.GroupBy == 0:
		if key != "" {
			return nil, fmt.Errorf("sqlc: group key %q without GROUP BY: %w", key, topology.ErrBadEncoding)
		}
		return []topology.Value{}, nil
	case l.StringKey && key == "\x00null":
		return []topology.Value{topology.Null()}, nil
	case l.StringKey:
		return []topology.Value{topology.String(key)}, nil
	}
	vals, err := DecodeKey([]byte(key))
	if err == nil && len(vals) != l.GroupBy {
		err = fmt.Errorf("sqlc: group key of %d values, want %d: %w", len(vals), l.GroupBy, topology.ErrBadEncoding)
	}
	return vals, err
}

// DecodeKey decodes a sequence of typed key encodings (appendKey): those
// of GROUP BY keys, of a session window's per-group key and of a
// partition key.
func DecodeKey(b []byte) ([]topology.Value, error) {
	out := []topology.Value{}
	for len(b) > 0 {
		k := topology.Type(b[0])
		b = b[1:]
		switch k {
		case topology.TypeNull:
			out = append(out, topology.Null())
			continue
		case topology.TypeString:
			n, m := binary.Uvarint(b)
			if m <= 0 || n > uint64(len(b)-m) {
				return nil, fmt.Errorf("sqlc: key string: %w", topology.ErrBadEncoding)
			}
			out = append(out, topology.String(string(b[m:m+int(n)])))
			b = b[m+int(n):]
			continue
		case topology.TypeBool, topology.TypeInt, topology.TypeLong, topology.TypeFloat, topology.TypeDouble:
		default:
			return nil, fmt.Errorf("sqlc: key kind %d: %w", k, topology.ErrBadEncoding)
		}
		if len(b) < 8 {
			return nil, fmt.Errorf("sqlc: key %s: %w", k, topology.ErrBadEncoding)
		}
		n := binary.LittleEndian.Uint64(b)
		b = b[8:]
		switch k {
		case topology.TypeBool:
			out = append(out, topology.Bool(n != 0))
		case topology.TypeInt:
			out = append(out, topology.Int(int32(n)))
		case topology.TypeLong:
			out = append(out, topology.Long(int64(n)))
		case topology.TypeFloat:
			out = append(out, topology.Float(float32(math.Float64frombits(n))))
		default:
			out = append(out, topology.Double(math.Float64frombits(n)))
		}
	}
	return out, nil
}

// DecodePartitionKey decodes a partition key as the keys store holds it
// and store keys are prefixed with it: the typed encoding of the
// partition attribute's value (of the upstream partition attribute's,
// when the query reads an inner stream).
func DecodePartitionKey(b []byte) (topology.Value, error) {
	vals, err := DecodeKey(b)
	if err != nil {
		return topology.Value{}, err
	}
	if len(vals) != 1 {
		return topology.Value{}, fmt.Errorf("sqlc: partition key of %d values: %w", len(vals), topology.ErrBadEncoding)
	}
	return vals[0], nil
}

// SplitPartitionKey splits a key a partition instance wrote into the
// node's stores (keyState): the uvarint length of the partition key, the
// key, then the key the instance's operator wrote.
func SplitPartitionKey(b []byte) (partKey, rest []byte, err error) {
	n, m := binary.Uvarint(b)
	if m <= 0 || n > uint64(len(b)-m) {
		return nil, nil, fmt.Errorf("sqlc: partition key prefix: %w", topology.ErrBadEncoding)
	}
	end := m + int(n)
	return b[m:end:end], b[end:], nil
}

// PartitionLayout describes the stores of a PARTITION WITH node: its
// PartitionKeysStore, and the stores of Chain, the per-key topology,
// which every key's instance writes under its partition key
// (SplitPartitionKey). A store of Chain called name is the node's store
// called name (the chain's task-wide store name, the task store
// included).
type PartitionLayout struct {
	// Chain is the per-key topology of the query.
	Chain *topology.Topology
}

// PartitionLayoutOf returns the store layout of p, a processor of a
// compiled PARTITION WITH node ("partition"); false for any other
// processor.
func PartitionLayoutOf(p topology.Processor) (PartitionLayout, bool) {
	pp, ok := p.(*partitionProc)
	if !ok {
		return PartitionLayout{}, false
	}
	return PartitionLayout{Chain: pp.cfg.chain}, true
}
