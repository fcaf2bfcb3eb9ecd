package serde

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/eventflux-io/eventflux-go/topology"
)

// Formats.
const (
	FormatJSON = "json"
	FormatCSV  = "csv"
	FormatRaw  = "raw"
)

// Decoder decodes one stream's record values into events. It keeps
// scratch state, so it is not safe for concurrent use (a task owns one);
// decoded events do not alias the value.
type Decoder struct {
	schema *topology.Schema
	format string
	types  []topology.Type
	tsIdx  int
	vals   []topology.Value
	alloc  topology.EventAlloc
	json   *jsonDec
	csv    *csvDec
}

// NewDecoder returns the decoder for schema's stream bound by b. It fails
// on options it cannot honour (an unknown format, a bad json.mapping path,
// raw on a schema that is not one STRING attribute).
func NewDecoder(schema *topology.Schema, b topology.Binding) (*Decoder, error) {
	d := &Decoder{schema: schema, format: b.Format, tsIdx: -1, types: make([]topology.Type, schema.Len())}
	for i, a := range schema.Attrs {
		d.types[i] = a.Type
	}
	if d.format == "" {
		d.format = FormatJSON
	}
	if b.Timestamp != "" {
		d.tsIdx = schema.Index(b.Timestamp)
		if d.tsIdx < 0 || !d.types[d.tsIdx].IsIntegral() {
			return nil, fmt.Errorf("serde: stream %s: timestamp attribute %q is not an INT or LONG attribute", schema.Name, b.Timestamp)
		}
	}
	var err error
	switch d.format {
	case FormatJSON:
		d.json, err = newJSONDec(schema, b.Options)
	case FormatCSV:
		d.csv, err = newCSVDec(schema, b.Options)
	case FormatRaw:
		err = checkRaw(schema)
	default:
		err = fmt.Errorf("serde: stream %s: unknown format %q (want json, csv or raw)", schema.Name, b.Format)
	}
	if err != nil {
		return nil, err
	}
	return d, nil
}

func checkRaw(schema *topology.Schema) error {
	if schema.Len() != 1 || schema.Attrs[0].Type != topology.TypeString {
		return fmt.Errorf("serde: stream %s: format raw needs exactly one STRING attribute, not %s", schema.Name, schema)
	}
	return nil
}

// Decode decodes value into an event. recordTS (epoch ms) is the event
// time unless the binding's timestamp attribute is set and non-NULL. Every
// error is a *DecodeError.
func (d *Decoder) Decode(value []byte, recordTS int64) (*topology.Event, error) {
	d.vals = d.vals[:0]
	for range d.types {
		d.vals = append(d.vals, topology.Value{})
	}
	var field string
	var err error
	switch d.format {
	case FormatJSON:
		field, err = d.json.decode(value, d.vals)
	case FormatCSV:
		field, err = d.csv.decode(value, d.vals)
	case FormatRaw:
		if !utf8.Valid(value) {
			err = malformedf("value is not valid UTF-8")
		} else {
			d.vals[0] = topology.String(string(value))
		}
	}
	if err != nil {
		return nil, &DecodeError{Stream: d.schema.Name, Field: field, Err: err}
	}
	ts := recordTS
	if d.tsIdx >= 0 && !d.vals[d.tsIdx].IsNull() {
		ts = d.vals[d.tsIdx].RawLong()
	}
	ev := d.alloc.New(ts, len(d.vals))
	copy(ev.Values, d.vals)
	return ev, nil
}

// parsePath turns "$.a.b" into ["a", "b"].
func parsePath(p string) ([]string, error) {
	if !strings.HasPrefix(p, "$.") {
		return nil, fmt.Errorf("json path %q must start with $.", p)
	}
	segs := strings.Split(p[2:], ".")
	for _, s := range segs {
		if s == "" || strings.ContainsAny(s, "[]*'\"") {
			return nil, fmt.Errorf("json path %q: only dot-separated member names are supported ($.a.b)", p)
		}
	}
	return segs, nil
}
