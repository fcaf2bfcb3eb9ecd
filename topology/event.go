package topology

// EventKind tells whether an event is arriving (current) or leaving a
// window (expired). INSERT [CURRENT|EXPIRED|ALL] EVENTS selects on it.
type EventKind uint8

// Event kinds.
const (
	Current EventKind = iota
	Expired
)

// String returns "current" or "expired".
func (k EventKind) String() string {
	if k == Expired {
		return "expired"
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
