package plan

import (
	"fmt"
	"strings"

	"github.com/eventflux-io/eventflux-go/sqlc/ast"
	"github.com/eventflux-io/eventflux-go/sqlc/expr"
	"github.com/eventflux-io/eventflux-go/topology"
	"github.com/eventflux-io/eventflux-go/windows"
)

// PartitionMode says how a query's state is spread over tasks (one task =
// one partition number of its sub-topology's source topics).
type PartitionMode uint8

// Partition modes.
const (
	// Stateless queries keep no state and run wherever their input is.
	Stateless PartitionMode = iota
	// CoPartitioned queries keep state per key, and their input is
	// already partitioned so that all events of a key reach one task.
	CoPartitioned
	// Repartitioned queries keep state per key, but their input is
	// partitioned otherwise: it goes through a repartition topic keyed by
	// the state key first.
	Repartitioned
	// Global queries keep one state for the whole stream: their input
	// goes through a single-partition repartition topic (unless it is in
	// one partition already), so one task does all the work.
	Global
)

var modeNames = [...]string{"stateless", "co-partitioned", "repartitioned", "global"}

// String returns "stateless", "co-partitioned", "repartitioned" or
// "global".
func (m PartitionMode) String() string { return modeNames[m] }

// Partitioning is the partitioning decision of one query.
type Partitioning struct {
	Mode PartitionMode
	// Key is the state key over the input (GROUP BY or the partition
	// attribute); nil for Stateless and Global.
	Key []expr.Expr
	// Repartition is the step the input takes before the stateful part,
	// or nil (Stateless, CoPartitioned, and Global over a single-partition
	// input).
	Repartition *Repartition
	// Reason says, in one line, why the decision was made.
	Reason string
	// Note is advice about the query for `eventflux explain` (global
	// state), or "": a sentence whose subject is the query ("keeps global
	// state ..."), which the compiler prefixes with its name and place.
	Note string
}

// Repartition is a repartition topic the compiler inserts: a sink writing
// the input events keyed by the new key, and a stream node reading them
// back, which starts a new sub-topology.
type Repartition struct {
	// Node is the stable name of the repartition stream node: "rp" and
	// the 12 hex digits of the hash of its canonical description (the
	// query's ID, input stream, filter and key).
	Node string
	// Topic is "${app}-<Node>-repartition"; the runtime replaces ${app}
	// (topology.AppIDPlaceholder) by the application id.
	Topic string
	// Key are the key expressions over the input (slot 0), none for a
	// single-partition topic. KeyAttrs name the attributes of Schema
	// forming the record key: input attributes for plain GROUP BY
	// columns, appended computed columns (#key0, ...) for expressions.
	Key      []expr.Expr
	KeyAttrs []string
	// Single is set for a single-partition (global) topic.
	Single bool
	// Schema is the repartitioned events' schema: the input's attributes,
	// then any computed key columns. Its Name is Node.
	Schema *topology.Schema
	// AfterFilter is set when the query's WHERE runs before the topic (it
	// is stateless, and filtering first sends less data).
	AfterFilter bool
}

// streamPart is how the events of a stream are partitioned as a reader in
// the same task sees them: by the values of attrs (all events with equal
// values are in one task), all in one partition, or unknown.
type streamPart struct {
	attrs  []string
	single bool
}

func (p streamPart) known() bool { return p.single || len(p.attrs) > 0 }

func (p streamPart) String() string {
	switch {
	case p.single:
		return "a single partition"
	case len(p.attrs) > 0:
		return strings.Join(p.attrs, ", ")
	}
	return "no known key"
}

// partState is the memo of decidePartitioning.
type partState struct {
	streams map[*Stream]*streamPart
	busy    map[*Stream]bool
	decided map[*Query]bool
	repart  map[string]*Repartition
}

// decidePartitioning decides, for every query, where its state lives and
// which repartition topics its input takes.
func (b *binder) decidePartitioning() {
	st := &partState{streams: map[*Stream]*streamPart{}, busy: map[*Stream]bool{}, decided: map[*Query]bool{}, repart: map[string]*Repartition{}}
	for _, q := range b.plan.Queries {
		b.decide(st, q)
	}
}

