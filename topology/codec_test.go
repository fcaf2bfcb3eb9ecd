package topology

import (
	"bytes"
	"errors"
	"math"
	"testing"
)

func codecSamples() [][]Value {
	return [][]Value{
		nil,
		{Null()},
		{Bool(true), Bool(false), Int(-1 << 31), Int(1<<31 - 1), Long(math.MinInt64), Long(math.MaxInt64)},
		{Float(1.5), Float(float32(math.Inf(-1))), Double(math.NaN()), Double(-0.0), Double(math.SmallestNonzeroFloat64)},
		{String(""), String("héllo"), String("\x00\xff"), Null(), Long(0)},
	}
}

func TestValueCodecRoundTrip(t *testing.T) {
	for _, vals := range codecSamples() {
		ev := &Event{TS: -12345, Kind: Expired, Values: vals}
		enc := AppendEvent([]byte("prefix"), ev)
		got, rest, err := DecodeEvent(enc[len("prefix"):])
		if err != nil {
			t.Fatalf("decode %v: %v", vals, err)
		}
		if len(rest) != 0 {
			t.Fatalf("decode %v left %d bytes", vals, len(rest))
		}
		if got.TS != ev.TS || got.Kind != ev.Kind || len(got.Values) != len(vals) {
			t.Fatalf("decode = %+v, want %+v", got, ev)
		}
		for i, v := range vals {
			if !got.Values[i].Equal(v) { // Equal compares bits: NaN and -0 too
				t.Errorf("value %d = %v (%d), want %v (%d)", i, got.Values[i], got.Values[i].n, v, v.n)
			}
		}
	}
}

func TestValueCodecErrors(t *testing.T) {
	for _, b := range [][]byte{
		{}, {99}, {byte(TypeLong)}, {byte(TypeLong), 0x80}, {byte(TypeDouble), 1, 2},
		{byte(TypeString), 5, 'a'}, {byte(TypeInt), 0x80, 0x80, 0x80, 0x80, 0x10},
	} {
		if _, _, err := DecodeValue(b); !errors.Is(err, ErrBadEncoding) {
			t.Errorf("DecodeValue(%x) error = %v", b, err)
		}
	}
	if _, _, err := DecodeValues(nil, []byte{200, 1}); !errors.Is(err, ErrBadEncoding) {
		t.Errorf("oversized count: %v", err)
	}
	if _, _, err := DecodeEvent([]byte{2, 7, 0}); !errors.Is(err, ErrBadEncoding) {
		t.Errorf("bad event kind: %v", err)
	}
}

// FuzzDecodeEvent checks that no input makes the decoder panic and that
// whatever decodes re-encodes to the bytes it was decoded from.
func FuzzDecodeEvent(f *testing.F) {
	for _, vals := range codecSamples() {
		f.Add(AppendEvent(nil, &Event{TS: 7, Values: vals}))
	}
	f.Add([]byte{})
	f.Add([]byte{0, 0, 200})
	f.Fuzz(func(t *testing.T, b []byte) {
		ev, rest, err := DecodeEvent(b)
		if err != nil {
			if !errors.Is(err, ErrBadEncoding) {
				t.Fatalf("error %v does not wrap ErrBadEncoding", err)
			}
			return
		}
		used := b[:len(b)-len(rest)]
		if re := AppendEvent(nil, ev); !bytes.Equal(re, used) && !nonCanonical(used) {
			t.Fatalf("re-encoding %x gives %x", used, re)
		}
	})
}

// nonCanonical reports whether b may hold an over-long varint, which
// decodes fine but re-encodes shorter.
func nonCanonical(b []byte) bool {
	for i := 1; i < len(b); i++ {
		if b[i] == 0 && b[i-1]&0x80 != 0 {
			return true
		}
	}
	return false
}
