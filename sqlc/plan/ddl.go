package plan

import (
	"errors"
	"slices"
	"strconv"
	"strings"

	"github.com/eventflux-io/eventflux-go/sqlc/ast"
	"github.com/eventflux-io/eventflux-go/sqlc/diag"
	"github.com/eventflux-io/eventflux-go/topology"
)

// withKeys lists the WITH options a stream accepts, for validation and
// hints. Prefixed families (json.mapping.<attr>, csv.<opt>) are handled
// separately.
var withKeys = []string{
	"topic", "format", "key", "timestamp", "partitions",
	"type", "extension", "kafka.topic", "kafka.bootstrap.servers",
}

// csvKeys are the accepted csv.* options.
var csvKeys = []string{"csv.delimiter", "csv.quote", "csv.has-header", "csv.header-names"}

var formats = []string{"json", "csv", "raw"}

// bindStream binds a CREATE STREAM statement.
func (b *binder) bindStream(cs *ast.CreateStream) {
	name := cs.Name.Name
	if cs.Name.IsInnerStream() {
		b.errorf(cs.Name.At, name, "inner stream %s cannot be declared", name).
			WithHint("inner streams (#Name) are created by the first PARTITION WITH query inserting into them; drop the '#' for an ordinary stream")
		return
	}
	if prev := b.streams[name]; prev != nil {
		b.errorf(cs.Name.At, name, "stream %s is already defined at %s", name, prev.At).
			WithHint("rename one of them")
		return
	}
	schema := &topology.Schema{Name: name}
	seen := map[string]bool{}
	for _, col := range cs.Columns {
		if seen[col.Name.Name] {
			b.errorf(col.Name.At, col.Name.Name, "duplicate attribute %s in stream %s", col.Name.Name, name)
			continue
		}
		seen[col.Name.Name] = true
		t, ok := topology.ParseType(col.TypeName.Name)
		if !ok {
			e := b.errorf(col.TypeName.At, col.TypeName.Name, "unknown type %s for attribute %s", col.TypeName.Name, col.Name.Name)
			if h := diag.DidYouMean(col.TypeName.Name, topology.TypeNames()); h != "" {
				e.Hint = h
			} else {
				e.Hint = "types are STRING, INT, LONG, FLOAT, DOUBLE, BOOL, TIMESTAMP"
			}
			continue
		}
		schema.Attrs = append(schema.Attrs, topology.Attribute{Name: col.Name.Name, Type: t})
	}
	if len(cs.Columns) == 0 {
		b.errorf(cs.Name.At, name, "stream %s has no attributes", name).WithHint("declare at least one: CREATE STREAM %s (a STRING)", name)
	}
	s := &Stream{Schema: schema, Declared: true, At: cs.At}
	s.Binding = b.bindWith(schema, cs.With)
	if k := b.opts.Keys[name]; len(s.Binding.Key) == 0 && len(k) > 0 && !slices.ContainsFunc(k, func(a string) bool { return schema.Index(a) < 0 }) {
		s.Binding.Key = slices.Clone(k)
	}
	b.addStream(s)
}

