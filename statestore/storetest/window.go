package storetest

import (
	"fmt"
	"math"
	"slices"
	"testing"

	"github.com/eventflux-io/eventflux-go/statestore"
)

func fetchAll(t testing.TB, w statestore.Windowed, key string, from, to int64) []string {
	t.Helper()
	var out []string
	must(t, w.Fetch(b(key), from, to, func(start int64, v []byte) bool {
		out = append(out, fmt.Sprintf("%d=%s", start, v))
		return true
	}))
	return out
}

func rangeWin(t testing.TB, w statestore.Windowed, from, to int64) []string {
	t.Helper()
	var out []string
	must(t, w.Range(from, to, func(k []byte, start int64, v []byte) bool {
		out = append(out, fmt.Sprintf("%s@%d=%s", k, start, v))
		return true
	}))
	return out
}

func testWindowed(t *testing.T, newState Factory) {
	const minT, maxT = math.MinInt64, math.MaxInt64
	// load writes windows of keys a, b and "a\x00" (which must not be
	// confused with a), some of them across the sign boundary.
	load := func(t testing.TB, w statestore.Windowed) {
		for _, e := range []struct {
			key   string
			start int64
		}{{"a", 0}, {"a", 10}, {"a", 20}, {"a", -10}, {"b", 10}, {"b", 30}, {"a\x00", 10}, {"a", minT}, {"b", maxT}} {
			must(t, w.Put(b(e.key), e.start, b(fmt.Sprintf("%s%d", e.key, e.start))))
		}
	}
	type check struct {
		name string
		got  func(t testing.TB, w statestore.Windowed) []string
		want []string
	}
	checks := []check{
		{"fetch a all", func(t testing.TB, w statestore.Windowed) []string { return fetchAll(t, w, "a", minT, maxT) },
			[]string{"-9223372036854775808=a-9223372036854775808", "-10=a-10", "0=a0", "10=a10", "20=a20"}},
		{"fetch a inclusive bounds", func(t testing.TB, w statestore.Windowed) []string { return fetchAll(t, w, "a", 0, 10) },
			[]string{"0=a0", "10=a10"}},
		{"fetch a single", func(t testing.TB, w statestore.Windowed) []string { return fetchAll(t, w, "a", 20, 20) },
			[]string{"20=a20"}},
		{"fetch empty range", func(t testing.TB, w statestore.Windowed) []string { return fetchAll(t, w, "a", 20, 10) }, nil},
		{"fetch b to max", func(t testing.TB, w statestore.Windowed) []string { return fetchAll(t, w, "b", 11, maxT) },
			[]string{"30=b30", "9223372036854775807=b9223372036854775807"}},
		{"fetch a\\x00", func(t testing.TB, w statestore.Windowed) []string { return fetchAll(t, w, "a\x00", minT, maxT) },
			[]string{"10=a\x0010"}},
		{"fetch missing key", func(t testing.TB, w statestore.Windowed) []string { return fetchAll(t, w, "z", minT, maxT) }, nil},
		{"range by time then key", func(t testing.TB, w statestore.Windowed) []string { return rangeWin(t, w, -10, 30) },
			[]string{"a@-10=a-10", "a@0=a0", "a@10=a10", "a\x00@10=a\x0010", "b@10=b10", "a@20=a20", "b@30=b30"}},
		{"range all", func(t testing.TB, w statestore.Windowed) []string { return rangeWin(t, w, minT, maxT) },
			[]string{"a@-9223372036854775808=a-9223372036854775808", "a@-10=a-10", "a@0=a0", "a@10=a10", "a\x00@10=a\x0010",
				"b@10=b10", "a@20=a20", "b@30=b30", "b@9223372036854775807=b9223372036854775807"}},
		{"range single time", func(t testing.TB, w statestore.Windowed) []string { return rangeWin(t, w, 10, 10) },
			[]string{"a@10=a10", "a\x00@10=a\x0010", "b@10=b10"}},
		{"get", func(t testing.TB, w statestore.Windowed) []string {
			var out []string
			for _, q := range []struct {
				k string
				t int64
			}{{"a", 10}, {"a", 11}, {"b", maxT}, {"c", 10}} {
				v, ok, err := w.Get(b(q.k), q.t)
				must(t, err)
				out = append(out, fmt.Sprintf("%s@%d=%s,%v", q.k, q.t, v, ok))
			}
			return out
		}, []string{"a@10=a10,true", "a@11=,false", "b@9223372036854775807=b9223372036854775807,true", "c@10=,false"}},
	}
	for _, c := range checks {
		for _, ph := range phases {
			t.Run(c.name+"/"+ph.name, func(t *testing.T) {
				o := newState(t)
				ts := open(t, o)
				load(t, winStore(t, ts, "w"))
				ts = ph.settle(t, ts, o)
				if got := c.got(t, winStore(t, ts, "w")); !slices.Equal(got, c.want) {
					t.Fatalf("got  %q\nwant %q", got, c.want)
				}
			})
		}
	}

	t.Run("overwrite and delete merged over committed", func(t *testing.T) {
		o := newState(t)
		ts := open(t, o)
		w := winStore(t, ts, "w")
		load(t, w)
		commit(t, ts, statestore.Checkpoint{})
		must(t, w.Put(b("a"), 10, b("A10")))
		must(t, w.Delete(b("a"), 0))
		must(t, w.Put(b("c"), 15, b("c15")))
		must(t, w.Delete(b("c"), 99)) // missing
		want := []string{"a@10=A10", "a\x00@10=a\x0010", "b@10=b10", "c@15=c15", "a@20=a20"}
		if got := rangeWin(t, w, 0, 20); !slices.Equal(got, want) {
			t.Fatalf("range: got %q want %q", got, want)
		}
		if got := fetchAll(t, w, "a", -10, 20); !slices.Equal(got, []string{"-10=a-10", "10=A10", "20=a20"}) {
			t.Fatalf("fetch: got %q", got)
		}
		commit(t, ts, statestore.Checkpoint{})
		ts = reopen(t, ts, o)
		if got := rangeWin(t, winStore(t, ts, "w"), 0, 20); !slices.Equal(got, want) {
			t.Fatalf("after reopen: got %q want %q", got, want)
		}
	})

	retention := []struct {
		name    string
		before  int64
		removed int
		left    []string
	}{
		{"nothing expired", minT, 0, []string{"a@-9223372036854775808", "a@-10", "a@0", "a@10", "a\x00@10", "b@10", "a@20", "b@30", "b@9223372036854775807"}},
		{"bound is exclusive", 10, 3, []string{"a@10", "a\x00@10", "b@10", "a@20", "b@30", "b@9223372036854775807"}},
		{"bound past all but max", maxT, 8, []string{"b@9223372036854775807"}},
	}
	for _, rc := range retention {
		for _, ph := range phases[:2] {
			t.Run("DeleteBefore "+rc.name+"/"+ph.name, func(t *testing.T) {
				o := newState(t)
				ts := open(t, o)
				w := winStore(t, ts, "w")
				load(t, w)
				ts = ph.settle(t, ts, o)
				w = winStore(t, ts, "w")
				n, err := w.DeleteBefore(rc.before)
				must(t, err)
				if n != rc.removed {
					t.Fatalf("removed %d, want %d", n, rc.removed)
				}
				check := func(when string, w statestore.Windowed) {
					var got []string
					must(t, w.Range(minT, maxT, func(k []byte, start int64, _ []byte) bool {
						got = append(got, fmt.Sprintf("%s@%d", k, start))
						return true
					}))
					if !slices.Equal(got, rc.left) {
						t.Fatalf("%s: left %q, want %q", when, got, rc.left)
					}
					// The by-key index must agree with the data.
					var idx []string
					for _, k := range []string{"a", "a\x00", "b"} {
						must(t, w.Fetch(b(k), minT, maxT, func(start int64, _ []byte) bool {
							idx = append(idx, fmt.Sprintf("%s@%d", k, start))
							return true
						}))
					}
					slices.Sort(idx)
					sorted := slices.Sorted(slices.Values(rc.left))
					if !slices.Equal(idx, sorted) {
						t.Fatalf("%s: fetch sees %q, want %q", when, idx, sorted)
					}
				}
				check("pending", w)
				commit(t, ts, statestore.Checkpoint{})
				ts = reopen(t, ts, o)
				check("reopened", winStore(t, ts, "w"))
				if n, err := winStore(t, ts, "w").DeleteBefore(rc.before); err != nil || n != 0 {
					t.Fatalf("second DeleteBefore = %d, %v; want 0", n, err)
				}
			})
		}
	}
}
