package config

import (
	"io/fs"
	"path/filepath"
	"time"
)

// Pipeline is one pipeline file: the app, how it reaches Kafka, how it
// processes, its SQL, stream bindings, error handling, HTTP and logging.
type Pipeline struct {
	// App names the application. Required; letters, digits, '.', '_' and
	// '-', at most 200 characters (room for internal-topic suffixes within
	// Kafka's 249). It is the consumer group id, the transactional-id prefix
	// and the prefix of every internal topic.
	App string `yaml:"app"`
	// Kafka says how to reach the cluster.
	Kafka Kafka `yaml:"kafka"`
	// Processing holds the guarantee, commit interval and state settings.
	Processing Processing `yaml:"processing"`
	// SQL is the application: inline text or files.
	SQL SQL `yaml:"sql"`
	// Streams binds streams (by SQL name) to topics, overriding or completing
	// the WITH options of their CREATE STREAM. Optional.
	Streams map[string]Stream `yaml:"streams"`
	// Errors says what happens to records that cannot be processed.
	Errors ErrorHandling `yaml:"errors"`
	// HTTP configures the /metrics, /healthz and /readyz server.
	HTTP HTTP `yaml:"http"`
	// Log configures logging.
	Log Log `yaml:"log"`

	// baseDir resolves relative sql.files, read from fsys when it is set
	// (WithFS); file names error messages; pos maps key paths to where
	// their values are in the YAML.
	baseDir string
	fsys    fs.FS
	file    string
	pos     map[string]position
}

// Kafka says how to reach the Kafka cluster.
type Kafka struct {
	// Brokers lists the bootstrap brokers as host:port. Required. A single
	// string is split on commas, so brokers: ${KAFKA_BROKERS} works.
	Brokers []string `yaml:"brokers"`
	// ClientID is the Kafka client.id. Default "eventflux".
	ClientID string `yaml:"client_id"`
	// Version is the Kafka protocol version the client speaks, as
	// "major.minor.patch" (or four parts for 0.x). Default "3.9.0".
	Version string `yaml:"version"`
	// TLS configures encryption. Default off.
	TLS TLS `yaml:"tls"`
	// SASL configures authentication. Default none.
	SASL SASL `yaml:"sasl"`
}

// TLS configures TLS to the brokers. The file fields are only valid when
// Enabled is true.
type TLS struct {
	// Enabled turns TLS on. Default false.
	Enabled bool `yaml:"enabled"`
	// CAFile is a PEM file of CAs to trust. Default "": the system pool.
	CAFile string `yaml:"ca_file"`
	// CertFile is the PEM client certificate, for mutual TLS; set together
	// with KeyFile. Default "".
	CertFile string `yaml:"cert_file"`
	// KeyFile is the PEM private key of CertFile. Default "".
	KeyFile string `yaml:"key_file"`
	// InsecureSkipVerify disables verification of the broker certificates.
	// Default false; for tests only.
	InsecureSkipVerify bool `yaml:"insecure_skip_verify"`
}

// SASL mechanisms.
const (
	MechanismPlain       = "PLAIN"
	MechanismSCRAMSHA256 = "SCRAM-SHA-256"
	MechanismSCRAMSHA512 = "SCRAM-SHA-512"
)

// SASL configures SASL authentication.
type SASL struct {
	// Mechanism is PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512. Default "": no
	// SASL, and then Username and Password must be empty too.
	Mechanism string `yaml:"mechanism"`
	// Username is required when Mechanism is set.
	Username string `yaml:"username"`
	// Password is required when Mechanism is set; usually ${KAFKA_PASSWORD}.
	// It prints as "<redacted>"; use Password.Value() to connect.
	Password Secret `yaml:"password"`
}

// Guarantee is a processing guarantee.
type Guarantee string

// Processing guarantees.
const (
	// ExactlyOnce commits outputs, changelogs and input offsets in one Kafka
	// transaction.
	ExactlyOnce Guarantee = "exactly_once"
	// AtLeastOnce runs the same loop without the transaction.
	AtLeastOnce Guarantee = "at_least_once"
)

// Processing configures the processing loop and its state.
type Processing struct {
	// Guarantee is exactly_once or at_least_once. Default exactly_once.
	Guarantee Guarantee `yaml:"guarantee"`
	// CommitInterval is how often a task commits (a transaction under
	// exactly_once). Must be > 0. Default 100ms.
	CommitInterval time.Duration `yaml:"commit_interval"`
	// StateDir holds the tasks' local state stores; a relative path is
	// relative to the working directory. Default eventflux-state/<app>.
	StateDir string `yaml:"state_dir"`
	// MaxTaskIdle is how long a task with several input partitions waits for
	// an empty partition before it processes the others. Must be >= 0.
	// Default 0.
	MaxTaskIdle time.Duration `yaml:"max_task_idle"`
	// InstanceID is the group.instance.id for static membership: a restart
	// within the session timeout then keeps its partitions. Default "":
	// dynamic membership.
	InstanceID string `yaml:"instance_id"`
	// ShutdownTimeout bounds a graceful shutdown (finish or abort the
	// transaction, leave the group, close stores). Must be > 0. Default 30s.
	ShutdownTimeout time.Duration `yaml:"shutdown_timeout"`
}

