package runtime

import (
	"context"
	"errors"
	"fmt"
	"hash/crc32"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/eventflux-io/eventflux-go/internal/serde"
	"github.com/eventflux-io/eventflux-go/internal/testscript"
	"github.com/eventflux-io/eventflux-go/kafka"
	"github.com/eventflux-io/eventflux-go/kafka/kafkatest"
	"github.com/eventflux-io/eventflux-go/sqlc"
	"github.com/eventflux-io/eventflux-go/topology"
)

// TestScriptsLive is a differential test of the worker against the
// in-process engine: every script of testdata/scripts runs, command by
// command, through testscript.Memory (whose outputs the scripts' own
// expect lines check) and through liveBackend (the worker on an
// in-process broker), and after each send or advance both must have
// emitted the same events, stream by stream. Under -short it runs every
// liveShortEvery-th script.
//
// Scripts run concurrently, liveParallel at a time, each app on its own
// worker and topics of one shared cluster.
func TestScriptsLive(t *testing.T) {
	files, err := testscript.Expand([]string{filepath.Join("..", "..", "testdata", "scripts")})
	if err != nil {
		t.Fatal(err)
	}
	lc := newLiveCluster(t)
	var run []string
	for i, f := range files {
		if !testing.Short() || i%liveShortEvery == 0 {
			run = append(run, f)
		}
	}
	// t.Run from several goroutines runs the subtests concurrently
	// without t.Parallel, whose bound (-parallel, GOMAXPROCS) is too small
	// for subtests that mostly wait on the broker.
	work := make(chan string)
	var wg sync.WaitGroup
	for range liveParallel {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for f := range work {
				t.Run(filepath.Base(f), func(t *testing.T) { runLiveScript(t, lc, f) })
			}
		}()
	}
	for _, f := range run {
		work <- f
	}
	close(work)
	wg.Wait()
	// The restarts happened, and the wiped ones restored state.
	if n, r := lc.restarts.Load(), lc.restored.Load(); n < int64(len(run))/2 || r == 0 {
		t.Errorf("%d workers restarted over %d scripts, %d changelog records restored", n, len(run), r)
	} else {
		t.Logf("%d workers restarted over %d scripts, %d changelog records restored", n, len(run), r)
	}
}

const (
	// liveShortEvery: -short runs scripts 0, 8, 16, ... in sorted order.
	liveShortEvery = 8
	// liveParallel scripts run at a time.
	liveParallel = 8
	// liveTimeout bounds each wait on the worker (ready, caught up,
	// stopped).
	liveTimeout = 20 * time.Second
)

func runLiveScript(t *testing.T, lc *liveCluster, path string) {
	name := filepath.Base(path)
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s, err := testscript.Parse(name, string(src))
	if err != nil {
		t.Fatal(err)
	}
	fails, compared := diffScript(s, testscript.NewMemory(), newLiveBackend(lc))
	expected := 0
	for _, c := range s.Cmds {
		if _, ok := c.(*testscript.ExpectEvent); ok {
			expected++
		}
	}
	if expected > 0 && compared == 0 && len(fails) == 0 {
		t.Errorf("%s expects %d events, but the in-memory backend emitted none: the harness compares nothing", name, expected)
	}
	for _, f := range fails {
		t.Error(f)
	}
}

