package sqlc_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/eventflux-io/eventflux-go/sqlc"
	"github.com/eventflux-io/eventflux-go/topology"
)

const benchApp = `
CREATE STREAM Trades (symbol STRING, price DOUBLE, volume INT, ts LONG)
  WITH (topic = 'trades', timestamp = 'ts');
INSERT INTO Alerts
SELECT symbol, price, volume * 2 AS doubled
FROM Trades
WHERE price > 50;
`

// BenchmarkFilterProject measures the issue's "filter + projection on
// decoded events" target: pre-decoded events pushed through a compiled
// topology's Task (filter processor, select processor, emit), about half
// of them passing the filter.
func BenchmarkFilterProject(b *testing.B) {
	prog, err := sqlc.Compile(benchApp, sqlc.Options{})
	if err != nil {
		b.Fatal(err)
	}
	var emitted int
	task, err := topology.NewTask(prog.Topology, topology.TaskOptions{
		Emit: func(string, *topology.Event) error { emitted++; return nil },
	})
	if err != nil {
		b.Fatal(err)
	}
	symbols := []string{"IBM", "AAPL", "MSFT", "GOOG"}
	events := make([]*topology.Event, 1024)
	for i := range events {
		events[i] = topology.NewEvent(int64(i),
			topology.String(symbols[i%len(symbols)]),
			topology.Double(float64(i%100)+0.5),
			topology.Int(int32(i%500)),
			topology.Long(int64(i)))
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := task.Process("Trades", events[i&1023]); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
	if b.N > 100 && emitted == 0 {
		b.Fatal("nothing passed the filter")
	}
}

// twentyQueryApp returns an app of 20 chained and fanned-out queries, the
// size the issue's `eventflux check` target names.
func twentyQueryApp() string {
	var b strings.Builder
	b.WriteString("CREATE STREAM Trades (symbol STRING, price DOUBLE, volume INT, ts LONG) WITH (topic = 'trades', key = 'symbol', timestamp = 'ts');\n")
	for i := 0; i < 20; i++ {
		in := "Trades"
		if i%4 != 0 {
			in = fmt.Sprintf("S%d", i-1)
		}
		fmt.Fprintf(&b, "INSERT INTO S%d SELECT symbol, price * %d AS price, volume + %d AS volume, ts FROM %s WHERE price > %d AND upper(symbol) LIKE 'I%%' AND volume BETWEEN 0 AND 100000;\n", i, i+1, i, in, i)
	}
	return b.String()
}

// BenchmarkCompile20Queries measures compiling a 20-query app (parse,
// bind, plan, build): the bulk of `eventflux check`.
func BenchmarkCompile20Queries(b *testing.B) {
	src := twentyQueryApp()
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := sqlc.Compile(src, sqlc.Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
