// Package memstore keeps task state in memory. It implements the same
// statestore.TaskState as pebblestore — same batch, changelog and checkpoint
// semantics, same conformance suite — for replay, `eventflux test` and unit
// tests.
//
// The committed data of a task lives in a Backing. A Backing outlives the
// TaskStates opened on it, so closing a state and opening the backing again
// behaves like reopening a Pebble directory (tests use that to simulate
// restarts and crashes).
//
// For replay, which has no Kafka transaction to wait for, NewProvider
// returns a direct state: writes go straight to the committed data, with
// no batch and no changelog, which keeps memory flat over long inputs.
package memstore

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/eventflux-io/eventflux-go/statestore"
	"github.com/eventflux-io/eventflux-go/statestore/internal/core"
	"github.com/eventflux-io/eventflux-go/statestore/internal/ordmap"
)

// errInUse is returned when a backing is opened twice.
var errInUse = errors.New("memstore: backing already open")

// Backing is the committed data of one task, kept between opens. It is not
// safe for concurrent use.
type Backing struct {
	data *ordmap.Map[[]byte]
	open bool
}

// NewBacking returns empty committed data.
func NewBacking() *Backing { return &Backing{data: ordmap.New[[]byte]()} }

// Len returns the number of committed internal entries (data, indexes and
// the checkpoint), for tests and metrics.
func (b *Backing) Len() int { return b.data.Len() }

// Options configures Open.
type Options struct {
	// Direct applies writes at once, with no batch, changelog or Abort
	// (Commit then only records the checkpoint). Default false: the full
	// transactional semantics.
	Direct bool
}

// Open returns a task state over b. Only one state may be open on a
// backing at a time.
func Open(b *Backing, opts Options) (statestore.TaskState, error) {
	if b.open {
		return nil, errInUse
	}
	b.open = true
	s, err := core.Open(&backend{b: b}, core.Options{Direct: opts.Direct})
	if err != nil {
		b.open = false
		return nil, fmt.Errorf("memstore: open: %w", err)
	}
	return s, nil
}

// New returns a transactional task state over fresh in-memory data.
func New() statestore.TaskState {
	s, err := Open(NewBacking(), Options{})
	if err != nil {
		panic(err) // a fresh backing cannot fail
	}
	return s
}

// NewProvider returns a direct task state over fresh in-memory data: the
// default stores of topology.Task and of the test driver.
func NewProvider() statestore.TaskState {
	s, err := Open(NewBacking(), Options{Direct: true})
	if err != nil {
		panic(err) // a fresh backing cannot fail
	}
	return s
}

// backend is core.Backend over a Backing.
type backend struct {
	b      *Backing
	closed bool
}

func (m *backend) Get(key []byte) ([]byte, bool, error) {
	if m.closed {
		return nil, false, statestore.ErrClosed
	}
	if n := m.b.data.Get(key); n != nil {
		return n.Val, true, nil
	}
	return nil, false, nil
}

func (m *backend) NewIter(lower, upper []byte) (core.Iter, error) {
	if m.closed {
		return nil, statestore.ErrClosed
	}
	return &iter{m: m.b.data, lower: lower, upper: upper}, nil
}

func (m *backend) Apply(ops []core.Op, _ bool) error {
	if m.closed {
		return statestore.ErrClosed
	}
	d := m.b.data
	for _, op := range ops {
		if op.Delete {
			d.Delete(op.Key)
			continue
		}
		if n := d.Get(op.Key); n != nil {
			n.Val = op.Value
			continue
		}
		d.Set(bytes.Clone(op.Key), op.Value)
	}
	return nil
}

func (m *backend) Close() error {
	if !m.closed {
		m.closed = true
		m.b.open = false
	}
	return nil
}

// iter is core.Iter over the skip list.
type iter struct {
	m            *ordmap.Map[[]byte]
	lower, upper []byte
	n            *ordmap.Node[[]byte]
}

func (it *iter) valid() bool {
	if it.n != nil && it.upper != nil && bytes.Compare(it.n.Key, it.upper) >= 0 {
		it.n = nil
	}
	return it.n != nil
}

func (it *iter) First() bool   { it.n = it.m.SeekGE(it.lower); return it.valid() }
func (it *iter) Next() bool    { it.n = it.n.Next(); return it.valid() }
func (it *iter) Key() []byte   { return it.n.Key }
func (it *iter) Value() []byte { return it.n.Val }
func (it *iter) Close() error  { return nil }
