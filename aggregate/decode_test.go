package aggregate

import (
	"math/rand/v2"
	"testing"
)

// TestDecodeState: the value DecodeState reads from an encoding is the
// encoded aggregator's Result, in every mode in which the encoding
// determines it, and StateHistory determines exactly the aggregates it
// documents.
func TestDecodeState(t *testing.T) {
	history := map[string]bool{"avg": true, "stdDev": true, "variance": true, "minForever": true,
		"maxForever": true, "first": true, "last": true}
	rng := rand.New(rand.NewPCG(3, 4))
	for _, d := range stateDefs(t) {
		a := d.New()
		for range 20 {
			a.Add(randomArg(rng, d))
		}
		for _, mode := range []StateMode{StateFull, StateNoRetract, StateHistory} {
			enc := append(AppendState(nil, a, mode), 0xAA)
			v, known, rest, err := DecodeState(d, enc, mode)
			if err != nil || len(rest) != 1 || rest[0] != 0xAA {
				t.Fatalf("%s mode %d: %v, rest %x", d.Name, mode, err, rest)
			}
			floatSum := d.Name == "sum" && d.Type.String() == "DOUBLE"
			if want := mode != StateHistory || history[d.Name] || floatSum; known != want {
				t.Errorf("%s mode %d: known %v, want %v", d.Name, mode, known, want)
			}
			if known && !v.Equal(a.Result()) {
				t.Errorf("%s mode %d: %v, want %v", d.Name, mode, v, a.Result())
			}
		}
		if _, _, _, err := DecodeState(d, []byte{0x80}, StateFull); err == nil {
			t.Errorf("%s: truncated state decoded", d.Name)
		}
	}
}
