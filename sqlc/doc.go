// Package sqlc compiles EventFlux SQL into a runnable topology.
//
// Compile runs the stages in order — parse (sqlc/parser), bind and plan
// (sqlc/plan, with expressions from sqlc/expr), then build the
// topology.Topology — and reports every error it finds as a positioned
// *Error (file:line:col, the offending text, a message and a hint).
package sqlc
