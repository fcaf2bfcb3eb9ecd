package windows

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"slices"

	"github.com/eventflux-io/eventflux-go/statestore"
	"github.com/eventflux-io/eventflux-go/topology"
)

// State layout (docs/state.md). Every window keeps its state in memory, as
// before, and writes it back into its stores on Flush; Init restores it.
// All windows but hopping and tumbling use one key-value store, "state":
//
//	'm'                 meta: the window's scalars (sequence counter,
//	                    batch ends, clocks, running sums), written when
//	                    they changed
//	'e' seq(8, BE)      one held event: varint ts, values (topology codec)
//	'k' ...             per-key records (firstUnique, frequent,
//	                    lossyFrequent, session)
//
// Held events are numbered in arrival order (item.seq); an event is put
// at the first Flush after its arrival (never, if it leaves before) and
// deleted at the first Flush after it leaves, so the store work per event
// is O(1) and a Flush costs O(changes since the previous one). Hopping and
// tumbling windows use a windowed store, "windows", keyed by (seq, window
// start).
const (
	stateStoreName  = "state"
	windowStoreName = "windows"
)

// Stores returns the stores a processor of s uses, for NodeInfo.Stores.
func Stores(s *Spec) []topology.StoreSpec {
	if s.Kind == Tumbling || s.Kind == Hopping {
		return []topology.StoreSpec{{Name: windowStoreName, Kind: statestore.KindWindowed, Retention: s.Size + s.Grace}}
	}
	return []topology.StoreSpec{{Name: stateStoreName, Kind: statestore.KindKeyValue}}
}

var metaKey = []byte{'m'}

// kvState is a window's "state" store and its write-back bookkeeping.
type kvState struct {
	kv       statestore.KeyValue
	lastMeta []byte
	key, val []byte
}

func (s *kvState) open(ctx topology.Context) error {
	kv, err := ctx.Store(stateStoreName)
	if err != nil {
		return err
	}
	s.kv = kv
	return nil
}

// openMeta opens the store and, when a meta record is stored, hands it to
// read (which decodes its fields in order) and returns its decode error.
func (s *kvState) openMeta(ctx topology.Context, read func(r *metaReader)) error {
	if err := s.open(ctx); err != nil {
		return err
	}
	r, err := s.loadMeta()
	if err != nil || r == nil {
		return err
	}
	read(r)
	return r.err
}

// loadMeta returns the stored meta record, nil if there is none.
func (s *kvState) loadMeta() (*metaReader, error) {
	raw, ok, err := s.kv.Get(metaKey)
	if err != nil || !ok {
		return nil, err
	}
	s.lastMeta = bytes.Clone(raw)
	return &metaReader{b: raw}, nil
}

// writeMeta stores enc as the meta record unless it is what the store
// holds.
func (s *kvState) writeMeta(enc []byte) error {
	if bytes.Equal(enc, s.lastMeta) && s.lastMeta != nil {
		return nil
	}
	s.lastMeta = append(s.lastMeta[:0], enc...)
	return s.kv.Put(metaKey, bytes.Clone(enc))
}

func itemKey(b []byte, seq uint64) []byte {
	return binary.BigEndian.AppendUint64(append(b, 'e'), seq)
}

// appendItem appends the encoding of it (without its seq).
func appendItem(b []byte, it item) []byte {
	return topology.AppendValues(binary.AppendVarint(b, it.ts), it.vals)
}

// decodeItem decodes what appendItem encoded and returns the rest.
func decodeItem(b []byte, seq uint64) (item, []byte, error) {
	ts, n := binary.Varint(b)
	if n <= 0 {
		return item{}, nil, fmt.Errorf("windows: item %d: %w", seq, topology.ErrBadEncoding)
	}
	vals, rest, err := topology.DecodeValues(nil, b[n:])
	if err != nil {
		return item{}, nil, fmt.Errorf("windows: item %d: %w", seq, err)
	}
	return item{ts: ts, seq: seq, vals: vals}, rest, nil
}

// putItem writes it under its seq.
func (s *kvState) putItem(it item) error {
	s.key = itemKey(s.key[:0], it.seq)
	return s.kv.Put(s.key, appendItem(nil, it))
}

func (s *kvState) deleteItem(seq uint64) error {
	s.key = itemKey(s.key[:0], seq)
	return s.kv.Delete(s.key)
}

// loadItems returns the stored events in seq order.
func (s *kvState) loadItems() ([]item, error) {
	var out []item
	var derr error
	err := s.kv.Scan([]byte{'e'}, func(k, v []byte) bool {
		if len(k) != 9 {
			derr = fmt.Errorf("windows: item key %x: %w", k, topology.ErrBadEncoding)
			return false
		}
		it, _, err := decodeItem(v, binary.BigEndian.Uint64(k[1:]))
		if err != nil {
			derr = err
			return false
		}
		out = append(out, it)
		return true
	})
	if err == nil {
		err = derr
	}
	return out, err
}

