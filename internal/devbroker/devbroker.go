package devbroker

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
)

// DefaultPort is the port Kafka clients try first.
const DefaultPort = 9092

// Options configures Start. The zero value is an in-memory broker on a free
// port with the documented defaults.
type Options struct {
	// Port is the TCP port on 127.0.0.1. Default 0: a free port (Addr says
	// which); the CLI passes DefaultPort.
	Port int
	// DataDir makes the broker persistent: it writes its state there and
	// reloads it on Start. Default "": in memory only. Only one broker may
	// use a directory at a time.
	DataDir string
	// Partitions is the partition count of topics created on first use.
	// Default 3.
	Partitions int
	// CleanerBackoff is how often compacted topics are cleaned and
	// retention is applied (the broker's log.cleaner.backoff.ms). Default
	// 15s.
	CleanerBackoff time.Duration
	// Log receives the broker's warnings and errors. Default nil: none.
	Log io.Writer
}

// Broker is a running in-process broker.
type Broker struct {
	c    *kfake.Cluster
	addr string
	once sync.Once
}

// Start starts a broker. Close it when done.
func Start(opts Options) (*Broker, error) {
	if opts.Port < 0 || opts.Port > 65535 {
		return nil, fmt.Errorf("devbroker: port %d out of range", opts.Port)
	}
	if opts.Partitions == 0 {
		opts.Partitions = 3
	}
	if opts.Partitions < 0 {
		return nil, fmt.Errorf("devbroker: partitions must be > 0, got %d", opts.Partitions)
	}
	if opts.CleanerBackoff <= 0 {
		opts.CleanerBackoff = 15 * time.Second
	}
	kopts := []kfake.Opt{
		kfake.NumBrokers(1),
		kfake.Ports(opts.Port),
		kfake.AllowAutoTopicCreation(),
		kfake.DefaultNumPartitions(opts.Partitions),
		kfake.ClusterID("eventflux-dev"),
		kfake.BrokerConfigs(map[string]string{
			"log.cleaner.backoff.ms": strconv.FormatInt(opts.CleanerBackoff.Milliseconds(), 10),
			// kfake applies time retention to compacted topics too, which
			// Kafka does not: without this a compacted changelog loses its
			// records a week after they were written (or at once, for
			// records with old timestamps). Topics that set retention.ms
			// keep it.
			"log.retention.ms": "-1",
		}),
	}
	if opts.DataDir != "" {
		kopts = append(kopts, kfake.DataDir(opts.DataDir))
	}
	if opts.Log != nil {
		kopts = append(kopts, kfake.WithLogger(kfake.BasicLogger(opts.Log, kfake.LogLevelWarn)))
	}
	c, err := kfake.NewCluster(kopts...)
	if err != nil {
		return nil, fmt.Errorf("devbroker: %w", err)
	}
	addrs := c.ListenAddrs()
	if len(addrs) != 1 {
		c.Close()
		return nil, fmt.Errorf("devbroker: want 1 listen address, got %q", addrs)
	}
	return &Broker{c: c, addr: addrs[0]}, nil
}

// Addr returns the broker's host:port, such as "127.0.0.1:9092".
func (b *Broker) Addr() string { return b.addr }

// Close stops the broker, writing its state to the data directory first if
// it has one. It waits for the broker's goroutines and may be called more
// than once.
func (b *Broker) Close() {
	b.once.Do(b.c.Close)
}

// DefaultDataDir returns where the CLI keeps the broker's data:
// $XDG_DATA_HOME/eventflux/broker, else ~/.local/share/eventflux/broker,
// else eventflux-data/broker in the working directory.
func DefaultDataDir() string {
	if d := os.Getenv("XDG_DATA_HOME"); d != "" {
		return filepath.Join(d, "eventflux", "broker")
	}
	if h, err := os.UserHomeDir(); err == nil {
		return filepath.Join(h, ".local", "share", "eventflux", "broker")
	}
	return filepath.Join("eventflux-data", "broker")
}
