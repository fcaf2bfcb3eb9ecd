package runtime

import (
	"fmt"

	"github.com/eventflux-io/eventflux-go/internal/serde"
	"github.com/eventflux-io/eventflux-go/topology"
)

// plan is what the worker derives from the topology and bindings once:
// which topics feed which streams, and how each sink is written.
type plan struct {
	// topics are the source topics in topic order (the tie-break order of
	// the timestamp merge).
	topics []string
	// sources maps a source topic to the streams it feeds, in topology
	// order.
	sources map[string][]sourceSpec
	// sinks maps an output stream with a topic to its writer.
	sinks map[string]*sink
	// sinkTopics lists the sink topics (deduplicated).
	sinkTopics []string
	// dlqPartitions is the dead-letter topic's partition count.
	dlqPartitions int
}

type sourceSpec struct {
	stream  string
	schema  *topology.Schema
	binding topology.Binding
}

// sink writes one output stream.
type sink struct {
	topic      string
	value      *serde.Encoder
	key        *serde.KeyEncoder
	partitions int // set once topics are ensured
}

func (o *Options) binding(n *topology.Node) topology.Binding {
	if b, ok := o.Bindings[n.Info.Name]; ok {
		return b
	}
	return n.Binding
}

func newPlan(o *Options) (*plan, error) {
	p := &plan{sources: map[string][]sourceSpec{}, sinks: map[string]*sink{}}
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
	seen := map[string]bool{}
	for _, n := range o.Topology.Outputs() {
		b := o.binding(n)
		if b.Topic == "" {
			continue
		}
		if _, isSource := p.sources[b.Topic]; isSource {
			return nil, fmt.Errorf("runtime: stream %s writes to topic %s, which is also a source topic", n.Info.Name, b.Topic)
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
	return p, nil
}
