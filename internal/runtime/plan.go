package runtime

import (
	"fmt"
	"sort"

	"github.com/eventflux-io/eventflux-go/internal/serde"
	"github.com/eventflux-io/eventflux-go/topology"
)

// plan is what the worker derives from the topology and bindings once:
// the units its tasks run, which topics feed which streams, and how each
// sink is written.
type plan struct {
	// topics are every topic the group consumes: the application source
	// topics, then the repartition topics, each in topology order (the
	// tie-break order of the timestamp merge).
	topics []string
	// groups maps a consumed topic to the index of the unit reading it
	// (its topic group in the assignor).
	groups map[string]int
	units  []*unit
	// sources maps a consumed topic to the streams it feeds, in topology
	// order.
	sources map[string][]sourceSpec
	// sinks maps an output stream with a topic, or a repartition stream,
	// to its writer.
	sinks map[string]*sink
	// sinkTopics lists the application sink topics (deduplicated).
	sinkTopics []string
	// repartitions are the repartition topics' writers, in topology order.
	repartitions []*sink
	// dlqPartitions is the dead-letter topic's partition count.
	dlqPartitions int
}

// unit is what one task runs: one sub-topology (or several whose source
// streams share a topic), as a topology of its own.
type unit struct {
	index int
	// name is the sub-topology's stable name; tasks are "<name>_<n>".
	name string
	topo *topology.Topology
	// topics are the topics it consumes, in plan topic order; sources the
	// application source topics among them.
	topics  []string
	sources []string
	// writes are the repartition topics its tasks write.
	writes []*sink
	// stateful: it has operator stores, kept in per-task states mirrored
	// to changelog topics.
	stateful bool
	// partitions is its task count, the largest partition count of its
	// topics (set once topics are ensured).
	partitions int
}

type sourceSpec struct {
	stream  string
	schema  *topology.Schema
	binding topology.Binding
	// repartition: the records are events another task wrote in the
	// internal encoding (see sink.repartition).
	repartition bool
}

// sink writes one output stream or repartition topic.
type sink struct {
	topic string
	// value and key encode an application output.
	value *serde.Encoder
	key   *serde.KeyEncoder
	// repartition: the value is the event in the topology codec
	// (topology.AppendEvent: time, kind, values), the key the codec
	// encoding of the key attributes keyIdx (every value, NULL included,
	// so that a NULL key has one partition too); single-partition topics
	// have no key.
	repartition bool
	single      bool
	keyIdx      []int
	partitions  int // set once topics are ensured
}

func (o *Options) binding(n *topology.Node) topology.Binding {
	if b, ok := o.Bindings[n.Info.Name]; ok {
		return b
	}
	return n.Binding
}

func newPlan(o *Options) (*plan, error) {
	p := &plan{groups: map[string]int{}, sources: map[string][]sourceSpec{}, sinks: map[string]*sink{}}
	var rpTopics []string
	for _, n := range o.Topology.Sources() {
		b := o.binding(n)
		if b.Topic == "" {
			continue
		}
		// Check the binding now, so a bad one fails Run before joining.
		if _, err := serde.NewDecoder(n.Info.Schema, b); err != nil {
			return nil, fmt.Errorf("runtime: %w", err)
		}
		if _, ok := p.sources[b.Topic]; !ok {
			p.topics = append(p.topics, b.Topic)
		}
		p.sources[b.Topic] = append(p.sources[b.Topic], sourceSpec{stream: n.Info.Name, schema: n.Info.Schema, binding: b})
	}
	if len(p.topics) == 0 {
		return nil, fmt.Errorf("runtime: no source stream has a topic; bind one with WITH (topic = '...') or streams.<name>.topic")
	}
	for _, n := range o.Topology.Repartitions() {
		topic := topology.ResolveAppID(n.Binding.Topic, o.App)
		if _, dup := p.sources[topic]; dup {
			return nil, fmt.Errorf("runtime: repartition topic %s is also a source topic", topic)
		}
		sk := &sink{topic: topic, repartition: true, single: n.Binding.Partitions == 1}
		if !sk.single {
			for _, k := range n.Binding.Key {
				i := n.Info.Schema.Index(k)
				if i < 0 {
					return nil, fmt.Errorf("runtime: repartition %s: key attribute %q is not in %s", n.Info.Name, k, n.Info.Schema)
				}
				sk.keyIdx = append(sk.keyIdx, i)
			}
		}
		p.sinks[n.Info.Name] = sk
		p.repartitions = append(p.repartitions, sk)
		rpTopics = append(rpTopics, topic)
		p.sources[topic] = []sourceSpec{{stream: n.Info.Name, schema: n.Info.Schema, repartition: true}}
	}
	p.topics = append(p.topics, rpTopics...)
	seen := map[string]bool{}
	for _, n := range o.Topology.Outputs() {
		b := o.binding(n)
		if b.Topic == "" {
			continue
		}
		if _, isSource := p.sources[b.Topic]; isSource {
			return nil, fmt.Errorf("runtime: stream %s writes to topic %s, which is also a source or repartition topic", n.Info.Name, b.Topic)
		}
		enc, err := serde.NewEncoder(n.Info.Schema, b)
		if err != nil {
			return nil, fmt.Errorf("runtime: %w", err)
		}
		key, err := serde.NewKeyEncoder(n.Info.Schema, b)
		if err != nil {
			return nil, fmt.Errorf("runtime: %w", err)
		}
		p.sinks[n.Info.Name] = &sink{topic: b.Topic, value: enc, key: key}
		if !seen[b.Topic] {
			seen[b.Topic] = true
			p.sinkTopics = append(p.sinkTopics, b.Topic)
		}
	}
	p.units = units(o, p)
	return p, nil
}

