package topologytest

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/eventflux-io/eventflux-go/statestore"
	"github.com/eventflux-io/eventflux-go/topology"
)

// Input is one input of a crash run: an event on Stream, or a watermark
// at Watermark when Stream is empty.
type Input struct {
	Stream    string
	Event     *topology.Event
	Watermark int64
}

// CrashConfig configures RunWithCrashes.
type CrashConfig struct {
	// Open opens the task's durable state; every call must open the same
	// data (a memstore Backing, a Pebble directory), as a restarted
	// worker reopens its task directory. Required.
	Open func() (statestore.TaskState, error)
	// CommitEvery is the number of inputs between commits. Default 1.
	CommitEvery int
	// Seed drives the choice of crash points.
	Seed uint64
	// CrashRate is the probability, at each commit point, of each of the
	// three faults: a crash before the Kafka commit (at a random input of
	// the interval, or at the commit point), and a crash after the Kafka
	// commit but before the local one. Default 0.2.
	CrashRate float64
}

// CrashStats counts what a crash run did.
type CrashStats struct {
	Commits      int // completed commits
	Aborted      int // crashes that lost an uncommitted interval
	LocalRepairs int // crashes between the Kafka and the local commit
	Restores     int // task re-creations over the committed state
}

// changelogTopic is the simulated partition of one store's changelog.
type changelogTopic []statestore.ChangelogRecord

// inputPartition is the one source partition the crash run simulates.
var inputPartition = statestore.TopicPartition{Topic: "input", Partition: 0}

// RunWithCrashes runs t over inputs the way the exactly-once worker does,
// with crashes. It commits every CommitEvery inputs: Flush, the
// changelog records of the batch appended to simulated changelog topics
// together with the interval's outputs (the "Kafka transaction"), then
// the local Commit with the input position and changelog offsets. At
// random points it crashes instead — dropping the task and its state
// without a local commit, losing the interval's outputs when the Kafka
// commit had not happened — reopens the state with cfg.Open, restores
// the changelog tail with ApplyChangelog when the local commit is behind
// Kafka, creates a new task over it and resumes from the committed input
// position. It returns the committed outputs, in order: what a
// read_committed consumer of the output topics would see, which must
// equal the outputs of an uninterrupted run.
func RunWithCrashes(t *topology.Topology, inputs []Input, cfg CrashConfig) ([]Output, CrashStats, error) {
	if cfg.Open == nil {
		return nil, CrashStats{}, errors.New("topologytest: CrashConfig.Open is required")
	}
	if cfg.CommitEvery <= 0 {
		cfg.CommitEvery = 1
	}
	if cfg.CrashRate == 0 {
		cfg.CrashRate = 0.2
	}
	r := &crashRun{topo: t, cfg: cfg, rng: rand.New(rand.NewPCG(cfg.Seed, 0x5eed)), topics: map[string]changelogTopic{},
		plumbing: map[string]bool{}}
	for _, n := range t.Nodes() {
		// Repartition topics and inner streams are not outputs (as in New).
		if n.Kind == topology.StreamNode && n.Role != topology.RoleStream {
			r.plumbing[n.Info.Name] = true
		}
	}
	defer r.close()
	if err := r.start(); err != nil {
		return nil, r.stats, err
	}
	next := 0 // the next input to process
	for next < len(inputs) {
		end := min(next+cfg.CommitEvery, len(inputs))
		crashAt := end
		if r.rng.Float64() < cfg.CrashRate {
			crashAt = next + r.rng.IntN(end-next) // before the Kafka commit
		}
		for ; next < crashAt; next++ {
			if err := r.process(inputs[next]); err != nil {
				return nil, r.stats, fmt.Errorf("input %d: %w", next, err)
			}
		}
		if crashAt < end { // crashed mid-interval or before the Kafka commit
			r.stats.Aborted++
			if err := r.restart(); err != nil {
				return nil, r.stats, err
			}
			next = r.kafkaPos
			continue
		}
		if err := r.kafkaCommit(end); err != nil {
			return nil, r.stats, err
		}
		if r.rng.Float64() < cfg.CrashRate {
			r.stats.LocalRepairs++
			r.behind = true
			if err := r.restart(); err != nil {
				return nil, r.stats, err
			}
			continue
		}
		if err := r.localCommit(); err != nil {
			return nil, r.stats, err
		}
		r.stats.Commits++
	}
	return r.committed, r.stats, nil
}

// crashRun is the state of one RunWithCrashes.
type crashRun struct {
	topo      *topology.Topology
	cfg       CrashConfig
	rng       *rand.Rand
	state     statestore.TaskState
	task      *topology.Task
	pending   []Output // outputs since the last Kafka commit
	committed []Output
	topics    map[string]changelogTopic
	plumbing  map[string]bool
	kafkaPos  int // input position committed with the outputs
	// behind: the local checkpoint's input position lags Kafka's (a
	// crash between the two commits) until the next local commit.
	behind bool
	stats  CrashStats
}

