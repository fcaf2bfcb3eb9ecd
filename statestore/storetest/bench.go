package storetest

import (
	"encoding/binary"
	"fmt"
	"testing"

	"github.com/eventflux-io/eventflux-go/statestore"
)

// Benchmark runs the store benchmarks against an implementation, so both
// implementations are measured the same way. Record sizes follow the
// measured Pebble notes: 16-byte keys, 100-byte values.
func Benchmark(b *testing.B, newState Factory) {
	b.Run("Get/committed", func(b *testing.B) { benchGet(b, newState, true) })
	b.Run("Get/pending", func(b *testing.B) { benchGet(b, newState, false) })
	b.Run("Get/absent", benchAbsent(newState))
	b.Run("Put", func(b *testing.B) { benchPut(b, newState) })
	b.Run("WindowUpdate", func(b *testing.B) { benchWindow(b, newState) })
	for _, n := range []int{100, 10000} {
		b.Run(fmt.Sprintf("BatchCommit/%d", n), func(b *testing.B) { benchCommit(b, newState, n) })
	}
	b.Run("Restore", func(b *testing.B) { BenchmarkRestore(b, newState) })
}

const benchKeys = 100_000

func benchKey(i int) []byte { return fmt.Appendf(nil, "key-%012d", i) }

var benchValue = make([]byte, 100)

func benchGet(b *testing.B, newState Factory, commitFirst bool) {
	ts := open(b, newState(b))
	kv := kvStore(b, ts, "kv")
	keys := make([][]byte, benchKeys)
	for i := range keys {
		keys[i] = benchKey(i)
		must(b, kv.Put(keys[i], benchValue))
		if commitFirst && i%1000 == 999 {
			commit(b, ts, statestore.Checkpoint{})
		}
	}
	if commitFirst {
		commit(b, ts, statestore.Checkpoint{})
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if _, ok, err := kv.Get(keys[(i*7919)%benchKeys]); err != nil || !ok {
			b.Fatal("miss", err)
		}
	}
}

func benchAbsent(newState Factory) func(b *testing.B) {
	return func(b *testing.B) {
		ts := open(b, newState(b))
		kv := kvStore(b, ts, "kv")
		for i := range benchKeys {
			must(b, kv.Put(benchKey(2*i), benchValue))
			if i%1000 == 999 {
				commit(b, ts, statestore.Checkpoint{})
			}
		}
		commit(b, ts, statestore.Checkpoint{})
		keys := make([][]byte, 1024)
		for i := range keys {
			keys[i] = benchKey(2*i*97 + 1)
		}
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			if _, ok, err := kv.Get(keys[i%len(keys)]); err != nil || ok {
				b.Fatal("hit", err)
			}
		}
	}
}

// benchPut updates 10k keys round-robin into the batch, committing every
// 10k writes (a commit interval's worth) outside the timer's concern: the
// cost per Put includes its share of the commit.
func benchPut(b *testing.B, newState Factory) {
	ts := open(b, newState(b))
	kv := kvStore(b, ts, "kv")
	keys := make([][]byte, 10_000)
	for i := range keys {
		keys[i] = benchKey(i)
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		must(b, kv.Put(keys[i%len(keys)], benchValue))
		if i%50_000 == 49_999 {
			commit(b, ts, statestore.Checkpoint{})
		}
	}
}

// benchWindow is a tumbling-window aggregate's store traffic: Get then Put
// of (key, window) over 10k keys, a new window every 100k events, expiry
// of old windows and a commit every 50k events.
func benchWindow(b *testing.B, newState Factory) {
	ts := open(b, newState(b))
	w := winStore(b, ts, "w")
	keys := make([][]byte, 10_000)
	for i := range keys {
		keys[i] = benchKey(i)
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		start := int64(i / 100_000 * 1000)
		k := keys[i%len(keys)]
		if _, _, err := w.Get(k, start); err != nil {
			b.Fatal(err)
		}
		must(b, w.Put(k, start, benchValue))
		if i%50_000 == 49_999 {
			if _, err := w.DeleteBefore(start - 2000); err != nil {
				b.Fatal(err)
			}
			commit(b, ts, statestore.Checkpoint{StreamTime: start})
		}
	}
}

// benchCommit measures one commit interval: n puts, draining the
// changelog, Commit.
func benchCommit(b *testing.B, newState Factory, n int) {
	ts := open(b, newState(b))
	kv := kvStore(b, ts, "kv")
	keys := make([][]byte, n)
	for i := range keys {
		keys[i] = benchKey(i)
	}
	var recs []statestore.ChangelogRecord
	off := int64(0)
	b.ReportAllocs()
	for b.Loop() {
		for _, k := range keys {
			must(b, kv.Put(k, benchValue))
		}
		recs = ts.AppendChangelog(recs[:0])
		off += int64(len(recs)) + 1
		commit(b, ts, checkpoint(off, map[string]int64{"kv": off}))
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "records/s")
}

// BenchmarkRestore applies changelog records (16-byte keys, 100-byte
// values, 1M distinct keys cycling) to a key-value store in chunks of 1000,
// as the restore consumer delivers them, and reports records/s.
func BenchmarkRestore(b *testing.B, newState Factory) {
	ts := open(b, newState(b))
	kvStore(b, ts, "kv")
	const chunk = 1000
	pool := make([]statestore.ChangelogRecord, chunk)
	for i := range pool {
		pool[i] = statestore.ChangelogRecord{Store: "kv", Key: benchKey(i), Value: benchValue}
	}
	b.ReportAllocs()
	b.SetBytes(int64(chunk * (16 + 100)))
	next := int64(0)
	for i := 0; b.Loop(); i++ {
		// Rewrite the key counters in place: 1M distinct keys, cycling.
		for j := range pool {
			binary.BigEndian.PutUint64(pool[j].Key[8:], uint64((i%1000)*chunk+j))
		}
		next += chunk
		must(b, ts.ApplyChangelog("kv", pool, next))
	}
	b.ReportMetric(float64(b.N*chunk)/b.Elapsed().Seconds(), "records/s")
}
