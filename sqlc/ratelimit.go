package sqlc

import (
	"github.com/eventflux-io/eventflux-go/sqlc/ast"
	"github.com/eventflux-io/eventflux-go/topology"
)

// emitter takes the rows a select stage produces through ORDER BY,
// OFFSET, LIMIT and the OUTPUT rate limit to the target stream.
type emitter struct {
	cfg  *aggConfig
	ctx  topology.Context
	lim  limiter
	snap *snapshot // OUTPUT SNAPSHOT replaces lim
}

func newEmitter(cfg *aggConfig, ctx topology.Context, alloc *topology.EventAlloc) emitter {
	e := emitter{cfg: cfg, ctx: ctx}
	fwd := ctx.Forward
	o := cfg.output
	switch {
	case o == nil:
		e.lim = passThrough(fwd)
	case o.Mode == ast.OutputSnapshot:
		e.snap = &snapshot{cfg: cfg, every: o.Every, fwd: fwd, alloc: alloc, idx: map[string]int{}, rows: rowList{id: 's'}}
	case o.Events > 0:
		e.lim = eventLimiter(o.Mode, o.Events, fwd)
	default:
		e.lim = timeLimiter(o.Mode, o.Every, fwd)
	}
	return e
}

// one emits the row of one event: a batch of one row, which OFFSET >= 1
// or LIMIT 0 remove.
func (e *emitter) one(r row) error {
	if e.cfg.offset > 0 || e.cfg.limit == 0 {
		return nil
	}
	return e.lim.row(r)
}

// batch emits the rows of one batch.
func (e *emitter) batch(rows []row) error {
	if e.snap != nil {
		at := e.ctx.StreamTime()
		if len(rows) > 0 {
			at = rows[0].ev.TS
			for _, r := range rows {
				at = max(at, r.ev.TS)
			}
		}
		return e.snap.replace(rows, at)
	}
	for _, r := range e.cfg.arrange(rows) {
		if err := e.lim.row(r); err != nil {
			return err
		}
	}
	return nil
}

// flush writes the limiter's or snapshot's changes to st and appends its
// scalars to m.
func (e *emitter) flush(st *selectStore, m *metaBuf) error {
	if e.snap != nil {
		return e.snap.flush(st, m)
	}
	return e.lim.flush(st, m)
}

// restore loads what flush wrote; m holds the scalars, or nothing when
// the store has no meta record (a fresh state).
func (e *emitter) restore(st *selectStore, m *metaBuf) error {
	if e.snap != nil {
		return e.snap.restore(st, m)
	}
	return e.lim.restore(st, m)
}

// tick closes the time-based periods that end at or before streamTime.
func (e *emitter) tick(streamTime int64) error {
	if e.snap != nil {
		return e.snap.flushUntil(streamTime)
	}
	return e.lim.tick(streamTime)
}

// limiter is an OUTPUT rate limit (Siddhi's OutputRateLimiter). row takes
// the rows in emission order; tick is called as stream time advances.
// Rows not yet forwarded belong to the limiter, which may set their time.
// flush and restore keep its state in the select stage's store: buffered
// rows as a rowList, per-group state as keyedCounts, scalars in meta.
type limiter interface {
	row(r row) error
	tick(streamTime int64) error
	flush(st *selectStore, m *metaBuf) error
	restore(st *selectStore, m *metaBuf) error
}

// passThrough is the absence of a rate limit.
type passThrough func(*topology.Event) error

func (f passThrough) row(r row) error                      { return f(r.ev) }
func (f passThrough) tick(int64) error                     { return nil }
func (f passThrough) flush(*selectStore, *metaBuf) error   { return nil }
func (f passThrough) restore(*selectStore, *metaBuf) error { return nil }

func eventLimiter(mode ast.OutputMode, n int64, fwd func(*topology.Event) error) limiter {
	switch mode {
	case ast.OutputFirst:
		return &firstEvents{n: n, fwd: fwd, seen: newKeyedCounts()}
	case ast.OutputLast:
		return &lastEvents{n: n, fwd: fwd, idx: map[string]int{}, buf: rowList{id: 'a'}}
	}
	return &allEvents{n: n, fwd: fwd, buf: rowList{id: 'a'}}
}

