package sqlc

import (
	"slices"

	"github.com/eventflux-io/eventflux-go/topology"
)

// snapshot is OUTPUT SNAPSHOT EVERY <duration>: it keeps the latest row
// of every live group and, at the end of each epoch-aligned period,
// emits them all (ORDER BY, OFFSET and LIMIT applied to that batch) as
// current events at the period's end. A snapshot at the end e reflects
// every row before e. Per-event queries update the state row by row (a
// group whose events all expired leaves it); batch queries replace it
// with each batch's rows.
type snapshot struct {
	cfg     *aggConfig
	every   int64
	next    int64 // the next period end to emit
	started bool
	rows    rowList // state, in order of first appearance
	idx     map[string]int
	scratch []row
	fwd     func(*topology.Event) error
	alloc   *topology.EventAlloc
}

// update records r (the latest row of its group, at ts) when live, or
// removes its group.
func (s *snapshot) update(r row, live bool, ts int64) error {
	if err := s.flushUntil(ts); err != nil {
		return err
	}
	s.start(ts)
	i, ok := s.idx[r.key]
	switch {
	case live && ok:
		s.rows.set(i, r)
	case live:
		s.idx[r.key] = len(s.rows.rows)
		s.rows.add(r)
	case ok:
		s.rows.rows = slices.Delete(s.rows.rows, i, i+1)
		s.rows.cut(i)
		delete(s.idx, r.key)
		for j := i; j < len(s.rows.rows); j++ {
			s.idx[s.rows.rows[j].key] = j
		}
	}
	return nil
}

// replace makes rows' current rows the state, after emitting the periods
// that end at or before at.
func (s *snapshot) replace(rows []row, at int64) error {
	if err := s.flushUntil(at); err != nil {
		return err
	}
	s.start(at)
	s.rows.reset()
	clear(s.idx)
	for _, r := range rows {
		if r.ev.Kind == topology.Current {
			s.rows.add(r)
		}
	}
	return nil
}

func (s *snapshot) start(ts int64) {
	if !s.started {
		s.started, s.next = true, periodEnd(ts, s.every)
	}
}

// flushUntil emits the state at every period end up to t.
func (s *snapshot) flushUntil(t int64) error {
	if !s.started || t < s.next {
		return nil
	}
	if len(s.rows.rows) == 0 {
		s.next = periodEnd(t, s.every)
		return nil
	}
	for ; s.next <= t; s.next += s.every {
		if err := s.emit(s.next); err != nil {
			return err
		}
	}
	return nil
}

func (s *snapshot) emit(at int64) error {
	s.scratch = append(s.scratch[:0], s.rows.rows...)
	rows := s.cfg.arrange(s.scratch)
	for _, r := range rows {
		ev := s.alloc.New(at, len(r.ev.Values))
		copy(ev.Values, r.ev.Values)
		if err := s.fwd(ev); err != nil {
			return err
		}
	}
	clear(s.scratch)
	return nil
}

// flush writes the snapshot's rows and appends its scalars to m.
func (s *snapshot) flush(st *selectStore, m *metaBuf) error {
	m.putBool(s.started)
	m.putInt(s.next)
	return s.rows.flush(st)
}

// restore loads what flush wrote. The group index is rebuilt from the
// rows' keys (batch queries never use it).
func (s *snapshot) restore(st *selectStore, m *metaBuf) error {
	if len(m.b) > 0 {
		s.started = m.bool()
		s.next = m.int()
	}
	if err := s.rows.restore(st); err != nil {
		return err
	}
	if !s.cfg.batched {
		for i, r := range s.rows.rows {
			s.idx[r.key] = i
		}
	}
	return nil
}