// diffScript runs s through mem and live in lockstep and returns the
// differences as "file.test:LINE: ..." lines, and how many in-memory
// outputs it compared. Expectations are ignored (the in-memory suite
// checks them); the stream time of sends without `at` and of relative
// advances is tracked as testscript.Run does.
func diffScript(s *testscript.Script, mem, live testscript.Backend) (fails []string, compared int) {
	failf := func(line int, format string, args ...any) {
		fails = append(fails, fmt.Sprintf("%s:%d: ", s.File, line)+fmt.Sprintf(format, args...))
	}
	env := map[string]string{}
	lookup := func(name string) (string, bool) { v, ok := env[name]; return v, ok }
	streamTime := topology.NoTime
	skipping := true // no app loaded yet
	step := func(line int, errM, errL error) {
		switch {
		case errM == nil && errL != nil:
			failf(line, "live fails, memory does not: %v", errL)
			skipping = true // the worker is gone or wedged
			return
		case errM != nil && errL == nil:
			failf(line, "memory fails (%v), live does not", errM)
		}
		outM := asJSONOutput(mem.Outputs())
		compared += len(outM)
		if d := diffOutputs(outM, live.Outputs()); d != "" {
			failf(line, "%s", d)
		}
	}
	closeBoth := func(line int) {
		if err := mem.Close(); err != nil {
			failf(line, "memory close: %v", err)
		}
		if err := live.Close(); err != nil {
			failf(line, "live close: %v", err)
		}
	}
	// Each section's worker is restarted once, after the middle one of its
	// sends and advances: with its state directory kept (restored from the
	// local checkpoint) or deleted (restored from the changelogs alone),
	// alternating by section and by script. The outputs must not notice.
	wipeFirst := crc32.ChecksumIEEE([]byte(s.File))%2 == 1
	steps := sectionSteps(s)
	restart, _ := live.(interface{ Restart(wipe bool) error })
	section, done := -1, 0
	step = func(step func(int, error, error)) func(int, error, error) {
		return func(line int, errM, errL error) {
			step(line, errM, errL)
			done++
			if restart != nil && !skipping && done == (steps[section]+1)/2 {
				if err := restart.Restart((section%2 == 1) != wipeFirst); err != nil {
					failf(line, "live restart: %v", err)
					skipping = true
				}
			}
		}
	}(step)
	last := 0
	for _, c := range s.Cmds {
		switch c := c.(type) {
		case *testscript.App:
			closeBoth(c.Line)
			section, done = section+1, 0
			last, streamTime, skipping = c.Line, topology.NoTime, true
			src := strings.Repeat("\n", c.SQLLine-1) + c.SQL
			errM := mem.Compile(s.File, src, lookup)
			errL := live.Compile(s.File, src, lookup)
			switch {
			case errM != nil && errL == nil:
				failf(c.Line, "memory rejects the app (%v), live compiles it", errM)
			case errM == nil && errL != nil:
				failf(c.Line, "live cannot run the app: %v", errL)
			case errM == nil:
				skipping = false
			}
		case *testscript.Env:
			env[c.Name] = c.Value
		case *testscript.Send:
			if skipping {
				continue
			}
			ts := c.TS
			if !c.HasTS {
				ts = max(streamTime, 0)
			}
			errM := mem.Send(c.Stream, ts, c.Data)
			errL := live.Send(c.Stream, ts, c.Data)
			last, streamTime = c.Line, max(streamTime, ts)
			step(c.Line, errM, errL)
		case *testscript.Advance:
			if skipping {
				continue
			}
			ts := c.TS
			if c.Relative {
				ts += max(streamTime, 0)
			}
			errM := mem.Advance(ts)
			errL := live.Advance(ts)
			last, streamTime = c.Line, max(streamTime, ts)
			step(c.Line, errM, errL)
		}
	}
	closeBoth(last)
	return fails, compared
}

// sectionSteps counts the sends and advances of each app section of s.
func sectionSteps(s *testscript.Script) []int {
	var n []int
	for _, c := range s.Cmds {
		switch c.(type) {
		case *testscript.App:
			n = append(n, 0)
		case *testscript.Send, *testscript.Advance:
			if len(n) > 0 {
				n[len(n)-1]++
			}
		}
	}
	return n
}

// asJSONOutput returns outs as the worker's JSON output shows them: JSON
// has no NaN or infinities, and writes them as null
// (docs/semantics-choices.md), so they read back as NULL.
func asJSONOutput(outs []testscript.Output) []testscript.Output {
	for i := range outs {
		for j, v := range outs[i].Values {
			if k := v.Kind(); k == topology.TypeDouble || k == topology.TypeFloat {
				if f := v.AsDouble(); math.IsNaN(f) || math.IsInf(f, 0) {
					outs[i].Values[j] = topology.Null()
				}
			}
		}
	}
	return outs
}

