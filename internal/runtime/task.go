package runtime

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"time"

	"github.com/eventflux-io/eventflux-go/internal/serde"
	"github.com/eventflux-io/eventflux-go/kafka"
	"github.com/eventflux-io/eventflux-go/statestore"
	"github.com/eventflux-io/eventflux-go/topology"
)

// input is one partition of a task: its record channel, the records
// received but not processed, and the decoded head.
type input struct {
	tp      kafka.TopicPartition
	order   int // topic order, the first tie-break
	ch      <-chan []kafka.Record
	buf     []kafka.Record
	streams []*sourceDec
	// next is the offset to commit (last processed + 1), -1 before any.
	next      int64
	committed int64
	// repartition: tp is a repartition topic, purged up to purged.
	repartition bool
	purged      int64
	// emptySince is when buf last ran dry while another input had data.
	emptySince time.Time
	// head caches the decoded head record.
	headOK  bool
	headTS  int64
	headEvs []*topology.Event
	headErr error
	// headWM: the head record is a watermark (HeaderWatermark), no event.
	headWM bool
}

type sourceDec struct {
	stream string
	dec    decoder
}

// decoder turns a record value into an event: a serde.Decoder for an
// application source, an eventDecoder for a repartition topic.
type decoder interface {
	Decode(value []byte, recordTS int64) (*topology.Event, error)
}

// eventDecoder decodes repartition records, events another task encoded
// with topology.AppendEvent (see sink.repartition).
type eventDecoder struct{ schema *topology.Schema }

// Decode implements decoder.
func (d eventDecoder) Decode(value []byte, _ int64) (*topology.Event, error) {
	ev, rest, err := topology.DecodeEvent(value)
	switch {
	case err != nil:
		return nil, &serde.DecodeError{Stream: d.schema.Name, Err: err}
	case len(rest) > 0 || len(ev.Values) != len(d.schema.Attrs):
		return nil, &serde.DecodeError{Stream: d.schema.Name, Err: fmt.Errorf("repartition record of %d values with %d trailing bytes, want %d values of %s",
			len(ev.Values), len(rest), len(d.schema.Attrs), d.schema)}
	}
	return ev, nil
}

// taskRun is one task for one generation, owned by one goroutine.
type taskRun struct {
	w      *worker
	s      *kafka.Session
	ctx    context.Context
	id     taskID
	name   string // w.name(id)
	unit   *unit
	p      *kafka.Producer
	topo   *topology.Task
	inputs []*input
	// state is the task's state when the topology is stateful (nil
	// otherwise); clog is the changelog batch being produced.
	state statestore.TaskState
	clog  []statestore.ChangelogRecord

	open      bool // a transaction (batch) is open
	opened    time.Time
	processed int // records since the transaction opened
	cur       *kafka.Record
	sendErr   error
	keyBuf    []byte
	slab      []byte
	sampled   int
	// in and out count records per topic since the last report.
	in, out map[string]int
	// lateEnc encodes late events per window node, created on first use.
	lateEnc map[string]*serde.Encoder
	// purged is when the repartition inputs were last purged.
	purged time.Time
}

