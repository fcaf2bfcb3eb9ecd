package storetest

import (
	"slices"
	"strings"
	"testing"

	"github.com/eventflux-io/eventflux-go/statestore"
)

// phase says where writes are when a check runs.
type phase struct {
	name string
	// settle moves the writes made so far: nowhere (pending), into the
	// committed state, or through a close and reopen.
	settle func(t testing.TB, ts statestore.TaskState, o Opener) statestore.TaskState
}

var phases = []phase{
	{"pending", func(_ testing.TB, ts statestore.TaskState, _ Opener) statestore.TaskState { return ts }},
	{"committed", func(t testing.TB, ts statestore.TaskState, _ Opener) statestore.TaskState {
		commit(t, ts, statestore.Checkpoint{})
		return ts
	}},
	{"reopened", func(t testing.TB, ts statestore.TaskState, o Opener) statestore.TaskState {
		commit(t, ts, statestore.Checkpoint{})
		return reopen(t, ts, o)
	}},
}

func testKeyValue(t *testing.T, newState Factory) {
	type get struct {
		key, value string
		ok         bool
	}
	cases := []struct {
		name  string
		write func(t testing.TB, kv statestore.KeyValue)
		want  []get
	}{
		{"put", func(t testing.TB, kv statestore.KeyValue) {
			must(t, kv.Put(b("a"), b("1")))
			must(t, kv.Put(b("b"), b("2")))
		}, []get{{"a", "1", true}, {"b", "2", true}, {"c", "", false}}},
		{"overwrite", func(t testing.TB, kv statestore.KeyValue) {
			must(t, kv.Put(b("a"), b("1")))
			must(t, kv.Put(b("a"), b("2")))
		}, []get{{"a", "2", true}}},
		{"delete", func(t testing.TB, kv statestore.KeyValue) {
			must(t, kv.Put(b("a"), b("1")))
			must(t, kv.Put(b("b"), b("2")))
			must(t, kv.Delete(b("a")))
		}, []get{{"a", "", false}, {"b", "2", true}}},
		{"delete missing", func(t testing.TB, kv statestore.KeyValue) {
			must(t, kv.Delete(b("nope")))
		}, []get{{"nope", "", false}}},
		{"put after delete", func(t testing.TB, kv statestore.KeyValue) {
			must(t, kv.Put(b("a"), b("1")))
			must(t, kv.Delete(b("a")))
			must(t, kv.Put(b("a"), b("3")))
		}, []get{{"a", "3", true}}},
		{"empty and nil values", func(t testing.TB, kv statestore.KeyValue) {
			must(t, kv.Put(b("e"), []byte{}))
			must(t, kv.Put(b("n"), nil))
		}, []get{{"e", "", true}, {"n", "", true}}},
		{"empty key and binary keys", func(t testing.TB, kv statestore.KeyValue) {
			must(t, kv.Put(nil, b("root")))
			must(t, kv.Put([]byte{0, 0xff}, b("bin")))
		}, []get{{"", "root", true}, {"\x00\xff", "bin", true}, {"\x00", "", false}}},
	}
	for _, tc := range cases {
		for _, ph := range phases {
			t.Run(tc.name+"/"+ph.name, func(t *testing.T) {
				o := newState(t)
				ts := open(t, o)
				tc.write(t, kvStore(t, ts, "kv"))
				ts = ph.settle(t, ts, o)
				kv := kvStore(t, ts, "kv")
				for _, g := range tc.want {
					wantGet(t, kv, g.key, g.value, g.ok)
				}
			})
		}
	}
	t.Run("stores are isolated", func(t *testing.T) {
		// "a" and "ab": no store's keys may leak into a store whose name
		// extends it, in either phase.
		for _, ph := range phases {
			t.Run(ph.name, func(t *testing.T) {
				o := newState(t)
				ts := open(t, o)
				must(t, kvStore(t, ts, "a").Put(b("bx"), b("in a")))
				must(t, kvStore(t, ts, "ab").Put(b("x"), b("in ab")))
				ts = ph.settle(t, ts, o)
				a, ab := kvStore(t, ts, "a"), kvStore(t, ts, "ab")
				wantGet(t, a, "x", "", false)
				wantGet(t, ab, "bx", "", false)
				if got := scanAll(t, a, nil); !slices.Equal(got, []string{"bx=in a"}) {
					t.Fatalf("scan a = %q", got)
				}
				if got := scanAll(t, ab, nil); !slices.Equal(got, []string{"x=in ab"}) {
					t.Fatalf("scan ab = %q", got)
				}
			})
		}
	})
	t.Run("open twice returns the same store", func(t *testing.T) {
		ts := open(t, newState(t))
		must(t, kvStore(t, ts, "s").Put(b("k"), b("v")))
		wantGet(t, kvStore(t, ts, "s"), "k", "v", true)
		if got := ts.Stores(); !slices.Equal(got, []statestore.StoreInfo{{Name: "s", Kind: statestore.KindKeyValue}}) {
			t.Fatalf("Stores() = %v", got)
		}
	})
}

