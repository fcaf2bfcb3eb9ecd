package storetest

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"testing"

	"github.com/eventflux-io/eventflux-go/statestore"
)

// topics stands in for the changelog topics of one task: a log per store.
// Like a transactional producer, each produce ends with a commit marker,
// which takes an offset, so positions skip.
type topics struct {
	logs map[string][]logEntry
}

type logEntry struct {
	rec    statestore.ChangelogRecord
	marker bool
}

func newTopics() *topics { return &topics{logs: map[string][]logEntry{}} }

// produce appends recs and a marker to every log they touch, as one
// committed transaction, and returns the positions after each touched log
// (what the runtime passes to Commit).
func (tp *topics) produce(recs []statestore.ChangelogRecord) map[string]int64 {
	touched := map[string]bool{}
	for _, r := range recs {
		r.Key, r.Value = slices.Clone(r.Key), cloneValue(r.Value)
		tp.logs[r.Store] = append(tp.logs[r.Store], logEntry{rec: r})
		touched[r.Store] = true
	}
	next := map[string]int64{}
	for s := range touched {
		tp.logs[s] = append(tp.logs[s], logEntry{marker: true})
		next[s] = int64(len(tp.logs[s]))
	}
	return next
}

func cloneValue(v []byte) []byte {
	if v == nil {
		return nil
	}
	return append([]byte{}, v...)
}

// read returns store's records from position from and the end position,
// skipping markers, as a read_committed consumer does.
func (tp *topics) read(store string, from int64) ([]statestore.ChangelogRecord, int64) {
	l := tp.logs[store]
	var out []statestore.ChangelogRecord
	for _, e := range l[min(int(from), len(l)):] {
		if !e.marker {
			out = append(out, e.rec)
		}
	}
	return out, int64(len(l))
}

// txn runs one exactly-once commit interval: write, produce the batch's
// changelog to tp, then (unless crash) commit locally with the new
// positions. With crash it returns after the "Kafka commit", leaving the
// local apply undone.
func txn(t testing.TB, ts statestore.TaskState, tp *topics, streamTime int64, crash bool, write func()) {
	t.Helper()
	write()
	next := tp.produce(ts.AppendChangelog(nil))
	if crash {
		return
	}
	commit(t, ts, checkpoint(streamTime, next))
}

// restore replays every store's changelog tail from the checkpoint, the
// way the runtime does on open.
func restore(t testing.TB, ts statestore.TaskState, tp *topics) {
	t.Helper()
	cp := ts.Checkpoint()
	for _, info := range ts.Stores() {
		recs, end := tp.read(info.Name, cp.Changelog[info.Name])
		must(t, ts.ApplyChangelog(info.Name, recs, end))
	}
}

// workload writes a mix of key-value and window updates, deletes and
// expiry for interval i; it opens the same stores every time.
func workload(t testing.TB, ts statestore.TaskState, i int) {
	kv, w := kvStore(t, ts, "agg"), winStore(t, ts, "win")
	for k := range 5 {
		key := b(fmt.Sprintf("k%d", (i+k)%7))
		must(t, kv.Put(key, b(fmt.Sprintf("v%d.%d", i, k))))
		must(t, w.Put(key, int64(i*10+k%2*5), b(fmt.Sprintf("w%d.%d", i, k))))
	}
	must(t, kv.Delete(b(fmt.Sprintf("k%d", (i+3)%7))))
	must(t, kv.Put(b("tmp"), b("x"))) // put then delete in one batch
	must(t, kv.Delete(b("tmp")))
	_, err := w.DeleteBefore(int64(i*10 - 20))
	must(t, err)
}

