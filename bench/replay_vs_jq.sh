#!/usr/bin/env bash
# replay_vs_jq.sh: end-to-end throughput of `eventflux replay` against jq
# doing the same filter and projection, on one core.
#
#   bench/replay_vs_jq.sh [LINES]      (default 1000000)
#
# It generates LINES trade events (about half with price > 50), runs
#   INSERT INTO Alerts SELECT symbol, price, volume * 2 AS doubled FROM Trades WHERE price > 50;
# through `eventflux replay` with GOMAXPROCS=1, and the equivalent jq program,
# then prints both rates (input events per second) and their ratio.
set -euo pipefail

lines=${1:-1000000}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

command -v jq >/dev/null || { echo "jq not found (apt-get install -y jq)" >&2; exit 1; }

echo "building eventflux..." >&2
(cd "$root" && go build -o "$work/eventflux" ./cmd/eventflux)

echo "generating $lines events..." >&2
awk -v n="$lines" 'BEGIN {
	srand(1)
	split("IBM ACME MSFT AAPL GOOG AMZN ORCL SAP", sym, " ")
	for (i = 0; i < n; i++) {
		printf "{\"stream\":\"Trades\",\"ts\":%d,\"data\":{\"symbol\":\"%s\",\"price\":%.2f,\"volume\":%d}}\n",
			1000 + i, sym[1 + int(rand() * 8)], int(rand() * 10000) / 100, 1 + int(rand() * 1000)
	}
}' >"$work/trades.jsonl"

now() { date +%s.%N; }

# seconds CMD...: run CMD, print its wall-clock seconds.
seconds() {
	local t0 t1
	t0=$(now)
	"$@"
	t1=$(now)
	echo "$t1 - $t0" | bc -l
}

ef_s=$(seconds env GOMAXPROCS=1 "$work/eventflux" replay --sql "$root/testdata/examples/trades.sql" \
	--input "$work/trades.jsonl" --output "$work/ef.out")
run_jq() {
	jq -c 'select(.data.price > 50) | {stream:"Alerts", ts, data:{symbol:.data.symbol, price:.data.price, doubled:(.data.volume*2)}}' \
		"$work/trades.jsonl" >"$work/jq.out"
}
jq_s=$(seconds run_jq)

ef_n=$(wc -l <"$work/ef.out")
jq_n=$(wc -l <"$work/jq.out")
if [ "$ef_n" != "$jq_n" ]; then
	echo "output counts differ: eventflux $ef_n, jq $jq_n" >&2
	exit 1
fi

rate() { printf '%.0f' "$(echo "$lines / $1" | bc -l)"; }
printf 'input: %d events, %d alerts\n' "$lines" "$ef_n"
printf 'eventflux replay (GOMAXPROCS=1): %8.3fs  %10s events/s\n' "$ef_s" "$(rate "$ef_s")"
printf 'jq -c:                           %8.3fs  %10s events/s\n' "$jq_s" "$(rate "$jq_s")"
printf 'ratio: eventflux is %.1fx jq\n' "$(echo "$jq_s / $ef_s" | bc -l)"