// runTask runs task ta until the session ends. started is called once the
// task is ready to process (its producer created and its state restored)
// or failed to get ready.
func (w *worker) runTask(s *kafka.Session, ta kafka.TaskAssignment, started func()) (err error) {
	ctx := s.Context()
	var once sync.Once
	ready := func() { once.Do(started) }
	defer ready()
	// The producer comes first: initialising its transactional id fences
	// a previous owner and aborts its open transaction, so the changelog's
	// last stable offset is final before the restore reads up to it.
	id := idOf(ta)
	u := w.plan.units[id.unit]
	p, err := w.producer(ctx, id)
	if err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return &fatalError{fmt.Errorf("runtime: task %s: %w", w.name(id), err)}
	}
	r := &taskRun{w: w, s: s, ctx: ctx, id: id, name: w.name(id), unit: u, p: p, in: map[string]int{}, out: map[string]int{}}
	defer r.report()
	if u.stateful {
		r.state, err = w.restore(ctx, id)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err // a failed generation: retried with backoff
		}
	}
	ready()
	topts := topology.TaskOptions{Emit: r.emit, OnLate: r.late, RemoteRepartitions: true}
	if r.state != nil {
		topts.State = r.state
		// A batch the generation leaves uncommitted (aborted, or its local
		// commit failed) is dropped; the next restore repairs the state.
		defer r.state.Abort()
	}
	r.topo, err = topology.NewTask(u.topo, topts)
	if err != nil {
		return &fatalError{fmt.Errorf("runtime: task %s: %w", r.name, err)}
	}
	defer r.topo.Close()
	order := map[string]int{}
	for i, t := range w.plan.topics {
		order[t] = i
	}
	for _, c := range ta.Inputs {
		in := &input{tp: kafka.TopicPartition{Topic: c.Topic, Partition: c.Partition}, order: order[c.Topic], next: -1, committed: c.Offset}
		in.ch = s.Records(in.tp)
		for _, src := range w.plan.sources[c.Topic] {
			if src.repartition {
				in.streams = append(in.streams, &sourceDec{stream: src.stream, dec: eventDecoder{src.schema}})
				in.repartition, in.purged = true, max(c.Offset, 0)
				r.purged = time.Now()
				continue
			}
			dec, err := serde.NewDecoder(src.schema, src.binding)
			if err != nil {
				return &fatalError{fmt.Errorf("runtime: %w", err)}
			}
			in.streams = append(in.streams, &sourceDec{stream: src.stream, dec: dec})
		}
		r.inputs = append(r.inputs, in)
	}
	return r.run()
}

// run is the poll-process-commit loop.
func (r *taskRun) run() error {
	tick := time.NewTicker(r.w.opts.CommitInterval)
	defer tick.Stop()
	cases := r.selectCases(tick.C)
	for {
		in, wait := r.pick()
		if in != nil {
			if err := r.processHead(in); err != nil {
				return r.fail(err)
			}
			if r.processed&63 == 0 {
				if r.ctx.Err() != nil {
					return r.finish()
				}
				if r.open && time.Since(r.opened) >= r.w.opts.CommitInterval {
					if err := r.commit(); err != nil {
						return r.rewind(err)
					}
				}
			}
			continue
		}
		// Nothing to process: block for input, the commit tick, the idle
		// deadline or the end of the session.
		var timer *time.Timer
		if wait > 0 {
			timer = time.NewTimer(wait)
			cases[len(cases)-1].Chan = reflect.ValueOf(timer.C)
		} else {
			cases[len(cases)-1].Chan = reflect.Value{}
		}
		chosen, v, ok := reflect.Select(cases)
		if timer != nil {
			timer.Stop()
		}
		switch {
		case chosen < len(r.inputs):
			if ok {
				r.inputs[chosen].add(v.Interface().([]kafka.Record))
			}
		case chosen == len(r.inputs): // session done
			return r.finish()
		case chosen == len(r.inputs)+1: // commit tick
			if r.open {
				if err := r.commit(); err != nil {
					return r.rewind(err)
				}
			} else {
				r.reportLag()
			}
		}
	}
}

// selectCases are the inputs' channels, then the session's Done, the
// commit tick and a slot for the idle timer.
func (r *taskRun) selectCases(tick <-chan time.Time) []reflect.SelectCase {
	cases := make([]reflect.SelectCase, 0, len(r.inputs)+3)
	for _, in := range r.inputs {
		cases = append(cases, reflect.SelectCase{Dir: reflect.SelectRecv, Chan: reflect.ValueOf(in.ch)})
	}
	cases = append(cases,
		reflect.SelectCase{Dir: reflect.SelectRecv, Chan: reflect.ValueOf(r.ctx.Done())},
		reflect.SelectCase{Dir: reflect.SelectRecv, Chan: reflect.ValueOf(tick)},
		reflect.SelectCase{Dir: reflect.SelectRecv})
	return cases
}

func (in *input) add(batch []kafka.Record) {
	if len(in.buf) == 0 {
		in.buf = batch
	} else {
		in.buf = append(in.buf, batch...)
	}
	in.emptySince = time.Time{}
}

// poll moves any batch already waiting on an empty input's channel into
// its buffer, without blocking.
func (r *taskRun) poll() {
	for _, in := range r.inputs {
		if len(in.buf) > 0 {
			continue
		}
		select {
		case b := <-in.ch:
			in.add(b)
		default:
		}
	}
}

