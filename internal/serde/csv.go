package serde

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/eventflux-io/eventflux-go/internal/jsonscan"
	"github.com/eventflux-io/eventflux-go/topology"
)

// csvOpts are the csv.* options.
type csvOpts struct {
	delim     rune
	hasHeader bool
	// cols maps column i to an attribute index (-1: ignored); nil means
	// schema order.
	cols []int
}

func parseCSVOpts(schema *topology.Schema, opts map[string]string) (csvOpts, error) {
	o := csvOpts{delim: ','}
	if v, ok := opts["csv.delimiter"]; ok {
		if v == `\t` {
			v = "\t"
		}
		r, size := utf8.DecodeRuneInString(v)
		if size == 0 || size != len(v) || r == '"' || r == '\n' || r == '\r' {
			return o, fmt.Errorf("serde: stream %s: csv.delimiter must be one character other than a quote or newline, got %q", schema.Name, v)
		}
		o.delim = r
	}
	if v, ok := opts["csv.quote"]; ok && v != `"` {
		return o, fmt.Errorf("serde: stream %s: csv.quote %q is not supported (only '\"')", schema.Name, v)
	}
	if v, ok := opts["csv.has-header"]; ok {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return o, fmt.Errorf("serde: stream %s: csv.has-header must be true or false, got %q", schema.Name, v)
		}
		o.hasHeader = b
	}
	if v, ok := opts["csv.header-names"]; ok {
		cols, err := columnsOf(schema, strings.Split(v, ","))
		if err != nil {
			return o, fmt.Errorf("serde: stream %s: csv.header-names: %w", schema.Name, err)
		}
		o.cols = cols
	}
	return o, nil
}

// columnsOf maps header names to attribute indexes.
func columnsOf(schema *topology.Schema, names []string) ([]int, error) {
	cols := make([]int, len(names))
	for i, n := range names {
		n = strings.TrimSpace(n)
		cols[i] = schema.Index(n)
		if cols[i] < 0 {
			return nil, fmt.Errorf("column %q is not an attribute of %s", n, schema)
		}
	}
	return cols, nil
}

// csvDec decodes one CSV record per value.
type csvDec struct {
	schema *topology.Schema
	opts   csvOpts
	types  []topology.Type
}

func newCSVDec(schema *topology.Schema, opts map[string]string) (*csvDec, error) {
	o, err := parseCSVOpts(schema, opts)
	if err != nil {
		return nil, err
	}
	d := &csvDec{schema: schema, opts: o, types: make([]topology.Type, schema.Len())}
	for i, a := range schema.Attrs {
		d.types[i] = a.Type
	}
	return d, nil
}

func (d *csvDec) decode(value []byte, vals []topology.Value) (string, error) {
	r := csv.NewReader(bytes.NewReader(value))
	r.Comma = d.opts.delim
	r.FieldsPerRecord = -1
	r.ReuseRecord = true
	cols := d.opts.cols
	if d.opts.hasHeader {
		hdr, err := r.Read()
		if err != nil {
			return "", fmt.Errorf("csv header: %w", err)
		}
		if cols, err = columnsOf(d.schema, hdr); err != nil {
			return "", fmt.Errorf("csv header: %w", err)
		}
	}
	fields, err := r.Read()
	if err != nil {
		return "", fmt.Errorf("csv: %w", err)
	}
	if _, err := r.Read(); err == nil {
		return "", malformedf("csv: more than one record in the value")
	}
	want := len(d.types)
	if cols != nil {
		want = len(cols)
	}
	if len(fields) != want {
		return "", malformedf("csv: %d fields, want %d", len(fields), want)
	}
	for i, f := range fields {
		attr := i
		if cols != nil {
			attr = cols[i]
		}
		v, err := csvValue(d.types[attr], f)
		if err != nil {
			return d.schema.Attrs[attr].Name, err
		}
		vals[attr] = v
	}
	return "", nil
}

// csvValue parses field text as type t; an empty field is NULL.
func csvValue(t topology.Type, f string) (topology.Value, error) {
	if f == "" {
		return topology.Null(), nil
	}
	switch t {
	case topology.TypeString:
		return topology.String(f), nil
	case topology.TypeBool:
		switch strings.ToLower(f) {
		case "true":
			return topology.Bool(true), nil
		case "false":
			return topology.Bool(false), nil
		}
	case topology.TypeInt, topology.TypeLong, topology.TypeFloat, topology.TypeDouble:
		integral := !strings.ContainsAny(f, ".eE")
		if _, err := strconv.ParseFloat(f, 64); err == nil {
			return jsonscan.NumberValue(t, []byte(f), integral)
		}
	}
	return topology.Value{}, jsonscan.Mismatch(t, strconv.Quote(jsonscan.Truncate(f)))
}
