CREATE STREAM Trades (symbol STRING, price DOUBLE, volume INT)
  WITH (topic = 'trades', format = 'json');
INSERT INTO Alerts SELECT symbol, price FROM Trades WHERE price > 50;
