// Package expr binds, type-checks and compiles the scalar expressions of the
// EventFlux SQL dialect.
//
// Binding (Bind) resolves attribute references through a Scope, gives every
// sub-expression a static type (STRING, INT, LONG, FLOAT, DOUBLE, BOOL;
// TIMESTAMP is a LONG), applies numeric promotion and reports every error it
// finds as a positioned diag.Error with the offending text and, when
// possible, a hint. Compilation (Compile, CompileFilter) turns a bound tree
// into closures specialised by type and operand shape; constant
// sub-expressions are folded once, literal LIKE/regexp/date patterns are
// precompiled, and numeric or boolean evaluation never allocates.
//
// Semantics follow SQL.md: standard three-valued logic, division (and %) by
// zero yields NULL, integer overflow wraps as in Java, integer literals are
// LONG unless they fit an INT context. Choices SQL.md leaves open:
//
//   - concat returns NULL when any argument is NULL (standard SQL) and
//     accepts arguments of any type, rendered as CAST(x AS STRING) would.
//   - maximum/minimum ignore NULL arguments (as Siddhi does) and are NULL
//     only when every argument is NULL.
//   - BOOL values support = and != only (Siddhi); ordering them is an error.
//   - CAST from STRING trims surrounding whitespace, then parses strictly
//     (integers must be integer syntax; BOOL accepts true/false in any case);
//     anything else yields NULL. CAST of NaN to INT/LONG is 0 and out-of-range
//     floats saturate (Java semantics). FLOAT/DOUBLE render as Java does
//     (1.0, 1.5E10, NaN, Infinity).
//   - trim/ltrim/rtrim remove characters <= U+0020, as Java's String.trim.
//   - length, reverse, substring, left, right, lpad, rpad, position, locate,
//     instr and ascii count characters (runes), not bytes; LIKE's _ matches
//     one character; string comparison is by bytes.
//   - String results longer than MaxStringLen (repeat, lpad, rpad) are NULL.
//   - date_add with YEAR or MONTH clamps to the last day of the target month
//     (Jan 31 + 1 MONTH = Feb 28/29), as Java's Calendar and Siddhi do; the
//     other units add fixed milliseconds (WEEK = 7 days, DAY = 24 hours).
//     Units may be plural (DAYS).
//   - extract(MILLISECOND FROM ts) is the millisecond within the second
//     (0-999), as Siddhi's Calendar.MILLISECOND.
//   - date_parse is strict: the whole input must match the pattern, fields
//     must be in range (no rolling over), yy means 2000-2099; a missing date
//     field defaults to 1970-01-01 and a missing time field to 0.
//   - A nil event in a Frame slot reads as all-NULL attributes (the missing
//     side of an outer join).
//   - now() reads Options.Clock (default: wall clock); uuid() is a random
//     version 4 UUID from crypto/rand.
//
// Aggregate calls (sum, count, ...) are rejected by Bind unless
// Options.Aggregate is set; the planner plugs aggregations in there and
// returns, for instance, a NewColumn over the aggregator's output.
package expr
