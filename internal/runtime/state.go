package runtime

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/eventflux-io/eventflux-go/kafka"
	"github.com/eventflux-io/eventflux-go/statestore"
	"github.com/eventflux-io/eventflux-go/statestore/memstore"
	"github.com/eventflux-io/eventflux-go/statestore/pebblestore"
	"github.com/eventflux-io/eventflux-go/topology"
)

// stateful reports whether the topology has operator stores (every
// topology has the task store, which alone needs no changelog).
func stateful(t *topology.Topology) bool {
	for _, s := range t.Stores() {
		if s.Name != t.TaskStore() {
			return true
		}
	}
	return false
}

// changelogTopic returns the changelog topic of store.
func (w *worker) changelogTopic(store string) string {
	if t, ok := w.clTopics[store]; ok {
		return t
	}
	return w.opts.App + "-" + store + "-changelog"
}

// changelogSpecs are the changelog topics of every store of the stateful
// units, with a partition per task, compacted. Windowed stores' are also
// expired (compact,delete) after the window's size plus grace plus
// ChangelogRetention: Kafka deletes by record timestamp (the wall clock
// when the record was written, see sendChangelog), and a window on a
// stream that goes quiet stays open for longer than its event-time span,
// so the margin is generous.
func (w *worker) changelogSpecs() []kafka.TopicSpec {
	var specs []kafka.TopicSpec
	for _, u := range w.plan.units {
		if !u.stateful {
			continue
		}
		for _, s := range u.topo.Stores() {
			cfg := map[string]string{"cleanup.policy": "compact"}
			if s.Kind == statestore.KindWindowed {
				cfg["cleanup.policy"] = "compact,delete"
				cfg["retention.ms"] = strconv.FormatInt(s.Retention+w.opts.ChangelogRetention.Milliseconds(), 10)
			}
			specs = append(specs, kafka.TopicSpec{Name: w.changelogTopic(s.Name), Partitions: u.partitions, Configs: cfg})
		}
	}
	return specs
}

// taskDir is task's state directory ("" without StateDir: in memory).
func (w *worker) taskDir(task taskID) string {
	if w.opts.StateDir == "" {
		return ""
	}
	return filepath.Join(w.opts.StateDir, w.name(task))
}

// openState opens task's state: a Pebble store under StateDir/<task>
// (with the worker's shared block cache), or
// an in-memory one without StateDir (restored in full from the changelog
// whenever the task comes back to this worker), with every store open.
func (w *worker) openState(task taskID) (statestore.TaskState, error) {
	var st statestore.TaskState
	if dir := w.taskDir(task); dir != "" {
		var err error
		if st, err = pebblestore.Open(dir, pebblestore.Options{Cache: w.cache}); err != nil {
			return nil, fmt.Errorf("runtime: task %s: open state: %w", w.name(task), err)
		}
	} else {
		st = memstore.New()
	}
	if err := w.plan.units[task.unit].topo.OpenStores(st); err != nil {
		st.Close()
		return nil, fmt.Errorf("runtime: task %s: %w", w.name(task), err)
	}
	return st, nil
}

// state returns task's state, opening it if needed; states stay open
// across generations while the task stays here.
func (w *worker) state(task taskID) (statestore.TaskState, error) {
	w.mu.Lock()
	st := w.states[task]
	w.mu.Unlock()
	if st != nil {
		return st, nil
	}
	st, err := w.openState(task)
	if err != nil {
		return nil, err
	}
	w.mu.Lock()
	w.states[task] = st
	w.mu.Unlock()
	return st, nil
}

// wipeState closes task's state and deletes its directory (the next
// state() starts empty).
func (w *worker) wipeState(task taskID) error {
	w.mu.Lock()
	st := w.states[task]
	delete(w.states, task)
	w.mu.Unlock()
	if st != nil {
		st.Close()
	}
	if dir := w.taskDir(task); dir != "" {
		if err := os.RemoveAll(dir); err != nil {
			return fmt.Errorf("runtime: task %s: delete state: %w", w.name(task), err)
		}
	}
	return nil
}

// rotateStates runs at each new assignment: it deletes the directories
// of tasks that were already gone at the previous assignment and are not
// back, and closes the states of tasks that moved away (their directories
// stay until the next assignment, in case they come back).
func (w *worker) rotateStates(keep []kafka.TaskAssignment) {
	kept := map[taskID]bool{}
	keptNames := map[string]bool{}
	for _, k := range keep {
		kept[idOf(k)] = true
		keptNames[w.name(idOf(k))] = true
	}
	w.mu.Lock()
	var drop []string
	for name := range w.gone {
		if !keptNames[name] {
			drop = append(drop, name)
		}
		delete(w.gone, name)
	}
	var closing []statestore.TaskState
	for task, st := range w.states {
		if !kept[task] {
			closing = append(closing, st)
			delete(w.states, task)
			w.gone[w.name(task)] = true
		}
	}
	w.mu.Unlock()
	for _, st := range closing {
		if err := st.Close(); err != nil {
			w.log.Warn("runtime: close state", "err", err)
		}
	}
	for _, name := range drop {
		if w.opts.StateDir != "" {
			dir := filepath.Join(w.opts.StateDir, name)
			w.log.Info("runtime: deleting the state of a task that moved away", "task", name, "dir", dir)
			if err := os.RemoveAll(dir); err != nil {
				w.log.Warn("runtime: delete state", "task", name, "err", err)
			}
		}
	}
}

