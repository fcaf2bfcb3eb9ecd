package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"github.com/eventflux-io/eventflux-go/config"
	"github.com/eventflux-io/eventflux-go/kafka"
	"github.com/eventflux-io/eventflux-go/statestore"
	"github.com/eventflux-io/eventflux-go/topology"
)

// stateFlags are the flags of `eventflux state`.
type stateFlags struct {
	config string
}

func newStateCmd() *cobra.Command {
	var f stateFlags
	cmd := &cobra.Command{
		Use:   "state -c pipeline.yaml (list | get STORE KEY | dump STORE)",
		Short: "Inspect a pipeline's state stores through their changelog topics",
		Long: `State reads the changelog topics <app>-<store>-changelog of the pipeline's
state stores directly (no worker needed), with read_committed isolation,
compacts them in memory (the last value of each key wins, tombstones delete)
and prints the current contents as JSON lines.

  list             every store of the compiled app: changelog topic, records, live keys
  get STORE KEY    the current value(s) of KEY (its printed form) in STORE
  dump STORE       every current key and value of STORE

Each partition of a changelog belongs to one task, so every line names its
partition. Keys and values are decoded where the store's layout is known
(events of windows, by the window's schema); other bytes print as base64
with "key_encoding":"binary" or "encoding":"binary".`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usageError{errors.New("state needs a subcommand: list, get or dump")}
			}
			return usageError{fmt.Errorf("unknown state subcommand %q (list, get or dump)", args[0])}
		},
		RunE: func(*cobra.Command, []string) error { return nil },
	}
	cmd.PersistentFlags().StringVarP(&f.config, "config", "c", "", "pipeline YAML file (required)")
	_ = cmd.MarkPersistentFlagRequired("config")
	cmd.AddCommand(
		&cobra.Command{
			Use:   "list",
			Short: "List the app's stores with their changelog topics and record counts",
			Args:  cobra.NoArgs,
			RunE: func(c *cobra.Command, _ []string) error {
				return withStateInspector(c, f, func(in *stateInspector) error { return in.list(c.Context(), c.OutOrStdout()) })
			},
		},
		&cobra.Command{
			Use:   "get STORE KEY",
			Short: "Print the current value of a key of a store",
			Args:  cobra.ExactArgs(2),
			RunE: func(c *cobra.Command, args []string) error {
				return withStateInspector(c, f, func(in *stateInspector) error {
					return in.dump(c.Context(), c.OutOrStdout(), args[0], &args[1])
				})
			},
		},
		&cobra.Command{
			Use:   "dump STORE",
			Short: "Print every current key and value of a store",
			Args:  cobra.ExactArgs(1),
			RunE: func(c *cobra.Command, args []string) error {
				return withStateInspector(c, f, func(in *stateInspector) error {
					return in.dump(c.Context(), c.OutOrStdout(), args[0], nil)
				})
			},
		},
	)
	return cmd
}

// storeLayout says how a store's records are encoded.
type storeLayout uint8

const (
	layoutRaw          storeLayout = iota // unknown: bytes as they are
	layoutTask                            // the task store: streamTime -> varint
	layoutWindowState                     // a window's "state": 'e' seq -> event
	layoutSessionState                    // a session window's "state": 'e' seq -> run id, event
	layoutWindowed                        // tumbling/hopping "windows": (seq, start) -> event
)

// stateStore is one store of the app.
type stateStore struct {
	name   string
	kind   statestore.Kind
	topic  string
	layout storeLayout
	schema *topology.Schema // of the events it holds, when known
}

// stateInspector reads the changelogs of one pipeline's stores.
type stateInspector struct {
	app    string
	stores []stateStore
	admin  *kafka.Admin
	reader *kafka.Reader
}

func withStateInspector(cmd *cobra.Command, f stateFlags, fn func(*stateInspector) error) error {
	p, err := config.Load(f.config)
	if err != nil {
		return err
	}
	prog, err := compilePipeline(p, cmd.ErrOrStderr())
	if err != nil {
		return err
	}
	kopts, err := kafkaOptions(p.Kafka)
	if err != nil {
		return err
	}
	in := &stateInspector{app: p.App, stores: appStores(p.App, prog.Topology)}
	if in.admin, err = kafka.NewAdmin(kopts); err != nil {
		return err
	}
	defer in.admin.Close()
	if in.reader, err = kafka.NewReader(kopts); err != nil {
		return err
	}
	defer in.reader.Close()
	return fn(in)
}

