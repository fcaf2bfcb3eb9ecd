package windows

import (
	"slices"

	"github.com/eventflux-io/eventflux-go/topology"
)

// heldRing is the persisted state of the windows that hold a FIFO of
// events (length, time, externalTime, delay, expression): the ring, the
// store, the journal of changes and the arrival counter.
type heldRing struct {
	ring
	st   kvState
	j    journal
	next uint64
}

// number gives it the next arrival number.
func (h *heldRing) number(it item) item {
	it.seq = h.next
	h.next++
	return it
}

// push holds it at the back.
func (h *heldRing) push(it item) {
	h.Push(it)
	h.j.add(it)
}

// insertByTime holds it in time order.
func (h *heldRing) insertByTime(it item) {
	h.InsertByTime(it)
	h.j.add(it)
}

// pop removes the front event.
func (h *heldRing) pop() item {
	it := h.Pop()
	h.j.remove(it)
	return it
}

// restore opens the store and loads the held events (in time order when
// byTime, else in arrival order) and the meta record, which meta decodes
// after the arrival counter; meta is not called when there is none.
func (h *heldRing) restore(ctx topology.Context, byTime bool, meta func(r *metaReader)) error {
	err := h.st.openMeta(ctx, func(r *metaReader) {
		h.next = r.uint()
		if meta != nil {
			meta(r)
		}
	})
	if err != nil {
		return err
	}
	its, err := h.st.loadItems()
	if err != nil {
		return err
	}
	if byTime {
		slices.SortStableFunc(its, func(a, b item) int { return cmpInt(a.ts, b.ts) })
	}
	for _, it := range its {
		h.Push(it)
	}
	h.j.restored(len(its), h.next)
	return nil
}

// flush writes the changes since the last flush and then the meta record
// (the arrival counter followed by extra, if any).
func (h *heldRing) flush(extra func(w *metaWriter)) error {
	err := h.j.flush(&h.st, h.next, func(fn func(item) error) error {
		for i := range h.Len() {
			if err := fn(h.At(i)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	w := metaWriter{b: h.st.val[:0]}
	w.uint(h.next)
	if extra != nil {
		extra(&w)
	}
	h.st.val = w.b
	return h.st.writeMeta(w.b)
}

// replay feeds the held events to fn in arrival order.
func (h *heldRing) replay(fn func(*topology.Event) error) error {
	its := make([]item, h.Len())
	for i := range its {
		its[i] = h.At(i)
	}
	return replayItems(its, fn)
}

// batchPair is the persisted state of the batch windows (lengthBatch,
// timeBatch, externalTimeBatch, cron): the open batch (cur) and the last
// closed one (prev), whose events expire when the next batch closes.
// Batches only grow at the back and leave whole, so the stored part of
// each is a prefix, counted by prevStored and curStored.
type batchPair struct {
	prev, cur             []item
	st                    kvState
	prevStored, curStored int
	dels                  []uint64
	next                  uint64
}

// add holds it in the open batch.
func (b *batchPair) add(it item) {
	it.seq = b.next
	b.next++
	b.cur = append(b.cur, it)
}

// rotate drops prev and makes cur the closed batch, after a flushBatch.
func (b *batchPair) rotate() {
	for _, it := range b.prev[:b.prevStored] {
		b.dels = append(b.dels, it.seq)
	}
	clear(b.prev)
	b.prev, b.cur = b.cur, b.prev[:0]
	b.prevStored, b.curStored = b.curStored, 0
}

// restore opens the store and loads both batches and the meta record,
// which meta decodes after the counters.
func (b *batchPair) restore(ctx topology.Context, meta func(r *metaReader)) error {
	curFirst := uint64(0)
	err := b.st.openMeta(ctx, func(r *metaReader) {
		b.next, curFirst = r.uint(), r.uint()
		if meta != nil {
			meta(r)
		}
	})
	if err != nil {
		return err
	}
	its, err := b.st.loadItems()
	if err != nil {
		return err
	}
	for _, it := range its {
		if it.seq < curFirst {
			b.prev = append(b.prev, it)
		} else {
			b.cur = append(b.cur, it)
		}
	}
	b.prevStored, b.curStored = len(b.prev), len(b.cur)
	return nil
}

// flush writes the events not yet stored, deletes those of dropped
// batches, and writes the meta record (counters, then extra).
func (b *batchPair) flush(extra func(w *metaWriter)) error {
	for _, part := range []struct {
		its    []item
		stored *int
	}{{b.prev, &b.prevStored}, {b.cur, &b.curStored}} {
		for _, it := range part.its[*part.stored:] {
			if err := b.st.putItem(it); err != nil {
				return err
			}
		}
		*part.stored = len(part.its)
	}
	for _, seq := range b.dels {
		if err := b.st.deleteItem(seq); err != nil {
			return err
		}
	}
	b.dels = b.dels[:0]
	curFirst := b.next
	if len(b.cur) > 0 {
		curFirst = b.cur[0].seq
	}
	w := metaWriter{b: b.st.val[:0]}
	w.uint(b.next).uint(curFirst)
	if extra != nil {
		extra(&w)
	}
	b.st.val = w.b
	return b.st.writeMeta(w.b)
}
