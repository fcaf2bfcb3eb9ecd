package topology

import "github.com/eventflux-io/eventflux-go/statestore"

// Processor is one operator of a topology. A task creates its own instance
// of every processor (through the supplier given to the Builder), calls
// Init once, then Process for each input event, in order, on one goroutine.
//
// An event passed to Process or Forward is immutable from then on: a
// processor that needs to change values makes a new Event (or Clone).
type Processor interface {
	// Init is called once before the first event, with the processor's
	// context.
	Init(ctx Context) error
	// Process handles one event from a parent node.
	Process(ev *Event) error
	// Close releases resources. It is called once, after the last event.
	Close() error
}

// Punctuator is implemented by processors that act on the passage of
// stream time (windows closing, deadlines firing). The task calls
// Punctuate, in topological order, each time stream time advances, before
// it processes the event that advanced it.
type Punctuator interface {
	Punctuate(streamTime int64) error
}

// Context is a processor's view of its task.
type Context interface {
	// Forward sends ev to every child of this node, depth first.
	Forward(ev *Event) error
	// StreamTime returns the task's stream time: the largest event time
	// processed so far (or reached by a watermark), NoTime before any.
	// It is restored with the state: during Init of a task created over
	// committed state it is already the stream time of the last Commit.
	StreamTime() int64
	// Store returns the key-value store name of this node, which its
	// NodeInfo.Stores must declare; in the task's state it is called
	// StoreName(NodeName(), name).
	Store(name string) (statestore.KeyValue, error)
	// WindowStore returns the declared windowed store name of this node.
	WindowStore(name string) (statestore.Windowed, error)
	// NodeName returns the name of the node this context belongs to.
	NodeName() string
	// Late reports that the processor dropped ev because it arrived too
	// late (a window whose windows all closed, end + grace <= stream
	// time); reason says why, e.g. "window closed at 1970-01-01T00:00:01Z".
	// The processor still counts the event itself. The task hands it to
	// TaskOptions.OnLate, if set, synchronously: the runtime dead-letters
	// it with the input record being processed. ev may be retained.
	Late(ev *Event, reason string)
}

// NoTime is the stream time of a task that has seen no event yet.
const NoTime int64 = -1 << 63

// ProcessorFunc adapts a stateless function to a Processor: fn receives
// the context (for Forward) and the event.
type ProcessorFunc func(ctx Context, ev *Event) error

// Supplier returns a Builder supplier creating a stateless Processor that
// runs fn.
func (fn ProcessorFunc) Supplier() func() Processor {
	return func() Processor { return &funcProcessor{fn: fn} }
}

type funcProcessor struct {
	fn  ProcessorFunc
	ctx Context
}

func (p *funcProcessor) Init(ctx Context) error  { p.ctx = ctx; return nil }
func (p *funcProcessor) Process(ev *Event) error { return p.fn(p.ctx, ev) }
func (p *funcProcessor) Close() error            { return nil }