// diffOutputs compares one step's outputs stream by stream (the order of
// events of different streams is not observable over Kafka) and describes
// the streams that differ, or returns "".
func diffOutputs(mem, live []testscript.Output) string {
	byStream := func(outs []testscript.Output) map[string][]string {
		m := map[string][]string{}
		for _, o := range outs {
			m[o.Stream] = append(m[o.Stream], o.String())
		}
		return m
	}
	m, l := byStream(mem), byStream(live)
	var streams []string
	seen := map[string]bool{}
	for _, o := range append(append([]testscript.Output(nil), mem...), live...) {
		if seen[o.Stream] {
			continue
		}
		seen[o.Stream] = true
		if strings.Join(m[o.Stream], "\n") != strings.Join(l[o.Stream], "\n") {
			streams = append(streams, o.Stream)
		}
	}
	var b strings.Builder
	for _, st := range streams {
		fmt.Fprintf(&b, "stream %s differs\n    memory:", st)
		for _, s := range m[st] {
			b.WriteString("\n      " + s)
		}
		b.WriteString("\n    live:")
		for _, s := range l[st] {
			b.WriteString("\n      " + s)
		}
		b.WriteString("\n")
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// liveCluster is the broker every script shares, with the clients the
// backends produce and read with.
type liveCluster struct {
	c      *kafkatest.Cluster
	reader *kafka.Reader
	prod   *kafkatest.Producer
	apps   atomic.Int64
	// restarts counts worker restarts, restored the changelog records
	// the restarted workers restored.
	restarts, restored atomic.Int64
}

func newLiveCluster(t *testing.T) *liveCluster {
	c := kafkatest.NewCluster(t)
	reader, err := kafka.NewReader(c.Options())
	if err != nil {
		t.Fatal(err)
	}
	prod, err := c.NewProducer()
	if err != nil {
		reader.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		prod.Close()
		reader.Close()
	})
	return &liveCluster{c: c, reader: reader, prod: prod}
}

// readCommitted reads partition 0 of topic from offset from up to its
// last stable offset, as a read_committed consumer, and returns the next
// position.
func (lc *liveCluster) readCommitted(topic string, from int64, fn func(*kafka.Record)) (int64, error) {
	ctx, cancel := context.WithTimeout(context.Background(), liveTimeout)
	defer cancel()
	return lc.reader.ReadCommitted(ctx, kafka.TopicPartition{Topic: topic}, from, func(recs []kafka.Record, _, _ int64) error {
		for i := range recs {
			fn(&recs[i])
		}
		return nil
	})
}

// header returns the value of r's header key.
func header(r *kafka.Record, key string) ([]byte, bool) {
	for _, h := range r.Headers {
		if h.Key == key {
			return h.Value, true
		}
	}
	return nil, false
}

// liveMetrics counts the records the worker's tasks committed per
// consumed topic. The map is filled before Run and only read after.
type liveMetrics struct {
	nopMetrics
	in       map[string]*atomic.Int64
	restored *atomic.Int64 // liveCluster.restored
}

func (m *liveMetrics) Restored(_ string, n int) { m.restored.Add(int64(n)) }

func (m *liveMetrics) RecordsIn(topic string, n int) {
	if c := m.in[topic]; c != nil {
		c.Add(int64(n))
	}
}

// liveOutput is an output stream's topic and read position.
type liveOutput struct {
	stream string
	topic  string
	schema *topology.Schema
	dec    *serde.Decoder
	pos    int64
}

// liveRepartition is a repartition topic: how many records its writers
// committed (counted by reading it) and the read position.
type liveRepartition struct {
	topic   string
	pos     int64
	records int64
}

// liveBackend is a testscript.Backend running each app on a worker
// (exactly-once, Pebble state) with one single-partition topic per source
// and per output stream (internal streams included), JSON values and no
// keys. A send is a record, an advance a watermark record; Outputs waits
// until the worker has committed everything (see sync), then reads the
// output topics. A record the worker dead-letters, and any failure of the
// worker or of the harness, comes out as an event of the pseudo-stream
// "!live" carrying the error, so that the step's comparison reports it.
type liveBackend struct {
	lc *liveCluster

	topo     *topology.Topology
	sources  map[string]string // source stream -> topic
	consumed []string          // source topics some task reads
	produced map[string]int64  // records produced per source topic
	rps      []*liveRepartition
	outputs  []*liveOutput
	dlq      string // the dead-letter topic
	dlqPos   int64
	metrics  *liveMetrics
	stateDir string
	opts     Options // the running worker's
	cancel   context.CancelFunc
	done     chan error
	stopped  error // why the section cannot go on (the worker stopped or fell behind)
}

func newLiveBackend(lc *liveCluster) *liveBackend { return &liveBackend{lc: lc} }

// Compile implements testscript.Backend: a compile error is returned as
// is; otherwise the app gets fresh topics and a worker, and Compile
// returns once the worker is ready.
func (b *liveBackend) Compile(file, src string, lookupEnv func(string) (string, bool)) (err error) {
	if err := b.Close(); err != nil {
		return err
	}
	prog, err := sqlc.Compile(src, sqlc.Options{File: file, LookupEnv: lookupEnv})
	if err != nil {
		return err
	}
	b.topo = prog.Topology
	defer func() {
		if err != nil {
			b.topo = nil // no app loaded; Close stops a worker still starting
		}
	}()
	app := fmt.Sprintf("live-%d", b.lc.apps.Add(1))
	bindings := map[string]topology.Binding{}
	b.sources, b.produced = map[string]string{}, map[string]int64{}
	b.metrics = &liveMetrics{in: map[string]*atomic.Int64{}, restored: &b.lc.restored}
	var topics []string
	for i, n := range b.topo.Sources() {
		topic := fmt.Sprintf("%s-in%d-%s", app, i, topicSafe(n.Info.Name))
		bindings[n.Info.Name] = liveBinding(n.Binding, topic)
		b.sources[n.Info.Name] = topic
		topics = append(topics, topic)
	}
	b.outputs = nil
	for i, n := range b.topo.Outputs() {
		topic := fmt.Sprintf("%s-out%d-%s", app, i, topicSafe(n.Info.Name))
		bindings[n.Info.Name] = liveBinding(n.Binding, topic)
		dec, err := serde.NewDecoder(n.Info.Schema, topology.Binding{Format: serde.FormatJSON})
		if err != nil {
			return fmt.Errorf("live: %w", err)
		}
		b.outputs = append(b.outputs, &liveOutput{stream: n.Info.Name, topic: topic, schema: n.Info.Schema, dec: dec})
		topics = append(topics, topic)
	}
	opts := Options{
		App: app, Kafka: b.lc.c.Options(), Topology: b.topo, Bindings: bindings,
		Guarantee: ExactlyOnce, CommitInterval: 5 * time.Millisecond, DeadLetterPolicy: DeadLetter,
		SessionTimeout: time.Second, HeartbeatInterval: 100 * time.Millisecond, RebalanceTimeout: 2 * time.Second,
		Logger: testLogger(),
	}
	p, err := newPlan(&opts)
	if err != nil {
		return fmt.Errorf("live: %w", err)
	}
	b.dlq, b.dlqPos = app+"-dlq", 0 // Options.DeadLetterTopic's default
	b.consumed, b.rps = nil, nil
	for _, topic := range p.consumed() {
		b.metrics.in[topic] = &atomic.Int64{}
		if !p.sources[topic][0].repartition {
			b.consumed = append(b.consumed, topic)
		}
	}
	for _, n := range b.topo.Repartitions() {
		topic := topology.ResolveAppID(n.Binding.Topic, app)
		b.rps = append(b.rps, &liveRepartition{topic: topic})
		if b.metrics.in[topic] == nil {
			return fmt.Errorf("live: repartition topic %s is not consumed", topic)
		}
	}
	for _, topic := range topics {
		if err := b.lc.c.Cluster.CreateTopic(topic, 1, nil); err != nil {
			return fmt.Errorf("live: create %s: %w", topic, err)
		}
	}
	if b.stateDir, err = os.MkdirTemp("", "scripts-live-"); err != nil {
		return err
	}
	opts.StateDir = b.stateDir
	opts.Metrics = b.metrics
	b.opts = opts
	return b.start()
}

// start starts a worker with b.opts and waits until it is ready.
func (b *liveBackend) start() error {
	opts := b.opts
	ready := make(chan struct{})
	var once sync.Once
	opts.Ready = func(r bool) {
		if r {
			once.Do(func() { close(ready) })
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	b.cancel, b.done, b.stopped = cancel, make(chan error, 1), nil
	go func() { b.done <- Run(ctx, opts) }()
	select {
	case <-ready:
		return nil
	case err := <-b.done:
		b.cancel = nil
		cancel()
		return fmt.Errorf("live: worker stopped before it was ready: %v", err)
	case <-time.After(liveTimeout):
		return fmt.Errorf("live: worker not ready within %v", liveTimeout)
	}
}

// liveBinding is a stream's binding with the topic, JSON values and no
// key, keeping its timestamp attribute.
func liveBinding(b topology.Binding, topic string) topology.Binding {
	b.Topic, b.Format, b.Key, b.Options = topic, serde.FormatJSON, nil, nil
	return b
}

func topicSafe(name string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' {
			return r
		}
		return '_'
	}, name)
}

