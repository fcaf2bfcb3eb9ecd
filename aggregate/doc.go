// Package aggregate implements the attribute aggregators of the EventFlux
// SQL dialect: count, sum, avg, min, max, minForever, maxForever,
// distinctCount, stdDev, variance, first, last, and, or (SQL.md
// "Aggregates").
//
// An Aggregator is the state of one aggregate call for one group. The
// select stage calls Add for each event entering the group (a current
// event) and Remove for each event leaving it (an expired event), with the
// aggregate's evaluated argument, and reads Result when it builds a row.
// Every aggregator retracts exactly: min and max keep a heap with lazy,
// compacted deletion (O(log n) amortised), distinctCount a value->count
// map, first and last a queue of the aggregated values in arrival order.
// minForever and maxForever never retract and survive Reset.
//
// NULL handling follows SQL.md: sum, avg, min, max, stdDev and variance
// ignore NULL arguments and are NULL when no non-NULL value is
// aggregated; count(x) and count(DISTINCT x) ignore NULLs and count() and
// count(*) count events, all 0 when empty. Where SQL.md is silent the
// package follows Siddhi: distinctCount counts NULL as a value, and/or
// ignore NULL and are false when empty; first and last are the argument of
// the oldest and newest aggregated event, NULL included.
package aggregate
