package jsonscan

import (
	"fmt"
	"math"
	"strconv"

	"github.com/eventflux-io/eventflux-go/topology"
)

// Value decodes the value at the cursor as an attribute of type t, with
// the typing rules of EventFlux's JSON formats: INT and LONG take JSON
// integers in range, FLOAT and DOUBLE any number and the strings "NaN",
// "Infinity" and "-Infinity" (as Jackson and JavaScript write the values
// JSON has no number for), BOOL true/false, STRING strings, and null is
// NULL for every type. str turns the bytes of a
// string into a Go string (nil: a plain copy; the replay codec interns).
func (s *Scanner) Value(t topology.Type, str func([]byte) string) (topology.Value, error) {
	k, err := s.Kind()
	if err != nil {
		return topology.Value{}, err
	}
	switch k {
	case KindNull:
		return topology.Null(), s.Literal("null")
	case KindTrue, KindFalse:
		if err := s.Literal(k.String()); err != nil {
			return topology.Value{}, err
		}
		if t == topology.TypeBool {
			return topology.Bool(k == KindTrue), nil
		}
		return topology.Value{}, Mismatch(t, k.String())
	case KindString:
		b, err := s.Str()
		if err != nil {
			return topology.Value{}, err
		}
		if t != topology.TypeString {
			if f, ok := specialFloat(b); ok && (t == topology.TypeDouble || t == topology.TypeFloat) {
				if t == topology.TypeFloat {
					return topology.Float(float32(f)), nil
				}
				return topology.Double(f), nil
			}
			return topology.Value{}, Mismatch(t, "string "+strconv.Quote(Truncate(string(b))))
		}
		if str != nil {
			return topology.String(str(b)), nil
		}
		return topology.String(string(b)), nil
	case KindNumber:
		raw, integral, err := s.Number()
		if err != nil {
			return topology.Value{}, err
		}
		return NumberValue(t, raw, integral)
	}
	return topology.Value{}, Mismatch(t, k.String())
}

// NumberValue converts the number text raw (integral: no fraction or
// exponent) to an attribute of type t.
func NumberValue(t topology.Type, raw []byte, integral bool) (topology.Value, error) {
	switch t {
	case topology.TypeInt, topology.TypeLong:
		n, ok := ParseInt(raw)
		if !integral {
			return topology.Value{}, Mismatch(t, "number "+string(raw))
		}
		if !ok || (t == topology.TypeInt && (n < math.MinInt32 || n > math.MaxInt32)) {
			return topology.Value{}, fmt.Errorf("number %s out of %s range", raw, t)
		}
		if t == topology.TypeInt {
			return topology.Int(int32(n)), nil
		}
		return topology.Long(n), nil
	case topology.TypeDouble:
		if integral && len(raw) <= 15 && raw[0] != '-' {
			n, _ := ParseInt(raw) // exact in float64: at most 15 digits
			return topology.Double(float64(n)), nil
		}
		f, err := strconv.ParseFloat(string(raw), 64)
		if err != nil {
			return topology.Value{}, fmt.Errorf("number %s out of DOUBLE range", raw)
		}
		return topology.Double(f), nil
	case topology.TypeFloat:
		f, err := strconv.ParseFloat(string(raw), 32)
		if err != nil {
			return topology.Value{}, fmt.Errorf("number %s out of FLOAT range", raw)
		}
		return topology.Float(float32(f)), nil
	}
	return topology.Value{}, Mismatch(t, "number "+string(raw))
}

// specialFloat returns the float a JSON string "NaN", "Infinity" or
// "-Infinity" stands for.
func specialFloat(b []byte) (float64, bool) {
	switch string(b) {
	case "NaN":
		return math.NaN(), true
	case "Infinity":
		return math.Inf(1), true
	case "-Infinity":
		return math.Inf(-1), true
	}
	return 0, false
}

// Mismatch is the error for a value of the wrong JSON type: "expected T,
// got <what>".
func Mismatch(t topology.Type, got string) error {
	return fmt.Errorf("expected %s, got %s", t, got)
}

// Truncate shortens s to 40 bytes for error messages.
func Truncate(s string) string {
	const max = 40
	if len(s) <= max {
		return s
	}
	return s[:max] + "..."
}

// ParseInt parses a JSON integer (optional '-', digits; the scanner has
// validated it). ok is false on int64 overflow.
func ParseInt(raw []byte) (n int64, ok bool) {
	neg := len(raw) > 0 && raw[0] == '-'
	if neg {
		raw = raw[1:]
	}
	var u uint64
	for _, c := range raw {
		if c < '0' || c > '9' {
			return 0, false
		}
		if u > (math.MaxUint64-9)/10 {
			return 0, false
		}
		u = u*10 + uint64(c-'0')
	}
	switch {
	case neg && u <= 1<<63:
		return -int64(u), true // -(1<<63) wraps to MinInt64, as intended
	case !neg && u <= math.MaxInt64:
		return int64(u), true
	}
	return 0, false
}