// SQL is the application's SQL: exactly one of Inline and Files.
type SQL struct {
	// Inline is the SQL text itself.
	Inline string `yaml:"inline"`
	// Files are SQL files, relative to the directory of the YAML file,
	// compiled as one application in order.
	Files []string `yaml:"files"`
}

// Format is a record format.
type Format string

// Record formats.
const (
	FormatJSON Format = "json"
	FormatCSV  Format = "csv"
	FormatRaw  Format = "raw"
)

// Stream binds a stream to a topic. Every field is optional; a field left
// empty keeps what the SQL WITH options say.
type Stream struct {
	// Topic is the Kafka topic. Default: the SQL topic option.
	Topic string `yaml:"topic"`
	// Format is json, csv or raw. Default: the SQL format option.
	Format Format `yaml:"format"`
	// Key lists the attributes that make the record key. Default: the SQL.
	Key []string `yaml:"key"`
	// Timestamp is the attribute that holds event time. Default: the SQL,
	// else the Kafka record timestamp.
	Timestamp string `yaml:"timestamp"`
	// JSON holds JSON options; only with format json (or no format here).
	JSON JSONFormat `yaml:"json"`
	// CSV holds CSV options; only with format csv (or no format here).
	CSV CSVFormat `yaml:"csv"`
}

// JSONFormat holds JSON decoding options.
type JSONFormat struct {
	// Mapping maps an attribute to a JSONPath ("$.quote.price") in the
	// record value. Default: attribute names are top-level fields.
	Mapping map[string]string `yaml:"mapping"`
}

// CSVFormat holds CSV options.
type CSVFormat struct {
	// Delimiter is one character. Default ",".
	Delimiter string `yaml:"delimiter"`
	// Header says the first record of each value is a header line to skip.
	// Default false.
	Header bool `yaml:"header"`
}

// ErrorPolicy says what happens to a record that cannot be processed.
type ErrorPolicy string

// Error policies.
const (
	// PolicyDLQ sends the record to the dead-letter topic, in the same
	// transaction, with headers naming its source and the error.
	PolicyDLQ ErrorPolicy = "dlq"
	// PolicySkip drops the record (it is counted and logged).
	PolicySkip ErrorPolicy = "skip"
	// PolicyFail stops the worker.
	PolicyFail ErrorPolicy = "fail"
)

// LateEvents says what happens to an event that arrives after its window
// closed.
type LateEvents string

// Late event handling.
const (
	LateDrop LateEvents = "drop"
	LateDLQ  LateEvents = "dlq"
)

// ErrorHandling says what happens to bad and late records.
type ErrorHandling struct {
	// DLQTopic is the dead-letter topic. Default "<app>-dlq".
	DLQTopic string `yaml:"dlq_topic"`
	// Policy is dlq, skip or fail. Default dlq.
	Policy ErrorPolicy `yaml:"policy"`
	// LateEvents is drop or dlq. Default drop.
	LateEvents LateEvents `yaml:"late_events"`
}

// HTTP configures the operations server.
type HTTP struct {
	// Listen is the address of /metrics, /healthz and /readyz, as host:port.
	// Default ":8080"; "" disables the server.
	Listen string `yaml:"listen"`
}

// Log configures logging.
type Log struct {
	// Level is debug, info, warn or error. Default info.
	Level string `yaml:"level"`
	// Format is auto (console on a terminal, else json), json or console.
	// Default auto.
	Format string `yaml:"format"`
}

// Default returns a Pipeline holding every default. Parse decodes over it;
// start from it to build a Pipeline in code, then call Derive and Validate.
// App, Kafka.Brokers and SQL have no default.
func Default() *Pipeline {
	return &Pipeline{
		Kafka: Kafka{ClientID: "eventflux", Version: "3.9.0"},
		Processing: Processing{
			Guarantee:       ExactlyOnce,
			CommitInterval:  100 * time.Millisecond,
			ShutdownTimeout: 30 * time.Second,
		},
		Errors: ErrorHandling{Policy: PolicyDLQ, LateEvents: LateDrop},
		HTTP:   HTTP{Listen: ":8080"},
		Log:    Log{Level: "info", Format: "auto"},
	}
}

// Derive fills the defaults that depend on App: Processing.StateDir
// (eventflux-state/<app>) and Errors.DLQTopic (<app>-dlq), when empty.
// Parse calls it.
func (p *Pipeline) Derive() {
	if p.App == "" {
		return
	}
	if p.Processing.StateDir == "" {
		p.Processing.StateDir = filepath.Join(".", "eventflux-state", p.App)
	}
	if p.Errors.DLQTopic == "" {
		p.Errors.DLQTopic = p.App + "-dlq"
	}
}