// Schema implements testscript.Backend.
func (b *liveBackend) Schema(stream string) *topology.Schema {
	if b.topo == nil {
		return nil
	}
	return b.topo.Stream(stream)
}

// Send implements testscript.Backend: data is produced as the value of a
// record timestamped ts to the stream's topic; the worker decodes it.
func (b *liveBackend) Send(stream string, ts int64, data []byte) error {
	if b.topo == nil {
		return errors.New("live: no app loaded")
	}
	schema := b.topo.Stream(stream)
	if schema == nil {
		return fmt.Errorf("live: unknown stream %s", stream)
	}
	topic, ok := b.sources[stream]
	if !ok {
		return fmt.Errorf("live: stream %s is not a source: queries insert into it", stream)
	}
	// The errors the in-memory backend gives; the worker decodes data
	// itself.
	if _, err := testscript.DecodeJSON(schema, data); err != nil {
		return err
	}
	return b.produce(topic, ts, data, false)
}

// Advance implements testscript.Backend: a watermark record on every
// source topic a task reads. (The in-memory engine has one stream time;
// the worker one per task, so every task reading a source gets the
// watermark; those behind repartition topics get it forwarded.)
func (b *liveBackend) Advance(ts int64) error {
	if b.topo == nil {
		return errors.New("live: no app loaded")
	}
	for _, topic := range b.consumed {
		if err := b.produce(topic, ts, nil, true); err != nil {
			return err
		}
	}
	return nil
}

