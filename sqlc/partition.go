package sqlc

import (
	"encoding/binary"
	"fmt"
	"strings"

	"github.com/eventflux-io/eventflux-go/sqlc/expr"
	"github.com/eventflux-io/eventflux-go/sqlc/plan"
	"github.com/eventflux-io/eventflux-go/statestore"
	"github.com/eventflux-io/eventflux-go/topology"
)

// innerKeyAttr is the hidden last attribute of an inner stream's events:
// the encoded partition key of the instance that produced them, so the
// instance of the same key consumes them.
const innerKeyAttr = "#key"

// keysStore is the partition node's store listing its partition keys in
// order of first sight (big-endian sequence number -> encoded key), so a
// restored task re-creates the same instances in the same order.
const keysStore = "keys"

// innerNodeSchema is the schema of an inner stream's node: its attributes
// and the hidden partition key.
func innerNodeSchema(s *plan.Stream) *topology.Schema {
	attrs := append(append([]topology.Attribute(nil), s.Schema.Attrs...), topology.Attribute{Name: innerKeyAttr, Type: topology.TypeString})
	return &topology.Schema{Name: s.Schema.Name, Attrs: attrs}
}

// partitionConfig is the compiled, immutable part of a partition node,
// shared by its processor instances in every task.
type partitionConfig struct {
	// chain is the per-key topology: the query's input stream, its filter,
	// window and select stage, and its target stream.
	chain  *topology.Topology
	input  string // the chain's input stream
	target string // the chain's target stream
	// keyIndex is the attribute holding the partition key: the partition
	// attribute, or for an inner input the hidden key (then encoded is set
	// and visible is the number of attributes to pass on).
	keyIndex int
	encoded  bool
	visible  int
	// appendKey is set when the target is an inner stream.
	appendKey bool
}

// buildPartitioned adds a query of a PARTITION WITH block: an optional
// repartition by the partition attribute, then the partition node, which
// routes each event to the instance of the query's operator chain for
// its key, and the edge to the target stream.
func buildPartitioned(b *topology.Builder, q *plan.Query) error {
	parent := q.Input.Schema.Name
	if r := q.Partitioning.Repartition; r != nil {
		parent = addRepartition(b, r, parent)
	}
	chain, detail, err := buildChain(q)
	if err != nil {
		return err
	}
	cfg := &partitionConfig{chain: chain, input: q.Input.Schema.Name, target: q.Target.Schema.Name, appendKey: q.Target.Inner}
	by := ""
	if k := q.PartKey; k != nil {
		cfg.keyIndex = k.Index
		by = k.String()
	} else {
		cfg.keyIndex, cfg.encoded, cfg.visible = len(q.Input.Schema.Attrs), true, len(q.Input.Schema.Attrs)
		by = "the key of " + q.Input.Schema.Name
	}
	schema := q.Target.Schema
	if q.Target.Inner {
		schema = innerNodeSchema(q.Target)
	}
	stores := []topology.StoreSpec{{Name: keysStore, Kind: statestore.KindKeyValue}}
	for _, s := range chain.Stores() {
		stores = append(stores, topology.StoreSpec{Name: s.Name, Kind: s.Kind, Retention: s.Retention})
	}
	name := q.ID + "/partition"
	info := topology.NodeInfo{Name: name, Op: "partition", Detail: "by " + by + "; per key: " + detail, Schema: schema, Stores: stores}
	b.AddProcessor(info, cfg.supplier(), parent)
	b.Connect(name, q.Target.Schema.Name)
	return nil
}

// buildChain builds the per-key topology of q and a one-line description
// of its operators.
func buildChain(q *plan.Query) (*topology.Topology, string, error) {
	named := *q
	named.Name = q.ID
	cb := topology.NewBuilder()
	cb.AddStream(q.Input.Schema, topology.Binding{})
	cb.AddStream(q.Target.Schema, topology.Binding{})
	parent := addFilter(cb, &named, q.Input.Schema.Name)
	parent = buildWindow(cb, &named, parent)
	cb.Connect(buildSelect(cb, &named, parent), q.Target.Schema.Name)
	chain, err := cb.Build()
	if err != nil {
		return nil, "", err
	}
	var ops []string
	for _, n := range chain.Nodes() {
		if n.Kind == topology.ProcessorNode {
			ops = append(ops, strings.TrimSpace(n.Info.Op+" "+n.Info.Detail))
		}
	}
	return chain, strings.Join(ops, " -> "), nil
}

