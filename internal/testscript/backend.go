package testscript

import "github.com/eventflux-io/eventflux-go/topology"

// Backend runs the applications of a script. Memory runs them in process;
// an integration backend runs them through the Kafka worker. A Backend is
// driven by one goroutine.
type Backend interface {
	// Compile loads a new application from src, replacing the previous one
	// with all its state and undelivered outputs. file names the source in
	// errors; lookupEnv resolves ${NAME} references. A rejected app returns
	// the compiler's error (an sqlc.ErrorList for SQL at fault).
	Compile(file, src string, lookupEnv func(string) (string, bool)) error
	// Schema returns the schema of a stream of the loaded app, or nil.
	Schema(stream string) *topology.Schema
	// Send feeds one event, its attributes given as a JSON object, into a
	// stream at event time ts (unless the stream takes event time from a
	// timestamp attribute).
	Send(stream string, ts int64, data []byte) error
	// Advance moves stream time to ts with no event (a watermark).
	Advance(ts int64) error
	// Outputs returns the events queries have inserted into streams since
	// the last call, in emission order, and forgets them.
	Outputs() []Output
	// Close releases the loaded app.
	Close() error
}

// Output is one event a query inserted into a stream.
type Output struct {
	Stream string
	TS     int64
	Kind   topology.EventKind
	// Schema is the stream's schema; Values are in its attribute order.
	Schema *topology.Schema
	Values []topology.Value
}

// String renders the output as a script would expect it:
// `Alerts at 10000 {"symbol":"IBM","p":151.0}` (plus ` (expired)`).
func (o Output) String() string {
	s := o.Stream + " at " + formatTS(o.TS) + " " + formatValues(o.Schema, o.Values)
	if o.Kind == topology.Expired {
		s += " (expired)"
	}
	return s
}
