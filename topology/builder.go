package topology

import (
	"fmt"
	"slices"
	"sort"
	"strings"
)

// Binding says where a stream lives outside the task. A stream with no
// Topic is internal: it only connects queries.
type Binding struct {
	Topic  string
	Format string // json | csv | raw
	// Key lists the attributes forming the record key.
	Key []string
	// Timestamp names the attribute holding event time in ms; "" means the
	// Kafka record timestamp.
	Timestamp  string
	Partitions int
	// Options holds the remaining WITH options (json.mapping.*, csv.*).
	Options map[string]string
}

// Internal reports whether the stream has no topic.
func (b Binding) Internal() bool { return b.Topic == "" }

// NodeInfo describes a processor node for Describe and error messages.
type NodeInfo struct {
	// Name is unique within the topology.
	Name string
	// Op is the operator kind: filter, project, insert, ...
	Op string
	// Detail is a one-line description of what it does.
	Detail string
	// Schema is the schema of the events it forwards.
	Schema *Schema
	// Stores declares the state stores the node's processors use through
	// Context.Store and Context.WindowStore; see StoreSpec.
	Stores []StoreSpec
}

// NodeKind distinguishes stream nodes from processor nodes.
type NodeKind uint8

// Node kinds.
const (
	StreamNode NodeKind = iota
	ProcessorNode
)

// Node is one vertex of a built topology.
type Node struct {
	Kind NodeKind
	Info NodeInfo
	// Binding is set for stream nodes.
	Binding Binding
	// Role says what a stream node is for (RoleStream for every
	// application stream).
	Role StreamRole
	// New creates the processor of a processor node.
	New      func() Processor
	Parents  []string
	Children []string
	order    int
}

// Topology is a validated operator graph: streams (sources, internal
// streams, sinks) and the processors between them. It is immutable and
// shared by every task that runs it.
type Topology struct {
	nodes map[string]*Node
	// order lists node names in topological order.
	order []string
	// subs are the sub-topologies, see SubTopologies.
	subs []*SubTopology
	// taskStore is the name of the task store, see TaskStore.
	taskStore string
}

// TaskStore returns the name of the store in which a task keeps its own
// state (its stream time): TaskStoreName, or TaskStoreName + "." + the
// sub-topology's Name for a SubTopology's topology.
func (t *Topology) TaskStore() string {
	if t.taskStore == "" {
		return TaskStoreName
	}
	return t.taskStore
}

// Builder assembles a Topology. Methods record the first error; Build
// reports it.
type Builder struct {
	nodes   map[string]*Node
	seq     []string
	pending [][2]string
	err     error
}

// NewBuilder returns an empty Builder.
func NewBuilder() *Builder { return &Builder{nodes: map[string]*Node{}} }

// AddStream adds a stream node with its schema (whose Name is the node
// name) and binding.
func (b *Builder) AddStream(schema *Schema, bind Binding) {
	b.add(&Node{Kind: StreamNode, Info: NodeInfo{Name: schema.Name, Op: "stream", Schema: schema}, Binding: bind})
}

// AddProcessor adds a processor node fed by parents (stream or processor
// names). newFn is called once per task.
func (b *Builder) AddProcessor(info NodeInfo, newFn func() Processor, parents ...string) {
	if newFn == nil {
		b.fail(fmt.Errorf("topology: processor %q has no supplier", info.Name))
		return
	}
	for i, s := range info.Stores {
		if s.Name == "" || slices.ContainsFunc(info.Stores[:i], func(o StoreSpec) bool { return o.Name == s.Name }) {
			b.fail(fmt.Errorf("topology: processor %q declares store %q twice or unnamed", info.Name, s.Name))
			return
		}
	}
	b.add(&Node{Kind: ProcessorNode, Info: info, New: newFn})
	for _, p := range parents {
		b.Connect(p, info.Name)
	}
}

// Connect adds an edge: events forwarded by from reach to. Connecting a
// processor to a stream node inserts into that stream.
func (b *Builder) Connect(from, to string) {
	b.pending = append(b.pending, [2]string{from, to})
}

