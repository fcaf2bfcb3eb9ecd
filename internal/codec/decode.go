package codec

import (
	"errors"
	"fmt"

	"github.com/eventflux-io/eventflux-go/internal/jsonscan"
	"github.com/eventflux-io/eventflux-go/sqlc/diag"
	"github.com/eventflux-io/eventflux-go/topology"
)

// StreamSpec tells a Decoder how to read one stream's events.
type StreamSpec struct {
	// Schema names the stream and orders its values.
	Schema *topology.Schema
	// Timestamp names the INT or LONG attribute holding event time, as in
	// the stream's binding. When set and non-NULL on a line it is the
	// event's time, as in the live worker; otherwise the line's "ts" is.
	// Default "": the line's "ts".
	Timestamp string
}

// LineKind says what a decoded line holds.
type LineKind uint8

// Line kinds.
const (
	// Blank is an empty or all-whitespace line: nothing to do.
	Blank LineKind = iota
	// EventLine carries an event for a stream.
	EventLine
	// WatermarkLine advances stream time without an event.
	WatermarkLine
)

// Line is one decoded input line.
type Line struct {
	Kind LineKind
	// Stream is the stream an EventLine feeds.
	Stream string
	// Event is the decoded event of an EventLine, values in schema order.
	Event *topology.Event
	// Watermark is the time a WatermarkLine advances to.
	Watermark int64
}

// topFields are the keys a line may have, for "did you mean" hints.
var topFields = []string{"stream", "ts", "data", "watermark"}

// Decoder parses replay lines into events. It keeps scratch buffers
// between calls, so it is not safe for concurrent use; decoded events are
// independent of the line and of later calls.
type Decoder struct {
	byName map[string]*streamDec
	names  []string
	sc     jsonscan.Scanner
	vals   []topology.Value
	seen   []bool
	alloc  allocator
	intern interner
}

// streamDec is the per-stream decoding state.
type streamDec struct {
	schema *topology.Schema
	names  []string
	types  []topology.Type
	tsIdx  int // attribute holding event time, or -1
}

// NewDecoder returns a Decoder for the given streams. It fails if a
// stream is listed twice or names a timestamp attribute it lacks.
func NewDecoder(streams ...StreamSpec) (*Decoder, error) {
	d := &Decoder{byName: make(map[string]*streamDec, len(streams)), intern: newInterner()}
	for _, spec := range streams {
		sd, err := newStreamDec(spec)
		if err != nil {
			return nil, err
		}
		if d.byName[sd.schema.Name] != nil {
			return nil, fmt.Errorf("codec: stream %q listed twice", sd.schema.Name)
		}
		d.byName[sd.schema.Name] = sd
		d.names = append(d.names, sd.schema.Name)
	}
	return d, nil
}

func newStreamDec(spec StreamSpec) (*streamDec, error) {
	s := spec.Schema
	sd := &streamDec{schema: s, names: s.Names(), types: make([]topology.Type, s.Len()), tsIdx: -1}
	for i, a := range s.Attrs {
		sd.types[i] = a.Type
	}
	if spec.Timestamp != "" {
		sd.tsIdx = s.Index(spec.Timestamp)
		if sd.tsIdx < 0 || !sd.types[sd.tsIdx].IsIntegral() {
			return nil, fmt.Errorf("codec: stream %s: timestamp attribute %q is not an INT or LONG attribute", s.Name, spec.Timestamp)
		}
	}
	return sd, nil
}

// Streams returns the names of the streams the decoder knows, in the
// order given to NewDecoder.
func (d *Decoder) Streams() []string { return d.names }

// Decode parses one line (without its newline). lineNo is the 1-based line
// number stamped on a *LineError. Every error Decode returns is a
// *LineError.
func (d *Decoder) Decode(lineNo int, line []byte) (Line, error) {
	l, field, err := d.decode(line)
	if err != nil {
		return Line{}, &LineError{Line: lineNo, Field: field, Err: err}
	}
	return l, nil
}

// lineState collects the top-level fields of a line as they are scanned.
type lineState struct {
	stream        *streamDec
	ts, watermark int64
	hasTS, hasWM  bool
	hasStream     bool
	dataAt        int // offset of a data object seen before "stream", or -1
	hasData       bool
}