// start opens the state, restores the changelog tail the local state
// misses (as the runtime does on every assignment) and creates the task.
func (r *crashRun) start() error {
	st, err := r.cfg.Open()
	if err != nil {
		return fmt.Errorf("topologytest: open state: %w", err)
	}
	r.state = st
	if err := r.topo.OpenStores(st); err != nil {
		return err
	}
	cp := st.Checkpoint()
	for _, s := range st.Stores() {
		topic := r.topics[s.Name]
		from := int(cp.Changelog[s.Name])
		if from >= len(topic) {
			continue
		}
		recs := slices.Clone(topic[from:])
		if err := st.ApplyChangelog(s.Name, recs, int64(len(topic))); err != nil {
			return fmt.Errorf("topologytest: restore %s: %w", s.Name, err)
		}
	}
	if pos := int(cp.Inputs[inputPartition]); !r.behind && pos != r.kafkaPos {
		return fmt.Errorf("topologytest: local checkpoint at input %d, Kafka at %d", pos, r.kafkaPos)
	}
	task, err := topology.NewTask(r.topo, topology.TaskOptions{State: st, Emit: r.emit})
	if err != nil {
		return err
	}
	r.task = task
	return nil
}

func (r *crashRun) emit(stream string, ev *topology.Event) error {
	if r.plumbing[stream] {
		return nil
	}
	r.pending = append(r.pending, Output{Stream: stream, Event: ev.Clone()})
	return nil
}

func (r *crashRun) process(in Input) error {
	if in.Stream == "" {
		return r.task.Advance(in.Watermark)
	}
	return r.task.Process(in.Stream, in.Event)
}

// kafkaCommit flushes the task and "commits the Kafka transaction": the
// batch's changelog records and the outputs become visible, with the
// input position pos.
func (r *crashRun) kafkaCommit(pos int) error {
	if err := r.task.Flush(); err != nil {
		return err
	}
	for _, rec := range r.state.AppendChangelog(nil) {
		rec.Key, rec.Value = slices.Clone(rec.Key), cloneValue(rec.Value)
		r.topics[rec.Store] = append(r.topics[rec.Store], rec)
	}
	r.committed = append(r.committed, r.pending...)
	r.pending = r.pending[:0]
	r.kafkaPos = pos
	return nil
}

// cloneValue copies v keeping nil (a tombstone) nil.
func cloneValue(v []byte) []byte {
	if v == nil {
		return nil
	}
	return append([]byte{}, v...)
}

// localCommit applies the batch with the input position and the
// changelog offsets.
func (r *crashRun) localCommit() error {
	cp := statestore.Checkpoint{
		Inputs:    map[statestore.TopicPartition]int64{inputPartition: int64(r.kafkaPos)},
		Changelog: map[string]int64{},
	}
	for _, s := range r.state.Stores() {
		cp.Changelog[s.Name] = int64(len(r.topics[s.Name]))
	}
	if err := r.task.Commit(cp); err != nil {
		return err
	}
	r.behind = false
	return nil
}

// restart drops the task and its state as a crash does and starts over
// from the committed state.
func (r *crashRun) restart() error {
	r.close()
	r.pending = r.pending[:0]
	r.stats.Restores++
	return r.start()
}

func (r *crashRun) close() {
	if r.task != nil {
		_ = r.task.Close()
		r.task = nil
	}
	if r.state != nil {
		_ = r.state.Close()
		r.state = nil
	}
}

// RunInputs runs t over inputs in a fresh driver (direct in-memory state,
// no commits) and returns every output: the uninterrupted run that
// RunWithCrashes must match.
func RunInputs(t *topology.Topology, inputs []Input) ([]Output, error) {
	var outs []Output
	d, err := New(t, OnOutput(func(o Output) error {
		outs = append(outs, Output{Stream: o.Stream, Event: o.Event.Clone()})
		return nil
	}))
	if err != nil {
		return nil, err
	}
	defer d.Close()
	for i, in := range inputs {
		if in.Stream == "" {
			err = d.Advance(in.Watermark)
		} else {
			err = d.task.Process(in.Stream, in.Event)
		}
		if err != nil {
			return nil, fmt.Errorf("input %d: %w", i, err)
		}
	}
	return outs, nil
}

// DiffOutputs returns "" when got equals want exactly (streams, times,
// kinds and values bit for bit, in order), else a description of the
// first difference.
func DiffOutputs(want, got []Output) string {
	for i := range max(len(want), len(got)) {
		var w, g string
		if i < len(want) {
			w = renderExact(want[i])
		}
		if i < len(got) {
			g = renderExact(got[i])
		}
		if w != g {
			return fmt.Sprintf("output %d of %d/%d differs:\n  want %s\n  got  %s", i, len(want), len(got), w, g)
		}
	}
	return ""
}

// renderExact renders an output with its kind and exact values.
func renderExact(o Output) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s@%d/%s(", o.Stream, o.Event.TS, o.Event.Kind)
	for i, v := range o.Event.Values {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%s:%x", v, topology.AppendValue(nil, v))
	}
	b.WriteString(")")
	return b.String()
}