func (b *Builder) add(n *Node) {
	if _, dup := b.nodes[n.Info.Name]; dup {
		b.fail(fmt.Errorf("topology: duplicate node %q", n.Info.Name))
		return
	}
	b.nodes[n.Info.Name] = n
	b.seq = append(b.seq, n.Info.Name)
}

func (b *Builder) fail(err error) {
	if b.err == nil {
		b.err = err
	}
}

// Build validates the graph (every edge names existing nodes, no cycles)
// and returns the Topology.
func (b *Builder) Build() (*Topology, error) {
	if b.err != nil {
		return nil, b.err
	}
	for _, e := range b.pending {
		from, ok1 := b.nodes[e[0]]
		to, ok2 := b.nodes[e[1]]
		switch {
		case !ok1:
			return nil, fmt.Errorf("topology: edge from unknown node %q", e[0])
		case !ok2:
			return nil, fmt.Errorf("topology: edge to unknown node %q", e[1])
		case from.Kind == StreamNode && to.Kind == StreamNode:
			return nil, fmt.Errorf("topology: stream %q cannot feed stream %q directly", e[0], e[1])
		}
		from.Children = append(from.Children, e[1])
		to.Parents = append(to.Parents, e[0])
	}
	order, err := b.sort()
	if err != nil {
		return nil, err
	}
	t := &Topology{nodes: b.nodes, order: order}
	t.subs = t.splitSubTopologies()
	return t, nil
}

// sort orders nodes topologically (Kahn), breaking ties by insertion order
// so the result is deterministic.
func (b *Builder) sort() ([]string, error) {
	indeg := map[string]int{}
	for _, name := range b.seq {
		indeg[name] = len(b.nodes[name].Parents)
	}
	var ready, order []string
	for _, name := range b.seq {
		if indeg[name] == 0 {
			ready = append(ready, name)
		}
	}
	for len(ready) > 0 {
		name := ready[0]
		ready = ready[1:]
		b.nodes[name].order = len(order)
		order = append(order, name)
		for _, c := range b.nodes[name].Children {
			indeg[c]--
			if indeg[c] == 0 {
				ready = append(ready, c)
			}
		}
	}
	if len(order) != len(b.seq) {
		var cyc []string
		for _, name := range b.seq {
			if indeg[name] > 0 {
				cyc = append(cyc, name)
			}
		}
		sort.Strings(cyc)
		return nil, fmt.Errorf("topology: cycle through %s", strings.Join(cyc, ", "))
	}
	return order, nil
}

// Node returns the node called name, or nil.
func (t *Topology) Node(name string) *Node { return t.nodes[name] }

// Nodes returns every node in topological order.
func (t *Topology) Nodes() []*Node {
	out := make([]*Node, len(t.order))
	for i, name := range t.order {
		out[i] = t.nodes[name]
	}
	return out
}

// Stream returns the schema of the stream called name, or nil.
func (t *Topology) Stream(name string) *Schema {
	if n := t.nodes[name]; n != nil && n.Kind == StreamNode {
		return n.Info.Schema
	}
	return nil
}

// Sources returns the application streams no query inserts into: the
// inputs.
func (t *Topology) Sources() []*Node {
	return t.streams(func(n *Node) bool { return n.Role == RoleStream && len(n.Parents) == 0 })
}

// Outputs returns the application streams some query inserts into.
// Repartition topics and inner streams are not outputs.
func (t *Topology) Outputs() []*Node {
	return t.streams(func(n *Node) bool { return n.Role == RoleStream && len(n.Parents) > 0 })
}

// Repartitions returns the repartition stream nodes, in topological
// order.
func (t *Topology) Repartitions() []*Node {
	return t.streams(func(n *Node) bool { return n.Role == RoleRepartition })
}

func (t *Topology) streams(keep func(*Node) bool) []*Node {
	var out []*Node
	for _, name := range t.order {
		if n := t.nodes[name]; n.Kind == StreamNode && keep(n) {
			out = append(out, n)
		}
	}
	return out
}

// SetOption records an extra option, allocating the map on first use.
func (b *Binding) SetOption(key, value string) {
	if b.Options == nil {
		b.Options = map[string]string{}
	}
	b.Options[key] = value
}
