package config

import (
	"fmt"
	"reflect"
	"sort"
	"strings"
	"time"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/token"
)

// decoder decodes a YAML AST onto a Go value strictly: every key must name
// a field, every value must have the field's shape. It collects errors
// rather than stopping at the first, and records where each value is.
type decoder struct {
	lookup  func(string) (string, bool)
	anchors map[string]ast.Node
	pos     map[string]position
	errs    ErrorList
	file    string
}

var durationType = reflect.TypeOf(time.Duration(0))

func (d *decoder) errorf(tk *token.Token, path, format string, args ...any) {
	e := &Error{File: d.file, Path: path, Msg: fmt.Sprintf(format, args...)}
	if tk != nil && tk.Position != nil {
		e.Line, e.Column = tk.Position.Line, tk.Position.Column
	}
	d.errs = append(d.errs, e)
}

func (d *decoder) record(path string, tk *token.Token) {
	if tk != nil && tk.Position != nil {
		d.pos[path] = position{tk.Position.Line, tk.Position.Column}
	}
}

// resolve unwraps anchors, aliases and tags.
func (d *decoder) resolve(n ast.Node) ast.Node {
	for i := 0; i < 32 && n != nil; i++ {
		switch v := n.(type) {
		case *ast.AnchorNode:
			n = v.Value
		case *ast.AliasNode:
			a, ok := d.anchors[v.Value.String()]
			if !ok {
				return n
			}
			n = a
		case *ast.TagNode:
			n = v.Value
		default:
			return n
		}
	}
	return n
}

// collectAnchors records every anchor of the document by name.
func (d *decoder) collectAnchors(n ast.Node) {
	ast.Walk(visitFunc(func(n ast.Node) {
		if a, ok := n.(*ast.AnchorNode); ok {
			d.anchors[a.Name.String()] = a.Value
		}
	}), n)
}

type visitFunc func(ast.Node)

func (f visitFunc) Visit(n ast.Node) ast.Visitor {
	f(n)
	return f
}

// kindName names the shape of a node for error messages.
func kindName(n ast.Node) string {
	switch n.(type) {
	case *ast.MappingNode, *ast.MappingValueNode:
		return "a mapping"
	case *ast.SequenceNode:
		return "a sequence"
	case *ast.AliasNode:
		return "an unknown alias"
	}
	return "a scalar"
}

// scalar returns the text of a scalar node as written (so 0123 stays
// "0123"), or ok=false for a collection.
func scalar(n ast.Node) (string, bool) {
	switch v := n.(type) {
	case *ast.StringNode:
		return v.Value, true
	case *ast.LiteralNode:
		return v.Value.Value, true
	case *ast.IntegerNode:
		return v.Token.Value, true
	case *ast.FloatNode:
		return v.Token.Value, true
	case *ast.BoolNode:
		return v.Token.Value, true
	case *ast.InfinityNode:
		return v.Token.Value, true
	case *ast.NanNode:
		return v.Token.Value, true
	}
	return "", false
}

// pairs returns the key-value pairs of a mapping node.
func pairs(n ast.Node) ([]*ast.MappingValueNode, bool) {
	switch v := n.(type) {
	case *ast.MappingNode:
		return v.Values, true
	case *ast.MappingValueNode:
		return []*ast.MappingValueNode{v}, true
	}
	return nil, false
}

// decode sets v from n. A null node leaves v as it is (so defaults stay).
func (d *decoder) decode(n ast.Node, v reflect.Value, path string) {
	n = d.resolve(n)
	if n == nil {
		return
	}
	tk := n.GetToken()
	if _, isNull := n.(*ast.NullNode); isNull {
		d.record(path, tk)
		return
	}
	if _, isAlias := n.(*ast.AliasNode); isAlias {
		d.errorf(tk, path, "unknown alias %s", n.String())
		return
	}
	if _, ok := pairs(n); !ok {
		// A mapping is placed at its key (recorded by the caller), a
		// scalar or sequence at its value.
		d.record(path, tk)
	}
	switch {
	case v.Type() == durationType:
		s, ok := d.text(n, path)
		if !ok {
			return
		}
		dur, err := time.ParseDuration(s)
		if err != nil {
			d.errorf(tk, path, "must be a duration such as \"100ms\" or \"1m\", got %q", s)
			return
		}
		v.SetInt(int64(dur))
	case v.Kind() == reflect.Struct:
		d.decodeStruct(n, v, path)
	case v.Kind() == reflect.Map:
		d.decodeMap(n, v, path)
	case v.Kind() == reflect.Slice:
		d.decodeSlice(n, v, path)
	case v.Kind() == reflect.String:
		if s, ok := d.text(n, path); ok {
			v.SetString(s)
		}
	case v.Kind() == reflect.Bool:
		s, ok := d.text(n, path)
		if !ok {
			return
		}
		switch s {
		case "true", "True", "TRUE":
			v.SetBool(true)
		case "false", "False", "FALSE":
			v.SetBool(false)
		default:
			d.errorf(tk, path, "must be true or false, got %q", s)
		}
	default:
		panic(fmt.Sprintf("config: field %s has unsupported type %s", path, v.Type()))
	}
}

// text returns the expanded text of a scalar node, or reports why not.
func (d *decoder) text(n ast.Node, path string) (string, bool) {
	s, ok := scalar(n)
	if !ok {
		s, ok = hostPortPair(n)
	}
	if !ok {
		d.errorf(d.at(path, n), path, "must be a scalar, got %s", kindName(n))
		return "", false
	}
	s, err := expand(s, d.lookup)
	if err != nil {
		d.errorf(n.GetToken(), path, "%v", err)
		return "", false
	}
	return s, true
}

