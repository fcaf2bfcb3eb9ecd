package replay

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
)

// lineReader splits input into lines without a size limit up to max: a
// line longer than the bufio buffer is assembled in long. A line longer
// than max is skipped to its end and reported, so SkipBad can continue.
type lineReader struct {
	r    *bufio.Reader
	long []byte
	max  int
	n    int // number of the line last returned, 1-based
}

var errEOF = io.EOF

// tooLongError reports a line over the limit.
type tooLongError struct{ max int }

func (e *tooLongError) Error() string { return fmt.Sprintf("line longer than %d bytes", e.max) }

// next returns the next line without its newline; the slice is valid until
// the following call. It returns io.EOF after the last line.
func (lr *lineReader) next() ([]byte, error) {
	line, err := lr.r.ReadSlice('\n')
	if err == nil || (err == io.EOF && len(line) > 0) {
		lr.n++
		return bytes.TrimSuffix(line, []byte{'\n'}), nil
	}
	if !errors.Is(err, bufio.ErrBufferFull) {
		return nil, err
	}
	lr.n++
	lr.long = append(lr.long[:0], line...)
	for {
		line, err = lr.r.ReadSlice('\n')
		if len(lr.long)+len(line) > lr.max {
			return nil, lr.skip(err)
		}
		lr.long = append(lr.long, line...)
		switch {
		case err == nil || err == io.EOF:
			return bytes.TrimSuffix(lr.long, []byte{'\n'}), nil
		case !errors.Is(err, bufio.ErrBufferFull):
			return nil, err
		}
	}
}

// skip discards the rest of an over-long line.
func (lr *lineReader) skip(err error) error {
	for errors.Is(err, bufio.ErrBufferFull) {
		_, err = lr.r.ReadSlice('\n')
	}
	if err != nil && err != io.EOF {
		return err
	}
	return &tooLongError{max: lr.max}
}
