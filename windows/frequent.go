package windows

import (
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
}

// keyCounts tracks keys in insertion order, so every pass over them (and
// so the order of the events they expire) is deterministic.
type keyCounts struct {
	order []topology.Value
	m     map[topology.Value]*counted
}

func newKeyCounts() keyCounts { return keyCounts{m: map[topology.Value]*counted{}} }

func (k *keyCounts) add(key topology.Value, c *counted) {
	k.m[key] = c
	k.order = append(k.order, key)
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

// Process implements topology.Processor.
func (w *frequentWindow) Process(ev *topology.Event) error {
	if isMarker(ev) {
		return nil
	}
	key := keyOf(ev.Values, w.keys)
	if c := w.kc.m[key]; c != nil {
		c.count++
		if err := w.expire(c.it); err != nil {
			return err
		}
		c.it = itemOf(ev)
		return w.arrive(ev)
	}
	if len(w.kc.order) >= w.n {
		err := w.kc.sweep(func(c *counted) (bool, error) {
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
	w.kc.add(key, &counted{count: 1, held: true, it: itemOf(ev)})
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
	frequent := float64(c.count) >= (w.support-w.err)*float64(w.total)
	if frequent && c.held {
		if err := w.expire(c.it); err != nil {
			return err
		}
	}
	if frequent {
		c.held, c.it = true, itemOf(ev)
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
