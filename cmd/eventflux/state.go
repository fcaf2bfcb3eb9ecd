package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/eventflux-io/eventflux-go/config"
	"github.com/eventflux-io/eventflux-go/internal/runtime"
	"github.com/eventflux-io/eventflux-go/internal/statedump"
	"github.com/eventflux-io/eventflux-go/kafka"
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
store and partition. Records are decoded by the layout of the operator that
owns the store: "kind" says what a record is, and "key" is its printed key,
the KEY that get matches:

  streamTime        the task's stream time (kind stream_time)
  m                 a window's or select stage's scalars (meta)
  e:12              a window's held event, by arrival number (event)
  12                a tumbling/hopping window's event, with window_start (event);
                    in a PARTITION WITH keys store, a partition key's number
                    (partition_key)
  k:["IBM"]         firstUnique: a key seen (seen_key); session: a group's
                    sessions (session_key)
  k:7               frequent, lossyFrequent: a tracked key (counted_key)
  s:7               session: an open session (session)
  g:["IBM",42]      a select stage's group, its count and aggregates (group);
                    g:[] without GROUP BY, g:[null] for the NULL group
  r:a:3, r:s:3      a row buffered by OUTPUT (output_row) or SNAPSHOT (snapshot_row)
  f:["IBM"]         a group's OUTPUT FIRST entry (first_seen)
  "IBM"/g:[]        any of these, written by the PARTITION WITH instance of
                    key "IBM" (the line adds "partition_key")

Values in keys are JSON, so quote KEY for the shell: get STORE 'g:["IBM"]'.
A record that does not decode prints its value as base64 with
"encoding":"binary" and an "error", and its key as it is, or as base64
with "key_encoding":"binary" when it is not printable text.`,
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

// stateStore is one store of the app and its changelog topic.
type stateStore struct {
	statedump.Store
	topic string
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
	bindings, err := mergeBindings(prog.Topology, p.Streams)
	if err != nil {
		return err
	}
	stores, err := appStores(p.App, prog.Topology, bindings)
	if err != nil {
		return err
	}
	in := &stateInspector{app: p.App, stores: stores}
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

// appStores lists the stores of the topologies the worker's tasks run
// for t (each in Topology.Stores order) with their changelog topics and
// decoders.
func appStores(app string, t *topology.Topology, bindings map[string]topology.Binding) ([]stateStore, error) {
	units, err := runtime.TaskTopologies(app, t, bindings)
	if err != nil {
		return nil, err
	}
	var out []stateStore
	for _, u := range units {
		if len(u.Stores()) == 1 {
			continue // only the task store: a stateless task keeps no state
		}
		for _, s := range statedump.Stores(u) {
			out = append(out, stateStore{Store: s, topic: app + "-" + s.Name + "-changelog"})
		}
	}
	return out, nil
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
			return 0, nil, fmt.Errorf("read changelog of store %s: %w", s.Name, err)
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
		obj.add("store", s.Name)
		obj.add("kind", s.Kind.String())
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
	i := slices.IndexFunc(in.stores, func(s stateStore) bool { return s.Name == name })
	if i < 0 {
		names := make([]string, len(in.stores))
		for i, s := range in.stores {
			names[i] = s.Name
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
		return fmt.Errorf("no changelog topic %s for store %s — has the app run?", s.topic, s.Name)
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
		return fmt.Errorf("no key %q in store %s", *key, s.Name)
	}
	return nil
}

// formatStateRecord renders r as a JSON object (store, partition, then
// the decoded record) and returns it with the printed form of its key
// (what get matches).
func formatStateRecord(s stateStore, r liveRecord) (jsonObject, string) {
	rec := s.Decode(r.key, r.val)
	obj := jsonObject{}
	obj.add("store", s.Name)
	obj.add("partition", r.partition)
	for _, f := range rec.Fields {
		obj.add(f.Name, f.Value)
	}
	return obj, rec.Key
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

// writeLine writes o as one line of JSON. Strings are not HTML-escaped,
// so printed keys read as get takes them.
func (o *jsonObject) writeLine(w io.Writer) error {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	b.WriteByte('{')
	for i, f := range o.fields {
		if i > 0 {
			b.WriteByte(',')
		}
		// Encode ends each value with a newline, which is trimmed.
		if err := enc.Encode(f.name); err != nil {
			return fmt.Errorf("encode field name: %w", err)
		}
		b.Truncate(b.Len() - 1)
		b.WriteByte(':')
		if err := enc.Encode(f.value); err != nil {
			return fmt.Errorf("encode %s: %w", f.name, err)
		}
		b.Truncate(b.Len() - 1)
	}
	b.WriteString("}\n")
	_, err := w.Write(b.Bytes())
	return err
}
