package serde

import (
	"fmt"
	"strings"

	"github.com/eventflux-io/eventflux-go/internal/codec"
	"github.com/eventflux-io/eventflux-go/topology"
)

// Encoder writes one stream's events as record values. It is immutable
// and safe to share.
type Encoder struct {
	format string
	keys   [][]byte // json: `{"a":` then `,"b":` ...
	delim  string
}

// NewEncoder returns the value encoder for schema's stream bound by b.
func NewEncoder(schema *topology.Schema, b topology.Binding) (*Encoder, error) {
	e := &Encoder{format: b.Format}
	if e.format == "" {
		e.format = FormatJSON
	}
	switch e.format {
	case FormatJSON:
		for i, a := range schema.Attrs {
			var k []byte
			if i == 0 {
				k = append(k, '{')
			} else {
				k = append(k, ',')
			}
			k = codec.AppendValue(k, topology.String(a.Name))
			e.keys = append(e.keys, append(k, ':'))
		}
	case FormatCSV:
		o, err := parseCSVOpts(schema, b.Options)
		if err != nil {
			return nil, err
		}
		if o.cols != nil || o.hasHeader {
			return nil, fmt.Errorf("serde: stream %s: csv.header-names and csv.has-header are supported on source streams only", schema.Name)
		}
		e.delim = string(o.delim)
	case FormatRaw:
		if schema.Len() != 1 {
			return nil, fmt.Errorf("serde: stream %s: format raw needs exactly one attribute, not %s", schema.Name, schema)
		}
	default:
		return nil, fmt.Errorf("serde: stream %s: unknown format %q (want json, csv or raw)", schema.Name, b.Format)
	}
	return e, nil
}

// Append appends ev's encoded value to dst.
func (e *Encoder) Append(dst []byte, ev *topology.Event) []byte {
	switch e.format {
	case FormatCSV:
		return e.appendCSV(dst, ev)
	case FormatRaw:
		if len(ev.Values) == 0 {
			return dst
		}
		return appendText(dst, ev.Values[0])
	}
	if len(e.keys) == 0 {
		return append(dst, "{}"...)
	}
	for i, k := range e.keys {
		dst = append(dst, k...)
		if i < len(ev.Values) {
			dst = codec.AppendValue(dst, ev.Values[i])
		} else {
			dst = append(dst, "null"...)
		}
	}
	return append(dst, '}')
}

func (e *Encoder) appendCSV(dst []byte, ev *topology.Event) []byte {
	for i, v := range ev.Values {
		if i > 0 {
			dst = append(dst, e.delim...)
		}
		if v.Kind() != topology.TypeString {
			dst = appendText(dst, v)
			continue
		}
		s := v.Str()
		if s == "" || strings.ContainsAny(s, e.delim+"\"\r\n") || s[0] == ' ' {
			dst = append(dst, '"')
			dst = append(dst, strings.ReplaceAll(s, `"`, `""`)...)
			dst = append(dst, '"')
		} else {
			dst = append(dst, s...)
		}
	}
	return dst
}

// appendText writes v as text: a STRING as itself, NULL as nothing, any
// other value as its JSON form.
func appendText(dst []byte, v topology.Value) []byte {
	switch v.Kind() {
	case topology.TypeString:
		return append(dst, v.Str()...)
	case topology.TypeNull:
		return dst
	}
	return codec.AppendValue(dst, v)
}

// KeyEncoder builds record keys from a stream's key attributes.
type KeyEncoder struct {
	idx []int
}

// NewKeyEncoder returns the key encoder for binding b of schema; its key
// attributes must exist.
func NewKeyEncoder(schema *topology.Schema, b topology.Binding) (*KeyEncoder, error) {
	k := &KeyEncoder{}
	for _, name := range b.Key {
		i := schema.Index(name)
		if i < 0 {
			return nil, fmt.Errorf("serde: stream %s: key attribute %q is not an attribute of %s", schema.Name, name, schema)
		}
		k.idx = append(k.idx, i)
	}
	return k, nil
}

// Keyed reports whether the stream has key attributes.
func (k *KeyEncoder) Keyed() bool { return len(k.idx) > 0 }

// Append appends ev's key to dst. ok is false for a nil key (no key
// attributes, or a single NULL key attribute).
func (k *KeyEncoder) Append(dst []byte, ev *topology.Event) (out []byte, ok bool) {
	switch len(k.idx) {
	case 0:
		return dst, false
	case 1:
		v := value(ev, k.idx[0])
		if v.IsNull() {
			return dst, false
		}
		return appendText(dst, v), true
	}
	dst = append(dst, '[')
	for i, idx := range k.idx {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = codec.AppendValue(dst, value(ev, idx))
	}
	return append(dst, ']'), true
}

func value(ev *topology.Event, i int) topology.Value {
	if i < len(ev.Values) {
		return ev.Values[i]
	}
	return topology.Null()
}
