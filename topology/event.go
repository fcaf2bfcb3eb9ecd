package topology

// EventKind tells whether an event is arriving (current) or leaving a
// window (expired), or marks the end of a batch. INSERT [CURRENT|EXPIRED|
// ALL] EVENTS selects on it.
//
// The contract between a window and the select stage after it:
//   - A sliding window (and no window) forwards, per arrival, the events
//     it expires (Expired, TS = the stream time at which they expired),
//     then the arriving event (Current). The sort window forwards the
//     current event before the one it evicts, as Siddhi does.
//   - A batch window (lengthBatch, timeBatch, externalTimeBatch, tumbling,
//     hopping, session, cron) forwards, when a batch closes, the previous
//     batch's events as Expired, then the closing batch's events as
//     Current, then one BatchEnd marker (no values, TS = the batch's end
//     time). The select stage emits a batch's rows when it sees BatchEnd.
type EventKind uint8

// Event kinds.
const (
	Current EventKind = iota
	Expired
	// BatchEnd is a marker, not an event: it closes the batch a batch
	// window just forwarded. It carries no values and is never output.
	BatchEnd
)

// String returns "current", "expired" or "batch-end".
func (k EventKind) String() string {
	switch k {
	case Expired:
		return "expired"
	case BatchEnd:
		return "batch-end"
	}
	return "current"
}

// Event is one record flowing through a topology: its event time in epoch
// milliseconds, its kind, and its attribute values in schema order.
type Event struct {
	TS     int64
	Kind   EventKind
	Values []Value
}

// NewEvent returns a current event at ts holding values (not copied).
func NewEvent(ts int64, values ...Value) *Event {
	return &Event{TS: ts, Values: values}
}

// Clone returns a deep copy of e whose Values slice is its own.
func (e *Event) Clone() *Event {
	c := *e
	c.Values = append([]Value(nil), e.Values...)
	return &c
}
