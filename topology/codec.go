package topology

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// ErrBadEncoding is returned (wrapped) by the decoders for bytes that are
// not a value or event encoding.
var ErrBadEncoding = errors.New("topology: bad value encoding")

// The binary encoding of values and events, used by processors to keep
// state in stores (and thereby in changelog topics). It is compact,
// deterministic and self-delimiting:
//
//	value  = kind byte, then per kind:
//	         NULL          nothing
//	         BOOL          nothing (the kind byte is tagBoolFalse or tagBoolTrue)
//	         INT, LONG     zigzag varint
//	         FLOAT, DOUBLE 8 bytes, the float64 bits little-endian (exact, NaN payloads included)
//	         STRING        uvarint length, bytes
//	values = uvarint count, count × value
//	event  = varint TS, kind byte (EventKind), values
//
// The kind bytes are the Type constants, except that BOOL uses two tags so
// that it needs no payload byte. The format is part of the changelog
// contract: change it only with a version in the records that carry it.
const (
	tagBoolFalse = byte(TypeBool)
	tagBoolTrue  = byte(TypeString) + 1
)

// AppendValue appends the encoding of v to dst.
func AppendValue(dst []byte, v Value) []byte {
	switch v.kind {
	case TypeNull:
		return append(dst, byte(TypeNull))
	case TypeBool:
		if v.n != 0 {
			return append(dst, tagBoolTrue)
		}
		return append(dst, tagBoolFalse)
	case TypeInt, TypeLong:
		return binary.AppendVarint(append(dst, byte(v.kind)), int64(v.n))
	case TypeFloat, TypeDouble:
		return binary.LittleEndian.AppendUint64(append(dst, byte(v.kind)), v.n)
	}
	dst = binary.AppendUvarint(append(dst, byte(TypeString)), uint64(len(v.s)))
	return append(dst, v.s...)
}

// AppendValues appends the encoding of vals (count first) to dst.
func AppendValues(dst []byte, vals []Value) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(vals)))
	for _, v := range vals {
		dst = AppendValue(dst, v)
	}
	return dst
}

// AppendEvent appends the encoding of ev (time, kind and values) to dst.
func AppendEvent(dst []byte, ev *Event) []byte {
	dst = binary.AppendVarint(dst, ev.TS)
	dst = append(dst, byte(ev.Kind))
	return AppendValues(dst, ev.Values)
}

// DecodeValue decodes the value at the start of src and returns it with
// the rest of src.
func DecodeValue(src []byte) (Value, []byte, error) {
	if len(src) == 0 {
		return Value{}, nil, fmt.Errorf("%w: empty", ErrBadEncoding)
	}
	tag, rest := src[0], src[1:]
	switch tag {
	case byte(TypeNull):
		return Value{}, rest, nil
	case tagBoolFalse:
		return Bool(false), rest, nil
	case tagBoolTrue:
		return Bool(true), rest, nil
	case byte(TypeInt), byte(TypeLong):
		n, k := binary.Varint(rest)
		if k <= 0 {
			return Value{}, nil, fmt.Errorf("%w: truncated integer", ErrBadEncoding)
		}
		if tag == byte(TypeInt) && (n < -1<<31 || n >= 1<<31) {
			return Value{}, nil, fmt.Errorf("%w: INT out of range", ErrBadEncoding)
		}
		return Value{kind: Type(tag), n: uint64(n)}, rest[k:], nil
	case byte(TypeFloat), byte(TypeDouble):
		if len(rest) < 8 {
			return Value{}, nil, fmt.Errorf("%w: truncated float", ErrBadEncoding)
		}
		return Value{kind: Type(tag), n: binary.LittleEndian.Uint64(rest)}, rest[8:], nil
	case byte(TypeString):
		n, k := binary.Uvarint(rest)
		if k <= 0 || n > uint64(len(rest)-k) {
			return Value{}, nil, fmt.Errorf("%w: truncated string", ErrBadEncoding)
		}
		rest = rest[k:]
		return String(string(rest[:n])), rest[n:], nil
	}
	return Value{}, nil, fmt.Errorf("%w: kind %d", ErrBadEncoding, tag)
}

// DecodeValues decodes a values encoding at the start of src, appending
// the values to dst, and returns the extended slice and the rest of src.
func DecodeValues(dst []Value, src []byte) ([]Value, []byte, error) {
	n, k := binary.Uvarint(src)
	// Every value takes at least one byte, which bounds a corrupt count.
	if k <= 0 || n > uint64(len(src)-k) {
		return dst, nil, fmt.Errorf("%w: bad value count", ErrBadEncoding)
	}
	src = src[k:]
	for range n {
		var v Value
		var err error
		if v, src, err = DecodeValue(src); err != nil {
			return dst, nil, err
		}
		dst = append(dst, v)
	}
	return dst, src, nil
}

// DecodeEvent decodes an event encoding at the start of src and returns a
// new event (with its own values slice) and the rest of src.
func DecodeEvent(src []byte) (*Event, []byte, error) {
	ts, k := binary.Varint(src)
	if k <= 0 || len(src) <= k {
		return nil, nil, fmt.Errorf("%w: truncated event", ErrBadEncoding)
	}
	kind := EventKind(src[k])
	if kind > BatchEnd {
		return nil, nil, fmt.Errorf("%w: event kind %d", ErrBadEncoding, kind)
	}
	vals, rest, err := DecodeValues(nil, src[k+1:])
	if err != nil {
		return nil, nil, err
	}
	return &Event{TS: ts, Kind: kind, Values: vals}, rest, nil
}
