package statedump

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/eventflux-io/eventflux-go/sqlc"
	"github.com/eventflux-io/eventflux-go/topology"
	"github.com/eventflux-io/eventflux-go/windows"
)

// decodeTask decodes the task store: "streamTime" -> varint.
func decodeTask(e *entry, key, val []byte) error {
	if string(key) != "streamTime" {
		return unknownKey(key, "the task store")
	}
	e.setKey("streamTime")
	r := reader{what: "stream time", b: val}
	ts := r.int("time")
	if err := r.done(); err != nil {
		return err
	}
	e.add("kind", "stream_time")
	e.add("value", Object{{"stream_time", ts}})
	return nil
}

func unknownKey(key []byte, layout string) error {
	return fmt.Errorf("statedump: no record of %s has key %x: %w", layout, key, topology.ErrBadEncoding)
}

// windowDecoder decodes a window's store (windows/persist.go): meta 'm',
// held events 'e' seq, per-key records 'k', open sessions 's' — or, for
// tumbling and hopping, the windowed store of events by seq.
type windowDecoder struct {
	layout windows.Layout
	schema *topology.Schema // the window's input
}

func (d *windowDecoder) what() string { return "window " + d.layout.Kind.String() }

// holdsEvents reports whether the window keeps 'e' records.
func (d *windowDecoder) holdsEvents() bool {
	switch d.layout.Kind {
	case windows.Tumbling, windows.Hopping, windows.FirstUnique, windows.Frequent, windows.LossyFrequent:
		return false
	}
	return true
}

func (d *windowDecoder) decode(e *entry, key, val []byte) error {
	kind := d.layout.Kind
	if string(key) == "m" && d.layout.Meta != nil {
		return d.meta(e, val)
	}
	if seq, ok := seqKey(key, 'e'); ok && d.holdsEvents() {
		e.setKey("e:" + itoa(seq))
		r := reader{what: "held event " + itoa(seq), b: val}
		e.add("kind", "event")
		if kind == windows.Session {
			e.add("run", r.uint("run id"))
		}
		d.item(e, &r)
		return r.done()
	}
	switch {
	case len(key) > 0 && key[0] == 'k' && kind == windows.FirstUnique:
		return d.seenKey(e, key[1:], val)
	case len(key) > 0 && key[0] == 'k' && (kind == windows.Frequent || kind == windows.LossyFrequent):
		if id, ok := seqKey(key, 'k'); ok {
			return d.countedKey(e, id, val)
		}
	case len(key) > 0 && key[0] == 'k' && kind == windows.Session:
		return d.sessionKey(e, key[1:], val)
	case len(key) > 0 && key[0] == 's' && kind == windows.Session:
		if id, ok := seqKey(key, 's'); ok {
			return d.session(e, id, val)
		}
	}
	return unknownKey(key, d.what())
}

// decodeWindowed decodes the windowed store of tumbling and hopping:
// seq(8) -> event.
func (d *windowDecoder) decodeWindowed(e *entry, key, val []byte) error {
	if len(key) != 8 {
		return unknownKey(key, d.what())
	}
	seq := binary.BigEndian.Uint64(key)
	e.setKey(itoa(seq))
	r := reader{what: "window event " + itoa(seq), b: val}
	e.add("kind", "event")
	d.item(e, &r)
	return r.done()
}

// item decodes a held event (varint time, values) into "value" and
// "timestamp".
func (d *windowDecoder) item(e *entry, r *reader) {
	ts := r.int("time")
	vals := r.values("values")
	if r.err == nil {
		e.add("value", eventJSON(d.schema, vals))
		e.add("timestamp", ts)
	}
}