func testChangelog(t *testing.T, newState Factory) {
	t.Run("records", func(t *testing.T) {
		ts := open(t, newState(t))
		kv, w := kvStore(t, ts, "kv"), winStore(t, ts, "win")
		must(t, kv.Put(b("committed"), b("c")))
		must(t, w.Put(b("old"), 5, b("o")))
		commit(t, ts, statestore.Checkpoint{})
		if got := ts.AppendChangelog(nil); len(got) != 0 || ts.Pending() {
			t.Fatalf("after commit: %v, pending %v", got, ts.Pending())
		}
		must(t, kv.Put(b("b"), b("1")))
		must(t, w.Put(b("a"), -1, b("w1")))
		must(t, kv.Put(b("a"), b("1")))
		must(t, kv.Put(b("b"), b("2"))) // last write wins, first position kept
		must(t, kv.Delete(b("committed")))
		must(t, kv.Put(b("gone"), b("x")))
		must(t, kv.Delete(b("gone")))
		must(t, kv.Put(b("empty"), nil))
		_, err := w.DeleteBefore(6)
		must(t, err)
		got := ts.AppendChangelog([]statestore.ChangelogRecord{{Store: "keep"}})
		want := []statestore.ChangelogRecord{
			{Store: "keep"},
			{Store: "kv", Key: b("b"), Value: b("2")},
			{Store: "win", Key: statestore.WindowKey(b("a"), -1), Value: nil},
			{Store: "kv", Key: b("a"), Value: b("1")},
			{Store: "kv", Key: b("committed"), Value: nil},
			{Store: "kv", Key: b("gone"), Value: nil},
			{Store: "kv", Key: b("empty"), Value: []byte{}},
			{Store: "win", Key: statestore.WindowKey(b("old"), 5), Value: nil},
		}
		if !recordsEqual(got, want) {
			t.Fatalf("records:\n got  %v\n want %v", fmtRecords(got), fmtRecords(want))
		}
		if !ts.Pending() {
			t.Fatal("Pending() = false with writes")
		}
		must(t, ts.Abort())
		if got := ts.AppendChangelog(nil); len(got) != 0 || ts.Pending() {
			t.Fatalf("after abort: %v", got)
		}
	})
	t.Run("window key format", func(t *testing.T) {
		k := statestore.WindowKey(b("user"), -2)
		if string(k) != "user\xff\xff\xff\xff\xff\xff\xff\xfe" {
			t.Fatalf("WindowKey = %q", k)
		}
		key, start, err := statestore.SplitWindowKey(k)
		if err != nil || string(key) != "user" || start != -2 {
			t.Fatalf("SplitWindowKey = %q, %d, %v", key, start, err)
		}
	})
}

func recordsEqual(a, b []statestore.ChangelogRecord) bool {
	return slices.EqualFunc(a, b, func(x, y statestore.ChangelogRecord) bool {
		return x.Store == y.Store && string(x.Key) == string(y.Key) && string(x.Value) == string(y.Value) &&
			(x.Value == nil) == (y.Value == nil)
	})
}

func fmtRecords(rs []statestore.ChangelogRecord) []string {
	var out []string
	for _, r := range rs {
		v := fmt.Sprintf("%q", r.Value)
		if r.Value == nil {
			v = "tombstone"
		}
		out = append(out, fmt.Sprintf("%s:%q=%s", r.Store, r.Key, v))
	}
	return out
}