// pick chooses the input whose head record is next in time order (ties:
// topic order, then offset). It returns nil and how long to wait when an
// empty input is still within MaxTaskIdle, or nil, 0 when nothing is
// buffered.
func (r *taskRun) pick() (*input, time.Duration) {
	if len(r.inputs) == 1 {
		in := r.inputs[0]
		if len(in.buf) == 0 {
			r.poll()
		}
		if len(in.buf) > 0 {
			return in, 0
		}
		return nil, 0
	}
	r.poll()
	var best *input
	var wait time.Duration
	now := time.Time{}
	for _, in := range r.inputs {
		if len(in.buf) == 0 {
			if r.w.opts.MaxTaskIdle <= 0 {
				continue
			}
			if now.IsZero() {
				now = time.Now()
			}
			if in.emptySince.IsZero() {
				in.emptySince = now
			}
			if left := r.w.opts.MaxTaskIdle - now.Sub(in.emptySince); left > 0 {
				wait = max(wait, left)
			}
			continue
		}
		r.decodeHead(in)
		if best == nil || in.headTS < best.headTS || (in.headTS == best.headTS && in.order < best.order) ||
			(in.headTS == best.headTS && in.order == best.order && in.buf[0].Offset < best.buf[0].Offset) {
			best = in
		}
	}
	if best == nil {
		return nil, 0
	}
	if wait > 0 {
		return nil, wait
	}
	return best, 0
}

// decodeHead decodes in's head record once, for ordering and processing.
func (r *taskRun) decodeHead(in *input) {
	if in.headOK {
		return
	}
	rec := &in.buf[0]
	ts := rec.Timestamp.UnixMilli()
	in.headEvs, in.headErr, in.headTS, in.headWM = in.headEvs[:0], nil, ts, false
	if len(rec.Headers) > 0 && isWatermark(rec) {
		in.headWM, in.headOK = true, true
		return
	}
	for i, sd := range in.streams {
		ev, err := sd.dec.Decode(rec.Value, ts)
		if err != nil {
			in.headErr = err
			in.headEvs = in.headEvs[:0]
			break
		}
		if i == 0 {
			in.headTS = ev.TS
		}
		in.headEvs = append(in.headEvs, ev)
	}
	in.headOK = true
}

// processHead runs in's head record through the task.
func (r *taskRun) processHead(in *input) error {
	r.decodeHead(in)
	rec := &in.buf[0]
	if !r.open {
		if err := r.p.Begin(); err != nil {
			return errRewind{err}
		}
		r.open, r.opened, r.processed = true, time.Now(), 0
	}
	r.processed++
	r.in[rec.Topic]++
	switch {
	case in.headWM:
		if err := r.watermark(in.headTS); err != nil {
			return &fatalError{&RecordError{Topic: rec.Topic, Partition: rec.Partition, Offset: rec.Offset, Err: err}}
		}
	case in.headErr != nil:
		if err := r.deadLetter(rec, in.headErr); err != nil {
			return err
		}
	default:
		sample := r.sampled&255 == 0
		r.sampled++
		var start time.Time
		if sample {
			start = time.Now()
		}
		r.cur = rec
		for i, sd := range in.streams {
			if err := r.topo.Process(sd.stream, in.headEvs[i]); err != nil {
				return &fatalError{&RecordError{Topic: rec.Topic, Partition: rec.Partition, Offset: rec.Offset, Err: err}}
			}
		}
		if sample {
			r.w.opts.Metrics.ProcessLatency(time.Since(start))
		}
	}
	in.next = rec.Offset + 1
	in.buf[0] = kafka.Record{}
	in.buf = in.buf[1:]
	in.headOK = false
	return nil
}

// Record headers with a meaning to the worker.
const (
	// HeaderWatermark marks a record of a source or repartition topic as a
	// watermark, not an event: its value is ignored, and the task moves
	// its stream time to the record's timestamp (closing the windows that
	// end by then, as an event at that time would) and forwards the
	// watermark to every partition of each repartition topic it writes.
	// Producers send one to move time on a quiet topic.
	HeaderWatermark = "eventflux.watermark"
	// HeaderKind is set to "expired" on output records of expired events
	// (INSERT EXPIRED EVENTS / ALL EVENTS); current events have none.
	HeaderKind = "eventflux.kind"
)

