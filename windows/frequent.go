package windows

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/eventflux-io/eventflux-go/topology"
)

// counted is one key tracked by a frequent or lossyFrequent window: its
// count, its lossy-counting error bound and the latest event of the key
// the window holds (held is false when it holds none).
type counted struct {
	count int64
	delta int64
	held  bool
	it    item
	// Persistence: id orders keys by first sight (the record key);
	// stored says the store has the record, dirty that it is listed for
	// the next Flush, dropped that the key is gone.
	id                     uint64
	key                    topology.Value
	stored, dirty, dropped bool
}

// keyCounts tracks keys in insertion order, so every pass over them (and
// so the order of the events they expire) is deterministic. Each key has
// a record 'k' id(8) -> key, count, delta, held [, seq, event] in the
// window's store, written back on Flush.
type keyCounts struct {
	order []topology.Value
	m     map[topology.Value]*counted
	next  uint64 // the next key id or held event seq
	st    kvState
	// on: the store holds records, so changes are tracked (see journal).
	on    bool
	dirty []*counted
	dels  []uint64
}

func newKeyCounts() keyCounts { return keyCounts{m: map[topology.Value]*counted{}} }

func (k *keyCounts) add(key topology.Value, c *counted) {
	c.id, c.key = k.next, key
	k.next++
	k.m[key] = c
	k.order = append(k.order, key)
	k.touch(c)
}

// hold makes it the key's held event.
func (k *keyCounts) hold(c *counted, it item) {
	it.seq = k.next
	k.next++
	c.held, c.it = true, it
}

// touch records that c changed.
func (k *keyCounts) touch(c *counted) {
	if k.on && !c.dirty {
		c.dirty = true
		k.dirty = append(k.dirty, c)
	}
}

// drop records that c's key is gone.
func (k *keyCounts) drop(c *counted) {
	c.dropped = true
	if k.on && c.stored {
		k.dels = append(k.dels, c.id)
	}
}

func (k *keyCounts) recordKey(c *counted) []byte {
	return binary.BigEndian.AppendUint64(append(k.st.key[:0], 'k'), c.id)
}

// restore loads the key records in first-sight order, then meta.
func (k *keyCounts) restore(ctx topology.Context, meta func(r *metaReader)) error {
	err := k.st.openMeta(ctx, func(r *metaReader) {
		k.next = r.uint()
		if meta != nil {
			meta(r)
		}
	})
	if err != nil {
		return err
	}
	var derr error
	err = k.st.kv.Scan([]byte{'k'}, func(key, v []byte) bool {
		c, err := decodeCounted(key, v)
		if err != nil {
			derr = err
			return false
		}
		k.m[c.key] = c
		k.order = append(k.order, c.key)
		return true
	})
	if err == nil {
		err = derr
	}
	k.on = len(k.order) > 0
	return err
}

func decodeCounted(key, v []byte) (*counted, error) {
	if len(key) != 9 {
		return nil, fmt.Errorf("windows: key record %x: %w", key, topology.ErrBadEncoding)
	}
	c := &counted{id: binary.BigEndian.Uint64(key[1:]), stored: true}
	r := metaReader{b: v}
	c.key = r.value()
	c.count, c.delta, c.held = r.int(), r.int(), r.bool()
	if c.held {
		seq := r.uint()
		if r.err == nil {
			it, rest, err := decodeItem(r.b, seq)
			if err != nil {
				return nil, err
			}
			c.it, r.b = it, rest
		}
	}
	if r.err != nil {
		return nil, r.err
	}
	return c, nil
}

func (k *keyCounts) put(c *counted) error {
	w := metaWriter{}
	w.value(c.key).int(c.count).int(c.delta).bool(c.held)
	if c.held {
		w.uint(c.it.seq)
		w.b = appendItem(w.b, c.it)
	}
	c.stored = true
	return k.st.kv.Put(k.recordKey(c), w.b)
}

// flush writes the changed records (all of them the first time), deletes
// those of dropped keys and writes meta (next, then extra).
func (k *keyCounts) flush(extra func(w *metaWriter)) error {
	if !k.on {
		for _, key := range k.order {
			if err := k.put(k.m[key]); err != nil {
				return err
			}
		}
		k.on = true
	}
	for _, c := range k.dirty {
		c.dirty = false
		if c.dropped {
			continue
		}
		if err := k.put(c); err != nil {
			return err
		}
	}
	clear(k.dirty)
	k.dirty = k.dirty[:0]
	for _, id := range k.dels {
		k.st.key = binary.BigEndian.AppendUint64(append(k.st.key[:0], 'k'), id)
		if err := k.st.kv.Delete(k.st.key); err != nil {
			return err
		}
	}
	k.dels = k.dels[:0]
	w := metaWriter{b: k.st.val[:0]}
	w.uint(k.next)
	if extra != nil {
		extra(&w)
	}
	k.st.val = w.b
	return k.st.writeMeta(w.b)
}

// replay feeds the held events to fn in arrival order.
func (k *keyCounts) replay(fn func(*topology.Event) error) error {
	var its []item
	for _, key := range k.order {
		if c := k.m[key]; c.held {
			its = append(its, c.it)
		}
	}
	return replayItems(its, fn)
}

// sweep calls fn for every key in order and forgets those it returns true
// for.
func (k *keyCounts) sweep(fn func(c *counted) (drop bool, err error)) error {
	kept := k.order[:0]
	var err error
	for _, key := range k.order {
		drop := false
		if err == nil {
			drop, err = fn(k.m[key])
		}
		if drop {
			k.drop(k.m[key])
			delete(k.m, key)
			continue
		}
		kept = append(kept, key)
	}
	clear(k.order[len(kept):])
	k.order = kept
	return err
}

