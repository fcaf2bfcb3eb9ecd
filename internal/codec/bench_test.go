package codec_test

import (
	"testing"

	"github.com/eventflux-io/eventflux-go/internal/codec"
	"github.com/eventflux-io/eventflux-go/topology"
)

func BenchmarkDecode(b *testing.B) {
	d := newDecoder(b)
	line := []byte(`{"stream":"Trades","ts":1000,"data":{"symbol":"IBM","price":75.5,"volume":100}}`)
	b.SetBytes(int64(len(line)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := d.Decode(1, line); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEncode(b *testing.B) {
	enc := codec.NewStreamEncoder(trades)
	ev := topology.NewEvent(1000, topology.String("IBM"), topology.Double(75.5), topology.Int(200))
	buf := make([]byte, 0, 256)
	b.ReportAllocs()
	for b.Loop() {
		buf = enc.Append(buf[:0], ev)
	}
	b.SetBytes(int64(len(buf)))
}
