package codec

import (
	"errors"
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
		if d.vals[i], err = d.sc.Value(sd.types[i], d.intern.string); err != nil {
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

// describe names the value at the cursor for an error message.
func (d *Decoder) describe(k jsonscan.Kind) string {
	sc := &d.sc
	switch k {
	case jsonscan.KindString:
		if b, err := sc.Str(); err == nil {
			return "string " + strconv.Quote(jsonscan.Truncate(string(b)))
		}
	case jsonscan.KindNumber:
		if raw, _, err := sc.Number(); err == nil {
			return "number " + string(raw)
		}
	}
	return k.String()
}
