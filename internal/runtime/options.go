package runtime

import (
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/eventflux-io/eventflux-go/kafka"
	"github.com/eventflux-io/eventflux-go/topology"
)

// Guarantee is the processing guarantee.
type Guarantee uint8

// Guarantees.
const (
	// ExactlyOnce commits outputs and offsets in one Kafka transaction.
	ExactlyOnce Guarantee = iota
	// AtLeastOnce produces, flushes, then commits offsets: a crash between
	// the two replays (duplicates) the batch.
	AtLeastOnce
)

// String returns "exactly_once" or "at_least_once".
func (g Guarantee) String() string {
	if g == AtLeastOnce {
		return "at_least_once"
	}
	return "exactly_once"
}

// DeadLetterPolicy says what happens to a record that cannot be decoded.
type DeadLetterPolicy uint8

// Dead-letter policies.
const (
	// DeadLetter sends it to the dead-letter topic (in the transaction).
	DeadLetter DeadLetterPolicy = iota
	// Skip counts and logs it, then goes on.
	Skip
	// Fail stops the worker with a *RecordError (after aborting the
	// transaction, so the record is read again on restart).
	Fail
)

// String returns "dlq", "skip" or "fail".
func (p DeadLetterPolicy) String() string {
	return [...]string{"dlq", "skip", "fail"}[p]
}

// LatePolicy says what happens to an event a window drops as late (it
// arrived after every window it belongs to closed: end + grace <= stream
// time).
type LatePolicy uint8

// Late-event policies.
const (
	// LateDrop counts it (Metrics.LateEvent) and drops it.
	LateDrop LatePolicy = iota
	// LateDeadLetter also sends it to the dead-letter topic, in the
	// transaction of the input record that carried it.
	LateDeadLetter
)

// String returns "drop" or "dlq".
func (p LatePolicy) String() string {
	if p == LateDeadLetter {
		return "dlq"
	}
	return "drop"
}

// Metrics receives the worker's measurements. Implementations must be
// safe for concurrent use: every task reports. ops.Metrics is adapted to
// it in cmd/eventflux.
type Metrics interface {
	RecordsIn(topic string, n int)
	RecordsOut(topic string, n int)
	// ProcessLatency observes the time to run one record through its task
	// (sampled).
	ProcessLatency(d time.Duration)
	// Commit observes a successful commit of a task's batch.
	Commit(d time.Duration)
	// Abort counts an aborted transaction.
	Abort()
	// DeadLetter counts a record dead-lettered or skipped; reason is
	// "decode" (malformed), "schema" (a value of the wrong type) or
	// "late" (a late event dead-lettered under LateDeadLetter).
	DeadLetter(reason string)
	// LateEvent counts an event the window node dropped as late (under
	// either LatePolicy).
	LateEvent(node string)
	// Rebalance counts a new generation; Tasks sets how many tasks run.
	Rebalance()
	Tasks(n int)
	// Lag sets a source partition's consumer lag: the end of its log (the
	// high watermark of the latest fetch) minus the task's committed
	// position. It is reported after each commit and on each idle commit
	// tick, once both are known.
	Lag(topic string, partition int32, lag int64)
	// Restored counts n changelog records applied to store while
	// restoring; RestoreProgress sets the fraction (0 to 1) of the
	// store's changelog tail restored, 1 once done.
	Restored(store string, n int)
	RestoreProgress(store string, fraction float64)
}

