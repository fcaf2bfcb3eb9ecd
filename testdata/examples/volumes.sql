-- The stateful half of the example: trade counts and volumes over the
-- Trades stream of trades.sql (testdata/pipelines/trades.yaml compiles
-- both files as one application; `eventflux dev` runs it). Both queries
-- use tumbling windows of 10 seconds of event time, epoch-aligned
-- ([00:00, 00:10), [00:10, 00:20), ...), and write each window's rows
-- once, when it closes; the window contents live in state stores backed
-- by changelog topics (`eventflux state -c ... list`).

-- Per symbol, a row per symbol traded in the window. Trades are keyed by
-- symbol, so all trades of a symbol are in one partition and the query
-- keeps its windows in the task that reads them (co-partitioned, no
-- repartition topic). Within a partition the record timestamps only grow
-- (the generator stamps each trade with the time it sends it), so the
-- window needs no grace: it closes with the first trade of its
-- partition past its end.
INSERT INTO Volumes
SELECT symbol, count() AS trades, sum(volume) AS volume
FROM Trades WINDOW('tumbling', 10 SECONDS)
GROUP BY symbol;

-- Market-wide, one row per window. Without GROUP BY the state is global:
-- every trade goes through a repartition topic of one partition, read by
-- a single task (`eventflux explain` shows the topic, with a note). The
-- trades there come from every source partition, written by as many
-- upstream tasks, each in a transaction per commit interval (100ms in
-- the pipeline): they interleave in commit order, not timestamp order,
-- so a trade can arrive after a later one from another partition. The
-- grace of 2 seconds keeps each window open 2 seconds past its end, well
-- beyond that disorder, so such trades still count (one later than that
-- is dropped and counted in eventflux_late_events_total); the row comes
-- out 2 seconds after the window's end.
INSERT INTO Market
SELECT count() AS trades, sum(volume) AS volume, max(price) AS high
FROM Trades WINDOW('tumbling', 10 SECONDS, 2 SECONDS);