func timeLimiter(mode ast.OutputMode, every int64, fwd func(*topology.Event) error) limiter {
	switch mode {
	case ast.OutputFirst:
		return &firstTime{every: every, fwd: fwd, seen: newKeyedCounts()}
	case ast.OutputLast:
		return &lastTime{bufTime: bufTime{every: every, fwd: fwd, buf: rowList{id: 'a'}}, idx: map[string]int{}}
	}
	return &allTime{bufTime{every: every, fwd: fwd, buf: rowList{id: 'a'}}}
}

// allEvents is OUTPUT ALL EVERY n EVENTS: every n rows are emitted
// together when the n-th arrives.
type allEvents struct {
	n, count int64
	buf      rowList
	fwd      func(*topology.Event) error
}

func (l *allEvents) row(r row) error {
	l.buf.add(r)
	if l.count++; l.count < l.n {
		return nil
	}
	l.count = 0
	return flush(&l.buf, l.fwd)
}

func (l *allEvents) tick(int64) error { return nil }

func (l *allEvents) flush(st *selectStore, m *metaBuf) error {
	m.putInt(l.count)
	return l.buf.flush(st)
}

func (l *allEvents) restore(st *selectStore, m *metaBuf) error {
	if len(m.b) > 0 {
		l.count = m.int()
	}
	return l.buf.restore(st)
}

// firstEvents is OUTPUT FIRST EVERY n EVENTS, per group (Siddhi's
// FirstGroupByPerEventOutputRateLimiter): a group's first row is emitted
// on arrival and its next n-1 rows are dropped.
type firstEvents struct {
	n    int64
	seen keyedCounts
	fwd  func(*topology.Event) error
}

func (l *firstEvents) row(r row) error {
	c, ok := l.seen.m[r.key]
	switch {
	case !ok:
		if l.n > 1 {
			l.seen.set(r.key, 1)
		}
		return l.fwd(r.ev)
	case c == l.n-1:
		l.seen.del(r.key)
	default:
		l.seen.set(r.key, c+1)
	}
	return nil
}

func (l *firstEvents) tick(int64) error                          { return nil }
func (l *firstEvents) flush(st *selectStore, _ *metaBuf) error   { return l.seen.flush(st) }
func (l *firstEvents) restore(st *selectStore, _ *metaBuf) error { return l.seen.restore(st) }

// lastEvents is OUTPUT LAST EVERY n EVENTS (Siddhi's
// LastGroupByPerEventOutputRateLimiter): when the n-th row arrives, the
// last row of each group seen since the previous emission is emitted, in
// order of the groups' first appearance.
type lastEvents struct {
	n, count int64
	idx      map[string]int
	buf      rowList
	fwd      func(*topology.Event) error
}

func (l *lastEvents) row(r row) error {
	keep(&l.buf, l.idx, r)
	if l.count++; l.count < l.n {
		return nil
	}
	l.count = 0
	clear(l.idx)
	return flush(&l.buf, l.fwd)
}

func (l *lastEvents) tick(int64) error { return nil }

func (l *lastEvents) flush(st *selectStore, m *metaBuf) error {
	m.putInt(l.count)
	return l.buf.flush(st)
}

func (l *lastEvents) restore(st *selectStore, m *metaBuf) error {
	if len(m.b) > 0 {
		l.count = m.int()
	}
	return restoreKept(&l.buf, l.idx, st)
}

// keep stores r as its group's latest row in buf.
func keep(buf *rowList, idx map[string]int, r row) {
	if i, ok := idx[r.key]; ok {
		buf.set(i, r)
		return
	}
	idx[r.key] = len(buf.rows)
	buf.add(r)
}

// restoreKept restores a keep buffer and its index.
func restoreKept(buf *rowList, idx map[string]int, st *selectStore) error {
	if err := buf.restore(st); err != nil {
		return err
	}
	for i, r := range buf.rows {
		idx[r.key] = i
	}
	return nil
}

// flush forwards and forgets the buffered rows.
func flush(buf *rowList, fwd func(*topology.Event) error) error {
	defer buf.reset()
	for _, r := range buf.rows {
		if err := fwd(r.ev); err != nil {
			return err
		}
	}
	return nil
}