// partitionOf returns how the events of s are partitioned: by the record
// key for a topic no query inserts into, else as every query inserting
// into it leaves them (unknown when they disagree).
func (b *binder) partitionOf(st *partState, s *Stream) streamPart {
	if p := st.streams[s]; p != nil {
		return *p
	}
	if st.busy[s] {
		return streamPart{}
	}
	st.busy[s] = true
	defer delete(st.busy, s)
	var out streamPart
	first := true
	for _, q := range b.plan.Queries {
		if q.Target != s {
			continue
		}
		p := b.decide(st, q)
		if first {
			out, first = p, false
		} else if !samePart(out, p) {
			out = streamPart{}
		}
	}
	if first && !s.Binding.Internal() {
		out = streamPart{attrs: s.Binding.Key, single: s.Binding.Partitions == 1}
	}
	st.streams[s] = &out
	return out
}

func samePart(a, b streamPart) bool {
	if a.single || b.single {
		return a.single == b.single
	}
	if len(a.attrs) != len(b.attrs) {
		return false
	}
	for i := range a.attrs {
		if a.attrs[i] != b.attrs[i] {
			return false
		}
	}
	return true
}

// decide makes q's decision (once) and returns how q leaves its output's
// events partitioned.
func (b *binder) decide(st *partState, q *Query) streamPart {
	in := b.partitionOf(st, q.Input)
	if !st.decided[q] {
		st.decided[q] = true
		q.Partitioning = b.placement(st, q, in)
	}
	p := q.Partitioning
	switch {
	case p.Mode == Global:
		return streamPart{single: true}
	case p.Mode == Repartitioned:
		return streamPart{attrs: mapKey(q, p.Key)}
	case q.Block != nil && q.PartKey == nil:
		return streamPart{single: in.single}
	}
	return streamPart{attrs: mapAttrs(q, in.attrs), single: in.single}
}

// placement decides one query.
func (b *binder) placement(st *partState, q *Query, in streamPart) Partitioning {
	stateful := q.Window != nil || q.Agg != nil && (q.Agg.Aggregating() || q.Agg.Output != nil)
	if q.Block != nil {
		return b.innerPlacement(st, q, in, stateful)
	}
	if !stateful {
		return Partitioning{Mode: Stateless, Reason: "no state"}
	}
	if why := globalState(q); why != "" {
		p := Partitioning{Mode: Global, Reason: why}
		if in.single {
			p.Reason += "; its input is already in a single partition"
			return p
		}
		p.Repartition = b.repartition(st, q, nil, true)
		p.Note = fmt.Sprintf("keeps global state (%s): all of %s goes through the single partition of %s, so one task does all the work; to scale out, keep the state per key with PARTITION WITH (%s OF %s) BEGIN ... END",
			why, q.Input.Schema.Name, p.Repartition.Topic, suggestKey(q), q.Input.Schema.Name)
		return p
	}
	keys := q.Agg.GroupBy
	p := Partitioning{Key: keys}
	cols := columnNames(q, keys)
	if covers(in, cols) {
		p.Mode = CoPartitioned
		p.Reason = fmt.Sprintf("GROUP BY %s covers the input's partitioning (%s)", exprList(keys), in)
		return p
	}
	p.Mode = Repartitioned
	p.Reason = fmt.Sprintf("GROUP BY %s differs from the input's partitioning (%s)", exprList(keys), in)
	p.Repartition = b.repartition(st, q, keys, false)
	return p
}

