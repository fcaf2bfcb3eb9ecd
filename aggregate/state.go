package aggregate

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/eventflux-io/eventflux-go/topology"
)

// StateMode says how much of an aggregator's state AppendState encodes
// and LoadState restores. Select stages keep aggregator state in stores
// with it (docs/state.md).
type StateMode uint8

const (
	// StateFull encodes everything: LoadState into a fresh aggregator
	// gives one that behaves exactly as the encoded one.
	StateFull StateMode = iota
	// StateNoRetract encodes what Result and later Adds need when Remove
	// is never called again (no window, or one that never expires
	// events): min and max keep only the extreme, first and last only
	// the end they report, so the encoding stays small however many
	// values were added.
	StateNoRetract
	// StateHistory encodes only what re-adding the live values, in
	// arrival order, into a fresh aggregator cannot rebuild: the running
	// sums of sum, avg, stdDev and variance over floating-point values
	// (their rounding depends on the order of additions and retractions),
	// the extremes of minForever and maxForever, and the value sequence
	// of first and last (see firstLast.AppendState). LoadState of it must
	// come after the re-adding; it overwrites those parts.
	StateHistory
)

// errBadState is wrapped by LoadState errors.
var errBadState = errors.New("aggregate: bad state encoding")

// Stateful is implemented by every Aggregator of this package.
type Stateful interface {
	// AppendState appends the state selected by mode to dst.
	AppendState(dst []byte, mode StateMode) []byte
	// LoadState restores the state AppendState encoded with the same mode
	// at the start of src and returns the rest of src.
	LoadState(src []byte, mode StateMode) ([]byte, error)
}

var (
	_ Stateful = (*count)(nil)
	_ Stateful = (*distinct)(nil)
	_ Stateful = (*extremum)(nil)
	_ Stateful = (*forever)(nil)
	_ Stateful = (*firstLast)(nil)
	_ Stateful = (*logic)(nil)
	_ Stateful = (*intSum)(nil)
	_ Stateful = (*floatSum)(nil)
	_ Stateful = (*avg)(nil)
	_ Stateful = (*moments)(nil)
)

// AppendState appends a's state (see StateMode) to dst.
func AppendState(dst []byte, a Aggregator, mode StateMode) []byte {
	return a.(Stateful).AppendState(dst, mode)
}

// LoadState restores a's state from the start of src and returns the
// rest of src.
func LoadState(a Aggregator, src []byte, mode StateMode) ([]byte, error) {
	return a.(Stateful).LoadState(src, mode)
}

// stateReader decodes state encodings; the first error sticks.
type stateReader struct {
	b   []byte
	err error
}

func (r *stateReader) fail(what string) {
	if r.err == nil {
		r.err = fmt.Errorf("%w: %s", errBadState, what)
	}
	r.b = nil
}