// Options configures Run.
type Options struct {
	// App is the application id: the consumer group, the prefix of
	// transactional ids and of the default dead-letter topic. Required.
	App string
	// Kafka says how to reach the cluster. Required.
	Kafka kafka.Options
	// Topology is the compiled application. Required.
	Topology *topology.Topology
	// Bindings overrides stream bindings by stream name (the pipeline
	// YAML merged over the SQL WITH options). Default: each stream's
	// binding in Topology.
	Bindings map[string]topology.Binding
	// Guarantee defaults to ExactlyOnce.
	Guarantee Guarantee
	// CommitInterval is the longest a transaction (or an at-least-once
	// batch) stays open. Default 100ms.
	CommitInterval time.Duration
	// MaxTaskIdle is how long a task with several input partitions waits
	// for an empty one before processing the others (out of time order).
	// Default 0: never wait.
	MaxTaskIdle time.Duration
	// InstanceID enables static group membership. Default "".
	InstanceID string
	// DeadLetterTopic receives undecodable records. Default "<app>-dlq".
	DeadLetterTopic string
	// DeadLetterPolicy defaults to DeadLetter.
	DeadLetterPolicy DeadLetterPolicy
	// LateEvents says what happens to late events. Default LateDrop.
	// LateDeadLetter sends them to DeadLetterTopic whatever the
	// DeadLetterPolicy: the value is the event as JSON in the window's
	// input schema, the key and headers the carrying record's plus the
	// dead-letter headers (HeaderError "late event: window closed at
	// ...").
	LateEvents LatePolicy
	// SessionTimeout, HeartbeatInterval and RebalanceTimeout tune group
	// membership; defaults are kafka.GroupOptions'.
	SessionTimeout, HeartbeatInterval, RebalanceTimeout time.Duration
	// TransactionTimeout is the producers' transaction timeout. Default 10s.
	TransactionTimeout time.Duration
	// MaxRetries is how many consecutive broker failures (joining the
	// group, creating producers, checking topics) are retried, with
	// backoff from 100ms doubling to 5s, before Run gives up. Default 10.
	MaxRetries int
	// StateDir holds the tasks' state stores, one Pebble instance per
	// task under StateDir/<task>. Default "": in-memory stores, restored
	// in full from the changelog topics whenever a task is assigned to
	// this worker again after it moved away or the worker restarted.
	StateDir string
	// ChangelogRetention is the margin added to a windowed store's window
	// size plus grace to make the retention.ms of its changelog topic
	// (cleanup.policy compact,delete), set when the worker creates it: it
	// must cover the longest time a window can stay open beyond its
	// event-time span (a stream that goes quiet). Default 7 days.
	ChangelogRetention time.Duration
	// RepartitionPurgeInterval is how often a task deletes the records it
	// has committed from the repartition topics it reads (they are kept
	// forever otherwise). Default 30s.
	RepartitionPurgeInterval time.Duration
	// Metrics receives measurements. Default: none.
	Metrics Metrics
	// Logger receives the worker's logs. Default: discarded.
	Logger *slog.Logger
	// Ready is called with true once the worker has its first assignment
	// and its tasks' producers are ready and state stores restored, and with false when it shuts
	// down. Default: none.
	Ready func(ready bool)

	// beforeCommit, set by tests, runs before each task commit.
	beforeCommit func(task int32)
}

func (o *Options) defaults() error {
	switch {
	case o.App == "":
		return errors.New("runtime: app id is required")
	case o.Topology == nil:
		return errors.New("runtime: topology is required")
	}
	if err := o.Kafka.Validate(); err != nil {
		return fmt.Errorf("runtime: %w", err)
	}
	if o.CommitInterval <= 0 {
		o.CommitInterval = 100 * time.Millisecond
	}
	if o.MaxTaskIdle < 0 {
		o.MaxTaskIdle = 0
	}
	if o.DeadLetterTopic == "" {
		o.DeadLetterTopic = o.App + "-dlq"
	}
	if o.TransactionTimeout <= 0 {
		o.TransactionTimeout = 10 * time.Second
	}
	if o.ChangelogRetention <= 0 {
		o.ChangelogRetention = 7 * 24 * time.Hour
	}
	if o.RepartitionPurgeInterval <= 0 {
		o.RepartitionPurgeInterval = 30 * time.Second
	}
	if o.MaxRetries <= 0 {
		o.MaxRetries = 10
	}
	if o.Metrics == nil {
		o.Metrics = nopMetrics{}
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Ready == nil {
		o.Ready = func(bool) {}
	}
	return nil
}

type nopMetrics struct{}

func (nopMetrics) RecordsIn(string, int)           {}
func (nopMetrics) RecordsOut(string, int)          {}
func (nopMetrics) ProcessLatency(time.Duration)    {}
func (nopMetrics) Commit(time.Duration)            {}
func (nopMetrics) Abort()                          {}
func (nopMetrics) DeadLetter(string)               {}
func (nopMetrics) LateEvent(string)                {}
func (nopMetrics) Rebalance()                      {}
func (nopMetrics) Tasks(int)                       {}
func (nopMetrics) Lag(string, int32, int64)        {}
func (nopMetrics) Restored(string, int)            {}
func (nopMetrics) RestoreProgress(string, float64) {}

// RecordError is a record the worker stopped on (policy Fail).
type RecordError struct {
	Topic     string
	Partition int32
	Offset    int64
	Err       error
}

// Error renders "runtime: record trades/0@17: <err>".
func (e *RecordError) Error() string {
	return fmt.Sprintf("runtime: record %s/%d@%d: %v", e.Topic, e.Partition, e.Offset, e.Err)
}

// Unwrap returns the underlying error.
func (e *RecordError) Unwrap() error { return e.Err }