// journal tracks, for a window whose held events are put and deleted by
// seq, which changes the next Flush must write. Until the store holds
// events (a fresh state that was never flushed, as in replay) it tracks
// nothing and the first Flush writes every held event, so a task that
// never flushes pays no bookkeeping and keeps no history.
type journal struct {
	on      bool
	flushed uint64              // every held event with seq < flushed is stored
	fresh   []item              // events held since the last Flush
	gone    map[uint64]struct{} // fresh events that left before the Flush
	dels    []uint64            // stored events that left since the last Flush
}

// restored starts tracking over events loaded from the store, next being
// the seq of the next event.
func (j *journal) restored(n int, next uint64) {
	j.on = n > 0
	j.flushed = next
}

// add records that it is held.
func (j *journal) add(it item) {
	if j.on {
		j.fresh = append(j.fresh, it)
	}
}

// remove records that it left.
func (j *journal) remove(it item) {
	switch {
	case !j.on:
	case it.seq >= j.flushed:
		if j.gone == nil {
			j.gone = map[uint64]struct{}{}
		}
		j.gone[it.seq] = struct{}{}
	default:
		j.dels = append(j.dels, it.seq)
	}
}

// flush writes the recorded changes to s (every held event, listed by
// all, the first time) and marks events before next as stored.
func (j *journal) flush(s *kvState, next uint64, all func(fn func(item) error) error) error {
	if !j.on {
		if err := all(s.putItem); err != nil {
			return err
		}
		j.on, j.flushed = true, next
		return nil
	}
	for _, it := range j.fresh {
		if _, ok := j.gone[it.seq]; ok {
			continue
		}
		if err := s.putItem(it); err != nil {
			return err
		}
	}
	for _, seq := range j.dels {
		if err := s.deleteItem(seq); err != nil {
			return err
		}
	}
	clear(j.fresh)
	j.fresh, j.dels = j.fresh[:0], j.dels[:0]
	clear(j.gone)
	j.flushed = next
	return nil
}

// metaWriter encodes a meta record.
type metaWriter struct{ b []byte }

func (w *metaWriter) int(v int64) *metaWriter   { w.b = binary.AppendVarint(w.b, v); return w }
func (w *metaWriter) uint(v uint64) *metaWriter { w.b = binary.AppendUvarint(w.b, v); return w }
func (w *metaWriter) bool(v bool) *metaWriter {
	if v {
		return w.uint(1)
	}
	return w.uint(0)
}
func (w *metaWriter) float(f float64) *metaWriter {
	w.b = topology.AppendValue(w.b, topology.Double(f))
	return w
}
func (w *metaWriter) value(v topology.Value) *metaWriter {
	w.b = topology.AppendValue(w.b, v)
	return w
}

// metaReader decodes a meta record; the first error sticks.
type metaReader struct {
	b   []byte
	err error
}

func (r *metaReader) fail() {
	if r.err == nil {
		r.err = fmt.Errorf("windows: meta record: %w", topology.ErrBadEncoding)
	}
	r.b = nil
}

func (r *metaReader) int() int64 {
	v, n := binary.Varint(r.b)
	if n <= 0 {
		r.fail()
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *metaReader) uint() uint64 {
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.fail()
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *metaReader) bool() bool { return r.uint() != 0 }

func (r *metaReader) value() topology.Value {
	if r.err != nil {
		return topology.Value{}
	}
	v, rest, err := topology.DecodeValue(r.b)
	if err != nil {
		r.fail()
		return v
	}
	r.b = rest
	return v
}

func (r *metaReader) float() float64 { return r.value().AsDouble() }

// replayItems calls fn with the given held events, in arrival (seq)
// order, as current events with their own time.
func replayItems(its []item, fn func(*topology.Event) error) error {
	slices.SortFunc(its, func(a, b item) int { return cmpUint(a.seq, b.seq) })
	for _, it := range its {
		if err := fn(&topology.Event{TS: it.ts, Kind: topology.Current, Values: it.vals}); err != nil {
			return err
		}
	}
	return nil
}

func cmpUint(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func (w *metaWriter) bytes(b []byte) *metaWriter {
	w.b = append(binary.AppendUvarint(w.b, uint64(len(b))), b...)
	return w
}

func (r *metaReader) bytes() []byte {
	n := r.uint()
	if n > uint64(len(r.b)) {
		r.fail()
		return nil
	}
	b := r.b[:n]
	r.b = r.b[n:]
	return b
}