func (b *liveBackend) produce(topic string, ts int64, value []byte, watermark bool) error {
	if b.stopped != nil {
		return fmt.Errorf("live: %w", b.stopped)
	}
	r := kafka.Record{Topic: topic, Timestamp: time.UnixMilli(ts), Value: value}
	if watermark {
		r.Headers = []kafka.Header{{Key: HeaderWatermark}}
	}
	if err := b.lc.prod.Produce(r); err != nil {
		return fmt.Errorf("live: produce to %s: %w", topic, err)
	}
	b.produced[topic]++
	return nil
}

// Outputs implements testscript.Backend: once the worker has committed
// everything produced so far, the records committed to the output topics
// since the last call.
func (b *liveBackend) Outputs() []testscript.Output {
	if b.topo == nil || b.stopped != nil {
		return nil
	}
	if err := b.sync(); err != nil {
		// The section cannot go on: later sends fail.
		b.stopped = err
		return []testscript.Output{b.errorOutput(err)}
	}
	var out []testscript.Output
	for _, o := range b.outputs {
		var decErr error
		pos, err := b.lc.readCommitted(o.topic, o.pos, func(r *kafka.Record) {
			ts := r.Timestamp.UnixMilli()
			ev, err := o.dec.Decode(r.Value, ts)
			if err != nil {
				decErr = errors.Join(decErr, err)
				return
			}
			kind := topology.Current
			if v, ok := header(r, HeaderKind); ok && string(v) == "expired" {
				kind = topology.Expired
			}
			out = append(out, testscript.Output{Stream: o.stream, TS: ts, Kind: kind, Schema: o.schema,
				Values: append([]topology.Value(nil), ev.Values...)})
		})
		o.pos = pos
		if err = errors.Join(err, decErr); err != nil {
			out = append(out, b.errorOutput(fmt.Errorf("read %s: %w", o.topic, err)))
		}
	}
	// A record the worker cannot decode goes to the dead-letter topic
	// (the in-memory backend would have processed it).
	pos, err := b.lc.readCommitted(b.dlq, b.dlqPos, func(r *kafka.Record) {
		msg, _ := header(r, HeaderError)
		out = append(out, b.errorOutput(fmt.Errorf("dead-lettered %s: %s", r.Value, msg)))
	})
	b.dlqPos = pos
	if err != nil {
		out = append(out, b.errorOutput(fmt.Errorf("read %s: %w", b.dlq, err)))
	}
	return out
}