// appStores lists the stores of t (Topology.Stores order) with their
// changelog topics and layouts.
func appStores(app string, t *topology.Topology) []stateStore {
	type owner struct {
		node  *topology.Node
		local string
	}
	owners := map[string]owner{}
	for _, n := range t.Nodes() {
		for _, s := range n.Info.Stores {
			owners[topology.StoreName(n.Info.Name, s.Name)] = owner{n, s.Name}
		}
	}
	var out []stateStore
	for _, s := range t.Stores() {
		st := stateStore{name: s.Name, kind: s.Kind, topic: app + "-" + s.Name + "-changelog"}
		if s.Name == topology.TaskStoreName {
			st.layout = layoutTask
		} else if o, ok := owners[s.Name]; ok && o.node.Info.Op == "window" {
			st.schema = o.node.Info.Schema
			switch {
			case o.local == "windows" && s.Kind == statestore.KindWindowed:
				st.layout = layoutWindowed
			case o.local == "state" && strings.HasPrefix(o.node.Info.Detail, "session("):
				st.layout = layoutSessionState
			case o.local == "state":
				st.layout = layoutWindowState
			}
		}
		out = append(out, st)
	}
	return out
}

// liveRecord is a key's current value in one partition.
type liveRecord struct {
	partition int32
	key, val  []byte
}

// read reads s's changelog and returns the number of committed records
// read and the live records, by partition and key.
func (in *stateInspector) read(ctx context.Context, s stateStore, partitions int) (int, []liveRecord, error) {
	total := 0
	var live []liveRecord
	for p := range int32(partitions) {
		cur := map[string][]byte{}
		_, err := in.reader.ReadCommitted(ctx, kafka.TopicPartition{Topic: s.topic, Partition: p}, 0, func(recs []kafka.Record, _, _ int64) error {
			total += len(recs)
			for _, r := range recs {
				if r.Value == nil {
					delete(cur, string(r.Key))
				} else {
					cur[string(r.Key)] = r.Value
				}
			}
			return nil
		})
		if err != nil {
			return 0, nil, fmt.Errorf("read changelog of store %s: %w", s.name, err)
		}
		keys := make([]string, 0, len(cur))
		for k := range cur {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			live = append(live, liveRecord{partition: p, key: []byte(k), val: cur[k]})
		}
	}
	return total, live, nil
}

func (in *stateInspector) list(ctx context.Context, w io.Writer) error {
	topics := make([]string, len(in.stores))
	for i, s := range in.stores {
		topics[i] = s.topic
	}
	counts, err := in.admin.Partitions(topics...)
	if err != nil {
		return err
	}
	for _, s := range in.stores {
		obj := jsonObject{}
		obj.add("store", s.name)
		obj.add("kind", s.kind.String())
		obj.add("topic", s.topic)
		n, ok := counts[s.topic]
		if !ok {
			obj.add("exists", false)
			obj.add("records", 0)
			obj.add("keys", 0)
		} else {
			total, live, err := in.read(ctx, s, n)
			if err != nil {
				return err
			}
			obj.add("partitions", n)
			obj.add("records", total)
			obj.add("keys", len(live))
		}
		if err := obj.writeLine(w); err != nil {
			return err
		}
	}
	return nil
}

// dump prints the live records of store name, only those whose printed
// key is *key when key is not nil.
func (in *stateInspector) dump(ctx context.Context, w io.Writer, name string, key *string) error {
	i := slices.IndexFunc(in.stores, func(s stateStore) bool { return s.name == name })
	if i < 0 {
		names := make([]string, len(in.stores))
		for i, s := range in.stores {
			names[i] = s.name
		}
		return fmt.Errorf("no store %q in app %s (stores: %s)", name, in.app, strings.Join(names, ", "))
	}
	s := in.stores[i]
	counts, err := in.admin.Partitions(s.topic)
	if err != nil {
		return err
	}
	n, ok := counts[s.topic]
	if !ok {
		return fmt.Errorf("no changelog topic %s for store %s — has the app run?", s.topic, s.name)
	}
	_, live, err := in.read(ctx, s, n)
	if err != nil {
		return err
	}
	found := false
	for _, r := range live {
		obj, text := formatStateRecord(s, r)
		if key != nil && text != *key {
			continue
		}
		found = true
		if err := obj.writeLine(w); err != nil {
			return err
		}
	}
	if key != nil && !found {
		return fmt.Errorf("no key %q in store %s", *key, s.name)
	}
	return nil
}

