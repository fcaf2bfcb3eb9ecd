package testscript

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/eventflux-io/eventflux-go/topology"
)

// floatTolerance is the relative tolerance of FLOAT and DOUBLE
// comparisons (FLOAT after rounding the expectation to float32).
const floatTolerance = 1e-9

// compareEvent checks an output against an expectation and returns one
// line per difference (none when they match).
func compareEvent(want *ExpectEvent, got Output) []string {
	var diffs []string
	if want.Stream != got.Stream {
		diffs = append(diffs, fmt.Sprintf("stream: expected %s, got %s", want.Stream, got.Stream))
	}
	if want.TS != got.TS {
		diffs = append(diffs, fmt.Sprintf("ts: expected %s, got %s", formatTS(want.TS), formatTS(got.TS)))
	}
	if wantKind := kindOf(want.Expired); wantKind != got.Kind {
		diffs = append(diffs, fmt.Sprintf("kind: expected %s, got %s event", wantKind, got.Kind))
	}
	if want.Stream != got.Stream {
		return diffs // attribute differences would only be noise
	}
	byName := map[string]json.RawMessage{}
	var wantOrder []string
	for _, a := range want.Attrs {
		byName[a.Name] = a.Value
		wantOrder = append(wantOrder, a.Name)
	}
	var gotOrder []string
	for i, attr := range got.Schema.Attrs {
		exp, ok := byName[attr.Name]
		v := got.Values[i]
		if !ok {
			diffs = append(diffs, fmt.Sprintf("attribute %s: not expected, got %s", attr.Name, describeValue(v)))
			continue
		}
		gotOrder = append(gotOrder, attr.Name)
		delete(byName, attr.Name)
		if !v.IsNull() && v.Kind() != attr.Type {
			diffs = append(diffs, fmt.Sprintf("attribute %s: holds a %s value in a %s attribute", attr.Name, v.Kind(), attr.Type))
			continue
		}
		if d := compareValue(exp, attr.Type, v); d != "" {
			diffs = append(diffs, fmt.Sprintf("attribute %s: %s", attr.Name, d))
		}
	}
	for _, name := range wantOrder {
		if _, missing := byName[name]; missing {
			diffs = append(diffs, fmt.Sprintf("attribute %s: expected %s, but %s has no such attribute (it has %s)",
				name, byName[name], got.Stream, strings.Join(got.Schema.Names(), ", ")))
		}
	}
	if len(diffs) == 0 && strings.Join(filterNames(wantOrder, gotOrder), ",") != strings.Join(gotOrder, ",") {
		diffs = append(diffs, fmt.Sprintf("attribute order: expected %s, got %s",
			strings.Join(wantOrder, ", "), strings.Join(got.Schema.Names(), ", ")))
	}
	return diffs
}

func kindOf(expired bool) topology.EventKind {
	if expired {
		return topology.Expired
	}
	return topology.Current
}

// filterNames keeps the names of want that appear in got, in want's order.
func filterNames(want, got []string) []string {
	in := map[string]bool{}
	for _, g := range got {
		in[g] = true
	}
	var out []string
	for _, w := range want {
		if in[w] {
			out = append(out, w)
		}
	}
	return out
}