// closeStates closes every open state (shutdown), keeping the
// directories.
func (w *worker) closeStates() {
	w.mu.Lock()
	states := w.states
	w.states = map[taskID]statestore.TaskState{}
	w.mu.Unlock()
	for _, st := range states {
		if err := st.Close(); err != nil {
			w.log.Warn("runtime: close state", "err", err)
		}
	}
}

// scanStateDir marks the task directories left in StateDir by an earlier
// run as gone: the first assignment without them deletes them.
func (w *worker) scanStateDir() error {
	if w.opts.StateDir == "" {
		return nil
	}
	if err := os.MkdirAll(w.opts.StateDir, 0o755); err != nil {
		return fmt.Errorf("runtime: state dir: %w", err)
	}
	ents, err := os.ReadDir(w.opts.StateDir)
	if err != nil {
		return fmt.Errorf("runtime: state dir: %w", err)
	}
	for _, e := range ents {
		if e.IsDir() && isTaskDir(e.Name()) {
			w.gone[e.Name()] = true
		}
	}
	return nil
}

// restore brings task's state up to date with its changelogs: each store
// from its checkpointed changelog position to the last stable offset,
// read_committed. A changelog that ends before the checkpoint (the topic
// was recreated) makes it restore from scratch.
func (w *worker) restore(ctx context.Context, task taskID) (statestore.TaskState, error) {
	st, err := w.state(task)
	if err != nil {
		return nil, err
	}
	// Whatever the last generation left uncommitted is dropped: the
	// changelog tail (if its transaction committed) repairs it.
	if err := st.Abort(); err != nil {
		return nil, fmt.Errorf("runtime: task %s: abort state: %w", w.name(task), err)
	}
	err = w.restoreStores(ctx, task, st)
	if errors.Is(err, kafka.ErrOffsetAhead) {
		w.log.Warn("runtime: the changelog ends before the local checkpoint; restoring from scratch", "task", w.name(task), "err", err)
		if err := w.wipeState(task); err != nil {
			return nil, err
		}
		if st, err = w.state(task); err != nil {
			return nil, err
		}
		err = w.restoreStores(ctx, task, st)
	}
	if err != nil {
		return nil, err
	}
	return st, nil
}

func (w *worker) restoreStores(ctx context.Context, task taskID, st statestore.TaskState) error {
	cp := st.Checkpoint()
	var buf []statestore.ChangelogRecord
	for _, s := range st.Stores() {
		tp := kafka.TopicPartition{Topic: w.changelogTopic(s.Name), Partition: task.part}
		from := cp.Changelog[s.Name]
		start, lastLog := time.Now(), time.Now()
		n := 0
		next, err := w.reader.ReadCommitted(ctx, tp, from, func(recs []kafka.Record, next, end int64) error {
			buf = buf[:0]
			for i := range recs {
				buf = append(buf, statestore.ChangelogRecord{Store: s.Name, Key: recs[i].Key, Value: recs[i].Value})
			}
			if err := st.ApplyChangelog(s.Name, buf, next); err != nil {
				return err
			}
			n += len(recs)
			w.opts.Metrics.Restored(s.Name, len(recs))
			if end > from {
				w.opts.Metrics.RestoreProgress(s.Name, float64(next-from)/float64(end-from))
			}
			if time.Since(lastLog) >= 5*time.Second {
				lastLog = time.Now()
				w.log.Info("runtime: restoring", "task", w.name(task), "store", s.Name, "records", n, "position", next, "end", end)
			}
			return nil
		})
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return fmt.Errorf("runtime: task %s: restore %s: %w", w.name(task), s.Name, err)
		}
		w.opts.Metrics.RestoreProgress(s.Name, 1)
		if n > 0 {
			w.log.Info("runtime: restored", "task", w.name(task), "store", s.Name, "records", n, "from", from, "to", next,
				"took", time.Since(start).Round(time.Millisecond))
		}
	}
	return nil
}

// isTaskDir reports whether name is a task directory name,
// "<sub-topology name>_<partition>", or a bare partition number, as
// versions before sub-topology tasks named them (never assigned again,
// so deleted at the first assignment).
func isTaskDir(name string) bool {
	i := strings.LastIndexByte(name, '_')
	if i == 0 {
		return false
	}
	n, err := strconv.ParseInt(name[i+1:], 10, 32)
	return err == nil && n >= 0 && strconv.Itoa(int(n)) == name[i+1:]
}
