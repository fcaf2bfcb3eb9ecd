// Package storetest is the conformance suite of statestore.TaskState. Every
// implementation runs it from its own tests:
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, func(t testing.TB) storetest.Opener {
//			dir := t.TempDir()
//			return func() (statestore.TaskState, error) { return pebblestore.Open(dir, pebblestore.Options{}) }
//		})
//	}
//
// It covers key-value CRUD and scans, windowed fetch and retention, the
// batch (own writes visible, deletes hidden, changelog records), commit
// atomicity, abort, reopen, the two crash windows of the exactly-once
// protocol and idempotent changelog restore, plus a randomized comparison
// against a model with commits, aborts, crashes and restores.
package storetest

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/eventflux-io/eventflux-go/statestore"
)

// Opener opens the task state kept at one location. Calling it again after
// the previous state was closed must reopen the same data, as reopening a
// task directory does.
type Opener func() (statestore.TaskState, error)

// Factory returns an Opener for a fresh, empty location. It is called once
// per subtest (sometimes twice, for a reference copy).
type Factory func(t testing.TB) Opener

// Run runs the conformance suite against the implementation newState
// creates.
func Run(t *testing.T, newState Factory) {
	t.Run("KeyValue", func(t *testing.T) { testKeyValue(t, newState) })
	t.Run("Scan", func(t *testing.T) { testScan(t, newState) })
	t.Run("Windowed", func(t *testing.T) { testWindowed(t, newState) })
	t.Run("Changelog", func(t *testing.T) { testChangelog(t, newState) })
	t.Run("Commit", func(t *testing.T) { testCommit(t, newState) })
	t.Run("Crash", func(t *testing.T) { testCrash(t, newState) })
	t.Run("Restore", func(t *testing.T) { testRestore(t, newState) })
	t.Run("Errors", func(t *testing.T) { testErrors(t, newState) })
	t.Run("Model", func(t *testing.T) { testModel(t, newState) })
}

// Dump renders every entry of every opened store of ts, in store then key
// (or time) order, one line each: "store k=v" for key-value stores and
// "store k@start=v" for windowed ones. Tests compare dumps to compare states.
func Dump(ts statestore.TaskState) ([]string, error) {
	var out []string
	for _, info := range ts.Stores() {
		switch info.Kind {
		case statestore.KindKeyValue:
			kv, err := ts.Open(info.Name)
			if err != nil {
				return nil, err
			}
			err = kv.Scan(nil, func(k, v []byte) bool {
				out = append(out, fmt.Sprintf("%s %q=%q", info.Name, k, v))
				return true
			})
			if err != nil {
				return nil, err
			}
		case statestore.KindWindowed:
			w, err := ts.OpenWindowed(info.Name)
			if err != nil {
				return nil, err
			}
			err = w.Range(math.MinInt64, math.MaxInt64, func(k []byte, start int64, v []byte) bool {
				out = append(out, fmt.Sprintf("%s %q@%d=%q", info.Name, k, start, v))
				return true
			})
			if err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// open opens a state and closes it when the test ends.
func open(t testing.TB, o Opener) statestore.TaskState {
	t.Helper()
	ts, err := o()
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { _ = ts.Close() })
	return ts
}

func reopen(t testing.TB, ts statestore.TaskState, o Opener) statestore.TaskState {
	t.Helper()
	if err := ts.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	return open(t, o)
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func kvStore(t testing.TB, ts statestore.TaskState, name string) statestore.KeyValue {
	t.Helper()
	kv, err := ts.Open(name)
	must(t, err)
	return kv
}

func winStore(t testing.TB, ts statestore.TaskState, name string) statestore.Windowed {
	t.Helper()
	w, err := ts.OpenWindowed(name)
	must(t, err)
	return w
}

func dump(t testing.TB, ts statestore.TaskState) []string {
	t.Helper()
	d, err := Dump(ts)
	must(t, err)
	return d
}

func wantDump(t testing.TB, ts statestore.TaskState, want []string) {
	t.Helper()
	if got := dump(t, ts); !slices.Equal(got, want) {
		t.Fatalf("state:\n  got  %s\n  want %s", strings.Join(got, "\n       "), strings.Join(want, "\n       "))
	}
}

func commit(t testing.TB, ts statestore.TaskState, cp statestore.Checkpoint) {
	t.Helper()
	must(t, ts.Commit(cp))
}

func wantGet(t testing.TB, kv statestore.KeyValue, key, want string, wantOK bool) {
	t.Helper()
	v, ok, err := kv.Get([]byte(key))
	must(t, err)
	if ok != wantOK || string(v) != want {
		t.Fatalf("%s.Get(%q) = %q, %v; want %q, %v", kv.Name(), key, v, ok, want, wantOK)
	}
}

func scanAll(t testing.TB, kv statestore.KeyValue, prefix []byte) []string {
	t.Helper()
	var out []string
	must(t, kv.Scan(prefix, func(k, v []byte) bool {
		out = append(out, string(k)+"="+string(v))
		return true
	}))
	return out
}

func rangeAll(t testing.TB, kv statestore.KeyValue, start, end []byte) []string {
	t.Helper()
	var out []string
	must(t, kv.ScanRange(start, end, func(k, v []byte) bool {
		out = append(out, string(k)+"="+string(v))
		return true
	}))
	return out
}

func b(s string) []byte { return []byte(s) }

// checkpoint builds a checkpoint from store offsets and a stream time.
func checkpoint(streamTime int64, offsets map[string]int64) statestore.Checkpoint {
	return statestore.Checkpoint{Changelog: offsets, StreamTime: streamTime}
}
