package topology

import (
	"errors"
	"fmt"

	"github.com/eventflux-io/eventflux-go/statestore"
	"github.com/eventflux-io/eventflux-go/statestore/memstore"
)

// EmitFunc receives every event a query inserts into a stream, in emission
// order.
type EmitFunc func(stream string, ev *Event) error

// TaskOptions configures a Task.
type TaskOptions struct {
	// Stores opens the task's state stores. Default: a fresh in-memory
	// provider.
	Stores statestore.Provider
	// Emit is called for each event inserted into a stream by a query.
	// Default: events are dropped after flowing to downstream queries.
	Emit EmitFunc
}

// Task runs one instance of a topology: it owns the processor instances,
// their stores and the stream time of one partition (group). A Task is not
// safe for concurrent use; one goroutine drives it.
type Task struct {
	topo       *Topology
	opts       TaskOptions
	nodes      map[string]*taskNode
	punct      []*taskNode // punctuating processors, topological order
	streamTime int64
	closed     bool
	// last caches the most recent Process lookup: inputs usually arrive
	// on one stream, and a string compare beats a map lookup per event.
	last     *taskNode
	lastName string
}

// taskNode is a node's per-task runtime: its processor instance (nil for
// streams) and resolved children. It is also the processor's Context.
type taskNode struct {
	task     *Task
	node     *Node
	proc     Processor
	children []*taskNode
}

// NewTask creates the processors of t and initialises them in topological
// order.
func NewTask(t *Topology, opts TaskOptions) (*Task, error) {
	if opts.Stores == nil {
		opts.Stores = memstore.NewProvider()
	}
	task := &Task{topo: t, opts: opts, nodes: make(map[string]*taskNode, len(t.nodes)), streamTime: NoTime}
	for _, name := range t.order {
		n := t.nodes[name]
		tn := &taskNode{task: task, node: n}
		if n.Kind == ProcessorNode {
			tn.proc = n.New()
		}
		task.nodes[name] = tn
	}
	for _, name := range t.order {
		tn := task.nodes[name]
		for _, c := range tn.node.Children {
			tn.children = append(tn.children, task.nodes[c])
		}
	}
	for _, name := range t.order {
		tn := task.nodes[name]
		if tn.proc == nil {
			continue
		}
		if err := tn.proc.Init(tn); err != nil {
			return nil, fmt.Errorf("topology: init %s: %w", name, err)
		}
		if _, ok := tn.proc.(Punctuator); ok {
			task.punct = append(task.punct, tn)
		}
	}
	return task, nil
}

// Topology returns the topology the task runs.
func (t *Task) Topology() *Topology { return t.topo }

// StreamTime returns the largest event time processed or advanced to, or
// NoTime.
func (t *Task) StreamTime() int64 { return t.streamTime }

// Process feeds one input event into the stream called stream. If the
// event's time is past stream time, stream time advances first (and
// punctuators run) before the event is processed. An older event is
// processed as a late event without moving time back.
func (t *Task) Process(stream string, ev *Event) error {
	if t.closed {
		return errors.New("topology: task closed")
	}
	tn := t.last
	if tn == nil || stream != t.lastName {
		tn = t.nodes[stream]
		if tn == nil || tn.node.Kind != StreamNode {
			return fmt.Errorf("topology: unknown stream %q", stream)
		}
		t.last, t.lastName = tn, stream
	}
	if err := t.Advance(ev.TS); err != nil {
		return err
	}
	return tn.forward(ev)
}

// Advance moves stream time to ts (a watermark) if ts is later, running
// every punctuator. It never moves time backwards.
func (t *Task) Advance(ts int64) error {
	if ts <= t.streamTime {
		return nil
	}
	t.streamTime = ts
	for _, tn := range t.punct {
		if err := tn.proc.(Punctuator).Punctuate(ts); err != nil {
			return fmt.Errorf("topology: punctuate %s: %w", tn.node.Info.Name, err)
		}
	}
	return nil
}

// Close closes every processor, in topological order, and returns the
// first error.
func (t *Task) Close() error {
	if t.closed {
		return nil
	}
	t.closed = true
	var first error
	for _, name := range t.topo.order {
		if p := t.nodes[name].proc; p != nil {
			if err := p.Close(); err != nil && first == nil {
				first = fmt.Errorf("topology: close %s: %w", name, err)
			}
		}
	}
	return first
}

// deliver hands ev to this node: a stream node emits it (when a query
// inserted it) and passes it on; a processor processes it.
func (tn *taskNode) deliver(ev *Event) error {
	if tn.proc != nil {
		return tn.proc.Process(ev)
	}
	if emit := tn.task.opts.Emit; emit != nil {
		if err := emit(tn.node.Info.Name, ev); err != nil {
			return err
		}
	}
	return tn.forward(ev)
}

func (tn *taskNode) forward(ev *Event) error {
	for _, c := range tn.children {
		if err := c.deliver(ev); err != nil {
			return err
		}
	}
	return nil
}

// Forward implements Context.
func (tn *taskNode) Forward(ev *Event) error { return tn.forward(ev) }

// StreamTime implements Context.
func (tn *taskNode) StreamTime() int64 { return tn.task.streamTime }

// Store implements Context.
func (tn *taskNode) Store(name string) (statestore.KeyValue, error) {
	return tn.task.opts.Stores.Open(name)
}

// NodeName implements Context.
func (tn *taskNode) NodeName() string { return tn.node.Info.Name }
