package runtime

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/eventflux-io/eventflux-go/kafka"
	"github.com/eventflux-io/eventflux-go/statestore"
	"github.com/eventflux-io/eventflux-go/statestore/pebblestore"
)

// Run runs the worker until ctx is done (then it shuts down gracefully
// and returns nil) or until a failure it cannot recover from (returned:
// broker trouble past MaxRetries, policy Fail, a processing error). It
// returns only when every goroutine it started has exited.
func Run(ctx context.Context, opts Options) error {
	if err := opts.defaults(); err != nil {
		return err
	}
	p, err := newPlan(&opts)
	if err != nil {
		return err
	}
	w := &worker{opts: opts, plan: p, log: opts.Logger, producers: map[taskID]*kafka.Producer{},
		states: map[taskID]statestore.TaskState{}, gone: map[string]bool{}}
	for _, u := range p.units {
		w.stateful = w.stateful || u.stateful
	}
	defer opts.Ready(false)
	if w.stateful {
		w.clTopics = map[string]string{}
		for _, u := range p.units {
			for _, s := range u.topo.Stores() {
				w.clTopics[s.Name] = w.changelogTopic(s.Name)
			}
		}
		if err := w.scanStateDir(); err != nil {
			return err
		}
		r, err := retry(w, ctx, "connect changelog reader", func() (*kafka.Reader, error) { return kafka.NewReader(opts.Kafka) })
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		w.reader = r
		if opts.StateDir != "" {
			w.cache = pebblestore.NewCache(pebblestore.DefaultBlockCacheSize)
		}
		defer func() {
			w.closeStates()
			if w.cache != nil {
				w.cache.Close()
			}
			w.reader.Close()
		}()
	}
	if err := w.ensureTopics(ctx); err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return err
	}
	if len(p.repartitions) > 0 {
		a, err := retry(w, ctx, "connect admin", func() (*kafka.Admin, error) { return kafka.NewAdmin(opts.Kafka) })
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		w.purger = a
		defer a.Close()
	}
	g, err := w.retry(ctx, "connect to group", func() (*kafka.Group, error) {
		return kafka.NewGroup(kafka.GroupOptions{
			Options: opts.Kafka, Group: opts.App, InstanceID: opts.InstanceID, Topics: p.consumed(), TopicGroups: p.groups,
			SessionTimeout: opts.SessionTimeout, HeartbeatInterval: opts.HeartbeatInterval, RebalanceTimeout: opts.RebalanceTimeout,
			Logf: func(format string, args ...any) { w.log.Warn(fmt.Sprintf(format, args...)) },
		})
	})
	if err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return err
	}
	w.log.Info("runtime: joining group", "group", opts.App, "topics", p.consumed(), "guarantee", opts.Guarantee.String())
	runErr := w.consume(ctx, g)
	// Transactions are finished inside the last session; now leave the
	// group, then close the producers.
	if err := g.Close(); err != nil {
		w.log.Warn("runtime: leave group", "err", err)
	}
	w.closeProducers(nil)
	if runErr != nil {
		w.log.Error("runtime: stopped", "err", runErr)
	} else {
		w.log.Info("runtime: stopped")
	}
	return runErr
}

// worker is the state of one Run.
type worker struct {
	opts Options
	plan *plan
	log  *slog.Logger

	// producers holds one producer per task, kept across generations
	// while the task stays here. Only the session goroutine changes the
	// map; a task goroutine uses its own entry.
	mu        sync.Mutex
	producers map[taskID]*kafka.Producer
	ready     bool

	// stateful: some unit has operator stores, kept in per-task states
	// mirrored to changelog topics. states holds the open state of each
	// task here (kept across generations, like producers); gone the tasks
	// (by directory name) whose state was closed at the previous
	// assignment (their directories are deleted at the next one unless
	// they come back).
	stateful bool
	reader   *kafka.Reader
	cache    *pebblestore.Cache // the tasks' shared block cache
	clTopics map[string]string  // store name -> changelog topic (read-only)
	states   map[taskID]statestore.TaskState
	gone     map[string]bool

	// purger deletes committed records from repartition topics (nil
	// without them); purgeMu serialises the tasks' calls.
	purgeMu sync.Mutex
	purger  *kafka.Admin
}

// purge deletes the records of topic before the given offsets, logging
// (not failing on) errors: a purge that fails is redone by the next one.
func (w *worker) purge(topic string, before map[int32]int64) bool {
	w.purgeMu.Lock()
	defer w.purgeMu.Unlock()
	if err := w.purger.DeleteRecords(topic, before); err != nil {
		w.log.Warn("runtime: purge repartition topic", "topic", topic, "err", err)
		return false
	}
	return true
}

// taskID identifies a task: a unit (its topic group) and a partition
// number.
type taskID struct {
	unit int
	part int32
}