// innerPlacement decides a query inside PARTITION WITH: its state is per
// partition key, so its input must be partitioned by that key. A query
// feeding an inner stream counts as stateful: its consumers' state lives
// in its partition instances.
func (b *binder) innerPlacement(st *partState, q *Query, in streamPart, stateful bool) Partitioning {
	if q.PartKey == nil {
		return Partitioning{Mode: CoPartitioned, Reason: fmt.Sprintf("reads inner stream %s, in the partition instances of its producers", q.Input.Schema.Name)}
	}
	if !stateful && !q.Target.Inner {
		return Partitioning{Mode: Stateless, Reason: "no state (events are still routed per partition key)"}
	}
	k := q.PartKey
	key := []expr.Expr{expr.NewColumn(&ast.ColumnRef{Name: &ast.Ident{At: k.At, Name: k.Attr}},
		expr.Column{Slot: 0, Index: k.Index, Type: k.Type, Name: k.Attr})}
	p := Partitioning{Key: key}
	if covers(in, []string{k.Attr}) {
		p.Mode = CoPartitioned
		p.Reason = fmt.Sprintf("partition key %s covers the input's partitioning (%s)", k, in)
		return p
	}
	p.Mode = Repartitioned
	p.Reason = fmt.Sprintf("partition key %s differs from the input's partitioning (%s)", k, in)
	p.Repartition = b.repartition(st, q, key, false)
	return p
}

// covers reports whether grouping by cols keeps every group in one task:
// the input is in a single partition, or its partition attributes are all
// among cols (equal groups then have equal record keys).
func covers(in streamPart, cols []string) bool {
	if in.single {
		return true
	}
	if len(in.attrs) == 0 {
		return false
	}
	for _, a := range in.attrs {
		found := false
		for _, c := range cols {
			found = found || c == a
		}
		if !found {
			return false
		}
	}
	return true
}

// globalState returns why a stateful query outside any partition block
// keeps state over the whole stream, or "" when its state is per GROUP BY
// key: without GROUP BY; with a window whose contents depend on other
// keys' events (count-based windows, batches started by the first event);
// with LIMIT/OFFSET over a batch, or an OUTPUT rate that counts or picks
// rows across groups.
func globalState(q *Query) string {
	if q.Agg == nil || len(q.Agg.GroupBy) == 0 {
		switch {
		case q.Agg != nil && len(q.Agg.Calls) > 0:
			return "aggregates without GROUP BY"
		case q.Window != nil:
			return fmt.Sprintf("window '%s' without GROUP BY", q.Window.Type)
		}
		return "OUTPUT rate limiting without GROUP BY"
	}
	if w := q.Window; w != nil && !perKeyWindow(w) {
		if w.Spec.Kind == windows.TimeBatch || w.Spec.Kind == windows.ExternalTimeBatch {
			return fmt.Sprintf("window '%s' without a start time begins its batches at the first event of any key", w.Type)
		}
		return fmt.Sprintf("window '%s' holds the events of every key", w.Type)
	}
	a := q.Agg
	if Batched(q.Window) && (a.Limit >= 0 || a.Offset >= 0) {
		return "LIMIT/OFFSET choose rows across the groups of a batch"
	}
	if o := a.Output; o != nil && (o.Events > 0 || o.Mode == ast.OutputFirst || o.Mode == ast.OutputLast) {
		return "OUTPUT " + outputWords(o) + " picks rows across groups"
	}
	return ""
}

// perKeyWindow reports whether splitting a window's input by key and
// windowing each part gives each key the events it would have in the
// whole window: true for windows whose membership depends only on an
// event's own time (and for session windows, which are per GROUP BY key).
func perKeyWindow(w *Window) bool {
	switch w.Spec.Kind {
	case windows.Tumbling, windows.Hopping, windows.Session, windows.Time, windows.ExternalTime, windows.Delay, windows.Cron:
		return true
	case windows.TimeBatch, windows.ExternalTimeBatch:
		return w.Spec.HasStart
	}
	return false
}

func outputWords(o *OutputRate) string {
	mode := o.Mode.String()
	if mode == "" {
		mode = "ALL"
	}
	if o.Events > 0 {
		return fmt.Sprintf("%s EVERY %d EVENTS", mode, o.Events)
	}
	return mode + " EVERY <period>"
}

// suggestKey names an attribute to partition q's input by, for the note:
// the input's record key, else its first attribute.
func suggestKey(q *Query) string {
	if k := q.Input.Binding.Key; len(k) > 0 {
		return k[0]
	}
	return q.Input.Schema.Attrs[0].Name
}

