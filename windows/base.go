package windows

import (
	"time"

	"github.com/eventflux-io/eventflux-go/topology"
)

// Counters are a window's dropped-event counters. Late events are also
// reported as they are dropped through topology.Context.Late, which the
// runtime turns into metrics and, optionally, dead letters.
type Counters struct {
	// Late counts events a Kafka-style window (tumbling, hopping, session)
	// dropped because every window they belong to had already closed
	// (stream time reached its end plus grace).
	Late int64
	// NoTime counts events an externalTime or externalTimeBatch window
	// dropped because their time attribute was NULL.
	NoTime int64
}

// Counted is implemented by every window processor (see docs/windows.md,
// "Late events").
type Counted interface {
	Counters() Counters
}

// item is one event held by a window: its event time, its arrival number
// within the window (the key of its stored copy) and its values. The
// values slice is shared with the (immutable) input event, never written.
type item struct {
	ts   int64
	seq  uint64
	vals []topology.Value
}

// base is the part every window processor shares: its context, its
// counters and an allocator for the events it forwards.
type base struct {
	ctx      topology.Context
	counters Counters
	chunk    []topology.Event
}

// Init implements topology.Processor.
func (b *base) Init(ctx topology.Context) error { b.ctx = ctx; return nil }

// Close implements topology.Processor.
func (b *base) Close() error { return nil }

// Counters implements Counted.
func (b *base) Counters() Counters { return b.counters }

// late counts ev as late and reports it to the task: every window it
// belongs to closed at closedAt (end + grace, epoch ms).
func (b *base) late(ev *topology.Event, closedAt int64) {
	b.counters.Late++
	b.ctx.Late(ev, "window closed at "+FormatTime(closedAt))
}

// FormatTime renders an epoch-millisecond time as RFC 3339 in UTC with
// milliseconds, as late-event reasons do.
func FormatTime(ms int64) string {
	return time.UnixMilli(ms).UTC().Format("2006-01-02T15:04:05.000Z07:00")
}

// emit forwards a new event of kind at ts holding vals. Events come from
// chunks so that a window producing many events allocates rarely.
func (b *base) emit(kind topology.EventKind, ts int64, vals []topology.Value) error {
	if len(b.chunk) == 0 {
		b.chunk = make([]topology.Event, 128)
	}
	ev := &b.chunk[0]
	b.chunk = b.chunk[1:]
	ev.TS, ev.Kind, ev.Values = ts, kind, vals
	return b.ctx.Forward(ev)
}

// arrive forwards an arriving event as current: ev itself when it already
// is one (events are immutable, so it can be passed on), else a copy.
func (b *base) arrive(ev *topology.Event) error {
	if ev.Kind == topology.Current {
		return b.ctx.Forward(ev)
	}
	return b.emit(topology.Current, ev.TS, ev.Values)
}

// expire forwards it as expired at the current stream time.
func (b *base) expire(it item) error {
	return b.emit(topology.Expired, b.ctx.StreamTime(), it.vals)
}

// expireAt forwards it as expired at ts.
func (b *base) expireAt(ts int64, it item) error {
	return b.emit(topology.Expired, ts, it.vals)
}

// current forwards it as a current event with its own time.
func (b *base) current(it item) error {
	return b.emit(topology.Current, it.ts, it.vals)
}

// batchEnd forwards the BatchEnd marker of a batch ending at ts.
func (b *base) batchEnd(ts int64) error {
	return b.ctx.Forward(&topology.Event{TS: ts, Kind: topology.BatchEnd})
}

// flushBatch forwards a closing batch per the batch contract: prev as
// expired (at stream time), cur as current, then BatchEnd at end. Nothing
// is forwarded when both are empty.
func (b *base) flushBatch(prev, cur []item, end int64) error {
	if len(prev) == 0 && len(cur) == 0 {
		return nil
	}
	for _, it := range prev {
		if err := b.expire(it); err != nil {
			return err
		}
	}
	for _, it := range cur {
		if err := b.current(it); err != nil {
			return err
		}
	}
	return b.batchEnd(end)
}

func itemOf(ev *topology.Event) item { return item{ts: ev.TS, vals: ev.Values} }

// isMarker reports whether ev is a BatchEnd marker, which windows ignore
// (a window never reads another window's output directly).
func isMarker(ev *topology.Event) bool { return ev.Kind == topology.BatchEnd }