// bindWith validates WITH options and turns them into a Binding.
func (b *binder) bindWith(schema *topology.Schema, opts []*ast.Option) topology.Binding {
	var bind topology.Binding
	seen := map[string]*ast.Option{}
	var typ, format *ast.Option
	for _, o := range opts {
		key := strings.ToLower(o.Key)
		canon := key
		if key == "kafka.topic" {
			canon = "topic"
		}
		if prev := seen[canon]; prev != nil {
			b.errorf(o.KeyAt, o.Key, "option %s is given twice (first as %s at %s)", o.Key, prev.Key, prev.KeyAt)
			continue
		}
		seen[canon] = o
		val, err := expandEnv(o.Value, b.opts.LookupEnv)
		if err != nil {
			e := b.errorf(o.ValueAt, o.Value, "option %s: %v", o.Key, err)
			if errors.Is(err, errUnsetEnv) {
				e.Hint = "set the variable, or give a default: ${NAME:default}"
			} else {
				e.Hint = "write ${NAME} or ${NAME:default}"
			}
			continue
		}
		switch {
		case key == "topic" || key == "kafka.topic":
			if val == "" {
				b.errorf(o.ValueAt, o.Value, "option %s must not be empty", o.Key)
			}
			bind.Topic = val
		case key == "format":
			format = o
			if !contains(formats, val) {
				b.errorf(o.ValueAt, o.Value, "unknown format %q", val).WithHint("%s", hintOr(diag.DidYouMean(val, formats), "formats are json, csv, raw"))
				continue
			}
			bind.Format = val
		case key == "key":
			for _, k := range strings.Split(val, ",") {
				k = strings.TrimSpace(k)
				if b.checkAttr(schema, o, k) {
					bind.Key = append(bind.Key, k)
				}
			}
		case key == "timestamp":
			if !b.checkAttr(schema, o, val) {
				continue
			}
			if t := schema.Attrs[schema.Index(val)].Type; t != topology.TypeLong && t != topology.TypeInt {
				b.errorf(o.ValueAt, o.Value, "timestamp attribute %s must be LONG or TIMESTAMP, not %s", val, t)
				continue
			}
			bind.Timestamp = val
		case key == "partitions":
			n, err := strconv.Atoi(val)
			if err != nil || n < 1 {
				b.errorf(o.ValueAt, o.Value, "partitions must be a positive integer, got %q", val)
				continue
			}
			bind.Partitions = n
		case key == "type":
			typ = o
			if !contains([]string{"source", "sink", "internal"}, strings.ToLower(val)) {
				b.errorf(o.ValueAt, o.Value, "type must be 'source', 'sink' or 'internal', got %q", val)
			}
		case key == "extension":
			if !strings.EqualFold(val, "kafka") {
				b.errorf(o.ValueAt, o.Value, "extension %q is not supported", val).WithHint("streams are Kafka topics: use extension = 'kafka' or just topic = '...'")
			}
		case key == "kafka.bootstrap.servers":
			bind.SetOption(key, val)
		case strings.HasPrefix(key, "json.mapping."):
			attr := o.Key[len("json.mapping."):]
			if !b.checkAttrAt(schema, o, o.KeyAt, o.Key, attr) {
				continue
			}
			if !strings.HasPrefix(val, "$") {
				b.errorf(o.ValueAt, o.Value, "json.mapping.%s must be a JSON path starting with $, e.g. '$.a.b'", attr)
				continue
			}
			bind.SetOption(o.Key, val)
		case strings.HasPrefix(key, "csv."):
			if !contains(csvKeys, key) {
				b.errorf(o.KeyAt, o.Key, "unknown option %s", o.Key).WithHint("%s", hintOr(diag.DidYouMean(key, csvKeys), "csv options are "+strings.Join(csvKeys, ", ")))
				continue
			}
			bind.SetOption(key, val)
		default:
			b.errorf(o.KeyAt, o.Key, "unknown option %s", o.Key).WithHint("%s", hintOr(diag.DidYouMean(key, withKeys), "options are "+strings.Join(withKeys, ", ")+", json.mapping.<attr>, csv.*"))
		}
	}
	b.checkBindingShape(schema, bind, typ, format)
	if bind.Topic != "" && bind.Format == "" {
		bind.Format = "json"
	}
	return bind
}

// checkBindingShape checks the options against each other once all are
// read.
func (b *binder) checkBindingShape(schema *topology.Schema, bind topology.Binding, typ, format *ast.Option) {
	internal := typ != nil && strings.EqualFold(typ.Value, "internal")
	switch {
	case internal && bind.Topic != "":
		b.errorf(typ.ValueAt, typ.Value, "stream %s has type 'internal' but a topic", schema.Name)
	case typ != nil && !internal && bind.Topic == "" && !strings.Contains(typ.Value, "${"):
		b.errorf(typ.ValueAt, typ.Value, "stream %s has type '%s' but no topic", schema.Name, typ.Value).
			WithHint("add topic = '<name>' (or \"kafka.topic\")")
	case format != nil && bind.Topic == "":
		b.errorf(format.KeyAt, format.Key, "stream %s has a format but no topic", schema.Name).
			WithHint("a stream without a topic is internal; add topic = '<name>'")
	}
}

// checkAttr reports whether attr names an attribute of schema, recording
// an error with a hint if not.
func (b *binder) checkAttr(schema *topology.Schema, o *ast.Option, attr string) bool {
	return b.checkAttrAt(schema, o, o.ValueAt, o.Value, attr)
}

// checkAttrAt is checkAttr reporting at pos about text.
func (b *binder) checkAttrAt(schema *topology.Schema, o *ast.Option, pos ast.Pos, text, attr string) bool {
	if schema.Index(attr) >= 0 {
		return true
	}
	e := b.errorf(pos, text, "option %s names unknown attribute %q of stream %s", o.Key, attr, schema.Name)
	e.Hint = hintOr(diag.DidYouMean(attr, schema.Names()), "attributes are "+strings.Join(schema.Names(), ", "))
	return false
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func hintOr(h, fallback string) string {
	if h != "" {
		return h
	}
	return fallback
}
