package codec

import (
	"errors"
	"fmt"
	"math"
	"strconv"

	"github.com/eventflux-io/eventflux-go/internal/jsonscan"
	"github.com/eventflux-io/eventflux-go/sqlc/diag"
	"github.com/eventflux-io/eventflux-go/topology"
)

// data decodes the object at the cursor into d.vals, in sd's schema order.
// It returns the field at fault with any error.
func (d *Decoder) data(sd *streamDec) (string, error) {
	sc := &d.sc
	n := len(sd.types)
	d.vals = append(d.vals[:0], make([]topology.Value, n)...)
	d.seen = append(d.seen[:0], make([]bool, n)...)
	sc.Seek(sc.Pos() + 1) // '{'
	next := 0
	for first := true; ; first = false {
		key, ok, err := sc.Member(first)
		if err != nil {
			return "data", err
		}
		if !ok {
			return "", nil
		}
		i := sd.index(key, next)
		if i < 0 {
			return "data." + string(key), unknownAttr(sd, string(key))
		}
		if d.seen[i] {
			return "data." + sd.names[i], errors.New("duplicate key")
		}
		d.seen[i] = true
		next = i + 1
		if d.vals[i], err = d.value(sd.types[i]); err != nil {
			return "data." + sd.names[i], err
		}
	}
}

// index finds the attribute called key, trying position hint first: lines
// usually list attributes in schema order.
func (sd *streamDec) index(key []byte, hint int) int {
	if hint < len(sd.names) && sd.names[hint] == string(key) {
		return hint
	}
	for i, name := range sd.names {
		if name == string(key) {
			return i
		}
	}
	return -1
}

func unknownAttr(sd *streamDec, name string) error {
	msg := "not an attribute of " + sd.schema.String()
	if hint := diag.DidYouMean(name, sd.names); hint != "" {
		msg += "; " + hint
	}
	return errors.New(msg)
}

// value decodes the value at the cursor as an attribute of type t.
func (d *Decoder) value(t topology.Type) (topology.Value, error) {
	sc := &d.sc
	k, err := sc.Kind()
	if err != nil {
		return topology.Value{}, err
	}
	switch k {
	case jsonscan.KindNull:
		return topology.Null(), sc.Literal("null")
	case jsonscan.KindTrue, jsonscan.KindFalse:
		if err := sc.Literal(k.String()); err != nil {
			return topology.Value{}, err
		}
		if t == topology.TypeBool {
			return topology.Bool(k == jsonscan.KindTrue), nil
		}
		return topology.Value{}, mismatch(t, k.String())
	case jsonscan.KindString:
		b, err := sc.Str()
		if err != nil {
			return topology.Value{}, err
		}
		if t == topology.TypeString {
			return topology.String(d.intern.string(b)), nil
		}
		return topology.Value{}, mismatch(t, "string "+strconv.Quote(truncate(string(b))))
	case jsonscan.KindNumber:
		raw, integral, err := sc.Number()
		if err != nil {
			return topology.Value{}, err
		}
		return numberValue(t, raw, integral)
	}
	return topology.Value{}, mismatch(t, k.String())
}

// numberValue converts the JSON number raw to an attribute of type t.
func numberValue(t topology.Type, raw []byte, integral bool) (topology.Value, error) {
	switch t {
	case topology.TypeInt, topology.TypeLong:
		n, ok := parseInt(raw)
		if !integral {
			return topology.Value{}, mismatch(t, "number "+string(raw))
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
			n, _ := parseInt(raw) // exact in float64: at most 15 digits
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
	return topology.Value{}, mismatch(t, "number "+string(raw))
}

func mismatch(t topology.Type, got string) error {
	return fmt.Errorf("expected %s, got %s", t, got)
}

// describe names the value at the cursor for an error message.
func (d *Decoder) describe(k jsonscan.Kind) string {
	sc := &d.sc
	switch k {
	case jsonscan.KindString:
		if b, err := sc.Str(); err == nil {
			return "string " + strconv.Quote(truncate(string(b)))
		}
	case jsonscan.KindNumber:
		if raw, _, err := sc.Number(); err == nil {
			return "number " + string(raw)
		}
	}
	return k.String()
}

func truncate(s string) string {
	const max = 40
	if len(s) <= max {
		return s
	}
	return s[:max] + "..."
}

// parseInt parses a JSON integer (optional '-', digits; the scanner has
// validated it). ok is false on int64 overflow.
func parseInt(raw []byte) (n int64, ok bool) {
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
