// Package testscript implements the .test script language that unit-tests
// EventFlux SQL without Kafka: `eventflux test FILE.test` for users and the
// semantic suite under testdata/scripts for the project itself.
//
// A script holds one or more app sections. Each starts with an `app` block
// of SQL, then feeds events with `send`, moves stream time with `advance`,
// and checks what the queries inserted with `expect`:
//
//	app
//	CREATE STREAM Trades (symbol STRING, price DOUBLE);
//	INSERT INTO Alerts SELECT symbol, price * 2 AS p FROM Trades WHERE price > 50;
//	end
//	send Trades at 10s {"symbol":"IBM","price":75.5}
//	expect Alerts at 10s {"symbol":"IBM","p":151.0}
//	expect nothing
//
// The full grammar is in docs/testing.md. Parse turns text into a Script;
// Run executes it against a Backend — Memory (sqlc.Compile plus an
// in-process topology.Task) here, the Kafka worker in integration tests —
// and returns a Result listing every failure as `file.test:LINE: ...`.
package testscript
