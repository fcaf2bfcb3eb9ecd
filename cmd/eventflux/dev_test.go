package main

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"

	eventflux "github.com/eventflux-io/eventflux-go"
	"github.com/eventflux-io/eventflux-go/config"
	"github.com/eventflux-io/eventflux-go/topology"
)

// TestDevPipeline checks that the bundled pipeline still parses and binds
// the example's streams to topics, so `eventflux dev` has output to show,
// and that its SQL files come from the binary under their repository
// paths.
func TestDevPipeline(t *testing.T) {
	p, err := devPipeline("127.0.0.1:9", devFlags{http: ":0", dataDir: "/tmp/x"})
	if err != nil {
		t.Fatal(err)
	}
	if got := p.Kafka.Brokers; len(got) != 1 || got[0] != "127.0.0.1:9" {
		t.Errorf("brokers %v", got)
	}
	for stream, topic := range map[string]string{"Trades": "trades", "Alerts": "alerts", "Volumes": "volumes", "Market": "market"} {
		if got := p.Streams[stream].Topic; got != topic {
			t.Errorf("stream %s on topic %q, want %q", stream, got, topic)
		}
	}
	if p.HTTP.Listen != ":0" || p.Processing.StateDir != "/tmp/x-state" {
		t.Errorf("http %q, state dir %q", p.HTTP.Listen, p.Processing.StateDir)
	}
	srcs, err := p.SQLSources()
	want := []config.SQLSource{
		{Name: "testdata/examples/trades.sql", Text: eventflux.TradesSQL},
		{Name: "testdata/examples/volumes.sql", Text: eventflux.VolumesSQL},
	}
	if err != nil || !reflect.DeepEqual(srcs, want) {
		t.Fatalf("SQL sources %v, %v: want the embedded example", srcs, err)
	}
	prog, err := compilePipeline(p, t.Output())
	if err != nil {
		t.Fatal(err)
	}
	// Volumes is co-partitioned with Trades (keyed by symbol): the only
	// repartition topic is Market's, of one partition.
	rp := prog.Topology.Repartitions()
	if len(rp) != 1 || rp[0].Binding.Partitions != 1 {
		t.Errorf("repartition topics %v, want the single-partition one of Market", rp)
	}
}

// TestDevCompileErrorPositions checks that a compile error in one of the
// bundled files is positioned in that file, by its repository path.
func TestDevCompileErrorPositions(t *testing.T) {
	fsys := fstest.MapFS{
		"testdata/examples/trades.sql":  {Data: []byte(eventflux.TradesSQL)},
		"testdata/examples/volumes.sql": {Data: []byte("-- one\n\nINSERT INTO Volumes SELECT symbl FROM Trades;\n")},
	}
	p, err := config.Parse(eventflux.TradesPipeline, config.WithFS(fsys), config.WithDir(eventflux.TradesPipelineDir))
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	if _, err := compilePipeline(p, &stderr); err == nil {
		t.Fatal("compiled an unknown attribute")
	}
	if got := stderr.String(); !strings.HasPrefix(got, "testdata/examples/volumes.sql:3:") || !strings.Contains(got, "symbl") {
		t.Errorf("compile errors:\n%s\nwant one at testdata/examples/volumes.sql:3", got)
	}
}

// TestDevHelp checks the banner shows both SQL files and the commands to
// watch every output topic, the repartition topic and the state.
func TestDevHelp(t *testing.T) {
	f := devFlags{port: 9092, http: ":8080", rate: 20, seed: 1}
	p, err := devPipeline("127.0.0.1:9092", f)
	if err != nil {
		t.Fatal(err)
	}
	prog, err := compilePipeline(p, t.Output())
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	printDevHelp(&b, "127.0.0.1:9092", f, p, prog.Topology)
	help := b.String()
	rp := topology.ResolveAppID(prog.Topology.Repartitions()[0].Binding.Topic, p.App)
	for _, want := range []string{
		"writing alerts, volumes and market",
		"testdata/examples/trades.sql:\n", "testdata/examples/volumes.sql:\n",
		"    INSERT INTO Alerts\n", "    INSERT INTO Volumes\n", "    INSERT INTO Market\n",
		"kcat -b localhost:9092 -C -t alerts -X isolation.level=read_committed -o beginning",
		"kcat -b localhost:9092 -C -t volumes -X isolation.level=read_committed -o beginning",
		"kcat -b localhost:9092 -C -t market -X isolation.level=read_committed -o beginning",
		"grep -e " + rp + " -e changelog",
		"KAFKA_BROKERS=127.0.0.1:9092 eventflux state -c testdata/pipelines/trades.yaml list",
	} {
		if !strings.Contains(help, want) {
			t.Errorf("the help lacks %q:\n%s", want, help)
		}
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
