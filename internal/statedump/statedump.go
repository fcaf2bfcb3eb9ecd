package statedump

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/eventflux-io/eventflux-go/sqlc"
	"github.com/eventflux-io/eventflux-go/statestore"
	"github.com/eventflux-io/eventflux-go/topology"
	"github.com/eventflux-io/eventflux-go/windows"
)

// Store is one state store of a compiled app with the layout of its
// records.
type Store struct {
	// Name is the store's task-wide name; its changelog topic is
	// <app>-<Name>-changelog.
	Name string
	// Kind is the store's kind.
	Kind statestore.Kind
	// Layout names the layout its records are decoded by: "task",
	// "window <type>", "select", "partition keys", "partition <inner
	// layout>", or "" when it is not known (records print raw).
	Layout string
	dec    decodeFunc
}

// Stores returns every store of t, in t.Stores order, each with the
// decoder of the operator that owns it.
func Stores(t *topology.Topology) []Store {
	var out []Store
	for _, s := range t.Stores() {
		dec, layout := decoderIn(t, s.Name)
		out = append(out, Store{Name: s.Name, Kind: s.Kind, Layout: layout, dec: dec})
	}
	return out
}

// Field is one JSON field of a decoded record.
type Field struct {
	// Name is the field's name.
	Name string
	// Value is its value, for encoding/json.
	Value any
}

// Object is a JSON object with its fields in order.
type Object []Field

// MarshalJSON implements json.Marshaler.
func (o Object) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, f := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		name, err := marshal(f.Name)
		if err != nil {
			return nil, err
		}
		b.Write(name)
		b.WriteByte(':')
		v, err := marshal(f.Value)
		if err != nil {
			return nil, fmt.Errorf("statedump: encode %s: %w", f.Name, err)
		}
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// Record is one decoded record of a store.
type Record struct {
	// Key is the printed form of the record's key: what `eventflux state
	// get` matches (see the package doc).
	Key string
	// Fields are the record's JSON fields in order, "key" first.
	Fields Object
	// Err is why the record (or its value) did not decode; Fields then
	// hold the value as base64 with "encoding":"binary" and an "error".
	Err error
}

// entry collects a record while a decoder decodes it.
type entry struct {
	key   string // the printed key, once keyOK
	keyOK bool
	head  Object // fields of the key (partition_key)
	body  Object // fields of the value, "kind" first
}

func (e *entry) setKey(text string) { e.key, e.keyOK = text, true }
func (e *entry) add(name string, v any) {
	e.body = append(e.body, Field{name, v})
}

// decodeFunc decodes the record key -> val (a windowed store's user key,
// without the window start) into e.
type decodeFunc func(e *entry, key, val []byte) error

// Decode decodes the live record key -> val of s; key is as the
// changelog holds it (for a windowed store: the user key and the window
// start). It never panics: bytes that do not decode print raw.
func (s Store) Decode(key, val []byte) (r Record) {
	var e entry
	var start *int64
	user := key
	var err error
	if s.Kind == statestore.KindWindowed {
		k, st, serr := statestore.SplitWindowKey(key)
		if serr != nil {
			err = fmt.Errorf("statedump: %w", serr)
		} else {
			user, start = k, &st
		}
	}
	if err == nil && s.dec != nil {
		err = safeDecode(s.dec, &e, user, val)
	}
	if !e.keyOK {
		e.head = nil
		text, binary := rawKey(user)
		e.setKey(text)
		if binary {
			e.head = Object{{"key_encoding", "binary"}}
		}
	}
	r = Record{Key: e.key, Err: err}
	r.Fields = append(Object{{"key", e.key}}, e.head...)
	if start != nil {
		r.Fields = append(r.Fields, Field{"window_start", *start})
	}
	if err != nil || s.dec == nil {
		r.Fields = append(r.Fields, Field{"value", base64.StdEncoding.EncodeToString(val)}, Field{"encoding", "binary"})
		if err != nil {
			r.Fields = append(r.Fields, Field{"error", err.Error()})
		}
		return r
	}
	r.Fields = append(r.Fields, e.body...)
	return r
}

// safeDecode runs dec, turning a panic (a decoder bug on bytes it did
// not expect) into an error.
func safeDecode(dec decodeFunc, e *entry, key, val []byte) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("statedump: decoder failed: %v", p)
		}
	}()
	return dec(e, key, val)
}

// rawKey returns the printed form of an undecoded key: the bytes when
// they are printable text, else base64 (binary true).
func rawKey(b []byte) (string, bool) {
	if printable(b) {
		return string(b), false
	}
	return base64.StdEncoding.EncodeToString(b), true
}

// printable reports whether b is non-empty UTF-8 text without control
// characters.
func printable(b []byte) bool {
	if len(b) == 0 || !utf8.Valid(b) {
		return false
	}
	for _, r := range string(b) {
		if !unicode.IsPrint(r) {
			return false
		}
	}
	return true
}

// decoderIn returns the decoder of store name of t and its layout's name.
func decoderIn(t *topology.Topology, name string) (decodeFunc, string) {
	if isTaskStore(name) {
		return decodeTask, "task"
	}
	for _, n := range t.Nodes() {
		for _, s := range n.Info.Stores {
			if topology.StoreName(n.Info.Name, s.Name) == name {
				return nodeDecoder(n, s)
			}
		}
	}
	return nil, ""
}

// isTaskStore reports whether name is a task store: TaskStoreName, or
// TaskStoreName and a sub-topology's name.
func isTaskStore(name string) bool {
	return name == topology.TaskStoreName || strings.HasPrefix(name, topology.TaskStoreName+".")
}

// nodeDecoder returns the decoder of n's store s, by the layout of the
// processor n creates.
func nodeDecoder(n *topology.Node, s topology.StoreSpec) (decodeFunc, string) {
	if n.New == nil {
		return nil, ""
	}
	p := newProcessor(n)
	if p == nil {
		return nil, ""
	}
	if l, ok := windows.LayoutOf(p); ok {
		d := &windowDecoder{layout: l, schema: n.Info.Schema}
		if s.Kind == statestore.KindWindowed {
			return d.decodeWindowed, "window " + l.Kind.String()
		}
		return d.decode, "window " + l.Kind.String()
	}
	if l, ok := sqlc.SelectLayoutOf(p); ok {
		d := &selectDecoder{layout: l, schema: n.Info.Schema}
		return d.decode, "select"
	}
	if l, ok := sqlc.PartitionLayoutOf(p); ok {
		if s.Name == sqlc.PartitionKeysStore {
			return decodePartitionKeys, "partition keys"
		}
		inner, layout := decoderIn(l.Chain, s.Name)
		if inner == nil {
			return nil, ""
		}
		return partitioned(inner), "partition " + layout
	}
	return nil, ""
}

// newProcessor creates n's processor, nil if that panics.
func newProcessor(n *topology.Node) (p topology.Processor) {
	defer func() {
		if recover() != nil {
			p = nil
		}
	}()
	return n.New()
}

// marshal is json.Marshal without HTML escaping, so that printed keys
// read as written.
func marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}
