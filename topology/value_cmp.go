package topology

import "math"

// Raw accessors for compiled expressions. They skip the kind check of
// AsLong/AsDouble: the caller has already established the static type (and
// that the value is not NULL), so the hot path reads the payload directly.

// RawLong returns the integer payload of an INT, LONG or BOOL value without
// checking its kind.
func (v Value) RawLong() int64 { return int64(v.n) }

// RawDouble returns the float payload of a FLOAT or DOUBLE value without
// checking its kind.
func (v Value) RawDouble() float64 { return math.Float64frombits(v.n) }

// RawBool reports whether the payload is non-zero, without checking the kind.
func (v Value) RawBool() bool { return v.n != 0 }
