// Package serde turns Kafka record values into topology events and events
// into record values and keys, per a stream's binding (topology.Binding):
//
//   - json: the value is a JSON object; attribute a is read from "$.a", or
//     from the path in WITH option json.mapping.a = '$.x.y' (dot-separated
//     member names). Typing is the replay codec's (internal/codec): INT takes
//     an integer in int32 range, LONG an int64, FLOAT/DOUBLE any number, BOOL
//     true/false, STRING a string; null or a missing member is NULL. Members
//     that map to no attribute are ignored (Kafka topics carry extra fields);
//     a wrong type, a malformed document or a non-object is a *DecodeError.
//     Encoding writes one object with the attributes in schema order, values
//     as in replay output (INT/LONG integers, FLOAT/DOUBLE numbers, NULL null).
//   - csv: one record per value; columns in schema order, or named by
//     csv.header-names = 'a,b,c'; csv.delimiter (default ","); csv.has-header
//     = 'true' means the value starts with a header line naming the columns.
//     An empty field is NULL (for STRING too). csv.quote must be '"'.
//   - raw: the stream has one STRING attribute holding the whole value (as
//     UTF-8 text; invalid UTF-8 is a *DecodeError). Encoding writes the
//     attribute's text.
//
// Event time is the binding's timestamp attribute when set and non-NULL,
// else the record timestamp.
//
// Record keys (KeyEncoder): no key attributes gives a nil key; one
// attribute gives its text (a STRING as its bytes, a number or BOOL as its
// JSON text, NULL as a nil key); several give a JSON array of their JSON
// values, e.g. ["IBM",42]. Partition places a key like Java clients do
// (murmur2, positive, modulo the partition count).
package serde