// expiredHeaders are the headers of an expired event's record (shared,
// read-only).
var expiredHeaders = []kafka.Header{{Key: HeaderKind, Value: []byte("expired")}}

// isWatermark reports whether rec carries HeaderWatermark.
func isWatermark(rec *kafka.Record) bool {
	for _, h := range rec.Headers {
		if h.Key == HeaderWatermark {
			return true
		}
	}
	return false
}

// watermark advances the task's stream time to ts and forwards the
// watermark to the repartition topics the task writes.
func (r *taskRun) watermark(ts int64) error {
	if err := r.topo.Advance(ts); err != nil {
		return err
	}
	for _, sk := range r.unit.writes {
		for p := range int32(max(sk.partitions, 1)) {
			r.p.Send(&kafka.Record{Topic: sk.topic, Partition: p, Timestamp: time.UnixMilli(ts),
				Headers: []kafka.Header{{Key: HeaderWatermark}}})
			r.out[sk.topic]++
		}
	}
	return nil
}

// emit is the task's output callback: a stream with a topic gets the
// event as a record, keyed by its key attributes.
func (r *taskRun) emit(stream string, ev *topology.Event) error {
	sk := r.w.plan.sinks[stream]
	if sk == nil {
		return nil
	}
	start := len(r.slab)
	if cap(r.slab)-start < 1024 {
		r.slab = make([]byte, 0, 64<<10)
		start = 0
	}
	if sk.repartition {
		r.slab = topology.AppendEvent(r.slab, ev)
	} else {
		r.slab = sk.value.Append(r.slab, ev)
	}
	value := r.slab[start:len(r.slab):len(r.slab)]
	rec := &kafka.Record{Topic: sk.topic, Value: value, Timestamp: time.UnixMilli(ev.TS)}
	if ev.Kind == topology.Expired && !sk.repartition {
		rec.Headers = expiredHeaders
	}
	switch {
	case sk.repartition && sk.single:
		rec.Partition = 0
	case sk.repartition:
		key := r.keyBuf[:0]
		for _, i := range sk.keyIdx {
			v := topology.Null()
			if i < len(ev.Values) {
				v = ev.Values[i]
			}
			key = topology.AppendValue(key, v)
		}
		rec.Key = append([]byte(nil), key...)
		rec.Partition = serde.Partition(rec.Key, sk.partitions)
		r.keyBuf = key
	default:
		if key, ok := sk.key.Append(r.keyBuf[:0], ev); ok {
			rec.Key = append([]byte(nil), key...)
			rec.Partition = serde.Partition(rec.Key, sk.partitions)
			r.keyBuf = key
		} else {
			rec.Partition = r.id.part % int32(max(sk.partitions, 1))
		}
	}
	r.p.Send(rec)
	r.out[sk.topic]++
	return nil
}

// Dead-letter headers.
const (
	HeaderSourceTopic     = "eventflux.source.topic"
	HeaderSourcePartition = "eventflux.source.partition"
	HeaderSourceOffset    = "eventflux.source.offset"
	HeaderError           = "eventflux.error"
)

// deadLetter handles an undecodable record per the policy.
func (r *taskRun) deadLetter(rec *kafka.Record, cause error) error {
	reason := "schema"
	var de *serde.DecodeError
	if errors.As(cause, &de) {
		reason = de.Reason()
	}
	r.w.opts.Metrics.DeadLetter(reason)
	switch r.w.opts.DeadLetterPolicy {
	case Skip:
		r.w.log.Warn("runtime: skipping bad record", "topic", rec.Topic, "partition", rec.Partition, "offset", rec.Offset, "err", cause)
		return nil
	case Fail:
		return &fatalError{&RecordError{Topic: rec.Topic, Partition: rec.Partition, Offset: rec.Offset, Err: cause}}
	}
	r.sendDeadLetter(rec, rec.Value, rec.Timestamp, cause.Error())
	return nil
}

