package parser

import (
	"fmt"
	"strings"
	"testing"
)

// app20 is a 20-query application with two stream declarations.
var app20 = func() string {
	var b strings.Builder
	b.WriteString(`CREATE STREAM Trades (symbol STRING, price DOUBLE, volume INT, ts LONG)
  WITH (topic = 'trades', format = 'json', key = 'symbol', timestamp = 'ts');
CREATE STREAM Quotes (symbol STRING, bid DOUBLE, ask DOUBLE) WITH (topic = 'quotes', format = 'csv', csv.delimiter = ';');
`)
	for i := 0; i < 20; i++ {
		fmt.Fprintf(&b, `-- query %d
INSERT INTO Summary%d
SELECT symbol, avg(price) AS avgPrice, sum(volume) AS total, count(*) AS n,
       CASE WHEN max(price) > 100 THEN 'high' ELSE 'low' END AS band
FROM Trades AS t WINDOW('tumbling', 1 MINUTE)
WHERE volume > %d AND symbol IN ('IBM', 'MSFT', 'ORCL') AND price BETWEEN 1.5 AND 1e4
GROUP BY symbol
HAVING avg(price) > 5
ORDER BY symbol DESC LIMIT 10 OFFSET 0
OUTPUT LAST EVERY 5 EVENTS;
`, i, i, i)
	}
	return b.String()
}()

func BenchmarkParse20Queries(b *testing.B) {
	b.SetBytes(int64(len(app20)))
	b.ReportAllocs()
	for b.Loop() {
		if _, errs := Parse("app.sql", app20); len(errs) > 0 {
			b.Fatal(errs)
		}
	}
}
