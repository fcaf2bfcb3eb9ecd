package topology

// EventAlloc hands out Events and their value slices from chunks, so an
// operator producing one event per input pays one allocation per chunk
// instead of two per event. Events it returns are independent: they may be
// retained or forwarded like any other. It is not safe for concurrent use.
type EventAlloc struct {
	events []Event
	values []Value
}

const allocChunk = 256

// New returns a current event at ts with n NULL values.
func (a *EventAlloc) New(ts int64, n int) *Event {
	if len(a.events) == 0 {
		a.events = make([]Event, allocChunk)
	}
	if len(a.values) < n {
		a.values = make([]Value, max(n*allocChunk, 1024))
	}
	ev := &a.events[0]
	a.events = a.events[1:]
	ev.TS, ev.Kind = ts, Current
	ev.Values = a.values[:n:n]
	a.values = a.values[n:]
	return ev
}