// sendDeadLetter sends value to the dead-letter topic with rec's key and
// headers plus the dead-letter headers naming rec and the error.
func (r *taskRun) sendDeadLetter(rec *kafka.Record, value []byte, ts time.Time, errText string) {
	topic := r.w.opts.DeadLetterTopic
	hdrs := make([]kafka.Header, 0, len(rec.Headers)+4)
	hdrs = append(hdrs, rec.Headers...)
	hdrs = append(hdrs,
		kafka.Header{Key: HeaderSourceTopic, Value: []byte(rec.Topic)},
		kafka.Header{Key: HeaderSourcePartition, Value: fmt.Appendf(nil, "%d", rec.Partition)},
		kafka.Header{Key: HeaderSourceOffset, Value: fmt.Appendf(nil, "%d", rec.Offset)},
		kafka.Header{Key: HeaderError, Value: []byte(errText)})
	r.p.Send(&kafka.Record{
		Topic: topic, Partition: rec.Partition % int32(max(r.w.plan.dlqPartitions, 1)),
		Key: rec.Key, Value: value, Timestamp: ts, Headers: hdrs,
	})
	r.out[topic]++
}

// late is the task's OnLate callback: node dropped ev, carried by the
// record being processed (r.cur), as late. It is counted and, under
// LateDeadLetter, dead-lettered as JSON in node's input schema (a window
// forwards its input unchanged, so its schema is its input's).
func (r *taskRun) late(node string, ev *topology.Event, reason string) {
	r.w.opts.Metrics.LateEvent(node)
	if r.w.opts.LateEvents != LateDeadLetter || r.cur == nil {
		return
	}
	enc := r.lateEnc[node]
	if enc == nil {
		n := r.w.opts.Topology.Node(node)
		var err error
		if n == nil || n.Info.Schema == nil {
			err = fmt.Errorf("no schema")
		} else {
			enc, err = serde.NewEncoder(n.Info.Schema, topology.Binding{Format: serde.FormatJSON})
		}
		if err != nil {
			// Cannot happen for JSON; count the drop and go on.
			r.w.log.Warn("runtime: cannot encode late event", "node", node, "err", err)
			return
		}
		if r.lateEnc == nil {
			r.lateEnc = map[string]*serde.Encoder{}
		}
		r.lateEnc[node] = enc
	}
	r.w.opts.Metrics.DeadLetter("late")
	r.sendDeadLetter(r.cur, enc.Append(nil, ev), time.UnixMilli(ev.TS), "late event: "+reason)
}

// offsets returns the positions to commit.
func (r *taskRun) offsets() []kafka.Offset {
	var out []kafka.Offset
	for _, in := range r.inputs {
		if in.next >= 0 && in.next != in.committed {
			out = append(out, kafka.Offset{Topic: in.tp.Topic, Partition: in.tp.Partition, Offset: in.next})
		}
	}
	return out
}

// commit ends the open batch: offsets (always, even if no record was
// produced) and outputs, atomically under exactly-once.
func (r *taskRun) commit() error {
	if hook := r.w.opts.beforeCommit; hook != nil {
		hook(r.id.part)
	}
	start := time.Now()
	if r.state != nil {
		if err := r.sendChangelog(); err != nil {
			return err
		}
	}
	offs := r.offsets()
	if err := r.p.SendOffsets(r.s, offs); err != nil {
		return err
	}
	if err := r.p.Commit(); err != nil {
		return err
	}
	r.open = false
	for _, in := range r.inputs {
		if in.next >= 0 {
			in.committed = in.next
		}
	}
	if r.state != nil {
		if err := r.commitState(); err != nil {
			// The Kafka transaction is committed: the next generation's
			// restore replays the changelog tail into the store.
			return err
		}
	}
	r.w.opts.Metrics.Commit(time.Since(start))
	r.report()
	r.reportLag()
	if !r.purged.IsZero() && time.Since(r.purged) >= r.w.opts.RepartitionPurgeInterval {
		r.purge()
	}
	return nil
}

// purge deletes what the task has committed from the repartition topics
// it reads (see RepartitionPurgeInterval).
func (r *taskRun) purge() {
	r.purged = time.Now()
	for _, in := range r.inputs {
		if !in.repartition || in.committed <= in.purged {
			continue
		}
		if r.w.purge(in.tp.Topic, map[int32]int64{in.tp.Partition: in.committed}) {
			in.purged = in.committed
		}
	}
}