// errorOutput reports a harness failure as an output of a pseudo-stream,
// so that the step's comparison shows it.
func (b *liveBackend) errorOutput(err error) testscript.Output {
	schema := &topology.Schema{Name: "!live", Attrs: []topology.Attribute{{Name: "error", Type: topology.TypeString}}}
	return testscript.Output{Stream: "!live", Schema: schema, Values: []topology.Value{topology.String(err.Error())}}
}

// sync waits until the worker has processed and committed every record
// produced to the source topics and every record its tasks wrote to the
// repartition topics. Repartition records are counted by reading the
// topics (in topological order, each after its writers are known to have
// committed), not from RecordsOut: a task reports a topic's RecordsIn and
// its repartition RecordsOut in separate calls, so RecordsOut may lag.
func (b *liveBackend) sync() error {
	deadline := time.Now().Add(liveTimeout)
	for {
		select {
		case err := <-b.done:
			b.cancel()
			b.cancel = nil
			return fmt.Errorf("worker stopped: %v", err)
		default:
		}
		ok, err := b.caughtUp()
		if err != nil {
			return err
		}
		if ok {
			return nil
		}
		if time.Now().After(deadline) {
			var state []string
			for _, t := range b.consumed {
				state = append(state, fmt.Sprintf("%s: produced %d, committed %d", t, b.produced[t], b.metrics.in[t].Load()))
			}
			for _, rp := range b.rps {
				state = append(state, fmt.Sprintf("%s: written %d, committed %d", rp.topic, rp.records, b.metrics.in[rp.topic].Load()))
			}
			return fmt.Errorf("worker not caught up within %v: %s", liveTimeout, strings.Join(state, "; "))
		}
		time.Sleep(time.Millisecond)
	}
}

func (b *liveBackend) caughtUp() (bool, error) {
	for _, t := range b.consumed {
		if b.metrics.in[t].Load() != b.produced[t] {
			return false, nil
		}
	}
	for _, rp := range b.rps {
		pos, err := b.lc.readCommitted(rp.topic, rp.pos, func(*kafka.Record) { rp.records++ })
		rp.pos = pos
		if err != nil {
			return false, err
		}
		if b.metrics.in[rp.topic].Load() != rp.records {
			return false, nil
		}
	}
	return true, nil
}

// Restart stops the worker mid-section and starts another on the same
// app, which resumes from the committed offsets; with wipe its state
// directory is deleted first, so it restores every store from the
// changelog topics.
func (b *liveBackend) Restart(wipe bool) error {
	if b.topo == nil || b.stopped != nil {
		return nil
	}
	if err := b.stop(); err != nil {
		return err
	}
	b.lc.restarts.Add(1)
	if wipe {
		if err := os.RemoveAll(b.stateDir); err != nil {
			return err
		}
	}
	return b.start()
}

// stop stops the worker, if one runs.
func (b *liveBackend) stop() error {
	var err error
	if b.cancel != nil {
		b.cancel()
		select {
		case err = <-b.done:
		case <-time.After(liveTimeout):
			err = fmt.Errorf("live: worker did not stop within %v", liveTimeout)
		}
		b.cancel = nil
	}
	return err
}

// Close implements testscript.Backend: it stops the worker.
func (b *liveBackend) Close() error {
	err := b.stop()
	if b.stateDir != "" {
		os.RemoveAll(b.stateDir)
		b.stateDir = ""
	}
	b.topo = nil
	return err
}