// compareValue compares one expected JSON scalar with an actual value of
// static type t and describes the difference, or returns "". Numbers are
// typed: an INT or LONG must be expected as an integer literal and match
// exactly; a FLOAT or DOUBLE must be expected with a fraction or exponent
// (151.0, 1e3) or as "NaN", "Infinity", "-Infinity", and matches within a
// relative tolerance of 1e-9. null matches only NULL.
func compareValue(exp json.RawMessage, t topology.Type, v topology.Value) string {
	mismatch := func() string { return fmt.Sprintf("expected %s, got %s", exp, describeValue(v)) }
	switch c := exp[0]; {
	case bytes.Equal(exp, []byte("null")):
		if !v.IsNull() {
			return mismatch()
		}
	case v.IsNull():
		return mismatch()
	case c == 't' || c == 'f':
		if t != topology.TypeBool || v.AsBool() != (c == 't') {
			return mismatch()
		}
	case c == '"':
		var s string
		_ = json.Unmarshal(exp, &s)
		switch {
		case t == topology.TypeString:
			if v.Str() != s {
				return mismatch()
			}
		case t == topology.TypeFloat || t == topology.TypeDouble:
			f, ok := specialFloat(s)
			if !ok {
				return mismatch()
			}
			if g := v.AsDouble(); !(math.IsNaN(f) && math.IsNaN(g)) && f != g {
				return mismatch()
			}
		default:
			return mismatch()
		}
	default: // a number
		lit := string(exp)
		isInt := !strings.ContainsAny(lit, ".eE")
		switch {
		case t.IsIntegral():
			if !isInt {
				return fmt.Sprintf("expected %s (a FLOAT/DOUBLE literal), got %s; write an integer to expect an INT or LONG", exp, describeValue(v))
			}
			n, err := strconv.ParseInt(lit, 10, 64)
			if err != nil || n != v.AsLong() {
				return mismatch()
			}
		case t == topology.TypeFloat || t == topology.TypeDouble:
			if isInt {
				return fmt.Sprintf("expected %s (an integer literal), got %s; write %s.0 to expect a FLOAT or DOUBLE", exp, describeValue(v), exp)
			}
			f, _ := strconv.ParseFloat(lit, 64)
			if t == topology.TypeFloat {
				f = float64(float32(f))
			}
			if !closeEnough(f, v.AsDouble()) {
				return mismatch()
			}
		default:
			return mismatch()
		}
	}
	return ""
}

func specialFloat(s string) (float64, bool) {
	switch s {
	case "NaN":
		return math.NaN(), true
	case "Infinity", "+Infinity":
		return math.Inf(1), true
	case "-Infinity":
		return math.Inf(-1), true
	}
	return 0, false
}

func closeEnough(want, got float64) bool {
	if want == got {
		return true
	}
	if math.IsNaN(want) || math.IsNaN(got) || math.IsInf(want, 0) || math.IsInf(got, 0) {
		return false
	}
	return math.Abs(want-got) <= floatTolerance*math.Max(math.Abs(want), math.Abs(got))
}

// describeValue renders a value with its type for failure messages:
// `DOUBLE 150.5`, `STRING "IBM"`, `NULL`.
func describeValue(v topology.Value) string {
	if v.IsNull() {
		return "NULL"
	}
	return v.Kind().String() + " " + formatValue(v)
}

// formatValue renders a value as a script expects it: integers plain,
// FLOAT/DOUBLE always with a fraction or exponent, NaN and infinities as
// strings, NULL as null.
func formatValue(v topology.Value) string {
	switch v.Kind() {
	case topology.TypeNull:
		return "null"
	case topology.TypeBool:
		return strconv.FormatBool(v.AsBool())
	case topology.TypeInt, topology.TypeLong:
		return strconv.FormatInt(v.AsLong(), 10)
	case topology.TypeFloat, topology.TypeDouble:
		f := v.AsDouble()
		switch {
		case math.IsNaN(f):
			return `"NaN"`
		case math.IsInf(f, 1):
			return `"Infinity"`
		case math.IsInf(f, -1):
			return `"-Infinity"`
		}
		bits := 64
		if v.Kind() == topology.TypeFloat {
			bits = 32
		}
		s := strconv.FormatFloat(f, 'g', -1, bits)
		if !strings.ContainsAny(s, ".eE") {
			s += ".0"
		}
		return s
	case topology.TypeString:
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		_ = enc.Encode(v.Str())
		return strings.TrimSuffix(b.String(), "\n")
	}
	return v.String()
}

// formatValues renders an event's attributes as a JSON object in schema
// order.
func formatValues(s *topology.Schema, vals []topology.Value) string {
	var b strings.Builder
	b.WriteByte('{')
	for i, v := range vals {
		if i > 0 {
			b.WriteByte(',')
		}
		name := fmt.Sprintf("_%d", i)
		if s != nil && i < len(s.Attrs) {
			name = s.Attrs[i].Name
		}
		k, _ := json.Marshal(name)
		b.Write(k)
		b.WriteByte(':')
		b.WriteString(formatValue(v))
	}
	b.WriteByte('}')
	return b.String()
}

// formatTS renders epoch milliseconds for messages.
func formatTS(ts int64) string { return strconv.FormatInt(ts, 10) }
