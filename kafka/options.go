package kafka

import (
	"crypto/sha256"
	"crypto/sha512"
	"crypto/tls"
	"fmt"
	"strings"
	"time"

	"github.com/IBM/sarama"
)

// SASL mechanisms accepted in SASL.Mechanism.
const (
	SASLPlain       = "PLAIN"
	SASLScramSHA256 = "SCRAM-SHA-256"
	SASLScramSHA512 = "SCRAM-SHA-512"
)

// SASL configures SASL authentication.
type SASL struct {
	// Mechanism is PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512. Default "": no
	// SASL.
	Mechanism string
	// User and Password are the credentials. They are never logged.
	User, Password string
}

// Options says how to reach the cluster. Every component of this package
// takes it.
type Options struct {
	// Brokers lists bootstrap addresses (host:port). Required.
	Brokers []string
	// ClientID is sent to brokers for their logs and quotas. Default
	// "eventflux".
	ClientID string
	// Version is the Kafka protocol version to speak, e.g. "3.9.0". It
	// should match the brokers: KIP-447 fencing needs at least 2.5.
	// Default "3.9.0".
	Version string
	// TLS, when non-nil, enables TLS with this configuration. Default nil:
	// plaintext.
	TLS *tls.Config
	// SASL configures authentication. Default: none.
	SASL SASL
	// DialTimeout bounds connecting to a broker. Default 10s.
	DialTimeout time.Duration
}

// DefaultVersion is the protocol version used when Options.Version is empty.
const DefaultVersion = "3.9.0"

// minEOSVersion is the lowest version with TxnOffsetCommit v3 (KIP-447
// group metadata) and OffsetFetch RequireStable.
var minEOSVersion = sarama.V2_5_0_0

// Validate reports the first problem with o.
func (o Options) Validate() error {
	if len(o.Brokers) == 0 {
		return fmt.Errorf("kafka: no brokers given")
	}
	for _, b := range o.Brokers {
		if strings.TrimSpace(b) == "" {
			return fmt.Errorf("kafka: empty broker address")
		}
	}
	if _, err := o.version(); err != nil {
		return err
	}
	switch o.SASL.Mechanism {
	case "":
	case SASLPlain, SASLScramSHA256, SASLScramSHA512:
		if o.SASL.User == "" {
			return fmt.Errorf("kafka: sasl %s needs a user", o.SASL.Mechanism)
		}
	default:
		return fmt.Errorf("kafka: unknown sasl mechanism %q (want PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512)", o.SASL.Mechanism)
	}
	return nil
}

func (o Options) version() (sarama.KafkaVersion, error) {
	v := o.Version
	if v == "" {
		v = DefaultVersion
	}
	kv, err := sarama.ParseKafkaVersion(v)
	if err != nil {
		return kv, fmt.Errorf("kafka: bad protocol version %q: %w", v, err)
	}
	return kv, nil
}

// config returns the sarama configuration shared by every client: network,
// security and version. Callers add their role's settings.
func (o Options) config() (*sarama.Config, error) {
	if err := o.Validate(); err != nil {
		return nil, err
	}
	cfg := sarama.NewConfig()
	cfg.ClientID = o.ClientID
	if cfg.ClientID == "" {
		cfg.ClientID = "eventflux"
	}
	cfg.Version, _ = o.version()
	if o.DialTimeout > 0 {
		cfg.Net.DialTimeout = o.DialTimeout
	}
	if o.TLS != nil {
		cfg.Net.TLS.Enable = true
		cfg.Net.TLS.Config = o.TLS
	}
	if m := o.SASL.Mechanism; m != "" {
		cfg.Net.SASL.Enable = true
		cfg.Net.SASL.Handshake = true
		cfg.Net.SASL.User = o.SASL.User
		cfg.Net.SASL.Password = o.SASL.Password
		switch m {
		case SASLPlain:
			cfg.Net.SASL.Mechanism = sarama.SASLTypePlaintext
		case SASLScramSHA256:
			cfg.Net.SASL.Mechanism = sarama.SASLTypeSCRAMSHA256
			cfg.Net.SASL.SCRAMClientGeneratorFunc = func() sarama.SCRAMClient { return newSCRAMClient(sha256.New) }
		case SASLScramSHA512:
			cfg.Net.SASL.Mechanism = sarama.SASLTypeSCRAMSHA512
			cfg.Net.SASL.SCRAMClientGeneratorFunc = func() sarama.SCRAMClient { return newSCRAMClient(sha512.New) }
		}
	}
	cfg.Metadata.Retry.Max = 5
	cfg.Metadata.Retry.Backoff = 200 * time.Millisecond
	return cfg, nil
}

// String renders o for logs without secrets.
func (o Options) String() string {
	s := fmt.Sprintf("brokers=%s client_id=%s version=%s tls=%t", strings.Join(o.Brokers, ","), o.ClientID, o.Version, o.TLS != nil)
	if o.SASL.Mechanism != "" {
		s += fmt.Sprintf(" sasl=%s user=%s", o.SASL.Mechanism, o.SASL.User)
	}
	return s
}