// name returns the task's name, "<sub-topology name>_<partition>": its
// state directory and the suffix of its transactional id.
func (w *worker) name(id taskID) string {
	return w.plan.units[id.unit].name + "_" + strconv.Itoa(int(id.part))
}

func idOf(ta kafka.TaskAssignment) taskID { return taskID{unit: ta.TopicGroup, part: ta.Task} }

// consume runs generations until ctx is done or a fatal error.
func (w *worker) consume(ctx context.Context, g *kafka.Group) error {
	failures := 0
	for {
		err := g.Consume(ctx, w.session)
		switch {
		case ctx.Err() != nil:
			return nil
		case err == nil:
			failures = 0
			continue
		case isFatal(err):
			return err
		}
		failures++
		if failures > w.opts.MaxRetries {
			return fmt.Errorf("runtime: giving up after %d attempts: %w", failures, err)
		}
		d := backoff(failures)
		w.log.Warn("runtime: generation failed; retrying", "err", err, "attempt", failures, "backoff", d)
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(d):
		}
	}
}

// fatalError marks an error that ends Run rather than the generation.
type fatalError struct{ err error }

func (e *fatalError) Error() string { return e.err.Error() }
func (e *fatalError) Unwrap() error { return e.err }

func isFatal(err error) bool {
	var fe *fatalError
	return errors.As(err, &fe)
}

func backoff(attempt int) time.Duration {
	d := 100 * time.Millisecond << min(attempt-1, 6)
	return min(d, 5*time.Second)
}

// retry calls fn until it succeeds, fails with a non-retriable error, or
// MaxRetries retriable failures happened.
func retry[T any](w *worker, ctx context.Context, what string, fn func() (T, error)) (T, error) {
	for attempt := 1; ; attempt++ {
		v, err := fn()
		if err == nil {
			return v, nil
		}
		if !kafka.IsRetriable(err) || attempt > w.opts.MaxRetries {
			return v, fmt.Errorf("runtime: %s: %w", what, err)
		}
		d := backoff(attempt)
		w.log.Warn("runtime: retrying", "what", what, "err", err, "attempt", attempt, "backoff", d)
		select {
		case <-ctx.Done():
			return v, ctx.Err()
		case <-time.After(d):
		}
	}
}

func (w *worker) retry(ctx context.Context, what string, fn func() (*kafka.Group, error)) (*kafka.Group, error) {
	return retry(w, ctx, what, fn)
}

// ensureTopics checks the sources (co-partitioned within each unit) and
// creates missing sink, dead-letter, repartition and changelog topics.
// New sink, dead-letter and keyed repartition topics get the sources'
// largest partition count; single-partition repartition topics one.
func (w *worker) ensureTopics(ctx context.Context) error {
	a, err := retry(w, ctx, "connect admin", func() (*kafka.Admin, error) { return kafka.NewAdmin(w.opts.Kafka) })
	if err != nil {
		return err
	}
	defer a.Close()
	counts := map[string]int{}
	n := 0
	for _, u := range w.plan.units {
		if len(u.sources) == 0 {
			continue // it reads repartition topics only
		}
		c, err := retry(w, ctx, "check source topics", func() (int, error) { return a.CheckSources(u.sources) })
		if err != nil {
			return err
		}
		for _, t := range u.sources {
			counts[t] = c
		}
		n = max(n, c)
	}
	create := append([]string(nil), w.plan.sinkTopics...)
	if w.opts.DeadLetterPolicy == DeadLetter || w.opts.LateEvents == LateDeadLetter {
		create = append(create, w.opts.DeadLetterTopic)
	}
	sinks, err := retry(w, ctx, "create topics", func() (map[string]int, error) { return a.EnsureTopics(create, n) })
	if err != nil {
		return err
	}
	for _, s := range w.plan.sinks {
		if !s.repartition {
			s.partitions = sinks[s.topic]
		}
	}
	w.plan.dlqPartitions = sinks[w.opts.DeadLetterTopic]
	if len(w.plan.repartitions) > 0 {
		specs := w.repartitionSpecs(n)
		got, err := retry(w, ctx, "create repartition topics", func() (map[string]int, error) { return a.EnsureTopicSpecs(specs) })
		if err != nil {
			return err
		}
		for _, s := range w.plan.repartitions {
			s.partitions = got[s.topic]
			counts[s.topic] = got[s.topic]
			if s.single && s.partitions != 1 {
				return fmt.Errorf("runtime: repartition topic %s has %d partitions; a global query needs exactly 1 (delete the topic to let the worker recreate it)", s.topic, s.partitions)
			}
		}
	}
	for _, u := range w.plan.units {
		u.partitions = 0
		for _, t := range u.topics {
			u.partitions = max(u.partitions, counts[t])
		}
	}
	if w.stateful {
		specs := w.changelogSpecs()
		got, err := retry(w, ctx, "create changelog topics", func() (map[string]int, error) { return a.EnsureTopicSpecs(specs) })
		if err != nil {
			return err
		}
		for _, sp := range specs {
			if got[sp.Name] < sp.Partitions {
				return fmt.Errorf("runtime: changelog topic %s has %d partitions, fewer than its tasks' %d", sp.Name, got[sp.Name], sp.Partitions)
			}
		}
	}
	return nil
}

