package replay_test

import (
	"bytes"
	"context"
	"io"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"

	"github.com/eventflux-io/eventflux-go/internal/replay"
	"github.com/eventflux-io/eventflux-go/sqlc"
	"github.com/eventflux-io/eventflux-go/topology"
)

// benchLines is the size of the end-to-end benchmark's input.
const benchLines = 1_000_000

// genTrades returns n trade lines, about half with price > 50.
func genTrades(n int) []byte {
	symbols := []string{"IBM", "ACME", "MSFT", "AAPL", "GOOG", "AMZN", "ORCL", "SAP"}
	rng := rand.New(rand.NewPCG(1, 2))
	buf := make([]byte, 0, n*90)
	for i := range n {
		buf = append(buf, `{"stream":"Trades","ts":`...)
		buf = strconv.AppendInt(buf, int64(1000+i), 10)
		buf = append(buf, `,"data":{"symbol":"`...)
		buf = append(buf, symbols[rng.IntN(len(symbols))]...)
		buf = append(buf, `","price":`...)
		buf = strconv.AppendFloat(buf, float64(rng.IntN(10000))/100, 'f', -1, 64)
		buf = append(buf, `,"volume":`...)
		buf = strconv.AppendInt(buf, int64(1+rng.IntN(1000)), 10)
		buf = append(buf, "}}\n"...)
	}
	return buf
}

// BenchmarkReplayEndToEnd replays 1M trade lines through decode, filter,
// project and encode, and reports input events per second: "compiled"
// runs testdata/examples/trades.sql as sqlc compiles it, "handbuilt" the
// same query hand-written in Go (the runtime's share of the cost). Run it
// on one core with:
//
//	go test -run '^$' -bench ReplayEndToEnd -cpu 1 ./internal/replay
func BenchmarkReplayEndToEnd(b *testing.B) {
	input := genTrades(benchLines)
	src, err := os.ReadFile("../../testdata/examples/trades.sql")
	if err != nil {
		b.Fatal(err)
	}
	prog, err := sqlc.Compile(string(src), sqlc.Options{File: "trades.sql"})
	if err != nil {
		b.Fatal(err)
	}
	b.Run("compiled", func(b *testing.B) { benchReplay(b, prog.Topology, input) })
	b.Run("handbuilt", func(b *testing.B) { benchReplay(b, benchTopology(b), input) })
}

func benchReplay(b *testing.B, topo *topology.Topology, input []byte) {
	b.SetBytes(int64(len(input)))
	b.ReportAllocs()
	b.ResetTimer()
	var stats replay.Stats
	for b.Loop() {
		var err error
		stats, err = replay.Run(context.Background(), topo, bytes.NewReader(input), io.Discard, replay.Options{})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(benchLines)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
	b.ReportMetric(float64(stats.Outputs)/benchLines, "outputs/event")
}
