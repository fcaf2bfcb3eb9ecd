package statedump

import (
	"bytes"
	"encoding/json"
	"math"
	"strconv"

	"github.com/eventflux-io/eventflux-go/topology"
)

// valueJSON renders v: INT and LONG as integers, FLOAT and DOUBLE as
// numbers (FLOAT at its own precision), NaN and infinities as strings
// (JSON has none), NULL as null.
func valueJSON(v topology.Value) json.RawMessage {
	var out any
	switch v.Kind() {
	case topology.TypeNull:
		out = nil
	case topology.TypeBool:
		out = v.AsBool()
	case topology.TypeInt, topology.TypeLong:
		out = v.AsLong()
	case topology.TypeFloat, topology.TypeDouble:
		out = floatJSON(v.AsDouble(), v.Kind() == topology.TypeFloat)
	default:
		out = v.Str()
	}
	b, err := marshal(out)
	if err != nil {
		return json.RawMessage("null")
	}
	return b
}

// floatJSON returns f as a JSON-encodable value: a string for NaN and
// infinities, else the number (rounded to float32's shortest form when
// single).
func floatJSON(f float64, single bool) any {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return strconv.FormatFloat(f, 'g', -1, 64)
	}
	if single {
		if g, err := strconv.ParseFloat(strconv.FormatFloat(f, 'g', -1, 32), 64); err == nil {
			return g
		}
	}
	return f
}

// valuesJSON renders vals as a JSON array.
func valuesJSON(vals []topology.Value) json.RawMessage {
	var b bytes.Buffer
	b.WriteByte('[')
	for i, v := range vals {
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(valueJSON(v))
	}
	b.WriteByte(']')
	return b.Bytes()
}

// eventJSON renders an event's values as an object by schema's attribute
// names when they line up, as an array otherwise.
func eventJSON(schema *topology.Schema, vals []topology.Value) json.RawMessage {
	if schema == nil || schema.Len() != len(vals) {
		return valuesJSON(vals)
	}
	var b bytes.Buffer
	b.WriteByte('{')
	for i, v := range vals {
		if i > 0 {
			b.WriteByte(',')
		}
		name, _ := marshal(schema.Attrs[i].Name)
		b.Write(name)
		b.WriteByte(':')
		b.Write(valueJSON(v))
	}
	b.WriteByte('}')
	return b.Bytes()
}
