-- The sample application of the replay docs and the CLI tests: alert on
-- every trade above 50, doubling its volume.
CREATE STREAM Trades (symbol STRING, price DOUBLE, volume INT)
  WITH (topic = 'trades', format = 'json');

INSERT INTO Alerts
SELECT symbol, price, volume * 2 AS doubled
FROM Trades
WHERE price > 50;
