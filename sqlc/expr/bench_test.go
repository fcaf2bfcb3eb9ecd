package expr

import (
	"testing"

	"github.com/eventflux-io/eventflux-go/topology"
)

func benchEvents(n int) []*topology.Event {
	evs := make([]*topology.Event, n)
	for i := range evs {
		e := testEvent()
		e.Values[1] = topology.Double(float64(i % 100))
		e.Values[2] = topology.Int(int32(i % 2000))
		evs[i] = e
	}
	return evs
}

// BenchmarkFilterProject: WHERE price > 50 AND volume < 1000, then SELECT
// symbol, price * volume, ts over pre-decoded events; ns/op is per event.
func BenchmarkFilterProject(b *testing.B) {
	where := CompileFilter(mustBind(b, "price > 50 AND volume < 1000"))
	proj := []Func{Compile(mustBind(b, "symbol")), Compile(mustBind(b, "price * volume")), Compile(mustBind(b, "ts"))}
	evs := benchEvents(1024)
	out := make([]topology.Value, len(proj))
	f := &Frame{Events: make([]*topology.Event, 1)}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		f.Events[0] = evs[i&1023]
		if where(f) {
			for j, p := range proj {
				out[j] = p(f)
			}
		}
	}
}

func BenchmarkOperators(b *testing.B) {
	for _, src := range []string{
		"price > 50", "volume = 500", "symbol = 'IBM'", "price > 50 AND volume < 1000",
		"volume + 1", "price * volume", "ts / 1000", "volume % 7", "-price",
		"price BETWEEN 10 AND 60", "volume IN (1, 2, 3, 500)", "symbol IN ('A', 'B', 'IBM')",
		"symbol LIKE 'I%'", "symbol LIKE '%B_'", "ni IS NULL", "NOT flag",
		"CASE WHEN price > 50 THEN 1 ELSE 0 END", "CASE volume WHEN 1 THEN 'a' WHEN 500 THEN 'b' END",
		"CAST(price AS INT)", "CAST(volume AS STRING)", "coalesce(ni, volume)",
		"abs(neg)", "round(price, 2)", "sqrt(price)", "maximum(price, volume, 3)",
		"upper(symbol)", "concat(symbol, '-', volume)", "substring(symbol, 2, 1)", "length(symbol)",
		"regexp_matches(symbol, '^I')", "EXTRACT(HOUR FROM ts)", "EXTRACT(YEAR FROM ts)",
		"date_format(ts, 'yyyy-MM-dd HH:mm:ss')", "date_parse('2023-11-14 22:13:20', 'yyyy-MM-dd HH:mm:ss')",
		"date_add(ts, 1, DAY)", "date_add(ts, 1, MONTH)",
	} {
		fn := Compile(mustBind(b, src))
		evs := benchEvents(1024)
		f := &Frame{Events: make([]*topology.Event, 1)}
		b.Run(src, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				f.Events[0] = evs[i&1023]
				fn(f)
			}
		})
	}
}
