package ordmap

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

func TestAgainstSortedSlice(t *testing.T) {
	m := New[int]()
	ref := map[string]int{}
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 20000 {
		k := fmt.Sprintf("%04d", rng.IntN(2000))
		if rng.IntN(3) == 0 {
			m.Delete([]byte(k))
			delete(ref, k)
		} else if n, ins := m.Set([]byte(k), i); !ins {
			n.Val = i
			ref[k] = i
		} else {
			ref[k] = i
		}
		if i%997 == 0 {
			keys := slices.Sorted(func(yield func(string) bool) {
				for k := range ref {
					if !yield(k) {
						return
					}
				}
			})
			var got []string
			for n := m.First(); n != nil; n = n.Next() {
				got = append(got, string(n.Key))
				if n.Val != ref[string(n.Key)] {
					t.Fatalf("value of %s", n.Key)
				}
			}
			if !slices.Equal(got, keys) || m.Len() != len(keys) {
				t.Fatalf("step %d: order mismatch", i)
			}
			probe := fmt.Sprintf("%04d", rng.IntN(2100))
			idx, _ := slices.BinarySearch(keys, probe)
			n := m.SeekGE([]byte(probe))
			if (idx == len(keys)) != (n == nil) || (n != nil && string(n.Key) != keys[idx]) {
				t.Fatalf("SeekGE(%s)", probe)
			}
		}
	}
	m.Clear()
	if m.Len() != 0 || m.First() != nil {
		t.Fatal("Clear left entries")
	}
}