// formatStateRecord renders r as a JSON object and returns it with the
// printed form of its key (what `get` matches).
func formatStateRecord(s stateStore, r liveRecord) (jsonObject, string) {
	obj := jsonObject{}
	obj.add("partition", r.partition)
	key := r.key
	var start *int64
	if s.kind == statestore.KindWindowed {
		if k, st, err := statestore.SplitWindowKey(r.key); err == nil {
			key, start = k, &st
		}
	}
	var text string
	switch {
	case s.layout == layoutWindowed && len(key) == 8:
		text = strconv.FormatUint(binary.BigEndian.Uint64(key), 10)
		obj.add("key", text)
	case (s.layout == layoutWindowState || s.layout == layoutSessionState) && len(key) == 9 && key[0] == 'e':
		text = "e:" + strconv.FormatUint(binary.BigEndian.Uint64(key[1:]), 10)
		obj.add("key", text)
	case printable(key):
		text = string(key)
		obj.add("key", text)
	default:
		text = base64.StdEncoding.EncodeToString(key)
		obj.add("key", text)
		obj.add("key_encoding", "binary")
	}
	if start != nil {
		obj.add("window_start", *start)
	}
	if !decodeStateValue(&obj, s, key, r.val) {
		obj.add("value", base64.StdEncoding.EncodeToString(r.val))
		obj.add("encoding", "binary")
	}
	return obj, text
}

// decodeStateValue adds the decoded value of a record with user key key
// to obj, and reports whether it could; nothing is added when it cannot.
func decodeStateValue(obj *jsonObject, s stateStore, key, val []byte) bool {
	switch s.layout {
	case layoutTask:
		if string(key) != "streamTime" {
			return false
		}
		ts, n := binary.Varint(val)
		if n <= 0 || n != len(val) {
			return false
		}
		obj.add("value", map[string]int64{"stream_time": ts})
		return true
	case layoutWindowed:
		if len(key) != 8 {
			return false
		}
		return decodeHeldEvent(obj, s.schema, val)
	case layoutWindowState, layoutSessionState:
		if len(key) != 9 || key[0] != 'e' {
			return false
		}
		if s.layout == layoutSessionState {
			run, n := binary.Uvarint(val)
			if n <= 0 {
				return false
			}
			var tmp jsonObject
			if !decodeHeldEvent(&tmp, s.schema, val[n:]) {
				return false
			}
			obj.add("run", run)
			obj.fields = append(obj.fields, tmp.fields...)
			return true
		}
		return decodeHeldEvent(obj, s.schema, val)
	}
	return false
}

// decodeHeldEvent decodes a window's held event (varint time, values) that
// must fill b exactly.
func decodeHeldEvent(obj *jsonObject, schema *topology.Schema, b []byte) bool {
	ts, n := binary.Varint(b)
	if n <= 0 {
		return false
	}
	vals, rest, err := topology.DecodeValues(nil, b[n:])
	if err != nil || len(rest) != 0 {
		return false
	}
	obj.add("value", valuesJSON(schema, vals))
	obj.add("timestamp", ts)
	return true
}

// valuesJSON renders vals as an object by schema's attribute names when
// they line up, as an array otherwise.
func valuesJSON(schema *topology.Schema, vals []topology.Value) json.RawMessage {
	var b bytes.Buffer
	if schema != nil && schema.Len() == len(vals) {
		b.WriteByte('{')
		for i, v := range vals {
			if i > 0 {
				b.WriteByte(',')
			}
			name, _ := json.Marshal(schema.Attrs[i].Name)
			b.Write(name)
			b.WriteByte(':')
			b.Write(valueJSON(v))
		}
		b.WriteByte('}')
		return b.Bytes()
	}
	b.WriteByte('[')
	for i, v := range vals {
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(valueJSON(v))
	}
	b.WriteByte(']')
	return b.Bytes()
}

func valueJSON(v topology.Value) []byte {
	var out any
	switch v.Kind() {
	case topology.TypeNull:
		out = nil
	case topology.TypeBool:
		out = v.AsBool()
	case topology.TypeInt, topology.TypeLong:
		out = v.AsLong()
	case topology.TypeFloat, topology.TypeDouble:
		f := v.AsDouble()
		if math.IsNaN(f) || math.IsInf(f, 0) {
			out = strconv.FormatFloat(f, 'g', -1, 64) // JSON has no NaN or Inf
		} else {
			out = f
		}
	default:
		out = v.Str()
	}
	b, err := json.Marshal(out)
	if err != nil {
		return []byte("null")
	}
	return b
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

// jsonObject is a JSON object with its fields in insertion order.
type jsonObject struct {
	fields []jsonField
}

type jsonField struct {
	name  string
	value any
}

func (o *jsonObject) add(name string, v any) { o.fields = append(o.fields, jsonField{name, v}) }

func (o *jsonObject) writeLine(w io.Writer) error {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, f := range o.fields {
		if i > 0 {
			b.WriteByte(',')
		}
		name, _ := json.Marshal(f.name)
		b.Write(name)
		b.WriteByte(':')
		v, err := json.Marshal(f.value)
		if err != nil {
			return fmt.Errorf("encode %s: %w", f.name, err)
		}
		b.Write(v)
	}
	b.WriteString("}\n")
	_, err := w.Write(b.Bytes())
	return err
}
