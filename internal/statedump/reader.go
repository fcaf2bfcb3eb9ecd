package statedump

import (
	"encoding/binary"
	"fmt"
	"strconv"

	"github.com/eventflux-io/eventflux-go/topology"
)

// reader decodes the pieces of a record value; the first error sticks.
type reader struct {
	what string // the record, for errors
	b    []byte
	err  error
}

func (r *reader) fail(piece string, err error) {
	if r.err == nil {
		if err == nil {
			err = topology.ErrBadEncoding
		}
		r.err = fmt.Errorf("statedump: %s: %s: %w", r.what, piece, err)
	}
	r.b = nil
}

func (r *reader) uint(piece string) uint64 {
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.fail(piece, nil)
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *reader) int(piece string) int64 {
	v, n := binary.Varint(r.b)
	if n <= 0 {
		r.fail(piece, nil)
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *reader) value(piece string) topology.Value {
	if r.err != nil {
		return topology.Value{}
	}
	v, rest, err := topology.DecodeValue(r.b)
	if err != nil {
		r.fail(piece, err)
		return topology.Value{}
	}
	r.b = rest
	return v
}

func (r *reader) values(piece string) []topology.Value {
	if r.err != nil {
		return nil
	}
	vals, rest, err := topology.DecodeValues(nil, r.b)
	if err != nil {
		r.fail(piece, err)
		return nil
	}
	r.b = rest
	return vals
}

// bytes reads a uvarint length and that many bytes.
func (r *reader) bytes(piece string) []byte {
	n := r.uint(piece + " length")
	if r.err != nil {
		return nil
	}
	if n > uint64(len(r.b)) {
		r.fail(piece, nil)
		return nil
	}
	b := r.b[:n]
	r.b = r.b[n:]
	return b
}

// ids reads a uvarint count and that many uvarints.
func (r *reader) ids(piece string) []uint64 {
	n := r.uint(piece + " count")
	if r.err != nil {
		return nil
	}
	if n > uint64(len(r.b)) {
		r.fail(piece+" count", nil)
		return nil
	}
	out := make([]uint64, 0, n)
	for range n {
		out = append(out, r.uint(piece))
	}
	return out
}

// done returns the first error, or one if bytes are left over.
func (r *reader) done() error {
	if r.err == nil && len(r.b) > 0 {
		r.err = fmt.Errorf("statedump: %s: %d bytes left over: %w", r.what, len(r.b), topology.ErrBadEncoding)
	}
	return r.err
}

// seqKey decodes a key made of tag and an 8-byte big-endian number.
func seqKey(key []byte, tag byte) (uint64, bool) {
	if len(key) != 9 || key[0] != tag {
		return 0, false
	}
	return binary.BigEndian.Uint64(key[1:]), true
}

func itoa(n uint64) string { return strconv.FormatUint(n, 10) }
