package replay_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/eventflux-io/eventflux-go/internal/codec"
	"github.com/eventflux-io/eventflux-go/internal/replay"
)

const input = `{"stream":"Trades","ts":1000,"data":{"symbol":"IBM","price":75.5,"volume":100}}
{"stream":"Trades","ts":1500,"data":{"symbol":"ACME","price":10,"volume":3}}

{"ts":1700,"stream":"Trades","data":{"volume":1,"price":51}}
{"watermark":3000}
{"stream":"Trades","ts":2500,"data":{"symbol":"LATE","price":60,"volume":2}}
{"watermark":3500}
`

const want = `{"stream":"Alerts","ts":1000,"data":{"symbol":"IBM","price":75.5,"doubled":200}}
{"stream":"Alerts","ts":1700,"data":{"symbol":null,"price":51.0,"doubled":2}}
{"stream":"Ticks","ts":3000,"data":{"second":3}}
{"stream":"Alerts","ts":2500,"data":{"symbol":"LATE","price":60.0,"doubled":4}}
`

func TestRun(t *testing.T) {
	var out bytes.Buffer
	stats, err := replay.Run(context.Background(), tradesTopology(t), strings.NewReader(input), &out, replay.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if out.String() != want {
		t.Errorf("got\n%s\nwant\n%s", out.String(), want)
	}
	if (stats != replay.Stats{Lines: 7, Events: 4, Watermarks: 2, Outputs: 4}) {
		t.Errorf("stats %+v", stats)
	}
}

func TestRunStopsAtBadLine(t *testing.T) {
	in := input + `{"stream":"Trades","ts":4000,"data":{"price":"abc"}}` + "\n" + `{"stream":"Trades","ts":5000,"data":{"price":99}}`
	var out bytes.Buffer
	stats, err := replay.Run(context.Background(), tradesTopology(t), strings.NewReader(in), &out, replay.Options{})
	var le *codec.LineError
	if !errors.As(err, &le) || le.Line != 8 || le.Field != "data.price" {
		t.Fatalf("got %v, want a line 8 data.price error", err)
	}
	if want := `line 8: field data.price: expected DOUBLE, got string "abc"`; err.Error() != want {
		t.Errorf("got %q, want %q", err, want)
	}
	if out.String() != want || stats.Outputs != 4 {
		t.Errorf("outputs before the bad line lost: %d\n%s", stats.Outputs, out.String())
	}
}

func TestRunSkipBad(t *testing.T) {
	in := `{"stream":"Trade","ts":1,"data":{}}
{"stream":"Trades","ts":2,"data":{"price":99}}
not json
{"stream":"Trades","ts":3,"data":{"volume":1.5}}
{"stream":"Trades","ts":4,"data":{"price":98}}`
	var out, rejects bytes.Buffer
	stats, err := replay.Run(context.Background(), tradesTopology(t), strings.NewReader(in), &out,
		replay.Options{SkipBad: true, Rejects: &rejects})
	if err != nil {
		t.Fatal(err)
	}
	wantRejects := `line 1: field stream: unknown stream "Trade"; did you mean 'Trades'?
line 3: invalid JSON at column 1: expected '{', found 'n'
line 4: field data.volume: expected INT, got number 1.5
`
	if rejects.String() != wantRejects {
		t.Errorf("rejects:\n%s\nwant\n%s", rejects.String(), wantRejects)
	}
	if stats.Rejected != 3 || stats.Events != 2 || stats.Outputs != 2 || stats.Lines != 5 {
		t.Errorf("stats %+v", stats)
	}
	if n := strings.Count(out.String(), "\n"); n != 2 {
		t.Errorf("got %d outputs:\n%s", n, out.String())
	}
}

func TestRunLongLines(t *testing.T) {
	big := strings.Repeat("x", 1<<20)
	in := `{"stream":"Trades","ts":1,"data":{"symbol":"` + big + `","price":99}}` + "\n" +
		`{"stream":"Trades","ts":2,"data":{"symbol":"` + big + big + `","price":99}}` + "\n" +
		`{"stream":"Trades","ts":3,"data":{"symbol":"ok","price":99}}`
	var out, rejects bytes.Buffer
	stats, err := replay.Run(context.Background(), tradesTopology(t), strings.NewReader(in), &out,
		replay.Options{SkipBad: true, Rejects: &rejects, MaxLineBytes: 3 << 19})
	if err != nil {
		t.Fatal(err)
	}
	if stats.Outputs != 2 || stats.Rejected != 1 || !strings.HasPrefix(rejects.String(), "line 2: line longer than") {
		t.Errorf("stats %+v, rejects %q", stats, rejects.String())
	}
	if !strings.Contains(out.String(), big) || !strings.HasSuffix(out.String(), `"ok","price":99.0,"doubled":null}}`+"\n") {
		t.Errorf("long line mangled")
	}
}

func TestRunHonoursContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := replay.Run(ctx, tradesTopology(t), strings.NewReader(input), &bytes.Buffer{}, replay.Options{})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("got %v, want context.Canceled", err)
	}
}