// repartitionSpecs are the repartition topics: deleted by the readers'
// purges (kafka.Admin.DeleteRecords) rather than by time, since their
// records carry event times that can be arbitrarily old (retention.ms
// -1), in small segments so that purged space is freed soon.
func (w *worker) repartitionSpecs(partitions int) []kafka.TopicSpec {
	specs := make([]kafka.TopicSpec, len(w.plan.repartitions))
	for i, s := range w.plan.repartitions {
		n := partitions
		if s.single {
			n = 1
		}
		specs[i] = kafka.TopicSpec{Name: s.topic, Partitions: n, Configs: map[string]string{
			"cleanup.policy": "delete", "retention.ms": "-1", "segment.ms": "600000", "segment.bytes": "52428800",
		}}
	}
	return specs
}

// session runs one generation: a goroutine per task, until the session
// ends. It returns a *fatalError to stop Run.
func (w *worker) session(s *kafka.Session) error {
	asg := s.Assignment()
	w.opts.Metrics.Rebalance()
	w.opts.Metrics.Tasks(len(asg.Tasks))
	tasks := make([]string, 0, len(asg.Tasks))
	for _, t := range asg.Tasks {
		if t.TopicGroup < 0 || t.TopicGroup >= len(w.plan.units) {
			return &fatalError{fmt.Errorf("runtime: assigned topic group %d, but the app has %d; do all workers run the same pipeline?", t.TopicGroup, len(w.plan.units))}
		}
		tasks = append(tasks, w.name(idOf(t)))
	}
	w.log.Info("runtime: assigned", "generation", asg.Generation, "member", asg.MemberID, "tasks", tasks)
	w.closeProducers(asg.Tasks)
	if w.stateful {
		w.rotateStates(asg.Tasks)
	}

	var wg sync.WaitGroup
	var mu sync.Mutex
	var first error
	var started sync.WaitGroup
	started.Add(len(asg.Tasks))
	for _, ta := range asg.Tasks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := w.runTask(s, ta, started.Done)
			if err != nil {
				mu.Lock()
				if first == nil {
					first = err
				}
				mu.Unlock()
				s.End()
			}
		}()
	}
	started.Wait()
	if !w.ready && s.Context().Err() == nil {
		w.ready = true
		w.opts.Ready(true)
	}
	if len(asg.Tasks) == 0 {
		// An idle member (more members than tasks) must keep its
		// membership until the next rebalance, not rejoin at once.
		<-s.Context().Done()
	}
	wg.Wait()
	return first
}

// producer returns task's producer, creating it if needed.
func (w *worker) producer(ctx context.Context, task taskID) (*kafka.Producer, error) {
	w.mu.Lock()
	p := w.producers[task]
	w.mu.Unlock()
	if p != nil {
		return p, nil
	}
	po := kafka.ProducerOptions{Options: w.opts.Kafka, TransactionTimeout: w.opts.TransactionTimeout, TrackOffsets: w.plan.units[task.unit].stateful}
	if w.opts.Guarantee == ExactlyOnce {
		po.TransactionalID = w.opts.App + "-" + w.name(task)
	}
	p, err := retry(w, ctx, "create producer", func() (*kafka.Producer, error) { return kafka.NewProducer(po) })
	if err != nil {
		return nil, err
	}
	w.mu.Lock()
	w.producers[task] = p
	w.mu.Unlock()
	return p, nil
}

// dropProducer closes task's producer after a fatal error; the next
// generation creates a new one (bumping the epoch).
func (w *worker) dropProducer(task taskID) {
	w.mu.Lock()
	p := w.producers[task]
	delete(w.producers, task)
	w.mu.Unlock()
	if p != nil {
		p.Close()
	}
}

// closeProducers closes the producers of tasks not in keep (all when keep
// is nil).
func (w *worker) closeProducers(keep []kafka.TaskAssignment) {
	w.mu.Lock()
	var drop []taskID
	for task := range w.producers {
		found := false
		for _, k := range keep {
			found = found || idOf(k) == task
		}
		if !found {
			drop = append(drop, task)
		}
	}
	w.mu.Unlock()
	for _, t := range drop {
		w.dropProducer(t)
	}
}