func testCommit(t *testing.T, newState Factory) {
	t.Run("data and checkpoint together", func(t *testing.T) {
		o := newState(t)
		ts := open(t, o)
		if cp := ts.Checkpoint(); cp.StreamTime != statestore.NoTime || len(cp.Changelog) != 0 || len(cp.Inputs) != 0 {
			t.Fatalf("fresh checkpoint = %+v", cp)
		}
		kv := kvStore(t, ts, "kv")
		must(t, kv.Put(b("k"), b("v1")))
		in := statestore.TopicPartition{Topic: "trades", Partition: 3}
		cp1 := statestore.Checkpoint{Changelog: map[string]int64{"kv": 2}, Inputs: map[statestore.TopicPartition]int64{in: 100}, StreamTime: 1000}
		commit(t, ts, cp1)
		wantCheckpoint(t, ts.Checkpoint(), cp1)
		ts = reopen(t, ts, o)
		wantCheckpoint(t, ts.Checkpoint(), cp1)
		wantGet(t, kvStore(t, ts, "kv"), "k", "v1", true)

		// Merge: absent entries are kept; stream time never goes back.
		in2 := statestore.TopicPartition{Topic: "quotes", Partition: 3}
		must(t, kvStore(t, ts, "kv").Put(b("k"), b("v2")))
		commit(t, ts, statestore.Checkpoint{Changelog: map[string]int64{"other": 7}, Inputs: map[statestore.TopicPartition]int64{in2: 5}, StreamTime: 900})
		want := statestore.Checkpoint{Changelog: map[string]int64{"kv": 2, "other": 7},
			Inputs: map[statestore.TopicPartition]int64{in: 100, in2: 5}, StreamTime: 1000}
		wantCheckpoint(t, ts.Checkpoint(), want)
		ts = reopen(t, ts, o)
		wantCheckpoint(t, ts.Checkpoint(), want)
		wantGet(t, kvStore(t, ts, "kv"), "k", "v2", true)
	})
	t.Run("empty batch records the checkpoint", func(t *testing.T) {
		o := newState(t)
		ts := open(t, o)
		commit(t, ts, checkpoint(5, map[string]int64{"s": 1}))
		ts = reopen(t, ts, o)
		wantCheckpoint(t, ts.Checkpoint(), checkpoint(5, map[string]int64{"s": 1}))
	})
	t.Run("checkpoint is a copy", func(t *testing.T) {
		ts := open(t, newState(t))
		commit(t, ts, checkpoint(5, map[string]int64{"s": 1}))
		cp := ts.Checkpoint()
		cp.Changelog["s"] = 99
		wantCheckpoint(t, ts.Checkpoint(), checkpoint(5, map[string]int64{"s": 1}))
	})
	t.Run("abort drops everything", func(t *testing.T) {
		o := newState(t)
		ts := open(t, o)
		kv, w := kvStore(t, ts, "kv"), winStore(t, ts, "w")
		must(t, kv.Put(b("keep"), b("1")))
		must(t, w.Put(b("keep"), 1, b("1")))
		cp := checkpoint(10, map[string]int64{"kv": 2, "w": 2})
		commit(t, ts, cp)
		before := dump(t, ts)
		must(t, kv.Put(b("keep"), b("changed")))
		must(t, kv.Put(b("new"), b("x")))
		must(t, kv.Delete(b("keep")))
		must(t, w.Put(b("new"), 2, b("x")))
		_, err := w.DeleteBefore(100)
		must(t, err)
		must(t, ts.Abort())
		wantDump(t, ts, before)
		wantCheckpoint(t, ts.Checkpoint(), cp)
		commit(t, ts, statestore.Checkpoint{}) // nothing left to apply
		ts = reopen(t, ts, o)
		kvStore(t, ts, "kv")
		winStore(t, ts, "w")
		wantDump(t, ts, before)
	})
	t.Run("many stores in one commit", func(t *testing.T) {
		o := newState(t)
		ts := open(t, o)
		offsets := map[string]int64{}
		for i := range 20 {
			name := fmt.Sprintf("s%02d", i)
			must(t, kvStore(t, ts, name).Put(b("k"), b(name)))
			offsets[name] = int64(i)
		}
		commit(t, ts, checkpoint(1, offsets))
		want := dump(t, ts)
		ts = reopen(t, ts, o)
		for i := range 20 {
			kvStore(t, ts, fmt.Sprintf("s%02d", i))
		}
		wantDump(t, ts, want)
		wantCheckpoint(t, ts.Checkpoint(), checkpoint(1, offsets))
	})
}

func wantCheckpoint(t testing.TB, got, want statestore.Checkpoint) {
	t.Helper()
	if got.StreamTime != want.StreamTime || !maps.Equal(got.Changelog, want.Changelog) || !maps.Equal(got.Inputs, want.Inputs) {
		t.Fatalf("checkpoint = %+v, want %+v", got, want)
	}
}