// units groups the topology's sub-topologies into units: sub-topologies
// whose source streams share a topic must run in one task, since a topic
// partition has one owner. Sub-topologies without processors (a source
// nothing reads) need no task and consume nothing.
func units(o *Options, p *plan) []*unit {
	subs := o.Topology.SubTopologies()
	// topicsOf lists the topics a sub-topology consumes.
	topicsOf := func(s *topology.SubTopology) []string {
		var out []string
		for _, n := range s.Sources {
			if n.Role == topology.RoleRepartition {
				out = append(out, topology.ResolveAppID(n.Binding.Topic, o.App))
			} else if b := o.binding(n); b.Topic != "" {
				out = append(out, b.Topic)
			}
		}
		return out
	}
	// Union-find over sub-topologies sharing a topic.
	parent := make([]int, len(subs))
	for i := range parent {
		parent[i] = i
	}
	var find func(int) int
	find = func(i int) int {
		if parent[i] != i {
			parent[i] = find(parent[i])
		}
		return parent[i]
	}
	owner := map[string]int{}
	for i, s := range subs {
		for _, t := range topicsOf(s) {
			if j, ok := owner[t]; ok {
				parent[find(i)] = find(j)
			} else {
				owner[t] = i
			}
		}
	}
	members := map[int][]*topology.SubTopology{}
	var roots []int
	for i, s := range subs {
		if len(s.Nodes) == 0 || len(topicsOf(s)) == 0 {
			continue
		}
		r := find(i)
		if _, ok := members[r]; !ok {
			roots = append(roots, r)
		}
		members[r] = append(members[r], s)
	}
	sort.Ints(roots)
	order := map[string]int{}
	for i, t := range p.topics {
		order[t] = i
	}
	var out []*unit
	for _, r := range roots {
		u := &unit{index: len(out), topo: o.Topology.View(members[r]...)}
		u.name = u.topo.SubTopologies()[0].Name
		u.stateful = stateful(u.topo)
		for _, s := range members[r] {
			for _, t := range topicsOf(s) {
				if _, ok := p.groups[t]; ok {
					continue
				}
				p.groups[t] = u.index
				u.topics = append(u.topics, t)
				if !p.sources[t][0].repartition {
					u.sources = append(u.sources, t)
				}
			}
		}
		for _, n := range u.topo.Nodes() {
			if n.Role == topology.RoleRepartition && len(n.Parents) > 0 {
				u.writes = append(u.writes, p.sinks[n.Info.Name])
			}
		}
		sort.Slice(u.topics, func(i, j int) bool { return order[u.topics[i]] < order[u.topics[j]] })
		sort.Slice(u.sources, func(i, j int) bool { return order[u.sources[i]] < order[u.sources[j]] })
		out = append(out, u)
	}
	return out
}

// consumed returns the topics some unit consumes, in topic order.
func (p *plan) consumed() []string {
	var out []string
	for _, t := range p.topics {
		if _, ok := p.groups[t]; ok {
			out = append(out, t)
		}
	}
	return out
}

// TaskTopologies returns the topologies the worker's tasks run for app:
// one per unit (a sub-topology, or several whose source streams share a
// topic), in topic-group order. Their Stores are the stores whose
// changelog topics are "<app>-<store>-changelog"; `eventflux state`
// reads them through this, so it names every store as the worker does.
func TaskTopologies(app string, t *topology.Topology, bindings map[string]topology.Binding) ([]*topology.Topology, error) {
	p, err := newPlan(&Options{App: app, Topology: t, Bindings: bindings})
	if err != nil {
		return nil, err
	}
	out := make([]*topology.Topology, len(p.units))
	for i, u := range p.units {
		out[i] = u.topo
	}
	return out, nil
}
