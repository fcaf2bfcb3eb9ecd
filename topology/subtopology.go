package topology

import (
	"sort"
	"strings"
)

// AppIDPlaceholder stands for the application id in the names of internal
// topics the compiler generates ("${app}-rp1a2b3c4d5e6f-repartition"): the
// compiler does not know the id, the runtime does. ResolveAppID replaces
// it.
const AppIDPlaceholder = "${app}"

// ResolveAppID returns topic with AppIDPlaceholder replaced by appID.
func ResolveAppID(topic, appID string) string {
	return strings.ReplaceAll(topic, AppIDPlaceholder, appID)
}

// StreamRole says what a stream node is for.
type StreamRole uint8

// Stream roles.
const (
	// RoleStream is an application stream: declared or inferred, a
	// source, an output, or an internal stream between queries.
	RoleStream StreamRole = iota
	// RoleRepartition is a repartition topic the compiler inserted: its
	// parent writes events keyed by Binding.Key (Binding.Partitions = 1
	// for a single-partition topic) and its children read them back in
	// another sub-topology. It is never an output.
	RoleRepartition
	// RoleInner is a PARTITION WITH inner stream: it carries events
	// between the partition instances of one block, inside the task, and
	// is never an output.
	RoleInner
)

// String returns "stream", "repartition" or "inner".
func (r StreamRole) String() string {
	switch r {
	case RoleRepartition:
		return "repartition"
	case RoleInner:
		return "inner"
	}
	return "stream"
}

// AddRepartition adds a repartition stream node (see RoleRepartition).
// bind.Topic names the topic (usually with AppIDPlaceholder); bind.Key the
// attributes of schema forming the new record key.
func (b *Builder) AddRepartition(schema *Schema, bind Binding) {
	b.add(&Node{Kind: StreamNode, Role: RoleRepartition, Info: NodeInfo{Name: schema.Name, Op: "repartition", Schema: schema}, Binding: bind})
}

// AddInnerStream adds an inner stream node (see RoleInner).
func (b *Builder) AddInnerStream(schema *Schema) {
	b.add(&Node{Kind: StreamNode, Role: RoleInner, Info: NodeInfo{Name: schema.Name, Op: "inner", Schema: schema}})
}

// HasNode reports whether a node called name was added.
func (b *Builder) HasNode(name string) bool { return b.nodes[name] != nil }

// SubTopology is a connected part of a topology that repartition topics
// separate from the others, as in Kafka Streams: the unit the runtime
// makes tasks of (one per partition number of its source topics, which
// must be co-partitioned).
type SubTopology struct {
	// ID numbers the sub-topologies in topological order of their first
	// node, from 0.
	ID int
	// Sources are the stream nodes it reads from outside: application
	// source streams and the repartition topics it consumes.
	Sources []*Node
	// Nodes are its processors and internal streams, in topological
	// order.
	Nodes []*Node
	// Sinks are the repartition topics it writes and its application
	// output streams.
	Sinks []*Node
}

// SubTopologies returns the topology's sub-topologies. A topology without
// repartition topics has one (or one per disconnected group of queries).
func (t *Topology) SubTopologies() []*SubTopology { return t.subs }

// splitSubTopologies finds the connected components of the graph with the
// edges out of repartition nodes removed: a repartition node belongs to
// the component that writes it and is a source of each component reading
// it.
func (t *Topology) splitSubTopologies() []*SubTopology {
	comp := map[string]int{}
	n := 0
	var visit func(name string, id int)
	visit = func(name string, id int) {
		if _, ok := comp[name]; ok {
			return
		}
		comp[name] = id
		node := t.nodes[name]
		if node.Role != RoleRepartition {
			for _, c := range node.Children {
				visit(c, id)
			}
		}
		for _, p := range node.Parents {
			if t.nodes[p].Role != RoleRepartition {
				visit(p, id)
			}
		}
	}
	for _, name := range t.order {
		if _, ok := comp[name]; !ok {
			visit(name, n)
			n++
		}
	}
	subs := make([]*SubTopology, n)
	for i := range subs {
		subs[i] = &SubTopology{ID: i}
	}
	reads := make([]map[string]bool, n)
	for _, name := range t.order {
		node := t.nodes[name]
		s := subs[comp[name]]
		switch {
		case node.Kind == ProcessorNode || node.Role == RoleInner:
			s.Nodes = append(s.Nodes, node)
		case node.Role == RoleRepartition:
			s.Sinks = append(s.Sinks, node)
		case len(node.Parents) == 0:
			s.Sources = append(s.Sources, node)
		default:
			s.Sinks = append(s.Sinks, node)
			if len(node.Children) > 0 {
				s.Nodes = append(s.Nodes, node)
			}
		}
		if node.Role == RoleRepartition {
			for _, c := range node.Children {
				id := comp[c]
				if reads[id] == nil {
					reads[id] = map[string]bool{}
				}
				if !reads[id][name] {
					reads[id][name] = true
					subs[id].Sources = append(subs[id].Sources, node)
				}
			}
		}
	}
	for _, s := range subs {
		sort.SliceStable(s.Sources, func(i, j int) bool { return s.Sources[i].order < s.Sources[j].order })
	}
	return subs
}