// addFilter adds q's WHERE filter after parent, if q has one, and returns
// the node that follows.
func addFilter(b *topology.Builder, q *plan.Query, parent string) string {
	if q.Filter == nil {
		return parent
	}
	name := q.Name + "/filter"
	b.AddProcessor(topology.NodeInfo{Name: name, Op: "filter", Detail: q.Filter.String(), Schema: q.Input.Schema},
		newFilter(expr.CompileFilter(q.Filter)), parent)
	return name
}

func (c *partitionConfig) supplier() func() topology.Processor {
	return func() topology.Processor {
		return &partitionProc{cfg: c, byKey: map[string]*instance{}}
	}
}

// partitionProc runs one query of a PARTITION WITH block with separate
// state per partition key: each key gets its own instance of the query's
// operator chain (a nested topology.Task), created on the key's first
// event, whose stores are the partition node's stores under a prefix
// made of the key (keyState). Every instance sees the enclosing task's
// stream time: the node passes each punctuation on to all instances, in
// order of first sight of their keys, and rows an instance emits go to
// the target stream at once, so outputs keep arrival order.
type partitionProc struct {
	cfg   *partitionConfig
	ctx   topology.Context
	keys  statestore.KeyValue
	byKey map[string]*instance
	order []*instance
	buf   []byte
}

// instance is the operator chain of one partition key.
type instance struct {
	key  string
	task *topology.Task
}

func (p *partitionProc) Init(ctx topology.Context) error {
	p.ctx = ctx
	kv, err := ctx.Store(keysStore)
	if err != nil {
		return err
	}
	p.keys = kv
	var keys []string
	if err := kv.Scan(nil, func(_, v []byte) bool { keys = append(keys, string(v)); return true }); err != nil {
		return err
	}
	for _, k := range keys {
		if _, err := p.open(k); err != nil {
			return err
		}
	}
	return nil
}

// open creates the instance of key over its (possibly restored) state.
func (p *partitionProc) open(key string) (*instance, error) {
	inst := &instance{key: key}
	emit := func(stream string, ev *topology.Event) error {
		if stream != p.cfg.target {
			return nil
		}
		if p.cfg.appendKey {
			vals := make([]topology.Value, len(ev.Values)+1)
			copy(vals, ev.Values)
			vals[len(ev.Values)] = topology.String(key)
			ev = &topology.Event{TS: ev.TS, Kind: ev.Kind, Values: vals}
		}
		return p.ctx.Forward(ev)
	}
	task, err := topology.NewTask(p.cfg.chain, topology.TaskOptions{State: newKeyState(p.ctx, key), Emit: emit})
	if err != nil {
		return nil, fmt.Errorf("partition %s: %w", p.ctx.NodeName(), err)
	}
	inst.task = task
	p.byKey[key] = inst
	p.order = append(p.order, inst)
	return inst, nil
}

func (p *partitionProc) Process(ev *topology.Event) error {
	var key string
	if p.cfg.encoded {
		key = ev.Values[p.cfg.keyIndex].Str()
		ev = &topology.Event{TS: ev.TS, Kind: ev.Kind, Values: ev.Values[:p.cfg.visible:p.cfg.visible]}
	} else {
		p.buf = appendKey(p.buf[:0], ev.Values[p.cfg.keyIndex])
		key = string(p.buf)
	}
	inst := p.byKey[key]
	if inst == nil {
		seq := binary.BigEndian.AppendUint64(nil, uint64(len(p.order)))
		if err := p.keys.Put(seq, []byte(key)); err != nil {
			return err
		}
		var err error
		if inst, err = p.open(key); err != nil {
			return err
		}
	}
	return inst.task.Process(p.cfg.input, ev)
}

// Punctuate implements topology.Punctuator: every instance's stream time
// follows the task's.
func (p *partitionProc) Punctuate(streamTime int64) error {
	for _, inst := range p.order {
		if err := inst.task.Advance(streamTime); err != nil {
			return err
		}
	}
	return nil
}

// Flush implements topology.Flusher for the instances' write-back state.
func (p *partitionProc) Flush() error {
	for _, inst := range p.order {
		if err := inst.task.Flush(); err != nil {
			return err
		}
	}
	return nil
}

func (p *partitionProc) Close() error {
	var first error
	for _, inst := range p.order {
		if err := inst.task.Close(); err != nil && first == nil {
			first = err
		}
	}
	return first
}
