package topology

import (
	"encoding/binary"
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
	// State holds the task's stores and checkpoint. NewTask opens every
	// store of the topology in it and the processors restore their state
	// from it in Init, so a task created over the committed state of an
	// earlier one continues where that one's last Commit left off. The
	// task does not close it. Default: a fresh direct in-memory state
	// (memstore.NewProvider), the replay configuration: writes apply at
	// once, nothing is batched, and processors keep state in memory until
	// a Flush that replay never asks for.
	State statestore.TaskState
	// Emit is called for each event inserted into a stream by a query.
	// Default: events are dropped after flowing to downstream queries.
	Emit EmitFunc
	// OnLate is called, during Process, for each event a processor drops
	// as late (Context.Late), with the processor's node name and the
	// reason. Default: late events are only counted by their processor.
	OnLate LateFunc
	// RemoteRepartitions makes repartition streams real topics: an event
	// a query inserts into one is only emitted (the runtime produces it
	// to the topic), and its readers get events only through Process on
	// the repartition stream (the runtime consuming the topic). Default
	// false: a repartition stream is a pass-through, as in replay.
	RemoteRepartitions bool
}

// LateFunc receives an event processor node dropped as late, see
// Context.Late.
type LateFunc func(node string, ev *Event, reason string)

// Task runs one instance of a topology: it owns the processor instances,
// their stores and the stream time of one partition (group). A Task is not
// safe for concurrent use; one goroutine drives it.
//
// # Commit protocol (with statestore.TaskState)
//
// At each commit interval the runtime calls Flush, which makes every
// processor write its cached state into its stores and records the
// stream time; then it produces State().AppendChangelog's records with
// the outputs in the Kafka transaction, commits the transaction, and
// calls Commit with the input and changelog offsets, which applies the
// batch and the checkpoint (stream time included) in one atomic write.
// After an abort the processors are ahead of the stores: Close the task,
// Abort the state and create a new Task over it, which restores from the
// committed data and resumes from Checkpoint().Inputs.
type Task struct {
	topo       *Topology
	opts       TaskOptions
	nodes      map[string]*taskNode
	punct      []*taskNode // punctuating processors, topological order
	flush      []Flusher   // write-back processors, topological order
	meta       statestore.KeyValue
	streamTime int64
	// flushedTime is the stream time the task store holds.
	flushedTime int64
	closed      bool
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

// streamTimeKey is the key of the stream time in the task store.
var streamTimeKey = []byte("streamTime")

// NewTask creates the processors of t over opts.State: it opens every
// store, restores the stream time (the later of the checkpoint's and the
// task store's), initialises the processors in topological order (each
// restores its state from its stores) and then lets Restorer processors
// rebuild derived state from their Replayer parents.
func NewTask(t *Topology, opts TaskOptions) (*Task, error) {
	if opts.State == nil {
		opts.State = memstore.NewProvider()
	}
	if err := t.OpenStores(opts.State); err != nil {
		return nil, err
	}
	task := &Task{topo: t, opts: opts, nodes: make(map[string]*taskNode, len(t.nodes))}
	if err := task.restoreTime(); err != nil {
		return nil, err
	}
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
		if f, ok := tn.proc.(Flusher); ok {
			task.flush = append(task.flush, f)
		}
	}
	if err := task.restoreDerived(); err != nil {
		return nil, err
	}
	return task, nil
}

// restoreTime reads the stream time of the state.
func (t *Task) restoreTime() error {
	kv, err := t.opts.State.Open(t.topo.TaskStore())
	if err != nil {
		return fmt.Errorf("topology: open task store: %w", err)
	}
	t.meta = kv
	t.streamTime = t.opts.State.Checkpoint().StreamTime
	raw, ok, err := kv.Get(streamTimeKey)
	if err != nil {
		return fmt.Errorf("topology: read stream time: %w", err)
	}
	if ok {
		ts, n := binary.Varint(raw)
		if n <= 0 {
			return fmt.Errorf("topology: task store: %w", ErrBadEncoding)
		}
		t.streamTime = max(t.streamTime, ts)
	}
	t.flushedTime = t.streamTime
	return nil
}

// restoreDerived calls Restore on every Restorer, in topological order.
func (t *Task) restoreDerived() error {
	for _, name := range t.topo.order {
		tn := t.nodes[name]
		r, ok := tn.proc.(Restorer)
		if !ok {
			continue
		}
		replay := func(fn func(*Event) error) error {
			for _, p := range tn.node.Parents {
				if rp, ok := t.nodes[p].proc.(Replayer); ok {
					if err := rp.Replay(fn); err != nil {
						return fmt.Errorf("replay %s: %w", p, err)
					}
				}
			}
			return nil
		}
		if err := r.Restore(replay); err != nil {
			return fmt.Errorf("topology: restore %s: %w", name, err)
		}
	}
	return nil
}

// State returns the task's state (TaskOptions.State or the default).
func (t *Task) State() statestore.TaskState { return t.opts.State }

// Flush makes every Flusher processor write its cached state into its
// stores, in topological order, and records the stream time in the task
// store. Afterwards the state's pending batch holds everything since the
// last Commit: the runtime produces its changelog records then.
func (t *Task) Flush() error {
	if t.closed {
		return errors.New("topology: task closed")
	}
	for _, f := range t.flush {
		if err := f.Flush(); err != nil {
			return fmt.Errorf("topology: flush: %w", err)
		}
	}
	if t.streamTime != t.flushedTime {
		if err := t.meta.Put(streamTimeKey, binary.AppendVarint(nil, t.streamTime)); err != nil {
			return fmt.Errorf("topology: flush stream time: %w", err)
		}
		t.flushedTime = t.streamTime
	}
	return nil
}

// Commit flushes (a no-op when nothing happened since the last Flush)
// and commits the state with cp, whose StreamTime it sets to the task's
// stream time: the batch and the checkpoint land in one atomic write.
func (t *Task) Commit(cp statestore.Checkpoint) error {
	if err := t.Flush(); err != nil {
		return err
	}
	cp.StreamTime = t.streamTime
	if err := t.opts.State.Commit(cp); err != nil {
		return fmt.Errorf("topology: commit: %w", err)
	}
	return nil
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
	if tn.node.Role == RoleRepartition && tn.task.opts.RemoteRepartitions {
		return nil
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
	if err := tn.declared(name, statestore.KindKeyValue); err != nil {
		return nil, err
	}
	return tn.task.opts.State.Open(StoreName(tn.node.Info.Name, name))
}

// WindowStore implements Context.
func (tn *taskNode) WindowStore(name string) (statestore.Windowed, error) {
	if err := tn.declared(name, statestore.KindWindowed); err != nil {
		return nil, err
	}
	return tn.task.opts.State.OpenWindowed(StoreName(tn.node.Info.Name, name))
}

func (tn *taskNode) declared(name string, kind statestore.Kind) error {
	for _, s := range tn.node.Info.Stores {
		if s.Name == name {
			if s.Kind != kind {
				return fmt.Errorf("topology: node %s declares store %q as %s, not %s", tn.node.Info.Name, name, s.Kind, kind)
			}
			return nil
		}
	}
	return fmt.Errorf("topology: node %s does not declare store %q", tn.node.Info.Name, name)
}

// Late implements Context.
func (tn *taskNode) Late(ev *Event, reason string) {
	if fn := tn.task.opts.OnLate; fn != nil {
		fn(tn.node.Info.Name, ev, reason)
	}
}

// NodeName implements Context.
func (tn *taskNode) NodeName() string { return tn.node.Info.Name }
