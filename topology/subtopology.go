package topology

import (
	"fmt"
	"hash/fnv"
	"sort"
	"strings"
)

// AppIDPlaceholder stands for the application id in the names of internal
// topics the compiler generates ("${app}-rp1a2b3c4d5e6f-repartition"): the
// compiler does not know the id, the runtime does. ResolveAppID replaces
// it.
const AppIDPlaceholder = "${app}"

// FormatEvent is the format of repartition topics: each record value is
// an event in the topology codec (AppendEvent: time, kind, values), its
// key the codec encoding of the key attributes.
const FormatEvent = "event"

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
	// Name is a stable identifier: "s" and 12 hex digits of the FNV-64a
	// hash of its processor names, sorted. It names the sub-topology's
	// tasks, state directories and task store, so adding, removing or
	// reordering other queries leaves them alone (the IDs renumber).
	Name string
}

// View returns the sub-topologies subs of t as a topology of their own,
// the one their tasks run: their sources, processors and sinks, with the
// edges to other sub-topologies cut (a repartition topic they write has
// no children there; one they read has no parents). Its one
// sub-topology's Name derives from all their processors, and its task
// store is TaskStoreName + "." + that Name, so that tasks of different
// sub-topologies with the same partition number keep their stream times
// apart. (The runtime views several sub-topologies together when their
// source streams share a topic.)
func (t *Topology) View(subs ...*SubTopology) *Topology {
	all := merge(subs)
	all.Name = subName(all.Nodes)
	return t.view(all)
}

// merge returns one sub-topology with the nodes of subs.
func merge(subs []*SubTopology) *SubTopology {
	var all SubTopology
	for _, s := range subs {
		all.Sources = append(all.Sources, s.Sources...)
		all.Nodes = append(all.Nodes, s.Nodes...)
		all.Sinks = append(all.Sinks, s.Sinks...)
	}
	return &all
}

// view builds s's topology from t.
func (t *Topology) view(s *SubTopology) *Topology {
	in := map[string]bool{}
	for _, group := range [][]*Node{s.Sources, s.Nodes, s.Sinks} {
		for _, n := range group {
			in[n.Info.Name] = true
		}
	}
	v := &Topology{nodes: make(map[string]*Node, len(in)), taskStore: TaskStoreName + "." + s.Name}
	keep := func(names []string) []string {
		var out []string
		for _, n := range names {
			if in[n] {
				out = append(out, n)
			}
		}
		return out
	}
	for _, name := range t.order {
		if !in[name] {
			continue
		}
		c := *t.nodes[name]
		c.Parents, c.Children = keep(c.Parents), keep(c.Children)
		v.nodes[name] = &c
		v.order = append(v.order, name)
	}
	// One sub-topology: the view's components (several when the runtime
	// views sub-topologies that only share a topic) together.
	one := merge(v.splitSubTopologies())
	one.Name = s.Name
	v.subs = []*SubTopology{one}
	return v
}

// subName derives a sub-topology's Name from its processors.
func subName(nodes []*Node) string {
	var names []string
	for _, n := range nodes {
		if n.Kind == ProcessorNode {
			names = append(names, n.Info.Name)
		}
	}
	sort.Strings(names)
	h := fnv.New64a()
	for _, n := range names {
		h.Write([]byte(n))
		h.Write([]byte{0})
	}
	return fmt.Sprintf("s%012x", h.Sum64()>>16)
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
		s.Name = subName(s.Nodes)
	}
	return subs
}
