// Package parser turns EventFlux SQL text into the syntax tree of package
// ast. It is a hand-written lexer and recursive-descent parser.
//
// Parse reads a whole application and reports every error it finds: after
// an error it skips to the next ';' and carries on with the next
// statement, so one run lists all the mistakes of a file. Each error is a
// *diag.Error with the file, the line:column of the offending token, its
// text, a lower-case message and, where one is known, a hint (a
// did-you-mean suggestion or how to quote a reserved word).
//
// Constructs of the dialect that the compiler does not handle yet (tables,
// triggers, joins, patterns, partitions, table mutations) are recognised
// and rejected with a positioned "... is not supported yet" error rather
// than being misread.
//
// Internally the parser panics with a private sentinel to abandon a
// statement; the panic never crosses the exported functions.
package parser