func testScan(t *testing.T, newState Factory) {
	// committed is written and committed first; pending is written on
	// top without a commit. Scans must see the merge.
	committed := map[string]string{"a": "1", "ab": "2", "abc": "3", "b": "4", "ba": "5", "c": "6", "\xff": "ff", "\xff\xff": "ffff"}
	pending := func(t testing.TB, kv statestore.KeyValue) {
		must(t, kv.Put(b("aa"), b("new")))  // new key between committed ones
		must(t, kv.Put(b("b"), b("4'")))    // overwrite committed
		must(t, kv.Delete(b("abc")))        // delete committed
		must(t, kv.Put(b("bb"), b("tmp")))  // put then delete in batch
		must(t, kv.Delete(b("bb")))         //
		must(t, kv.Put(b("0"), b("first"))) // before everything
	}
	merged := []string{"0=first", "a=1", "aa=new", "ab=2", "b=4'", "ba=5", "c=6", "\xff=ff", "\xff\xff=ffff"}
	base := []string{"a=1", "ab=2", "abc=3", "b=4", "ba=5", "c=6", "\xff=ff", "\xff\xff=ffff"}
	filter := func(all []string, keep func(k string) bool) []string {
		var out []string
		for _, e := range all {
			k, _, _ := strings.Cut(e, "=")
			if keep(k) {
				out = append(out, e)
			}
		}
		return out
	}
	type scan struct {
		name string
		run  func(t testing.TB, kv statestore.KeyValue) []string
		keep func(k string) bool
	}
	scans := []scan{
		{"prefix nil", func(t testing.TB, kv statestore.KeyValue) []string { return scanAll(t, kv, nil) },
			func(string) bool { return true }},
		{"prefix a", func(t testing.TB, kv statestore.KeyValue) []string { return scanAll(t, kv, b("a")) },
			func(k string) bool { return len(k) > 0 && k[0] == 'a' }},
		{"prefix ab", func(t testing.TB, kv statestore.KeyValue) []string { return scanAll(t, kv, b("ab")) },
			func(k string) bool { return len(k) >= 2 && k[:2] == "ab" }},
		{"prefix 0xff", func(t testing.TB, kv statestore.KeyValue) []string { return scanAll(t, kv, b("\xff")) },
			func(k string) bool { return len(k) > 0 && k[0] == 0xff }},
		{"prefix missing", func(t testing.TB, kv statestore.KeyValue) []string { return scanAll(t, kv, b("zz")) },
			func(string) bool { return false }},
		{"range [ab, ba)", func(t testing.TB, kv statestore.KeyValue) []string { return rangeAll(t, kv, b("ab"), b("ba")) },
			func(k string) bool { return k >= "ab" && k < "ba" }},
		{"range [nil, b)", func(t testing.TB, kv statestore.KeyValue) []string { return rangeAll(t, kv, nil, b("b")) },
			func(k string) bool { return k < "b" }},
		{"range [b, nil)", func(t testing.TB, kv statestore.KeyValue) []string { return rangeAll(t, kv, b("b"), nil) },
			func(k string) bool { return k >= "b" }},
		{"range empty", func(t testing.TB, kv statestore.KeyValue) []string { return rangeAll(t, kv, b("b"), b("b")) },
			func(string) bool { return false }},
	}
	for _, sc := range scans {
		t.Run(sc.name, func(t *testing.T) {
			o := newState(t)
			ts := open(t, o)
			kv := kvStore(t, ts, "kv")
			must(t, kvStore(t, ts, "other").Put(b("a"), b("other"))) // must not leak
			for k, v := range committed {
				must(t, kv.Put(b(k), b(v)))
			}
			commit(t, ts, statestore.Checkpoint{})
			if got, want := sc.run(t, kv), filter(base, sc.keep); !slices.Equal(got, want) {
				t.Fatalf("committed: got %q, want %q", got, want)
			}
			pending(t, kv)
			want := filter(merged, sc.keep)
			if got := sc.run(t, kv); !slices.Equal(got, want) {
				t.Fatalf("merged: got %q, want %q", got, want)
			}
			commit(t, ts, statestore.Checkpoint{})
			if got := sc.run(t, kv); !slices.Equal(got, want) {
				t.Fatalf("after commit: got %q, want %q", got, want)
			}
			ts = reopen(t, ts, o)
			if got := sc.run(t, kvStore(t, ts, "kv")); !slices.Equal(got, want) {
				t.Fatalf("after reopen: got %q, want %q", got, want)
			}
		})
	}
	t.Run("early stop", func(t *testing.T) {
		ts := open(t, newState(t))
		kv := kvStore(t, ts, "kv")
		for _, k := range []string{"a", "b", "c", "d"} {
			must(t, kv.Put(b(k), b(k)))
		}
		commit(t, ts, statestore.Checkpoint{})
		must(t, kv.Put(b("bb"), b("bb")))
		var got []string
		must(t, kv.Scan(nil, func(k, _ []byte) bool { got = append(got, string(k)); return len(got) < 3 }))
		if !slices.Equal(got, []string{"a", "b", "bb"}) {
			t.Fatalf("got %q", got)
		}
	})
	t.Run("delete during scan", func(t *testing.T) {
		// Expiry loops delete the entry they stand on; the scan goes on.
		for _, ph := range phases[:2] {
			t.Run(ph.name, func(t *testing.T) {
				o := newState(t)
				ts := open(t, o)
				kv := kvStore(t, ts, "kv")
				for _, k := range []string{"a", "b", "c", "d"} {
					must(t, kv.Put(b(k), b(k)))
				}
				ts = ph.settle(t, ts, o)
				kv = kvStore(t, ts, "kv")
				var seen []string
				must(t, kv.Scan(nil, func(k, _ []byte) bool {
					seen = append(seen, string(k))
					if string(k) != "c" {
						must(t, kv.Delete(k))
					}
					return true
				}))
				if !slices.Equal(seen, []string{"a", "b", "c", "d"}) {
					t.Fatalf("seen %q", seen)
				}
				if got := scanAll(t, kv, nil); !slices.Equal(got, []string{"c=c"}) {
					t.Fatalf("left %q", got)
				}
			})
		}
	})
}
