package codec_test

import (
	"testing"

	"github.com/eventflux-io/eventflux-go/internal/codec"
)

// FuzzDecodeLine checks that no line makes the decoder panic, and that a
// decoded event encodes to a line that decodes to the same event.
func FuzzDecodeLine(f *testing.F) {
	for _, seed := range []string{
		`{"stream":"Trades","ts":1000,"data":{"symbol":"IBM","price":75.5,"volume":100}}`,
		`{"data":{"volume":-7,"price":50},"ts":-3,"stream":"Trades"}`,
		`{"stream":"All","ts":0,"data":{"b":true,"i":2147483647,"l":-9223372036854775808,"f":1.1,"d":1e300,"s":""}}`,
		`{"stream":"All","ts":0,"data":{"s":"a\"b\\c\/d\b\f\n\r\t\u00e9\ud83d\ude00"}}`,
		`{"stream":"Timed","data":{"at":42,"x":1}}`,
		`{"watermark":5000}`,
		`{"stream":"All","ts":1,"data":{"f":1e-45,"d":-0.0}}`,
		`{"data":{"nested":{"deep":[1,2,{"x":"y"}]}},"stream":"All","ts":1}`,
		``,
	} {
		f.Add([]byte(seed))
	}
	encoders := map[string]*codec.StreamEncoder{
		"Trades": codec.NewStreamEncoder(trades),
		"All":    codec.NewStreamEncoder(all),
		"Timed":  codec.NewStreamEncoder(timed),
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		d := newDecoder(t) // fresh each time: interning must not make coverage depend on history
		l, err := d.Decode(1, line)
		if err != nil {
			if !codec.IsLineError(err) {
				t.Fatalf("error %v is not a *LineError", err)
			}
			return
		}
		if l.Kind != codec.EventLine {
			return
		}
		out := encoders[l.Stream].Append(nil, l.Event)
		l2, err := d.Decode(1, out[:len(out)-1])
		if err != nil {
			t.Fatalf("re-decoding %s: %v", out, err)
		}
		if l2.Stream != l.Stream || l2.Event.TS != l.Event.TS || len(l2.Event.Values) != len(l.Event.Values) {
			t.Fatalf("round trip changed %s", out)
		}
		for i, v := range l.Event.Values {
			if !v.Equal(l2.Event.Values[i]) {
				t.Fatalf("round trip changed value %d: %v -> %v (%s)", i, v, l2.Event.Values[i], out)
			}
		}
	})
}
