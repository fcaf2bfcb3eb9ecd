package topologytest

import (
	"errors"
	"fmt"

	"github.com/eventflux-io/eventflux-go/sqlc/diag"
	"github.com/eventflux-io/eventflux-go/statestore"
	"github.com/eventflux-io/eventflux-go/statestore/memstore"
	"github.com/eventflux-io/eventflux-go/topology"
)

// Output is one event a query inserted into a stream.
type Output struct {
	Stream string
	Event  *topology.Event
}

// String renders the output as "Stream@ts(v1, v2)" for test messages.
func (o Output) String() string {
	s := fmt.Sprintf("%s@%d(", o.Stream, o.Event.TS)
	for i, v := range o.Event.Values {
		if i > 0 {
			s += ", "
		}
		s += v.String()
	}
	return s + ")"
}

// Option configures a Driver.
type Option func(*config)

type config struct {
	state    statestore.TaskState
	onOutput func(Output) error
}

// WithState sets the task's state (topology.TaskOptions.State): the
// driver's task restores from it and Commit commits it. Default: a fresh
// direct memstore (memstore.NewProvider). The driver does not close it.
func WithState(s statestore.TaskState) Option {
	return func(c *config) { c.state = s }
}

// OnOutput makes the driver hand each output to fn as it is emitted
// instead of recording it; Outputs then stays empty. An error from fn
// aborts the Send or Advance that produced the output. Default: outputs
// are recorded for Outputs and TakeOutputs.
func OnOutput(fn func(Output) error) Option {
	return func(c *config) { c.onOutput = fn }
}

// Driver runs one task of a topology synchronously. It is not safe for
// concurrent use.
type Driver struct {
	topo    *topology.Topology
	task    *topology.Task
	outputs []Output
	streams []string
	closed  bool
}

// New creates a driver running t, initialising every processor.
func New(t *topology.Topology, opts ...Option) (*Driver, error) {
	cfg := config{}
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.state == nil {
		cfg.state = memstore.NewProvider()
	}
	d := &Driver{topo: t}
	for _, n := range t.Nodes() {
		if n.Kind == topology.StreamNode {
			d.streams = append(d.streams, n.Info.Name)
		}
	}
	emit := func(stream string, ev *topology.Event) error {
		d.outputs = append(d.outputs, Output{Stream: stream, Event: ev})
		return nil
	}
	if cfg.onOutput != nil {
		fn := cfg.onOutput
		emit = func(stream string, ev *topology.Event) error { return fn(Output{Stream: stream, Event: ev}) }
	}
	// Repartition topics and inner streams are plumbing, not outputs: in
	// one task they simply pass events on.
	plumbing := map[string]bool{}
	for _, n := range t.Nodes() {
		if n.Kind == topology.StreamNode && n.Role != topology.RoleStream {
			plumbing[n.Info.Name] = true
		}
	}
	if len(plumbing) > 0 {
		app := emit
		emit = func(stream string, ev *topology.Event) error {
			if plumbing[stream] {
				return nil
			}
			return app(stream, ev)
		}
	}
	task, err := topology.NewTask(t, topology.TaskOptions{State: cfg.state, Emit: emit})
	if err != nil {
		return nil, fmt.Errorf("topologytest: %w", err)
	}
	d.task = task
	return d, nil
}

// Topology returns the topology the driver runs.
func (d *Driver) Topology() *topology.Topology { return d.topo }

// Streams returns the names of every stream of the topology, in
// topological order.
func (d *Driver) Streams() []string { return d.streams }

// Send processes an event at ts with the given values (in schema order)
// on stream. It checks the values against the stream's schema first.
func (d *Driver) Send(stream string, ts int64, values ...topology.Value) error {
	return d.SendEvent(stream, topology.NewEvent(ts, values...))
}

// SendEvent processes ev on stream: stream time advances to ev.TS first if
// it is later (running punctuators), then the event flows through every
// query reading the stream. The values must match the schema: as many as
// it has attributes, each NULL or of the attribute's type. ev must not be
// modified afterwards.
func (d *Driver) SendEvent(stream string, ev *topology.Event) error {
	if d.closed {
		return errors.New("topologytest: driver closed")
	}
	schema, err := d.schema(stream)
	if err != nil {
		return err
	}
	if err := checkValues(schema, ev.Values); err != nil {
		return err
	}
	return d.task.Process(stream, ev)
}

// Advance moves stream time to ts, as a watermark does; windows close and
// deadlines fire. Time never moves back: an earlier ts does nothing.
func (d *Driver) Advance(ts int64) error {
	if d.closed {
		return errors.New("topologytest: driver closed")
	}
	return d.task.Advance(ts)
}

// StreamTime returns the largest event time processed or advanced to, or
// topology.NoTime.
func (d *Driver) StreamTime() int64 { return d.task.StreamTime() }

// Task returns the driver's task.
func (d *Driver) Task() *topology.Task { return d.task }

// Flush flushes the task's processors into its state (topology.Task.Flush).
func (d *Driver) Flush() error { return d.task.Flush() }

// Commit flushes and commits the task's state with cp
// (topology.Task.Commit).
func (d *Driver) Commit(cp statestore.Checkpoint) error { return d.task.Commit(cp) }

// Outputs returns the outputs recorded so far, in emission order. The
// slice is the driver's: do not modify it.
func (d *Driver) Outputs() []Output { return d.outputs }

// TakeOutputs returns the outputs recorded so far and forgets them.
func (d *Driver) TakeOutputs() []Output {
	out := d.outputs
	d.outputs = nil
	return out
}

// Close closes the task's processors. Closing twice is a no-op.
func (d *Driver) Close() error {
	if d.closed {
		return nil
	}
	d.closed = true
	return d.task.Close()
}

func (d *Driver) schema(stream string) (*topology.Schema, error) {
	if s := d.topo.Stream(stream); s != nil {
		return s, nil
	}
	msg := fmt.Sprintf("topologytest: unknown stream %q", stream)
	if hint := diag.DidYouMean(stream, d.streams); hint != "" {
		msg += "; " + hint
	}
	return nil, errors.New(msg)
}

// checkValues reports values that do not fit schema.
func checkValues(schema *topology.Schema, values []topology.Value) error {
	if len(values) != schema.Len() {
		return fmt.Errorf("topologytest: %s takes %d values, got %d", schema, schema.Len(), len(values))
	}
	for i, v := range values {
		if a := schema.Attrs[i]; !v.IsNull() && v.Kind() != a.Type {
			return fmt.Errorf("topologytest: %s.%s is %s, got %s %s", schema.Name, a.Name, a.Type, v.Kind(), v)
		}
	}
	return nil
}
