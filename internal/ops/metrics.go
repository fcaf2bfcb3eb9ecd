package ops

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// namespace prefixes every metric name.
const namespace = "eventflux"

// Label names.
const (
	LabelTopic     = "topic"
	LabelPartition = "partition"
	LabelReason    = "reason"
	LabelStore     = "store"
)

// Dead-letter reasons, the values of the reason label of DeadLetters.
const (
	ReasonDecode = "decode" // the record value or key could not be decoded
	ReasonSchema = "schema" // a value did not have the attribute's type
	ReasonLate   = "late"   // the event arrived after its window closed (late_events: dlq)
)

// Metrics holds every metric the worker exports, registered in Registry.
// Its fields are safe for concurrent use.
type Metrics struct {
	// Registry holds the metrics below plus the Go runtime and process
	// collectors. It is not prometheus.DefaultRegisterer.
	Registry *prometheus.Registry

	// RecordsIn counts records consumed, by source topic.
	RecordsIn *prometheus.CounterVec
	// RecordsOut counts records produced, by sink topic (internal and
	// dead-letter topics included).
	RecordsOut *prometheus.CounterVec
	// ProcessingLatency observes the time to run one record through its
	// task's topology, in seconds.
	ProcessingLatency prometheus.Histogram
	// CommitLatency observes the time to commit a task's batch (the Kafka
	// transaction under exactly_once, the offset commit under
	// at_least_once), in seconds.
	CommitLatency prometheus.Histogram
	// TransactionCommits counts committed transactions.
	TransactionCommits prometheus.Counter
	// TransactionAborts counts aborted transactions.
	TransactionAborts prometheus.Counter
	// ConsumerLag is the number of records between the committed position
	// and the end of the log, by topic and partition.
	ConsumerLag *prometheus.GaugeVec
	// ActiveTasks is the number of tasks this worker runs.
	ActiveTasks prometheus.Gauge
	// Rebalances counts consumer group rebalances this worker took part in.
	Rebalances prometheus.Counter
	// DeadLetters counts records sent to the dead-letter topic or skipped,
	// by reason (ReasonDecode, ReasonSchema, ReasonLate).
	DeadLetters *prometheus.CounterVec
	// LateEvents counts events that arrived after their window closed.
	LateEvents prometheus.Counter
	// RestoredRecords counts changelog records replayed into state stores,
	// by store.
	RestoredRecords *prometheus.CounterVec
	// RestoreProgress is the fraction (0 to 1) of a store's changelog
	// restored, by store; 1 once restored.
	RestoreProgress *prometheus.GaugeVec
}

// latencyBuckets span 10µs to about 5s.
var latencyBuckets = prometheus.ExponentialBuckets(10e-6, 2.5, 15)

// NewMetrics creates the metrics and registers them, with the Go and
// process collectors, in a new registry.
func NewMetrics() *Metrics {
	m := &Metrics{
		Registry: prometheus.NewRegistry(),
		RecordsIn: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Name: "records_in_total",
			Help: "Records consumed, by source topic.",
		}, []string{LabelTopic}),
		RecordsOut: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Name: "records_out_total",
			Help: "Records produced, by sink topic (internal and dead-letter topics included).",
		}, []string{LabelTopic}),
		ProcessingLatency: prometheus.NewHistogram(prometheus.HistogramOpts{
			Namespace: namespace, Name: "processing_latency_seconds",
			Help:    "Time to run one record through its task's topology.",
			Buckets: latencyBuckets,
		}),
		CommitLatency: prometheus.NewHistogram(prometheus.HistogramOpts{
			Namespace: namespace, Name: "commit_latency_seconds",
			Help:    "Time to commit a task's batch: the Kafka transaction under exactly_once, the offset commit under at_least_once.",
			Buckets: latencyBuckets,
		}),
		TransactionCommits: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: namespace, Name: "transaction_commits_total",
			Help: "Kafka transactions committed.",
		}),
		TransactionAborts: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: namespace, Name: "transaction_aborts_total",
			Help: "Kafka transactions aborted.",
		}),
		ConsumerLag: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Namespace: namespace, Name: "consumer_lag",
			Help: "Records between the committed position and the end of the log, by topic and partition.",
		}, []string{LabelTopic, LabelPartition}),
		ActiveTasks: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: namespace, Name: "active_tasks",
			Help: "Tasks this worker runs.",
		}),
		Rebalances: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: namespace, Name: "rebalances_total",
			Help: "Consumer group rebalances this worker took part in.",
		}),
		DeadLetters: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Name: "dead_letters_total",
			Help: "Records sent to the dead-letter topic or skipped, by reason (decode, schema, late).",
		}, []string{LabelReason}),
		LateEvents: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: namespace, Name: "late_events_total",
			Help: "Events that arrived after their window closed.",
		}),
		RestoredRecords: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Name: "restored_records_total",
			Help: "Changelog records replayed into state stores, by store.",
		}, []string{LabelStore}),
		RestoreProgress: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Namespace: namespace, Name: "restore_progress_ratio",
			Help: "Fraction of a store's changelog restored (0 to 1), by store.",
		}, []string{LabelStore}),
	}
	m.Registry.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		m.RecordsIn, m.RecordsOut, m.ProcessingLatency, m.CommitLatency,
		m.TransactionCommits, m.TransactionAborts, m.ConsumerLag, m.ActiveTasks,
		m.Rebalances, m.DeadLetters, m.LateEvents, m.RestoredRecords, m.RestoreProgress,
	)
	return m
}
