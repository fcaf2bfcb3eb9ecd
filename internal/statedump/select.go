package statedump

import (
	"encoding/binary"
	"fmt"

	"github.com/eventflux-io/eventflux-go/aggregate"
	"github.com/eventflux-io/eventflux-go/sqlc"
	"github.com/eventflux-io/eventflux-go/topology"
)

// selectDecoder decodes an aggregating select stage's store
// (sqlc/persist.go): groups 'g', buffered rows 'r', OUTPUT FIRST entries
// 'f' and the meta record 'm'.
type selectDecoder struct {
	layout sqlc.SelectLayout
	schema *topology.Schema // the select's output
}

func (d *selectDecoder) decode(e *entry, key, val []byte) error {
	switch {
	case string(key) == "m":
		return d.meta(e, val)
	case len(key) > 0 && key[0] == 'g':
		return d.group(e, key[1:], val)
	case len(key) == 10 && key[0] == 'r' && (key[1] == 'a' || key[1] == 's'):
		return d.row(e, key[1], binary.BigEndian.Uint64(key[2:]), val)
	case len(key) > 0 && key[0] == 'f':
		return d.first(e, key[1:], val)
	}
	return unknownKey(key, "a select stage")
}

// meta decodes the OUTPUT limiter's or snapshot's scalars.
func (d *selectDecoder) meta(e *entry, val []byte) error {
	e.setKey("m")
	r := reader{what: "select meta record", b: val}
	obj := Object{}
	for _, f := range d.layout.Meta {
		v := r.int(f.Name)
		if f.Bool {
			obj = append(obj, Field{f.Name, v != 0})
		} else {
			obj = append(obj, Field{f.Name, v})
		}
	}
	if err := r.done(); err != nil {
		return err
	}
	e.add("kind", "meta")
	e.add("meta", obj)
	return nil
}

// group decodes a group record: its event count, then each aggregator's
// state in the layout's StateMode.
func (d *selectDecoder) group(e *entry, k, val []byte) error {
	group, err := d.layout.DecodeGroupStoreKey(k)
	if err != nil {
		return fmt.Errorf("statedump: %w", err)
	}
	e.setKey("g:" + string(valuesJSON(group)))
	r := reader{what: "group", b: val}
	n := r.int("count")
	if r.err != nil {
		return r.err
	}
	aggs := Object{}
	var fromWindow []string
	rest := r.b
	for i, def := range d.layout.Aggregates {
		var v topology.Value
		var known bool
		v, known, rest, err = aggregate.DecodeState(def, rest, d.layout.Mode)
		if err != nil {
			return fmt.Errorf("statedump: group %s: %w", valuesJSON(group), err)
		}
		if known {
			aggs = append(aggs, Field{d.layout.Names[i], valueJSON(v)})
		} else {
			fromWindow = append(fromWindow, d.layout.Names[i])
		}
	}
	if len(rest) > 0 {
		return fmt.Errorf("statedump: group %s: %d bytes left over: %w", valuesJSON(group), len(rest), topology.ErrBadEncoding)
	}
	e.add("kind", "group")
	e.add("group", valuesJSON(group))
	e.add("count", n)
	e.add("aggregates", aggs)
	if len(fromWindow) > 0 {
		e.add("from_window", fromWindow)
	}
	return nil
}

// row decodes a buffered row: 'r' list idx(8) -> event, group key,
// ORDER BY values.
func (d *selectDecoder) row(e *entry, list byte, idx uint64, val []byte) error {
	e.setKey("r:" + string(list) + ":" + itoa(idx))
	ev, rest, err := topology.DecodeEvent(val)
	if err != nil {
		return fmt.Errorf("statedump: row %d: %w", idx, err)
	}
	r := reader{what: "row " + itoa(idx), b: rest}
	key := r.bytes("group key")
	sort := r.values("ORDER BY values")
	if err := r.done(); err != nil {
		return err
	}
	group, err := d.layout.DecodeGroupKey(string(key))
	if err != nil {
		return fmt.Errorf("statedump: row %d: %w", idx, err)
	}
	kind := "output_row"
	if list == 's' {
		kind = "snapshot_row"
	}
	e.add("kind", kind)
	e.add("group", valuesJSON(group))
	e.add("event_kind", ev.Kind.String())
	e.add("value", eventJSON(d.schema, ev.Values))
	e.add("timestamp", ev.TS)
	if len(sort) > 0 {
		e.add("order_by", valuesJSON(sort))
	}
	return nil
}

// first decodes an OUTPUT FIRST entry: 'f' + group key -> the rows of
// the group seen in the current period.
func (d *selectDecoder) first(e *entry, key, val []byte) error {
	group, err := d.layout.DecodeGroupKey(string(key))
	if err != nil {
		return fmt.Errorf("statedump: OUTPUT FIRST entry: %w", err)
	}
	e.setKey("f:" + string(valuesJSON(group)))
	r := reader{what: "OUTPUT FIRST entry", b: val}
	n := r.int("rows")
	if err := r.done(); err != nil {
		return err
	}
	e.add("kind", "first_seen")
	e.add("group", valuesJSON(group))
	e.add("rows_seen", n)
	return nil
}

// decodePartitionKeys decodes a PARTITION WITH node's keys store:
// seq(8) -> partition key.
func decodePartitionKeys(e *entry, key, val []byte) error {
	if len(key) != 8 {
		return unknownKey(key, "a partition keys store")
	}
	e.setKey(itoa(binary.BigEndian.Uint64(key)))
	v, err := sqlc.DecodePartitionKey(val)
	if err != nil {
		return fmt.Errorf("statedump: %w", err)
	}
	e.add("kind", "partition_key")
	e.add("partition_key", valueJSON(v))
	return nil
}

// partitioned wraps the decoder of a store of a partition's per-key
// chain: every key starts with the partition key of the instance that
// wrote it.
func partitioned(inner decodeFunc) decodeFunc {
	return func(e *entry, key, val []byte) error {
		pk, rest, err := sqlc.SplitPartitionKey(key)
		if err != nil {
			return fmt.Errorf("statedump: %w", err)
		}
		v, err := sqlc.DecodePartitionKey(pk)
		if err != nil {
			return fmt.Errorf("statedump: %w", err)
		}
		var ie entry
		err = inner(&ie, rest, val)
		if ie.keyOK {
			e.setKey(string(valueJSON(v)) + "/" + ie.key)
			e.head = append(Object{{"partition_key", valueJSON(v)}}, ie.head...)
		}
		e.body = ie.body
		return err
	}
}
