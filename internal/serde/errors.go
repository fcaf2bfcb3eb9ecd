package serde

import (
	"encoding/csv"
	"errors"
	"fmt"

	"github.com/eventflux-io/eventflux-go/internal/jsonscan"
)

// DecodeError is a record value that cannot be decoded into an event of
// the stream: malformed, or a field of the wrong type. The runtime
// dead-letters it.
type DecodeError struct {
	// Stream is the stream the value was decoded for.
	Stream string
	// Field names the attribute or JSON path at fault ("" for the value as
	// a whole).
	Field string
	Err   error
}

// Error renders "serde: Trades: field price: expected DOUBLE, got string "x"".
func (e *DecodeError) Error() string {
	if e.Field == "" {
		return fmt.Sprintf("serde: %s: %v", e.Stream, e.Err)
	}
	return fmt.Sprintf("serde: %s: field %s: %v", e.Stream, e.Field, e.Err)
}

// Unwrap returns the underlying error.
func (e *DecodeError) Unwrap() error { return e.Err }

// Reason classifies the error for metrics: "decode" when the value is
// malformed (bad JSON or CSV, not UTF-8, not an object), "schema" when a
// well-formed value has a field of the wrong type or range.
func (e *DecodeError) Reason() string {
	var se *jsonscan.SyntaxError
	var ce *csv.ParseError
	if errors.As(e.Err, &se) || errors.As(e.Err, &ce) || errors.As(e.Err, new(*malformedError)) {
		return "decode"
	}
	return "schema"
}

// malformedError is a structural problem that is not a syntax error.
type malformedError struct{ msg string }

func (e *malformedError) Error() string { return e.msg }

func malformedf(format string, args ...any) error {
	return &malformedError{msg: fmt.Sprintf(format, args...)}
}