// sendChangelog flushes the operators' state into the task's batch and
// sends its changelog records, in the open transaction, each to the
// task's partition of its store's changelog topic, timestamped with the
// wall clock. Not with stream time: windowed changelogs are expired by
// the broker by record timestamp against its clock, so a backfill of old
// events would have its open windows' records deleted at once.
func (r *taskRun) sendChangelog() error {
	if err := r.topo.Flush(); err != nil {
		return fmt.Errorf("runtime: task %s: %w", r.name, err)
	}
	r.clog = r.state.AppendChangelog(r.clog[:0])
	ts := time.Now()
	for i := range r.clog {
		c := &r.clog[i]
		r.p.Send(&kafka.Record{Topic: r.w.changelogTopic(c.Store), Partition: r.id.part, Key: c.Key, Value: c.Value, Timestamp: ts})
	}
	return nil
}

// commitState commits the task's batch locally after the Kafka commit,
// with the changelog positions the producer acknowledged and the input
// positions.
func (r *taskRun) commitState() error {
	cp := statestore.Checkpoint{Inputs: map[statestore.TopicPartition]int64{}}
	if len(r.clog) > 0 {
		acked := r.p.Acked()
		cp.Changelog = map[string]int64{}
		for _, s := range r.state.Stores() {
			if next, ok := acked[kafka.TopicPartition{Topic: r.w.changelogTopic(s.Name), Partition: r.id.part}]; ok {
				cp.Changelog[s.Name] = next
			}
		}
	}
	for _, in := range r.inputs {
		if in.committed >= 0 {
			cp.Inputs[statestore.TopicPartition{Topic: in.tp.Topic, Partition: in.tp.Partition}] = in.committed
		}
	}
	r.clog = r.clog[:0]
	if err := r.topo.Commit(cp); err != nil {
		return fmt.Errorf("runtime: task %s: local state commit: %w", r.name, err)
	}
	return nil
}

// reportLag sets each input's lag: the high watermark of its latest fetch
// minus the committed position. Inputs with neither known are skipped.
// (Under read_committed the high watermark counts transaction markers and
// open transactions, so a caught-up partition may show a small lag.)
func (r *taskRun) reportLag() {
	for _, in := range r.inputs {
		hwm := r.s.HighWaterMark(in.tp)
		if hwm < 0 || in.committed < 0 {
			continue
		}
		r.w.opts.Metrics.Lag(in.tp.Topic, in.tp.Partition, max(hwm-in.committed, 0))
	}
}

// report hands the record counts to the metrics (batched: per-record
// calls into a Prometheus vector would cost more than the processing).
func (r *taskRun) report() {
	for t, n := range r.in {
		r.w.opts.Metrics.RecordsIn(t, n)
		delete(r.in, t)
	}
	for t, n := range r.out {
		r.w.opts.Metrics.RecordsOut(t, n)
		delete(r.out, t)
	}
}

// errRewind asks to abort and restart from the committed offsets.
type errRewind struct{ err error }

func (e errRewind) Error() string { return e.err.Error() }
func (e errRewind) Unwrap() error { return e.err }

// rewind handles a failed commit (or begin): abort, re-create the producer
// if it is fatally broken, and end the generation so every task restarts
// from the committed offsets.
func (r *taskRun) rewind(cause error) error {
	r.w.opts.Metrics.Abort()
	fatal := kafka.IsFatal(cause)
	if !fatal && r.open {
		if err := r.p.Abort(); err != nil {
			fatal = true
			r.w.log.Warn("runtime: abort failed", "task", r.name, "err", err)
		}
	}
	r.open = false
	if fatal {
		r.w.log.Warn("runtime: producer fenced or broken; re-creating it", "task", r.name, "err", cause)
		r.w.dropProducer(r.id)
	} else {
		r.w.log.Warn("runtime: transaction aborted; rewinding", "task", r.name, "err", cause)
	}
	r.s.End()
	return nil
}

// fail handles an error from processing: a rewind request, or a fatal
// error after aborting the open transaction.
func (r *taskRun) fail(err error) error {
	var rw errRewind
	if errors.As(err, &rw) {
		return r.rewind(rw.err)
	}
	if r.open {
		r.w.opts.Metrics.Abort()
		if aerr := r.p.Abort(); aerr != nil {
			r.w.dropProducer(r.id)
		}
		r.open = false
	}
	return err
}

// finish commits the open batch when the generation ends (revocation or
// shutdown); if that fails the batch is aborted and will be redone by the
// next owner.
func (r *taskRun) finish() error {
	if !r.open {
		return nil
	}
	if err := r.commit(); err != nil {
		return r.rewind(err)
	}
	return nil
}
