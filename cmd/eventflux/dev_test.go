package main

import (
	"encoding/json"
	"testing"

	eventflux "github.com/eventflux-io/eventflux-go"
)

// TestDevPipeline checks that the bundled pipeline still parses and binds
// the example's streams to topics, so `eventflux dev` has output to show.
func TestDevPipeline(t *testing.T) {
	p, err := devPipeline("127.0.0.1:9", devFlags{http: ":0", dataDir: "/tmp/x"})
	if err != nil {
		t.Fatal(err)
	}
	if got := p.Kafka.Brokers; len(got) != 1 || got[0] != "127.0.0.1:9" {
		t.Errorf("brokers %v", got)
	}
	if p.Streams["Trades"].Topic != "trades" || p.Streams["Alerts"].Topic != "alerts" {
		t.Errorf("streams %+v: want Trades on trades and Alerts on alerts", p.Streams)
	}
	if p.HTTP.Listen != ":0" || p.Processing.StateDir != "/tmp/x-state" {
		t.Errorf("http %q, state dir %q", p.HTTP.Listen, p.Processing.StateDir)
	}
	srcs, err := p.SQLSources()
	if err != nil || len(srcs) != 1 || srcs[0].Text != eventflux.TradesSQL {
		t.Fatalf("SQL sources %v, %v: want the embedded example", srcs, err)
	}
	if _, err := compilePipeline(p, t.Output()); err != nil {
		t.Fatal(err)
	}
}

// TestTradeGen checks the generator is reproducible and its records are
// the example's trades, every malformedEvery-th one malformed.
func TestTradeGen(t *testing.T) {
	a, b := newTradeGen(7), newTradeGen(7)
	bad := 0
	for i := 1; i <= 2*malformedEvery; i++ {
		ka, va := a.next()
		kb, vb := b.next()
		if string(ka) != string(kb) || string(va) != string(vb) {
			t.Fatalf("record %d differs for the same seed: %s %s / %s %s", i, ka, va, kb, vb)
		}
		var tr struct {
			Symbol string
			Price  any
			Volume int
		}
		if err := json.Unmarshal(va, &tr); err != nil || tr.Symbol != string(ka) {
			t.Fatalf("record %d %s: %v", i, va, err)
		}
		if _, ok := tr.Price.(float64); !ok {
			bad++
			if i%malformedEvery != 0 {
				t.Errorf("record %d is malformed: %s", i, va)
			}
		}
	}
	if bad != 2 {
		t.Errorf("%d malformed records in %d, want 2", bad, 2*malformedEvery)
	}
}
