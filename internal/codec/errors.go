package codec

import (
	"errors"
	"fmt"
)

// LineError is a problem with one input line: its 1-based number, the
// field at fault ("data.price", "stream", "ts"; "" for the line as a
// whole), and what is wrong.
type LineError struct {
	Line  int
	Field string
	Err   error
}

// Error renders `line 3: field data.price: expected DOUBLE, got string "abc"`.
func (e *LineError) Error() string {
	if e.Field == "" {
		return fmt.Sprintf("line %d: %v", e.Line, e.Err)
	}
	return fmt.Sprintf("line %d: field %s: %v", e.Line, e.Field, e.Err)
}

// Unwrap returns the underlying error.
func (e *LineError) Unwrap() error { return e.Err }

// IsLineError reports whether err is (or wraps) a *LineError: a rejected
// input line, as opposed to a failure of the processing behind it.
func IsLineError(err error) bool {
	var le *LineError
	return errors.As(err, &le)
}