// periodEnd returns the end of the epoch-aligned period of length every
// holding t: the smallest (k+1)*every > t.
func periodEnd(t, every int64) int64 {
	k := t / every
	if t%every != 0 && t < 0 {
		k--
	}
	return (k + 1) * every
}

// bufTime is the period bookkeeping of OUTPUT ALL/LAST EVERY <duration>:
// rows wait for the end of their period (the one holding their time, or
// the open one for a late row), then leave with that end as their time.
type bufTime struct {
	every, end int64
	open       bool
	buf        rowList
	fwd        func(*topology.Event) error
}

// enter closes the open period if ts is past it, then opens one for ts.
func (b *bufTime) enter(ts int64, closed func() error) error {
	if b.open && ts >= b.end {
		if err := b.close(closed); err != nil {
			return err
		}
	}
	if !b.open {
		b.open, b.end = true, periodEnd(ts, b.every)
	}
	return nil
}

func (b *bufTime) close(closed func() error) error {
	b.open = false
	for _, r := range b.buf.rows {
		r.ev.TS = b.end
	}
	if closed != nil {
		if err := closed(); err != nil {
			return err
		}
	}
	return flush(&b.buf, b.fwd)
}

func (b *bufTime) tickWith(t int64, closed func() error) error {
	if b.open && t >= b.end {
		return b.close(closed)
	}
	return nil
}

func (b *bufTime) flush(st *selectStore, m *metaBuf) error {
	m.putBool(b.open)
	m.putInt(b.end)
	return b.buf.flush(st)
}

func (b *bufTime) restoreMeta(m *metaBuf) {
	if len(m.b) > 0 {
		b.open = m.bool()
		b.end = m.int()
	}
}

// allTime is OUTPUT ALL EVERY <duration>.
type allTime struct{ bufTime }

func (l *allTime) row(r row) error {
	if err := l.enter(r.ev.TS, nil); err != nil {
		return err
	}
	l.buf.add(r)
	return nil
}

func (l *allTime) tick(t int64) error { return l.tickWith(t, nil) }

func (l *allTime) restore(st *selectStore, m *metaBuf) error {
	l.restoreMeta(m)
	return l.buf.restore(st)
}

// lastTime is OUTPUT LAST EVERY <duration>: at a period's end, the last
// row of each group, in order of first appearance in the period.
type lastTime struct {
	bufTime
	idx map[string]int
}

func (l *lastTime) reset() error { clear(l.idx); return nil }

func (l *lastTime) row(r row) error {
	if err := l.enter(r.ev.TS, l.reset); err != nil {
		return err
	}
	keep(&l.buf, l.idx, r)
	return nil
}

func (l *lastTime) tick(t int64) error { return l.tickWith(t, l.reset) }

func (l *lastTime) restore(st *selectStore, m *metaBuf) error {
	l.restoreMeta(m)
	return restoreKept(&l.buf, l.idx, st)
}

// firstTime is OUTPUT FIRST EVERY <duration>: each group's first row of a
// period is emitted on arrival with its own time; the group's other rows
// of the period are dropped.
type firstTime struct {
	every, end int64
	open       bool
	seen       keyedCounts
	fwd        func(*topology.Event) error
}

func (l *firstTime) row(r row) error {
	if l.open && r.ev.TS >= l.end {
		l.open = false
	}
	if !l.open {
		l.open, l.end = true, periodEnd(r.ev.TS, l.every)
		l.seen.reset()
	}
	if _, ok := l.seen.m[r.key]; ok {
		return nil
	}
	l.seen.set(r.key, 1)
	return l.fwd(r.ev)
}

func (l *firstTime) tick(t int64) error {
	if l.open && t >= l.end {
		l.open = false
	}
	return nil
}

func (l *firstTime) flush(st *selectStore, m *metaBuf) error {
	m.putBool(l.open)
	m.putInt(l.end)
	return l.seen.flush(st)
}

func (l *firstTime) restore(st *selectStore, m *metaBuf) error {
	if len(m.b) > 0 {
		l.open = m.bool()
		l.end = m.int()
	}
	return l.seen.restore(st)
}