// openStores opens the stores workload uses, as a task's processors do
// in Init before restore.
func openStores(t testing.TB, ts statestore.TaskState) {
	kvStore(t, ts, "agg")
	winStore(t, ts, "win")
}

func testCrash(t *testing.T, newState Factory) {
	t.Run("before commit: batch lost, checkpoint old", func(t *testing.T) {
		o := newState(t)
		ts := open(t, o)
		tp := newTopics()
		for i := range 3 {
			txn(t, ts, tp, int64(i), false, func() { workload(t, ts, i) })
		}
		want, cp := dump(t, ts), ts.Checkpoint()
		workload(t, ts, 3) // crash before produce: Kafka aborts the transaction
		ts = reopen(t, ts, o)
		openStores(t, ts)
		wantDump(t, ts, want)
		wantCheckpoint(t, ts.Checkpoint(), cp)
		if ts.Pending() {
			t.Fatal("pending writes after reopen")
		}
	})
	t.Run("after kafka commit, before local apply", func(t *testing.T) {
		for _, crashAt := range []int{0, 1, 4} {
			t.Run(fmt.Sprintf("interval %d", crashAt), func(t *testing.T) {
				// ref runs every interval to completion; crashed loses the
				// local apply of interval crashAt, then restores.
				ref, crashed := open(t, newState(t)), newState(t)
				ts := open(t, crashed)
				refTopics, tp := newTopics(), newTopics()
				for i := range crashAt + 1 {
					txn(t, ref, refTopics, int64(i), false, func() { workload(t, ref, i) })
					txn(t, ts, tp, int64(i), i == crashAt, func() { workload(t, ts, i) })
				}
				ts = reopen(t, ts, crashed)
				openStores(t, ts)
				restore(t, ts, tp)
				wantDump(t, ts, dump(t, ref))
				if got, want := ts.Checkpoint().Changelog, ref.Checkpoint().Changelog; !maps.Equal(got, want) {
					t.Fatalf("changelog offsets %v, want %v", got, want)
				}
				// Processing continues from the restored state.
				for i := crashAt + 1; i < crashAt+3; i++ {
					txn(t, ref, refTopics, int64(i), false, func() { workload(t, ref, i) })
					txn(t, ts, tp, int64(i), false, func() { workload(t, ts, i) })
				}
				ts = reopen(t, ts, crashed)
				openStores(t, ts)
				wantDump(t, ts, dump(t, ref))
			})
		}
	})
}

func testRestore(t *testing.T, newState Factory) {
	t.Run("from scratch equals live", func(t *testing.T) {
		live := open(t, newState(t))
		tp := newTopics()
		for i := range 6 {
			txn(t, live, tp, int64(i), false, func() { workload(t, live, i) })
		}
		o := newState(t)
		ts := open(t, o)
		openStores(t, ts)
		restore(t, ts, tp)
		want := dump(t, live)
		wantDump(t, ts, want)
		ts = reopen(t, ts, o)
		openStores(t, ts)
		wantDump(t, ts, want)
		if got := ts.Checkpoint().Changelog; !maps.Equal(got, live.Checkpoint().Changelog) {
			t.Fatalf("offsets %v, want %v", got, live.Checkpoint().Changelog)
		}
	})
	t.Run("idempotent re-apply", func(t *testing.T) {
		live := open(t, newState(t))
		tp := newTopics()
		for i := range 4 {
			txn(t, live, tp, int64(i), false, func() { workload(t, live, i) })
		}
		ts := open(t, newState(t))
		openStores(t, ts)
		for _, s := range ts.Stores() {
			recs, end := tp.read(s.Name, 0)
			for range 3 { // the same records, again and again
				must(t, ts.ApplyChangelog(s.Name, recs, end))
			}
			// In pieces, overlapping the tail again.
			half := len(recs) / 2
			must(t, ts.ApplyChangelog(s.Name, recs[half:], end))
		}
		wantDump(t, ts, dump(t, live))
		// A restore that finds nothing new changes nothing.
		restore(t, ts, tp)
		wantDump(t, ts, dump(t, live))
	})
	t.Run("keeps input offsets and stream time", func(t *testing.T) {
		o := newState(t)
		ts := open(t, o)
		openStores(t, ts)
		in := statestore.TopicPartition{Topic: "in", Partition: 0}
		commit(t, ts, statestore.Checkpoint{Inputs: map[statestore.TopicPartition]int64{in: 42}, StreamTime: 7})
		must(t, ts.ApplyChangelog("agg", []statestore.ChangelogRecord{{Key: b("k"), Value: b("v")}}, 3))
		want := statestore.Checkpoint{Changelog: map[string]int64{"agg": 3}, Inputs: map[statestore.TopicPartition]int64{in: 42}, StreamTime: 7}
		wantCheckpoint(t, ts.Checkpoint(), want)
		ts = reopen(t, ts, o)
		wantCheckpoint(t, ts.Checkpoint(), want)
		wantGet(t, kvStore(t, ts, "agg"), "k", "v", true)
	})
}