// repartition returns the repartition step for q's input keyed by keys
// (single: one partition). Each query gets its own topic, named after the
// query's ID: sharing one between queries would make the queries behind
// it see an event after the queries written later that read the input
// directly, changing the documented emission order of a replay.
func (b *binder) repartition(st *partState, q *Query, keys []expr.Expr, single bool) *Repartition {
	afterFilter := q.Block == nil && q.Filter != nil
	canon := q.ID + ": repartition " + q.Input.Schema.Name
	if afterFilter {
		canon += " where " + q.Filter.String()
	}
	if single {
		canon += " into one partition"
	} else {
		canon += " by " + exprList(keys)
	}
	node := stableID("rp", canon)
	if r := st.repart[node]; r != nil {
		return r
	}
	r := &Repartition{Node: node, Topic: topology.AppIDPlaceholder + "-" + node + "-repartition",
		Single: single, AfterFilter: afterFilter}
	schema := &topology.Schema{Name: node, Attrs: append([]topology.Attribute(nil), q.Input.Schema.Attrs...)}
	for i, k := range keys {
		r.Key = append(r.Key, k)
		if c, ok := expr.ColumnOf(k); ok && c.Slot == 0 {
			r.KeyAttrs = append(r.KeyAttrs, q.Input.Schema.Attrs[c.Index].Name)
			continue
		}
		name := fmt.Sprintf("#key%d", i)
		schema.Attrs = append(schema.Attrs, topology.Attribute{Name: name, Type: k.Type()})
		r.KeyAttrs = append(r.KeyAttrs, name)
	}
	r.Schema = schema
	st.repart[node] = r
	return r
}

// ComputedKeys returns the key expressions that are appended as columns
// (those that are not plain input attributes), in column order.
func (r *Repartition) ComputedKeys() []expr.Expr {
	var out []expr.Expr
	for _, k := range r.Key {
		if c, ok := expr.ColumnOf(k); !ok || c.Slot != 0 {
			out = append(out, k)
		}
	}
	return out
}

// columnNames returns the input attribute names among keys (plain column
// references).
func columnNames(q *Query, keys []expr.Expr) []string {
	var out []string
	for _, k := range keys {
		if c, ok := expr.ColumnOf(k); ok && c.Slot == 0 {
			out = append(out, q.Input.Schema.Attrs[c.Index].Name)
		}
	}
	return out
}

// mapAttrs maps input attributes to the output attributes of q projecting
// them unchanged; nil when one is not projected.
func mapAttrs(q *Query, attrs []string) []string {
	var out []string
	for _, a := range attrs {
		i := q.Input.Schema.Index(a)
		name := ""
		for _, pr := range q.Project {
			if c, ok := expr.ColumnOf(pr.Expr); ok && c.Slot == 0 && c.Index == i && pr.Type == pr.Expr.Type() {
				name = pr.Name
				break
			}
		}
		if name == "" {
			return nil
		}
		out = append(out, name)
	}
	return out
}

// mapKey maps key expressions to the output attributes of q computing the
// same value; nil when one is not projected.
func mapKey(q *Query, keys []expr.Expr) []string {
	var out []string
	for _, k := range keys {
		c, isCol := expr.ColumnOf(k)
		name := ""
		for _, pr := range q.Project {
			pc, ok := expr.ColumnOf(pr.Expr)
			same := isCol && ok && pc.Slot == 0 && pc.Index == c.Index || !isCol && pr.Expr.String() == k.String()
			if same && pr.Type == pr.Expr.Type() {
				name = pr.Name
				break
			}
		}
		if name == "" {
			return nil
		}
		out = append(out, name)
	}
	return out
}

func exprList(es []expr.Expr) string {
	parts := make([]string, len(es))
	for i, e := range es {
		parts[i] = e.String()
	}
	return strings.Join(parts, ", ")
}

// String renders the decision for Plan.String.
func (p *Partitioning) String() string {
	s := p.Mode.String()
	if r := p.Repartition; r != nil {
		if r.Single {
			s += " through " + r.Topic + " (1 partition)"
		} else {
			s += fmt.Sprintf(" through %s keyed by %s", r.Topic, strings.Join(r.KeyAttrs, ", "))
		}
	}
	return s + ": " + p.Reason
}
