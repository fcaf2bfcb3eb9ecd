// Package statedump decodes the records of a compiled app's state stores,
// as their changelog topics hold them, into JSON fields for `eventflux
// state` (docs/cli.md, docs/state.md).
//
// Decoding is driven by what each store is, never guessed from its bytes:
// Stores walks the compiled topology and picks, per store, the layout of
// the operator that owns it — the task store, a window's state
// (windows.LayoutOf), an aggregating select stage's state
// (sqlc.SelectLayoutOf), or a PARTITION WITH node's keys and the stores
// of its per-key chain (sqlc.PartitionLayoutOf), whose keys carry the
// partition key as a prefix. Event values are named by the schema of the
// events the store holds: a window's input, a select stage's output.
//
// Every record gets a printed key, the text `eventflux state get` matches:
//
//	streamTime                 the task's stream time
//	m                          a window's or select stage's meta record
//	e:12                       a window's held event, by arrival number
//	12                         a tumbling/hopping window's event (windowed store), or a partition key's number
//	k:["IBM"]                  firstUnique: a key seen; session: a group's sessions
//	k:7                        frequent, lossyFrequent: a tracked key, by first-sight number
//	s:7                        session: an open session, by id
//	g:["IBM",42]               a select stage's group ([] without GROUP BY, [null] for the NULL group)
//	r:a:3, r:s:3               a buffered row of the OUTPUT limiter (a) or snapshot (s), by position
//	f:["IBM"]                  an OUTPUT FIRST group entry
//	"IBM"/g:[]                 any of these written by the PARTITION WITH instance of key "IBM"
//
// Values in keys are JSON. A record that does not decode keeps its bytes,
// as base64 with "encoding":"binary", and says why in "error".
package statedump
