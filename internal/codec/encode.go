package codec

import (
	"math"
	"strconv"
	"unicode/utf8"

	"github.com/eventflux-io/eventflux-go/topology"
)

// StreamEncoder writes one stream's events as replay output lines:
//
//	{"stream":"Alerts","ts":1000,"data":{"symbol":"IBM","price":75.5}}
//
// with data keys in schema order. INT and LONG values are JSON integers;
// FLOAT and DOUBLE are numbers in their shortest round-trip form that
// always read as floats (75.5, 100.0, 1e+21; FLOAT at 32-bit precision, so
// 1.1 stays 1.1); NULL, NaN and ±Infinity are null; strings are escaped.
// Each value is written by its own kind, so the output shows exactly what
// the query produced. A StreamEncoder is immutable and safe to share.
type StreamEncoder struct {
	prefix []byte   // {"stream":"Alerts","ts":
	keys   [][]byte // ,"data":{"symbol": then ,"price": ...
	empty  []byte   // ,"data":{} for a schema without attributes
}

// NewStreamEncoder returns the encoder for schema's stream.
func NewStreamEncoder(schema *topology.Schema) *StreamEncoder {
	e := &StreamEncoder{}
	e.prefix = append(e.prefix, `{"stream":`...)
	e.prefix = appendString(e.prefix, schema.Name)
	e.prefix = append(e.prefix, `,"ts":`...)
	for i, a := range schema.Attrs {
		var k []byte
		if i == 0 {
			k = append(k, `,"data":{`...)
		} else {
			k = append(k, ',')
		}
		k = appendString(k, a.Name)
		e.keys = append(e.keys, append(k, ':'))
	}
	e.empty = []byte(`,"data":{`)
	return e
}

// Append appends ev as one line, with its trailing newline, to dst and
// returns the extended slice. Values beyond the schema are not written; a
// missing one is null.
func (e *StreamEncoder) Append(dst []byte, ev *topology.Event) []byte {
	dst = append(dst, e.prefix...)
	dst = strconv.AppendInt(dst, ev.TS, 10)
	if len(e.keys) == 0 {
		dst = append(dst, e.empty...)
	}
	for i, k := range e.keys {
		dst = append(dst, k...)
		if i < len(ev.Values) {
			dst = AppendValue(dst, ev.Values[i])
		} else {
			dst = append(dst, "null"...)
		}
	}
	return append(dst, "}}\n"...)
}

// AppendValue appends v as a JSON value, by the rules of StreamEncoder.
func AppendValue(dst []byte, v topology.Value) []byte {
	switch v.Kind() {
	case topology.TypeBool:
		return strconv.AppendBool(dst, v.RawBool())
	case topology.TypeInt, topology.TypeLong:
		return strconv.AppendInt(dst, v.RawLong(), 10)
	case topology.TypeFloat:
		return appendFloat(dst, v.RawDouble(), 32)
	case topology.TypeDouble:
		return appendFloat(dst, v.RawDouble(), 64)
	case topology.TypeString:
		return appendString(dst, v.Str())
	}
	return append(dst, "null"...)
}

// appendFloat writes f like encoding/json (plain notation for 1e-6 <= |f|
// < 1e21, else an exponent without a leading zero) and adds ".0" to a
// plain integer so the reader sees a float.
func appendFloat(dst []byte, f float64, bits int) []byte {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return append(dst, "null"...)
	}
	abs := math.Abs(f)
	format := byte('f')
	if abs != 0 {
		if bits == 64 && (abs < 1e-6 || abs >= 1e21) ||
			bits == 32 && (float32(abs) < 1e-6 || float32(abs) >= 1e21) {
			format = 'e'
		}
	}
	start := len(dst)
	dst = strconv.AppendFloat(dst, f, format, -1, bits)
	if format == 'e' {
		// clean up e-09 to e-9
		if n := len(dst); n-start >= 4 && dst[n-4] == 'e' && dst[n-3] == '-' && dst[n-2] == '0' {
			dst[n-2] = dst[n-1]
			dst = dst[:n-1]
		}
		return dst
	}
	for _, c := range dst[start:] {
		if c == '.' {
			return dst
		}
	}
	return append(dst, ".0"...)
}

const hexDigits = "0123456789abcdef"

// appendString writes s as a JSON string. Invalid UTF-8 becomes U+FFFD, as
// in encoding/json; the decoder never produces it.
func appendString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			i++
			continue
		}
		dst = append(dst, s[start:i]...)
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 {
				dst = append(dst, `\ufffd`...)
			} else {
				dst = append(dst, s[i:i+size]...)
			}
			i += size
			start = i
			continue
		}
		dst = appendEscape(dst, c)
		i++
		start = i
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

func appendEscape(dst []byte, c byte) []byte {
	switch c {
	case '"', '\\':
		return append(dst, '\\', c)
	case '\n':
		return append(dst, '\\', 'n')
	case '\r':
		return append(dst, '\\', 'r')
	case '\t':
		return append(dst, '\\', 't')
	}
	return append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&15])
}
