package memstore_test

import (
	"errors"
	"testing"

	"github.com/eventflux-io/eventflux-go/statestore"
	"github.com/eventflux-io/eventflux-go/statestore/memstore"
	"github.com/eventflux-io/eventflux-go/statestore/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(testing.TB) storetest.Opener {
		b := memstore.NewBacking() // kept between opens, like a task directory
		return func() (statestore.TaskState, error) { return memstore.Open(b, memstore.Options{}) }
	})
}

func TestBackingOpenOnce(t *testing.T) {
	b := memstore.NewBacking()
	s, err := memstore.Open(b, memstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := memstore.Open(b, memstore.Options{}); err == nil {
		t.Fatal("second open of a backing succeeded")
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err = memstore.Open(b, memstore.Options{})
	if err != nil {
		t.Fatalf("reopen after close: %v", err)
	}
	_ = s.Close()
}

// TestDirect covers the replay mode: writes apply at once, no changelog.
func TestDirect(t *testing.T) {
	s := memstore.NewProvider()
	kv, err := s.Open("kv")
	if err != nil {
		t.Fatal(err)
	}
	w, err := s.OpenWindowed("w")
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"b", "a", "c"} {
		if err := kv.Put([]byte(k), []byte(k+"v")); err != nil {
			t.Fatal(err)
		}
		if err := w.Put([]byte(k), 10, []byte(k)); err != nil {
			t.Fatal(err)
		}
	}
	if err := kv.Delete([]byte("b")); err != nil {
		t.Fatal(err)
	}
	var got string
	if err := kv.Scan(nil, func(k, v []byte) bool { got += string(k) + "=" + string(v) + " "; return true }); err != nil {
		t.Fatal(err)
	}
	if got != "a=av c=cv " {
		t.Fatalf("scan = %q", got)
	}
	if s.Pending() || len(s.AppendChangelog(nil)) != 0 {
		t.Fatal("direct state has a batch")
	}
	if n, err := w.DeleteBefore(11); err != nil || n != 3 {
		t.Fatalf("DeleteBefore = %d, %v", n, err)
	}
	if err := s.Commit(statestore.Checkpoint{StreamTime: 5}); err != nil {
		t.Fatal(err)
	}
	if s.Checkpoint().StreamTime != 5 {
		t.Fatal("checkpoint not recorded")
	}
	if err := s.Abort(); err == nil {
		t.Fatal("Abort of a direct state succeeded")
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, _, err := kv.Get([]byte("a")); !errors.Is(err, statestore.ErrClosed) {
		t.Fatalf("Get after close: %v", err)
	}
}

// TestRestoreLeavesNoIndex checks, through the backing's size, that a
// restored window tombstone removes the window's by-key index entry too
// (the index is invisible through the API, so the suite cannot see a leak).
func TestRestoreLeavesNoIndex(t *testing.T) {
	b := memstore.NewBacking()
	s, err := memstore.Open(b, memstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.OpenWindowed("w"); err != nil {
		t.Fatal(err)
	}
	recs := []statestore.ChangelogRecord{
		{Key: statestore.WindowKey([]byte("k"), 1), Value: []byte("v")},
		{Key: statestore.WindowKey([]byte("k"), 2), Value: []byte("v")},
		{Key: statestore.WindowKey([]byte("k"), 1), Value: nil},
	}
	if err := s.ApplyChangelog("w", recs, 3); err != nil {
		t.Fatal(err)
	}
	// checkpoint + window k@2 + its index entry
	if n := b.Len(); n != 3 {
		t.Fatalf("backing holds %d entries, want 3", n)
	}
}

func newBenchState(testing.TB) storetest.Opener {
	b := memstore.NewBacking()
	return func() (statestore.TaskState, error) { return memstore.Open(b, memstore.Options{}) }
}

// BenchmarkStore runs the shared store benchmarks (go test -bench Store).
func BenchmarkStore(b *testing.B) { storetest.Benchmark(b, newBenchState) }

// BenchmarkDirect is the replay configuration: NewProvider's direct state.
func BenchmarkDirect(b *testing.B) {
	storetest.Benchmark(b, func(testing.TB) storetest.Opener {
		bk := memstore.NewBacking()
		return func() (statestore.TaskState, error) { return memstore.Open(bk, memstore.Options{Direct: true}) }
	})
}
