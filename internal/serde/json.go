package serde

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/eventflux-io/eventflux-go/internal/jsonscan"
	"github.com/eventflux-io/eventflux-go/topology"
)

// jsonNode is one level of the path trie: a member name leads to an
// attribute (leaf) or to a nested object.
type jsonNode struct {
	attr     int // attribute index, or -1 for an inner node
	path     string
	children map[string]*jsonNode
}

// jsonDec decodes JSON objects along the attributes' paths.
type jsonDec struct {
	root  *jsonNode
	types []topology.Type
	sc    jsonscan.Scanner
}

func newJSONDec(schema *topology.Schema, opts map[string]string) (*jsonDec, error) {
	d := &jsonDec{root: &jsonNode{attr: -1}, types: make([]topology.Type, schema.Len())}
	mapping := map[string]string{}
	for k, v := range opts {
		if strings.HasPrefix(strings.ToLower(k), "json.mapping.") {
			attr := k[len("json.mapping."):]
			if schema.Index(attr) < 0 {
				return nil, fmt.Errorf("serde: stream %s: %s names no attribute", schema.Name, k)
			}
			mapping[attr] = v
		}
	}
	for i, a := range schema.Attrs {
		d.types[i] = a.Type
		segs := []string{a.Name}
		path := "$." + a.Name
		if p, ok := mapping[a.Name]; ok {
			var err error
			if segs, err = parsePath(p); err != nil {
				return nil, fmt.Errorf("serde: stream %s: json.mapping.%s: %w", schema.Name, a.Name, err)
			}
			path = p
		}
		if err := d.root.insert(segs, i, path); err != nil {
			return nil, fmt.Errorf("serde: stream %s: %w", schema.Name, err)
		}
	}
	return d, nil
}

func (n *jsonNode) insert(segs []string, attr int, path string) error {
	for i, s := range segs {
		if n.children == nil {
			n.children = map[string]*jsonNode{}
		}
		c := n.children[s]
		last := i == len(segs)-1
		switch {
		case c == nil:
			c = &jsonNode{attr: -1}
			n.children[s] = c
		case last || c.attr >= 0:
			return fmt.Errorf("json paths overlap at %s", path)
		}
		if last {
			c.attr, c.path = attr, path
		}
		n = c
	}
	return nil
}

// decode reads value into vals; field names the path at fault.
func (d *jsonDec) decode(value []byte, vals []topology.Value) (string, error) {
	sc := &d.sc
	sc.Reset(value)
	k, err := sc.Kind()
	if err != nil {
		return "", err
	}
	if k != jsonscan.KindObject {
		return "", malformedf("expected a JSON object, got %s", k.String())
	}
	if field, err := d.object(d.root, vals, 0); err != nil {
		return field, err
	}
	if sc.Peek() != 0 || sc.Pos() != len(value) {
		return "", sc.Errorf("unexpected text after the object")
	}
	return "", nil
}

// object decodes the object at the cursor against trie node n.
func (d *jsonDec) object(n *jsonNode, vals []topology.Value, depth int) (string, error) {
	sc := &d.sc
	sc.Seek(sc.Pos() + 1) // '{'
	for first := true; ; first = false {
		key, ok, err := sc.Member(first)
		if err != nil || !ok {
			return "", err
		}
		c := n.children[string(key)]
		switch {
		case c == nil:
			if err := sc.SkipValue(depth + 1); err != nil {
				return "", err
			}
		case c.attr >= 0:
			v, err := d.value(d.types[c.attr])
			if err != nil {
				return c.path, err
			}
			vals[c.attr] = v
		default:
			k, err := sc.Kind()
			if err != nil {
				return "", err
			}
			switch k {
			case jsonscan.KindObject:
				if depth >= jsonscan.MaxDepth {
					return "", sc.Errorf("nesting too deep")
				}
				if field, err := d.object(c, vals, depth+1); err != nil {
					return field, err
				}
			case jsonscan.KindNull:
				if err := sc.Literal("null"); err != nil {
					return "", err
				}
			default:
				return string(key), fmt.Errorf("expected an object, got %s", k.String())
			}
		}
	}
}

// value decodes the value at the cursor as type t.
func (d *jsonDec) value(t topology.Type) (topology.Value, error) {
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
			return topology.String(string(b)), nil
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

// numberValue converts JSON number text to type t (the replay codec's
// rules).
func numberValue(t topology.Type, raw []byte, integral bool) (topology.Value, error) {
	switch t {
	case topology.TypeInt, topology.TypeLong:
		if !integral {
			return topology.Value{}, mismatch(t, "number "+string(raw))
		}
		n, err := strconv.ParseInt(string(raw), 10, 64)
		if err != nil || (t == topology.TypeInt && (n < math.MinInt32 || n > math.MaxInt32)) {
			return topology.Value{}, fmt.Errorf("number %s out of %s range", raw, t)
		}
		if t == topology.TypeInt {
			return topology.Int(int32(n)), nil
		}
		return topology.Long(n), nil
	case topology.TypeDouble:
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
	return errors.New("expected " + t.String() + ", got " + got)
}

func truncate(s string) string {
	const max = 40
	if len(s) <= max {
		return s
	}
	return s[:max] + "..."
}
