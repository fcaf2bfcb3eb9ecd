package storetest

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// model is the reference semantics: one map per view, keyed by the line
// Dump prints for an entry minus its value.
type model struct {
	kv  map[string]string // user key -> value
	win map[winKey]string
}

type winKey struct {
	key   string
	start int64
}

func (m model) clone() model { return model{kv: maps.Clone(m.kv), win: maps.Clone(m.win)} }

func (m model) dump() []string {
	var out []string
	for _, k := range slices.Sorted(maps.Keys(m.kv)) {
		out = append(out, fmt.Sprintf("agg %q=%q", k, m.kv[k]))
	}
	wks := slices.SortedFunc(maps.Keys(m.win), func(a, b winKey) int {
		if a.start != b.start {
			if a.start < b.start {
				return -1
			}
			return 1
		}
		return strings.Compare(a.key, b.key)
	})
	for _, k := range wks {
		out = append(out, fmt.Sprintf("win %q@%d=%q", k.key, k.start, m.win[k]))
	}
	return out
}

// testModel drives random operations, commits, aborts, crashes and
// restores, and compares the state with the model after every step.
func testModel(t *testing.T, newState Factory) {
	for seed := range uint64(3) {
		t.Run(fmt.Sprintf("seed %d", seed), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(seed, 42))
			o := newState(t)
			ts := open(t, o)
			tp := newTopics()
			openStores(t, ts)
			committed := model{kv: map[string]string{}, win: map[winKey]string{}}
			live := committed.clone()
			key := func() string { return fmt.Sprintf("k%02d", rng.IntN(24)) }
			for step := range 400 {
				kv, w := kvStore(t, ts, "agg"), winStore(t, ts, "win")
				switch r := rng.IntN(100); {
				case r < 30:
					k, v := key(), fmt.Sprintf("v%d", step)
					must(t, kv.Put(b(k), b(v)))
					live.kv[k] = v
				case r < 40:
					k := key()
					must(t, kv.Delete(b(k)))
					delete(live.kv, k)
				case r < 60:
					wk, v := winKey{key(), int64(rng.IntN(40) - 10)}, fmt.Sprintf("w%d", step)
					must(t, w.Put(b(wk.key), wk.start, b(v)))
					live.win[wk] = v
				case r < 65:
					wk := winKey{key(), int64(rng.IntN(40) - 10)}
					must(t, w.Delete(b(wk.key), wk.start))
					delete(live.win, wk)
				case r < 68:
					before := int64(rng.IntN(30) - 10)
					n, err := w.DeleteBefore(before)
					must(t, err)
					want := 0
					for wk := range live.win {
						if wk.start < before {
							delete(live.win, wk)
							want++
						}
					}
					if n != want {
						t.Fatalf("step %d: DeleteBefore(%d) removed %d, want %d", step, before, n, want)
					}
				case r < 76:
					k := key()
					v, ok, err := kv.Get(b(k))
					must(t, err)
					if mv, mok := live.kv[k]; ok != mok || string(v) != mv {
						t.Fatalf("step %d: Get(%s) = %q,%v; model %q,%v", step, k, v, ok, mv, mok)
					}
				case r < 80:
					k := key()
					from := int64(rng.IntN(40) - 10)
					to := from + int64(rng.IntN(20))
					var want []string
					for _, wk := range slices.SortedFunc(maps.Keys(live.win), func(a, b winKey) int { return int(a.start - b.start) }) {
						if wk.key == k && wk.start >= from && wk.start <= to {
							want = append(want, fmt.Sprintf("%d=%s", wk.start, live.win[wk]))
						}
					}
					if got := fetchAll(t, w, k, from, to); !slices.Equal(got, want) {
						t.Fatalf("step %d: Fetch(%s,%d,%d) = %q, want %q", step, k, from, to, got, want)
					}
				case r < 88: // commit interval
					txn(t, ts, tp, int64(step), false, func() {})
					committed = live.clone()
				case r < 92:
					must(t, ts.Abort())
					live = committed.clone()
				case r < 95: // crash before the Kafka commit
					ts = reopen(t, ts, o)
					openStores(t, ts)
					live = committed.clone()
				case r < 98: // crash after the Kafka commit, restore the tail
					txn(t, ts, tp, int64(step), true, func() {})
					ts = reopen(t, ts, o)
					openStores(t, ts)
					restore(t, ts, tp)
					committed = live.clone()
				default: // clean restart
					txn(t, ts, tp, int64(step), false, func() {})
					committed = live.clone()
					ts = reopen(t, ts, o)
					openStores(t, ts)
				}
				if got, want := dump(t, ts), live.dump(); !slices.Equal(got, want) {
					t.Fatalf("step %d:\n got  %q\n want %q", step, got, want)
				}
			}
			// Finally, a restore from scratch equals the committed state.
			txn(t, ts, tp, 1000, false, func() {})
			fresh := open(t, newState(t))
			openStores(t, fresh)
			restore(t, fresh, tp)
			wantDump(t, fresh, live.dump())
		})
	}
}
