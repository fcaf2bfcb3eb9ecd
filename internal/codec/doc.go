// Package codec reads and writes the replay line format of `eventflux
// replay` (DESIGN.md, "CLI contract"): one JSON object per line, either an
// event
//
//	{"stream":"Trades","ts":1000,"data":{"symbol":"IBM","price":75.5}}
//
// or a watermark
//
//	{"watermark":5000}
//
// The Decoder parses a line straight into a topology.Event, with values in
// the stream's schema order, using a small hand-rolled JSON scanner: no
// maps, no reflection, and no allocation beyond the event itself and its
// string values. The StreamEncoder appends an event as one such line to a
// caller-owned []byte.
//
// Typing is strict, because nothing is silently ignored: an attribute of
// type INT takes a JSON integer in int32 range, LONG an integer in int64
// range, FLOAT and DOUBLE any number, BOOL true or false, STRING a string;
// null is NULL for every type and a missing attribute is NULL. An unknown
// attribute, a duplicate key, a nested object or array, or a value of the
// wrong JSON type is a *LineError naming the line and the field.
package codec
