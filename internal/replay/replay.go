package replay

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/eventflux-io/eventflux-go/internal/codec"
	"github.com/eventflux-io/eventflux-go/topology"
	"github.com/eventflux-io/eventflux-go/topology/topologytest"
)

// Options configures Run.
type Options struct {
	// SkipBad makes a malformed or mistyped line a reported reject instead
	// of a fatal error. Default false: the first bad line stops the run.
	SkipBad bool
	// Rejects receives one "line N: <error>" line per rejected line when
	// SkipBad is set. Default os.Stderr.
	Rejects io.Writer
	// MaxLineBytes is the longest line accepted. Default 16 MiB.
	MaxLineBytes int
	// Bindings overrides the topology's stream bindings (a pipeline's
	// YAML streams section, merged as the live worker merges it); only the
	// timestamp attribute matters offline. Default: the SQL bindings.
	Bindings map[string]topology.Binding
}

// Stats counts what a run did.
type Stats struct {
	// Lines is the number of input lines read, blank ones included.
	Lines int64
	// Events and Watermarks count the event and watermark lines processed.
	Events, Watermarks int64
	// Outputs is the number of output lines written.
	Outputs int64
	// Rejected is the number of bad lines skipped (SkipBad only).
	Rejected int64
}

const (
	ioBufferSize    = 256 << 10
	defaultMaxLine  = 16 << 20
	ctxCheckEvery   = 4096
	maxOutputLineSz = 64 << 10 // encode beyond this size bypasses AvailableBuffer
)

// Run replays the lines of in through prog, writing outputs to out. It
// returns when input ends, on the first error, or when ctx is done. A bad
// line's error names its line number and field (a *codec.LineError); a
// processing error is prefixed by its line number too.
func Run(ctx context.Context, prog *topology.Topology, in io.Reader, out io.Writer, opts Options) (Stats, error) {
	r, err := newRunner(prog, in, out, opts)
	if err != nil {
		return Stats{}, err
	}
	err = r.run(ctx)
	if ferr := r.w.Flush(); err == nil && ferr != nil {
		err = fmt.Errorf("replay: write: %w", ferr)
	}
	if cerr := r.driver.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("replay: %w", cerr)
	}
	return r.stats, err
}

// runner is the state of one Run.
type runner struct {
	opts     Options
	driver   *topologytest.Driver
	dec      *codec.Decoder
	encoders map[string]*codec.StreamEncoder
	lines    lineReader
	w        *bufio.Writer
	stats    Stats
}

func newRunner(prog *topology.Topology, in io.Reader, out io.Writer, opts Options) (*runner, error) {
	if opts.Rejects == nil {
		opts.Rejects = os.Stderr
	}
	if opts.MaxLineBytes <= 0 {
		opts.MaxLineBytes = defaultMaxLine
	}
	r := &runner{
		opts:     opts,
		encoders: map[string]*codec.StreamEncoder{},
		lines:    lineReader{r: bufio.NewReaderSize(in, ioBufferSize), max: opts.MaxLineBytes},
		w:        bufio.NewWriterSize(out, ioBufferSize),
	}
	var specs []codec.StreamSpec
	for _, n := range prog.Nodes() {
		if n.Kind == topology.StreamNode {
			bind := n.Binding
			if b, ok := opts.Bindings[n.Info.Name]; ok {
				bind = b
			}
			specs = append(specs, codec.StreamSpec{Schema: n.Info.Schema, Timestamp: bind.Timestamp})
			r.encoders[n.Info.Name] = codec.NewStreamEncoder(n.Info.Schema)
		}
	}
	dec, err := codec.NewDecoder(specs...)
	if err != nil {
		return nil, fmt.Errorf("replay: %w", err)
	}
	r.dec = dec
	if r.driver, err = topologytest.New(prog, topologytest.OnOutput(r.emit)); err != nil {
		return nil, fmt.Errorf("replay: %w", err)
	}
	return r, nil
}

func (r *runner) run(ctx context.Context) error {
	for {
		if r.stats.Lines%ctxCheckEvery == 0 {
			if err := ctx.Err(); err != nil {
				return fmt.Errorf("replay: stopped after line %d: %w", r.lines.n, err)
			}
		}
		raw, err := r.lines.next()
		if err == errEOF {
			return nil
		}
		r.stats.Lines = int64(r.lines.n)
		if err != nil {
			var tl *tooLongError
			if !errors.As(err, &tl) {
				return fmt.Errorf("replay: read: %w", err)
			}
			err = &codec.LineError{Line: r.lines.n, Err: err}
		} else {
			err = r.line(raw)
		}
		if err != nil {
			if err = r.reject(err); err != nil {
				return err
			}
		}
	}
}

// line decodes and processes one line.
func (r *runner) line(raw []byte) error {
	l, err := r.dec.Decode(r.lines.n, raw)
	if err != nil {
		return err
	}
	switch l.Kind {
	case codec.EventLine:
		r.stats.Events++
		err = r.driver.SendEvent(l.Stream, l.Event)
	case codec.WatermarkLine:
		r.stats.Watermarks++
		err = r.driver.Advance(l.Watermark)
	}
	if err != nil {
		return fmt.Errorf("line %d: %w", r.lines.n, err)
	}
	return nil
}

// reject reports a bad line when SkipBad allows it; any other error is
// returned as fatal.
func (r *runner) reject(err error) error {
	if !r.opts.SkipBad || !codec.IsLineError(err) {
		return err
	}
	r.stats.Rejected++
	if _, werr := fmt.Fprintln(r.opts.Rejects, err); werr != nil {
		return fmt.Errorf("replay: report reject: %w", werr)
	}
	return nil
}

// emit writes one output line straight into the output buffer.
func (r *runner) emit(o topologytest.Output) error {
	enc := r.encoders[o.Stream]
	if enc == nil {
		return fmt.Errorf("replay: output to unknown stream %q", o.Stream)
	}
	r.stats.Outputs++
	buf := r.w.AvailableBuffer()
	if cap(buf) < maxOutputLineSz {
		if err := r.w.Flush(); err != nil {
			return fmt.Errorf("replay: write: %w", err)
		}
		buf = r.w.AvailableBuffer()
	}
	_, err := r.w.Write(enc.Append(buf, o.Event))
	return err
}