func testErrors(t *testing.T, newState Factory) {
	cases := []struct {
		name string
		run  func(ts statestore.TaskState) error
		want error
	}{
		{"kind mismatch", func(ts statestore.TaskState) error {
			if _, err := ts.Open("s"); err != nil {
				return err
			}
			_, err := ts.OpenWindowed("s")
			return err
		}, statestore.ErrKindMismatch},
		{"restore unknown store", func(ts statestore.TaskState) error {
			return ts.ApplyChangelog("nope", nil, 1)
		}, statestore.ErrUnknownStore},
		{"restore with pending writes", func(ts statestore.TaskState) error {
			kv, _ := ts.Open("s")
			_ = kv.Put(b("k"), b("v"))
			return ts.ApplyChangelog("s", nil, 1)
		}, statestore.ErrPendingWrites},
		{"restore before checkpoint", func(ts statestore.TaskState) error {
			_, _ = ts.Open("s")
			if err := ts.Commit(checkpoint(0, map[string]int64{"s": 10})); err != nil {
				return err
			}
			return ts.ApplyChangelog("s", nil, 9)
		}, statestore.ErrBadChangelog},
		{"restore bad window key", func(ts statestore.TaskState) error {
			_, _ = ts.OpenWindowed("w")
			return ts.ApplyChangelog("w", []statestore.ChangelogRecord{{Key: b("short"), Value: b("v")}}, 1)
		}, statestore.ErrBadChangelog},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ts := open(t, newState(t))
			if err := tc.run(ts); !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
		})
	}
	t.Run("closed", func(t *testing.T) {
		ts := open(t, newState(t))
		kv, w := kvStore(t, ts, "kv"), winStore(t, ts, "w")
		must(t, ts.Close())
		must(t, ts.Close()) // idempotent
		ops := map[string]error{
			"Get":            func() error { _, _, err := kv.Get(b("k")); return err }(),
			"Put":            kv.Put(b("k"), b("v")),
			"Delete":         kv.Delete(b("k")),
			"Scan":           kv.Scan(nil, func(_, _ []byte) bool { return true }),
			"ScanRange":      kv.ScanRange(nil, nil, func(_, _ []byte) bool { return true }),
			"window Put":     w.Put(b("k"), 1, b("v")),
			"window Fetch":   w.Fetch(b("k"), 0, 1, func(int64, []byte) bool { return true }),
			"DeleteBefore":   func() error { _, err := w.DeleteBefore(1); return err }(),
			"Open":           func() error { _, err := ts.Open("x"); return err }(),
			"Commit":         ts.Commit(statestore.Checkpoint{}),
			"Abort":          ts.Abort(),
			"ApplyChangelog": ts.ApplyChangelog("kv", nil, 1),
		}
		for _, name := range slices.Sorted(maps.Keys(ops)) {
			if !errors.Is(ops[name], statestore.ErrClosed) {
				t.Errorf("%s after Close: %v, want ErrClosed", name, ops[name])
			}
		}
	})
}
