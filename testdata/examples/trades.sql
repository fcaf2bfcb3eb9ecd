-- The sample application of the replay docs and the CLI tests: alert on
-- every trade above 50, doubling its volume. Trades are keyed by symbol
-- (the record key, as `eventflux dev` produces them), so per-symbol state,
-- as in volumes.sql, stays in the task that reads the trade.
CREATE STREAM Trades (symbol STRING, price DOUBLE, volume INT)
  WITH (topic = 'trades', format = 'json', key = 'symbol');

INSERT INTO Alerts
SELECT symbol, price, volume * 2 AS doubled
FROM Trades
WHERE price > 50;