func (d *Decoder) decode(line []byte) (Line, string, error) {
	sc := &d.sc
	sc.Reset(line)
	if sc.Peek() == 0 && sc.Pos() == len(line) {
		return Line{Kind: Blank}, "", nil
	}
	if err := sc.Expect('{'); err != nil {
		return Line{}, "", err
	}
	st := lineState{dataAt: -1}
	for first := true; ; first = false {
		key, ok, err := sc.Member(first)
		if err != nil {
			return Line{}, "", err
		}
		if !ok {
			break
		}
		if field, err := d.topField(&st, key); err != nil {
			return Line{}, field, err
		}
	}
	if sc.Peek() != 0 || sc.Pos() != len(line) {
		return Line{}, "", sc.Errorf("unexpected text after the object")
	}
	return d.finish(&st)
}

// topField scans the value of one top-level key.
func (d *Decoder) topField(st *lineState, key []byte) (string, error) {
	sc := &d.sc
	switch string(key) {
	case "stream":
		if st.hasStream {
			return "stream", errors.New("duplicate key")
		}
		st.hasStream = true
		return "stream", d.streamName(st)
	case "ts":
		if st.hasTS {
			return "ts", errors.New("duplicate key")
		}
		st.hasTS = true
		return "ts", d.millis(&st.ts)
	case "watermark":
		if st.hasWM {
			return "watermark", errors.New("duplicate key")
		}
		st.hasWM = true
		return "watermark", d.millis(&st.watermark)
	case "data":
		if st.hasData {
			return "data", errors.New("duplicate key")
		}
		st.hasData = true
		if k, err := sc.Kind(); err != nil || k != jsonscan.KindObject {
			if err != nil {
				return "data", err
			}
			return "data", fmt.Errorf("expected an object, got %s", k.String())
		}
		if st.stream != nil {
			return d.data(st.stream)
		}
		st.dataAt = sc.Pos() // "stream" comes later: decode once it is known
		return "data", sc.SkipValue(0)
	}
	name := string(key)
	msg := "unknown field"
	if hint := diag.DidYouMean(name, topFields); hint != "" {
		msg += "; " + hint
	}
	return name, errors.New(msg)
}

// streamName scans the stream name and resolves it.
func (d *Decoder) streamName(st *lineState) error {
	sc := &d.sc
	k, err := sc.Kind()
	if err != nil {
		return err
	}
	if k != jsonscan.KindString {
		return fmt.Errorf("expected a stream name, got %s", d.describe(k))
	}
	b, err := sc.Str()
	if err != nil {
		return err
	}
	if st.stream = d.byName[string(b)]; st.stream == nil {
		name := string(b)
		msg := fmt.Sprintf("unknown stream %q", name)
		if hint := diag.DidYouMean(name, d.names); hint != "" {
			msg += "; " + hint
		}
		return errors.New(msg)
	}
	return nil
}

// millis scans an integer number of epoch milliseconds.
func (d *Decoder) millis(dst *int64) error {
	k, err := d.sc.Kind()
	if err != nil {
		return err
	}
	if k != jsonscan.KindNumber {
		return fmt.Errorf("expected integer milliseconds, got %s", d.describe(k))
	}
	raw, integral, err := d.sc.Number()
	if err != nil {
		return err
	}
	n, ok := jsonscan.ParseInt(raw)
	if !integral || !ok {
		return fmt.Errorf("expected integer milliseconds, got number %s", raw)
	}
	*dst = n
	return nil
}

// finish checks that the fields seen make a valid line and builds it.
func (d *Decoder) finish(st *lineState) (Line, string, error) {
	if st.hasWM {
		if st.hasStream || st.hasTS || st.hasData {
			return Line{}, "", errors.New(`a watermark line has only the "watermark" field`)
		}
		return Line{Kind: WatermarkLine, Watermark: st.watermark}, "", nil
	}
	switch {
	case !st.hasStream:
		return Line{}, "", errors.New(`missing "stream" (or "watermark")`)
	case !st.hasData:
		return Line{}, "", errors.New(`missing "data"`)
	}
	sd := st.stream
	if st.dataAt >= 0 {
		d.sc.Seek(st.dataAt)
		if field, err := d.data(sd); err != nil {
			return Line{}, field, err
		}
	}
	ts := st.ts
	if sd.tsIdx >= 0 && !d.vals[sd.tsIdx].IsNull() {
		ts = d.vals[sd.tsIdx].RawLong()
	} else if !st.hasTS {
		return Line{}, "", errors.New(`missing "ts"`)
	}
	ev := d.alloc.event(ts, d.vals)
	return Line{Kind: EventLine, Stream: sd.schema.Name, Event: ev}, "", nil
}
