package topology

import (
	"math"
	"strconv"
)

// Value is one typed attribute value. It is a small struct, not an
// interface, so reading and writing attributes never allocates. The zero
// Value is NULL.
//
// Numbers live in n: INT and LONG as two's complement int64, BOOL as 0/1,
// FLOAT and DOUBLE as float64 bits (a FLOAT is stored widened to float64 but
// always holds a float32-representable value). Strings live in s.
type Value struct {
	s    string
	n    uint64
	kind Type
}

// Null returns the NULL value.
func Null() Value { return Value{} }

// Bool returns a BOOL value.
func Bool(b bool) Value {
	if b {
		return Value{kind: TypeBool, n: 1}
	}
	return Value{kind: TypeBool}
}

// Int returns an INT value.
func Int(i int32) Value { return Value{kind: TypeInt, n: uint64(int64(i))} }

// Long returns a LONG value.
func Long(i int64) Value { return Value{kind: TypeLong, n: uint64(i)} }

// Float returns a FLOAT value.
func Float(f float32) Value { return Value{kind: TypeFloat, n: math.Float64bits(float64(f))} }

// Double returns a DOUBLE value.
func Double(f float64) Value { return Value{kind: TypeDouble, n: math.Float64bits(f)} }

// String returns a STRING value.
func String(s string) Value { return Value{kind: TypeString, s: s} }

// Kind returns the dynamic type of v; TypeNull for NULL.
func (v Value) Kind() Type { return v.kind }

// IsNull reports whether v is NULL.
func (v Value) IsNull() bool { return v.kind == TypeNull }

// AsBool returns the BOOL payload (false for any other kind).
func (v Value) AsBool() bool { return v.kind == TypeBool && v.n != 0 }

// AsLong returns an INT or LONG payload as int64; FLOAT and DOUBLE truncate
// toward zero; anything else is 0.
func (v Value) AsLong() int64 {
	switch v.kind {
	case TypeInt, TypeLong:
		return int64(v.n)
	case TypeFloat, TypeDouble:
		return int64(math.Float64frombits(v.n))
	case TypeBool:
		return int64(v.n)
	}
	return 0
}

// AsInt returns AsLong narrowed to int32.
func (v Value) AsInt() int32 { return int32(v.AsLong()) }

// AsDouble returns any numeric payload widened to float64; anything else is 0.
func (v Value) AsDouble() float64 {
	switch v.kind {
	case TypeInt, TypeLong:
		return float64(int64(v.n))
	case TypeFloat, TypeDouble:
		return math.Float64frombits(v.n)
	}
	return 0
}

// AsFloat returns AsDouble narrowed to float32.
func (v Value) AsFloat() float32 { return float32(v.AsDouble()) }

// Str returns the STRING payload ("" for any other kind).
func (v Value) Str() string { return v.s }

// Equal reports whether two values have the same kind and payload. NaN
// equals NaN here: Equal is identity, not SQL comparison.
func (v Value) Equal(o Value) bool { return v.kind == o.kind && v.n == o.n && v.s == o.s }

// String renders v for logs and test output: NULL, true, 42, 1.5, 'text'.
func (v Value) String() string {
	switch v.kind {
	case TypeNull:
		return "NULL"
	case TypeBool:
		return strconv.FormatBool(v.AsBool())
	case TypeInt, TypeLong:
		return strconv.FormatInt(int64(v.n), 10)
	case TypeFloat:
		return strconv.FormatFloat(v.AsDouble(), 'g', -1, 32)
	case TypeDouble:
		return strconv.FormatFloat(v.AsDouble(), 'g', -1, 64)
	case TypeString:
		return strconv.Quote(v.s)
	}
	return "?"
}
