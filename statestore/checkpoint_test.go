package statestore_test

import (
	"errors"
	"maps"
	"testing"

	"github.com/eventflux-io/eventflux-go/statestore"
)

func TestCheckpointRoundTrip(t *testing.T) {
	for _, cp := range []statestore.Checkpoint{
		{StreamTime: statestore.NoTime},
		{Changelog: map[string]int64{"agg": 12, "": 0}, StreamTime: 1700000000000},
		{Inputs: map[statestore.TopicPartition]int64{{Topic: "a", Partition: 0}: 5, {Topic: "a", Partition: -1}: -1, {Topic: "b", Partition: 1 << 30}: 1 << 60}},
	} {
		enc, err := cp.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		again, _ := cp.MarshalBinary()
		if string(enc) != string(again) {
			t.Fatal("encoding not deterministic")
		}
		var got statestore.Checkpoint
		if err := got.UnmarshalBinary(enc); err != nil {
			t.Fatal(err)
		}
		if got.StreamTime != cp.StreamTime || !maps.Equal(got.Changelog, cp.Changelog) || !maps.Equal(got.Inputs, cp.Inputs) {
			t.Fatalf("round trip: %+v -> %+v", cp, got)
		}
	}
}

func TestCheckpointCorrupt(t *testing.T) {
	good, _ := statestore.Checkpoint{Changelog: map[string]int64{"s": 1}, StreamTime: 3}.MarshalBinary()
	for name, b := range map[string][]byte{
		"empty":      nil,
		"version":    append([]byte{9}, good[1:]...),
		"truncated":  good[:len(good)-1],
		"trailing":   append(append([]byte{}, good...), 0),
		"huge count": {1, 0, 0xff, 0xff, 0xff, 0xff, 0x0f},
	} {
		var cp statestore.Checkpoint
		if err := cp.UnmarshalBinary(b); !errors.Is(err, statestore.ErrCorrupt) {
			t.Errorf("%s: err = %v, want ErrCorrupt", name, err)
		}
	}
}

func FuzzCheckpoint(f *testing.F) {
	good, _ := statestore.Checkpoint{Changelog: map[string]int64{"s": 1}, Inputs: map[statestore.TopicPartition]int64{{Topic: "t"}: 2}, StreamTime: 3}.MarshalBinary()
	f.Add(good)
	f.Fuzz(func(t *testing.T, b []byte) {
		var cp statestore.Checkpoint
		if cp.UnmarshalBinary(b) != nil {
			return
		}
		enc, _ := cp.MarshalBinary()
		var again statestore.Checkpoint
		if err := again.UnmarshalBinary(enc); err != nil {
			t.Fatalf("re-decode: %v", err)
		}
	})
}