// hostPortPair undoes a quirk of the YAML library: inside a flow mapping,
// [localhost:9092] parses as a sequence of one {localhost: 9092} mapping.
// A one-pair mapping whose key, ':' and value touch (no space after the
// colon, which YAML requires of a real mapping) is the scalar "key:value".
func hostPortPair(n ast.Node) (string, bool) {
	kvs, ok := pairs(n)
	if !ok || len(kvs) != 1 {
		return "", false
	}
	kv := kvs[0]
	k, v := kv.Key.GetToken(), kv.Value.GetToken()
	colon := kv.Start
	ks, ok1 := scalar(kv.Key)
	vs, ok2 := scalar(kv.Value)
	if !ok1 || !ok2 || k == nil || v == nil || colon == nil || k.Type != token.StringType ||
		k.Position == nil || v.Position == nil || colon.Position == nil {
		return "", false
	}
	kp, cp, vp := k.Position, colon.Position, v.Position
	if kp.Line != cp.Line || cp.Line != vp.Line || cp.Column != kp.Column+len(k.Origin) && cp.Column != kp.Column+len(ks) ||
		vp.Column != cp.Column+1 {
		return "", false
	}
	return ks + ":" + vs, true
}

// at returns the token to place an error about path's value: the key of a
// mapping (where its position was recorded), else the node itself.
func (d *decoder) at(path string, n ast.Node) *token.Token {
	if _, ok := pairs(n); ok {
		if p, ok := d.pos[path]; ok {
			return &token.Token{Position: &token.Position{Line: p.line, Column: p.col}}
		}
	}
	return n.GetToken()
}

// key returns the text of a mapping key.
func (d *decoder) key(kv *ast.MappingValueNode, path string) (string, bool) {
	var k ast.Node = kv.Key
	if mk, ok := k.(*ast.MappingKeyNode); ok {
		k = mk.Value
	}
	if _, ok := k.(*ast.MergeKeyNode); ok {
		d.errorf(k.GetToken(), path, "merge keys (<<) are not supported")
		return "", false
	}
	s, ok := scalar(d.resolve(k))
	if !ok {
		d.errorf(k.GetToken(), path, "keys must be scalars, got %s", kindName(k))
		return "", false
	}
	return s, true
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func (d *decoder) decodeStruct(n ast.Node, v reflect.Value, path string) {
	kvs, ok := pairs(n)
	if !ok {
		d.errorf(d.at(path, n), path, "must be a mapping, got %s", kindName(n))
		return
	}
	t := v.Type()
	fields := map[string]int{}
	var names []string
	for i := 0; i < t.NumField(); i++ {
		if tag := strings.Split(t.Field(i).Tag.Get("yaml"), ",")[0]; tag != "" && tag != "-" {
			fields[tag] = i
			names = append(names, tag)
		}
	}
	seen := map[string]bool{}
	for _, kv := range kvs {
		k, ok := d.key(kv, path)
		if !ok {
			continue
		}
		kpath := join(path, k)
		if seen[k] {
			d.errorf(kv.Key.GetToken(), kpath, "duplicate key")
			continue
		}
		seen[k] = true
		i, ok := fields[k]
		if !ok {
			where := "at the top level"
			if path != "" {
				where = "in " + path
			}
			sort.Strings(names)
			d.errorf(kv.Key.GetToken(), kpath, "unknown key %q %s%s", k, where, suggest(k, names))
			continue
		}
		d.record(kpath, kv.Key.GetToken())
		d.decode(kv.Value, v.Field(i), kpath)
	}
}

func (d *decoder) decodeMap(n ast.Node, v reflect.Value, path string) {
	kvs, ok := pairs(n)
	if !ok {
		d.errorf(d.at(path, n), path, "must be a mapping, got %s", kindName(n))
		return
	}
	if v.IsNil() {
		v.Set(reflect.MakeMap(v.Type()))
	}
	for _, kv := range kvs {
		k, ok := d.key(kv, path)
		if !ok {
			continue
		}
		kpath := join(path, k)
		if v.MapIndex(reflect.ValueOf(k)).IsValid() {
			d.errorf(kv.Key.GetToken(), kpath, "duplicate key")
			continue
		}
		elem := reflect.New(v.Type().Elem()).Elem()
		d.record(kpath, kv.Key.GetToken())
		d.decode(kv.Value, elem, kpath)
		v.SetMapIndex(reflect.ValueOf(k), elem)
	}
}

// decodeSlice decodes a sequence, or a scalar string split on commas (so a
// list can come from one environment variable).
func (d *decoder) decodeSlice(n ast.Node, v reflect.Value, path string) {
	if seq, ok := n.(*ast.SequenceNode); ok {
		out := reflect.MakeSlice(v.Type(), len(seq.Values), len(seq.Values))
		for i, e := range seq.Values {
			d.decode(e, out.Index(i), fmt.Sprintf("%s[%d]", path, i))
		}
		v.Set(out)
		return
	}
	if _, ok := scalar(n); !ok || v.Type().Elem().Kind() != reflect.String {
		d.errorf(d.at(path, n), path, "must be a sequence, got %s", kindName(n))
		return
	}
	s, ok := d.text(n, path)
	if !ok {
		return
	}
	parts := strings.Split(s, ",")
	out := reflect.MakeSlice(v.Type(), 0, len(parts))
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = reflect.Append(out, reflect.ValueOf(p).Convert(v.Type().Elem()))
		}
	}
	v.Set(out)
}
