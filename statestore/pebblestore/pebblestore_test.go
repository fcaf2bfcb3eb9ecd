package pebblestore_test

import (
	"testing"

	"github.com/eventflux-io/eventflux-go/statestore"
	"github.com/eventflux-io/eventflux-go/statestore/pebblestore"
	"github.com/eventflux-io/eventflux-go/statestore/storetest"
)

func TestConformance(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts pebblestore.Options
	}{
		{"defaults", pebblestore.Options{BlockCacheSize: 1 << 20}},
		{"sync, no bloom", pebblestore.Options{BlockCacheSize: 1 << 20, Sync: true, BloomBitsPerKey: -1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			storetest.Run(t, func(t testing.TB) storetest.Opener {
				dir := t.TempDir() // reopened in place, like a task directory
				return func() (statestore.TaskState, error) { return pebblestore.Open(dir, tc.opts) }
			})
		})
	}
}

func TestSharedCache(t *testing.T) {
	c := pebblestore.NewCache(1 << 20)
	var states []statestore.TaskState
	for range 2 {
		s, err := pebblestore.Open(t.TempDir(), pebblestore.Options{Cache: c})
		if err != nil {
			t.Fatal(err)
		}
		states = append(states, s)
	}
	c.Close() // the states hold their own references
	for _, s := range states {
		kv, err := s.Open("kv")
		if err != nil {
			t.Fatal(err)
		}
		if err := kv.Put([]byte("k"), []byte("v")); err != nil {
			t.Fatal(err)
		}
		if err := s.Commit(statestore.Checkpoint{}); err != nil {
			t.Fatal(err)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

func TestOpenLocked(t *testing.T) {
	dir := t.TempDir()
	s, err := pebblestore.Open(dir, pebblestore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s2, err := pebblestore.Open(dir, pebblestore.Options{}); err == nil {
		s2.Close()
		t.Fatal("second open of a task directory succeeded")
	}
}

func benchFactory(t testing.TB) storetest.Opener {
	dir := t.TempDir()
	return func() (statestore.TaskState, error) { return pebblestore.Open(dir, pebblestore.Options{}) }
}

// BenchmarkStore runs the shared store benchmarks with default options.
func BenchmarkStore(b *testing.B) { storetest.Benchmark(b, benchFactory) }

// BenchmarkRestore applies changelog records into Pebble (target: at least
// 300k records/s; see the records/s metric).
func BenchmarkRestore(b *testing.B) { storetest.BenchmarkRestore(b, benchFactory) }
