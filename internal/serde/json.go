package serde

import (
	"fmt"
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
			v, err := d.sc.Value(d.types[c.attr], nil)
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
