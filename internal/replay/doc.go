// Package replay runs a topology offline over a file of replay lines
// (DESIGN.md, "CLI contract"), the engine of `eventflux replay`. Lines are
// processed strictly in file order through the same topology.Task code as
// the live worker (by way of topologytest.Driver, with in-memory stores):
// an event line feeds its stream, a watermark line advances stream time,
// and every event a query inserts into a stream is written as one output
// line, in emission order. End of input advances nothing, so partial
// windows stay unemitted, as in the live worker.
package replay