func (r *stateReader) varint() int64 {
	v, n := binary.Varint(r.b)
	if n <= 0 {
		r.fail("varint")
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *stateReader) float() float64 {
	if len(r.b) < 8 {
		r.fail("float")
		return 0
	}
	v := math.Float64frombits(binary.LittleEndian.Uint64(r.b))
	r.b = r.b[8:]
	return v
}

// count reads a length, bounded by the bytes left.
func (r *stateReader) count() int {
	v, n := binary.Uvarint(r.b)
	if n <= 0 || v > uint64(len(r.b)-n) {
		r.fail("count")
		return 0
	}
	r.b = r.b[n:]
	return int(v)
}

func (r *stateReader) value() topology.Value {
	if r.err != nil {
		return topology.Value{}
	}
	v, rest, err := topology.DecodeValue(r.b)
	if err != nil {
		r.fail(err.Error())
		return topology.Value{}
	}
	r.b = rest
	return v
}

func (r *stateReader) done() ([]byte, error) { return r.b, r.err }

func appendFloat(b []byte, f float64) []byte {
	return binary.LittleEndian.AppendUint64(b, math.Float64bits(f))
}

// AppendState implements Stateful. History: nothing (the count follows
// from the values).
func (c *count) AppendState(dst []byte, mode StateMode) []byte {
	if mode == StateHistory {
		return dst
	}
	return binary.AppendVarint(dst, c.n)
}

// LoadState implements Stateful.
func (c *count) LoadState(src []byte, mode StateMode) ([]byte, error) {
	if mode == StateHistory {
		return src, nil
	}
	r := stateReader{b: src}
	c.n = r.varint()
	return r.done()
}

// AppendState implements Stateful: the value counts, sorted by encoding.
func (d *distinct) AppendState(dst []byte, mode StateMode) []byte {
	if mode == StateHistory {
		return dst
	}
	entries := make([][]byte, 0, len(d.seen))
	for v, n := range d.seen {
		entries = append(entries, binary.AppendVarint(topology.AppendValue(nil, v), int64(n)))
	}
	slices.SortFunc(entries, bytes.Compare)
	dst = binary.AppendUvarint(dst, uint64(len(entries)))
	for _, e := range entries {
		dst = append(dst, e...)
	}
	return dst
}

// LoadState implements Stateful.
func (d *distinct) LoadState(src []byte, mode StateMode) ([]byte, error) {
	if mode == StateHistory {
		return src, nil
	}
	r := stateReader{b: src}
	clear(d.seen)
	for range r.count() {
		v := r.value()
		n := r.varint()
		if r.err == nil {
			d.seen[v] = int(n)
		}
	}
	return r.done()
}

// AppendState implements Stateful: the live values (Full), the extreme
// alone (NoRetract), nothing (History).
func (e *extremum) AppendState(dst []byte, mode StateMode) []byte {
	switch mode {
	case StateHistory:
		return dst
	case StateNoRetract:
		if top := e.Result(); !top.IsNull() {
			return topology.AppendValue(binary.AppendUvarint(dst, 1), top)
		}
		return binary.AppendUvarint(dst, 0)
	}
	e.Result() // drops removed values from the top
	if e.ndead > 0 {
		e.compact()
	}
	dst = binary.AppendUvarint(dst, uint64(len(e.heap)))
	for _, v := range e.heap {
		dst = topology.AppendValue(dst, v)
	}
	return dst
}

// LoadState implements Stateful.
func (e *extremum) LoadState(src []byte, mode StateMode) ([]byte, error) {
	if mode == StateHistory {
		return src, nil
	}
	r := stateReader{b: src}
	e.Reset()
	for range r.count() {
		e.Add(r.value())
	}
	return r.done()
}

// AppendState implements Stateful: the extreme, in every mode.
func (f *forever) AppendState(dst []byte, _ StateMode) []byte { return topology.AppendValue(dst, f.v) }

// LoadState implements Stateful.
func (f *forever) LoadState(src []byte, _ StateMode) ([]byte, error) {
	r := stateReader{b: src}
	f.v = r.value()
	return r.done()
}

// AppendState implements Stateful: the values in arrival order (Full
// and History), the reported end alone (NoRetract). History needs them
// all: Remove takes out the oldest equal value, which is not the leaving
// event's when a window expires out of arrival order (late events in a
// time window, sort, unique, frequent), so the order is history.
func (f *firstLast) AppendState(dst []byte, mode StateMode) []byte {
	switch {
	case mode == StateNoRetract && f.size > 0:
		return topology.AppendValue(binary.AppendUvarint(dst, 1), f.Result())
	}
	dst = binary.AppendUvarint(dst, uint64(f.size))
	for i := range f.size {
		dst = topology.AppendValue(dst, f.at(i))
	}
	return dst
}

// LoadState implements Stateful.
func (f *firstLast) LoadState(src []byte, _ StateMode) ([]byte, error) {
	r := stateReader{b: src}
	f.Reset()
	for range r.count() {
		f.Add(r.value())
	}
	return r.done()
}

// AppendState implements Stateful. History: nothing.
func (l *logic) AppendState(dst []byte, mode StateMode) []byte {
	if mode == StateHistory {
		return dst
	}
	return binary.AppendVarint(binary.AppendVarint(dst, l.trues), l.falses)
}

// LoadState implements Stateful.
func (l *logic) LoadState(src []byte, mode StateMode) ([]byte, error) {
	if mode == StateHistory {
		return src, nil
	}
	r := stateReader{b: src}
	l.trues, l.falses = r.varint(), r.varint()
	return r.done()
}

// AppendState implements Stateful. History: nothing (integer sums are
// exact).
func (s *intSum) AppendState(dst []byte, mode StateMode) []byte {
	if mode == StateHistory {
		return dst
	}
	return binary.AppendVarint(binary.AppendVarint(dst, s.sum), s.n)
}

// LoadState implements Stateful.
func (s *intSum) LoadState(src []byte, mode StateMode) ([]byte, error) {
	if mode == StateHistory {
		return src, nil
	}
	r := stateReader{b: src}
	s.sum, s.n = r.varint(), r.varint()
	return r.done()
}

// AppendState implements Stateful: the running sum and count, in every
// mode.
func (s *floatSum) AppendState(dst []byte, _ StateMode) []byte {
	return binary.AppendVarint(appendFloat(dst, s.sum), s.n)
}

// LoadState implements Stateful.
func (s *floatSum) LoadState(src []byte, _ StateMode) ([]byte, error) {
	r := stateReader{b: src}
	s.sum, s.n = r.float(), r.varint()
	return r.done()
}

// AppendState implements Stateful: the running sum and count, in every
// mode.
func (a *avg) AppendState(dst []byte, _ StateMode) []byte {
	return binary.AppendVarint(appendFloat(dst, a.sum), a.n)
}

// LoadState implements Stateful.
func (a *avg) LoadState(src []byte, _ StateMode) ([]byte, error) {
	r := stateReader{b: src}
	a.sum, a.n = r.float(), r.varint()
	return r.done()
}

// AppendState implements Stateful: Welford's moments, in every mode.
func (m *moments) AppendState(dst []byte, _ StateMode) []byte {
	return appendFloat(appendFloat(binary.AppendVarint(dst, m.n), m.mean), m.m2)
}

// LoadState implements Stateful.
func (m *moments) LoadState(src []byte, _ StateMode) ([]byte, error) {
	r := stateReader{b: src}
	m.n, m.mean, m.m2 = r.varint(), r.float(), r.float()
	return r.done()
}