// meta decodes the meta record by the layout's scalars.
func (d *windowDecoder) meta(e *entry, val []byte) error {
	e.setKey("m")
	r := reader{what: d.what() + " meta record", b: val}
	obj := Object{}
	for _, f := range d.layout.Meta {
		var v any
		switch f.Enc {
		case windows.MetaUint:
			v = r.uint(f.Name)
		case windows.MetaInt:
			v = r.int(f.Name)
		case windows.MetaBool:
			v = r.uint(f.Name) != 0
		case windows.MetaUintInt:
			v = int64(r.uint(f.Name))
		case windows.MetaUintFloat:
			v = floatJSON(math.Float64frombits(r.uint(f.Name)), false)
		}
		obj = append(obj, Field{f.Name, v})
	}
	if err := r.done(); err != nil {
		return err
	}
	e.add("kind", "meta")
	e.add("meta", obj)
	return nil
}

// seenKey decodes a firstUnique key record: 'k' + the key's value
// encoding -> nothing.
func (d *windowDecoder) seenKey(e *entry, enc, val []byte) error {
	v, rest, err := topology.DecodeValue(enc)
	if err == nil && len(rest) > 0 {
		err = topology.ErrBadEncoding
	}
	if err != nil {
		return fmt.Errorf("statedump: firstUnique key: %w", err)
	}
	vals, err := d.layout.KeyValues(v)
	if err != nil {
		return fmt.Errorf("statedump: firstUnique key: %w", err)
	}
	e.setKey("k:" + string(valuesJSON(vals)))
	if len(val) != 0 {
		return fmt.Errorf("statedump: firstUnique key record holds %d bytes: %w", len(val), topology.ErrBadEncoding)
	}
	e.add("kind", "seen_key")
	e.add("window_key", valuesJSON(vals))
	return nil
}

// countedKey decodes a frequent or lossyFrequent key record: 'k' id(8)
// -> key value, count, delta, held [, held seq, event].
func (d *windowDecoder) countedKey(e *entry, id uint64, val []byte) error {
	e.setKey("k:" + itoa(id))
	r := reader{what: d.what() + " key " + itoa(id), b: val}
	key := r.value("key")
	count, delta := r.int("count"), r.int("delta")
	held := r.uint("held") != 0
	var seq uint64
	if held {
		seq = r.uint("held seq")
	}
	var item entry
	if held {
		d.item(&item, &r)
	}
	if err := r.done(); err != nil {
		return err
	}
	vals, err := d.layout.KeyValues(key)
	if err != nil {
		return fmt.Errorf("statedump: %s key %d: %w", d.what(), id, err)
	}
	e.add("kind", "counted_key")
	e.add("window_key", valuesJSON(vals))
	e.add("count", count)
	if d.layout.Kind == windows.LossyFrequent {
		e.add("delta", delta)
	}
	if held {
		e.add("held_seq", seq)
		e.body = append(e.body, item.body...)
	}
	return nil
}

// sessionKey decodes a session window's key record: 'k' + the group key
// -> its first-sight order, the run ids of its last closed session.
func (d *windowDecoder) sessionKey(e *entry, enc, val []byte) error {
	group, err := sqlc.DecodeKey(enc)
	if err != nil {
		return fmt.Errorf("statedump: session key: %w", err)
	}
	e.setKey("k:" + string(valuesJSON(group)))
	r := reader{what: "session key", b: val}
	order := r.uint("order")
	runs := r.ids("runs")
	if err := r.done(); err != nil {
		return err
	}
	e.add("kind", "session_key")
	e.add("group", valuesJSON(group))
	e.add("order", order)
	e.add("last_closed_runs", runs)
	return nil
}

// session decodes an open session: 's' id(8) -> group key, start, last,
// run ids.
func (d *windowDecoder) session(e *entry, id uint64, val []byte) error {
	e.setKey("s:" + itoa(id))
	r := reader{what: "session " + itoa(id), b: val}
	owner := r.bytes("key")
	start, last := r.int("start"), r.int("last")
	runs := r.ids("runs")
	if err := r.done(); err != nil {
		return err
	}
	group, err := sqlc.DecodeKey(owner)
	if err != nil {
		return fmt.Errorf("statedump: session %d: %w", id, err)
	}
	e.add("kind", "session")
	e.add("group", valuesJSON(group))
	e.add("start", start)
	e.add("last", last)
	e.add("runs", runs)
	return nil
}