// frequentWindow is WINDOW('frequent', n [, attrs...]): Siddhi's
// Misra–Gries variant. It holds the latest event of at most n keys (by
// default the key is the whole event). A held key's arrival expires the
// held event and passes the new one. A new key when n are held decrements
// every held key's count; keys reaching zero are expired (in the order
// they were first seen). If none reached zero the arrival is dropped,
// otherwise it is held with count 1 and passed.
type frequentWindow struct {
	base
	n    int
	keys []int
	kc   keyCounts
}

func newFrequent(s *Spec) *frequentWindow {
	return &frequentWindow{n: s.N, keys: attrIndexes(s.Keys), kc: newKeyCounts()}
}

// Init implements topology.Processor: it restores the tracked keys.
func (w *frequentWindow) Init(ctx topology.Context) error {
	w.ctx = ctx
	return w.kc.restore(ctx, nil)
}

// Flush implements topology.Flusher.
func (w *frequentWindow) Flush() error { return w.kc.flush(nil) }

// Replay implements topology.Replayer.
func (w *frequentWindow) Replay(fn func(*topology.Event) error) error { return w.kc.replay(fn) }

// Process implements topology.Processor.
func (w *frequentWindow) Process(ev *topology.Event) error {
	if isMarker(ev) {
		return nil
	}
	key := keyOf(ev.Values, w.keys)
	if c := w.kc.m[key]; c != nil {
		c.count++
		w.kc.touch(c)
		if err := w.expire(c.it); err != nil {
			return err
		}
		w.kc.hold(c, itemOf(ev))
		return w.arrive(ev)
	}
	if len(w.kc.order) >= w.n {
		err := w.kc.sweep(func(c *counted) (bool, error) {
			w.kc.touch(c)
			if c.count--; c.count > 0 {
				return false, nil
			}
			return true, w.expire(c.it)
		})
		if err != nil {
			return err
		}
		if len(w.kc.order) >= w.n {
			return nil
		}
	}
	c := &counted{count: 1}
	w.kc.add(key, c)
	w.kc.hold(c, itemOf(ev))
	return w.arrive(ev)
}

// lossyFrequentWindow is WINDOW('lossyFrequent', support [, error]
// [, attrs...]): lossy counting (Manku–Motwani) as in Siddhi's
// LossyFrequentWindowProcessor. Buckets are ceil(1/error) events wide. An
// arrival is passed (expiring the key's previously held event) when its
// key's count reaches (support - error) * N, N the events seen; otherwise
// it is dropped. At each bucket boundary keys with count + delta <= the
// bucket id are pruned and their held events expired.
type lossyFrequentWindow struct {
	base
	support, err float64
	width        int64
	total        int64
	keys         []int
	kc           keyCounts
}

func newLossyFrequent(s *Spec) *lossyFrequentWindow {
	return &lossyFrequentWindow{
		support: s.Support, err: s.Error, width: int64(math.Ceil(1 / s.Error)),
		keys: attrIndexes(s.Keys), kc: newKeyCounts(),
	}
}

// Init implements topology.Processor: it restores the tracked keys and
// the event count.
func (w *lossyFrequentWindow) Init(ctx topology.Context) error {
	w.ctx = ctx
	return w.kc.restore(ctx, func(r *metaReader) { w.total = r.int() })
}

// Flush implements topology.Flusher.
func (w *lossyFrequentWindow) Flush() error {
	return w.kc.flush(func(m *metaWriter) { m.int(w.total) })
}

// Replay implements topology.Replayer.
func (w *lossyFrequentWindow) Replay(fn func(*topology.Event) error) error { return w.kc.replay(fn) }

// Process implements topology.Processor.
func (w *lossyFrequentWindow) Process(ev *topology.Event) error {
	if isMarker(ev) {
		return nil
	}
	w.total++
	bucket := (w.total + w.width - 1) / w.width
	key := keyOf(ev.Values, w.keys)
	c := w.kc.m[key]
	if c == nil {
		c = &counted{delta: bucket - 1}
		w.kc.add(key, c)
	}
	c.count++
	w.kc.touch(c)
	frequent := float64(c.count) >= (w.support-w.err)*float64(w.total)
	if frequent && c.held {
		if err := w.expire(c.it); err != nil {
			return err
		}
	}
	if frequent {
		w.kc.hold(c, itemOf(ev))
	}
	if w.total%w.width != 0 {
		if frequent {
			return w.arrive(ev)
		}
		return nil
	}
	return w.prune(ev, c, frequent, bucket)
}

// prune drops the keys that lossy counting no longer tracks at the end of
// bucket, expiring their held events, and passes the arrival (before its
// own expiry if its key is pruned too).
func (w *lossyFrequentWindow) prune(ev *topology.Event, cur *counted, frequent bool, bucket int64) error {
	curPruned := false
	err := w.kc.sweep(func(c *counted) (bool, error) {
		if c.count+c.delta > bucket {
			return false, nil
		}
		if c == cur && frequent {
			curPruned = true // expired after it is passed, below
			return true, nil
		}
		if !c.held {
			return true, nil
		}
		return true, w.expire(c.it)
	})
	if err != nil || !frequent {
		return err
	}
	if err := w.arrive(ev); err != nil {
		return err
	}
	if curPruned {
		return w.expire(cur.it)
	}
	return nil
}
