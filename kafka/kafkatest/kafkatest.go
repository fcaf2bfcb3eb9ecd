// Package kafkatest runs an in-process Kafka-protocol cluster (franz-go's
// kfake) for wire-level tests, with helpers to create topics, produce
// input, read output with read_committed or read_uncommitted, and look at
// committed offsets. Fault injection goes through kfake's control hooks,
// reachable on Cluster (ControlKey, KeepControl, ...).
package kafkatest

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/eventflux-io/eventflux-go/kafka"
)

// Cluster is an in-process kfake cluster closed by t.Cleanup.
type Cluster struct {
	*kfake.Cluster
	addrs []string
}

// NewCluster starts a cluster: one broker, short group session timeouts,
// plus opts. It is closed when the test ends.
func NewCluster(t testing.TB, opts ...kfake.Opt) *Cluster {
	t.Helper()
	c, err := Start(opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

// Start starts a cluster like NewCluster for callers without a testing.TB
// (benchmarks sharing one broker); the caller closes it.
func Start(opts ...kfake.Opt) (*Cluster, error) {
	base := []kfake.Opt{kfake.NumBrokers(1), kfake.GroupMinSessionTimeout(100 * time.Millisecond)}
	c, err := kfake.NewCluster(append(base, opts...)...)
	if err != nil {
		return nil, fmt.Errorf("kafkatest: start cluster: %w", err)
	}
	return &Cluster{Cluster: c, addrs: c.ListenAddrs()}, nil
}

// Remote returns a Cluster for brokers running elsewhere, such as an
// `eventflux broker` process in an end-to-end test. The topic, produce,
// read and offset helpers work; kfake's control hooks do not, and it must
// not be closed (the broker belongs to whoever started it).
func Remote(addrs ...string) *Cluster { return &Cluster{addrs: addrs} }

// CreateTopicErr creates topic with partitions partitions.
func (c *Cluster) CreateTopicErr(topic string, partitions int) error {
	ca, err := sarama.NewClusterAdmin(c.addrs, c.config())
	if err != nil {
		return err
	}
	defer ca.Close()
	return ca.CreateTopic(topic, &sarama.TopicDetail{NumPartitions: int32(partitions), ReplicationFactor: 1}, false)
}

// Addrs returns the brokers' addresses.
func (c *Cluster) Addrs() []string { return c.addrs }

// Options returns kafka.Options for the cluster.
func (c *Cluster) Options() kafka.Options {
	return kafka.Options{Brokers: c.addrs, ClientID: "kafkatest", Version: kafka.DefaultVersion}
}

func (c *Cluster) config() *sarama.Config {
	cfg := sarama.NewConfig()
	cfg.Version = sarama.V3_9_0_0
	cfg.ClientID = "kafkatest"
	return cfg
}

// CreateTopic creates topic with partitions partitions.
func (c *Cluster) CreateTopic(t testing.TB, topic string, partitions int) {
	t.Helper()
	ca, err := sarama.NewClusterAdmin(c.addrs, c.config())
	if err != nil {
		t.Fatalf("kafkatest: admin: %v", err)
	}
	defer ca.Close()
	if err := ca.CreateTopic(topic, &sarama.TopicDetail{NumPartitions: int32(partitions), ReplicationFactor: 1}, false); err != nil {
		t.Fatalf("kafkatest: create topic %s: %v", topic, err)
	}
}

// Produce writes recs synchronously, each to its Topic and Partition.
func (c *Cluster) Produce(t testing.TB, recs ...kafka.Record) {
	t.Helper()
	p, err := c.NewProducer()
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if err := p.Produce(recs...); err != nil {
		t.Fatal(err)
	}
}

// Producer is a plain (non-transactional) synchronous producer, for tests
// that produce from many goroutines or many times. It is safe for
// concurrent use.
type Producer struct {
	p sarama.SyncProducer
}

// NewProducer connects a Producer.
func (c *Cluster) NewProducer() (*Producer, error) {
	cfg := c.config()
	cfg.Producer.Return.Successes = true
	cfg.Producer.RequiredAcks = sarama.WaitForAll
	cfg.Producer.Partitioner = sarama.NewManualPartitioner
	p, err := sarama.NewSyncProducer(c.addrs, cfg)
	if err != nil {
		return nil, fmt.Errorf("kafkatest: producer: %w", err)
	}
	return &Producer{p: p}, nil
}

// Produce writes recs synchronously, each to its Topic and Partition.
func (p *Producer) Produce(recs ...kafka.Record) error {
	msgs := make([]*sarama.ProducerMessage, len(recs))
	for i, r := range recs {
		m := &sarama.ProducerMessage{Topic: r.Topic, Partition: r.Partition, Timestamp: r.Timestamp}
		if r.Key != nil {
			m.Key = sarama.ByteEncoder(r.Key)
		}
		m.Value = sarama.ByteEncoder(r.Value)
		for _, h := range r.Headers {
			m.Headers = append(m.Headers, sarama.RecordHeader{Key: []byte(h.Key), Value: h.Value})
		}
		msgs[i] = m
	}
	for len(msgs) > 0 {
		n := min(len(msgs), 1000)
		if err := p.p.SendMessages(msgs[:n]); err != nil {
			return fmt.Errorf("kafkatest: produce: %w", err)
		}
		msgs = msgs[n:]
	}
	return nil
}

// Close closes the producer.
func (p *Producer) Close() error { return p.p.Close() }

// ReadOptions tunes Read.
type ReadOptions struct {
	// Uncommitted reads records of open and aborted transactions too.
	// Default false: read_committed.
	Uncommitted bool
	// Want is the number of records to wait for. Default 0: read what is
	// there within Linger.
	Want int
	// Timeout bounds the wait for Want records. Default 10s.
	Timeout time.Duration
	// Linger is how long to keep reading after Want is reached (to catch
	// duplicates) or, with Want 0, how long to read. Default 200ms.
	Linger time.Duration
}

// Read consumes every partition of topic from the oldest offset and
// returns the records ordered by partition, then offset. It stops Linger
// after Want records arrived, or at Timeout (returning what it has; the
// caller compares counts).
func (c *Cluster) Read(t testing.TB, topic string, o ReadOptions) []kafka.Record {
	t.Helper()
	if o.Timeout <= 0 {
		o.Timeout = 10 * time.Second
	}
	if o.Linger <= 0 {
		o.Linger = 200 * time.Millisecond
	}
	cfg := c.config()
	cfg.Consumer.IsolationLevel = sarama.ReadCommitted
	if o.Uncommitted {
		cfg.Consumer.IsolationLevel = sarama.ReadUncommitted
	}
	cfg.Consumer.MaxWaitTime = 50 * time.Millisecond
	cons, err := sarama.NewConsumer(c.addrs, cfg)
	if err != nil {
		t.Fatalf("kafkatest: consumer: %v", err)
	}
	defer cons.Close()
	parts, err := cons.Partitions(topic)
	if err != nil {
		t.Fatalf("kafkatest: partitions of %s: %v", topic, err)
	}
	var (
		mu  sync.Mutex
		out []kafka.Record
		got = make(chan struct{}, 1)
		wg  sync.WaitGroup
	)
	ctx, cancel := context.WithCancel(context.Background())
	for _, p := range parts {
		pc, err := cons.ConsumePartition(topic, p, sarama.OffsetOldest)
		if err != nil {
			cancel()
			t.Fatalf("kafkatest: consume %s/%d: %v", topic, p, err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer pc.AsyncClose()
			for {
				select {
				case <-ctx.Done():
					return
				case m, ok := <-pc.Messages():
					if !ok { // the partition consumer failed (e.g. its offset was purged)
						return
					}
					r := kafka.Record{Topic: m.Topic, Partition: m.Partition, Offset: m.Offset, Key: m.Key, Value: m.Value, Timestamp: m.Timestamp}
					for _, h := range m.Headers {
						r.Headers = append(r.Headers, kafka.Header{Key: string(h.Key), Value: h.Value})
					}
					mu.Lock()
					out = append(out, r)
					mu.Unlock()
					select {
					case got <- struct{}{}:
					default:
					}
				}
			}
		}()
	}
	deadline := time.After(o.Timeout)
	count := func() int { mu.Lock(); defer mu.Unlock(); return len(out) }
wait:
	for o.Want > 0 && count() < o.Want {
		select {
		case <-got:
		case <-deadline:
			break wait
		}
	}
	time.Sleep(o.Linger)
	cancel()
	wg.Wait()
	sort.Slice(out, func(i, j int) bool {
		if out[i].Partition != out[j].Partition {
			return out[i].Partition < out[j].Partition
		}
		return out[i].Offset < out[j].Offset
	})
	return out
}

// Committed returns the committed offsets of group for topic, by
// partition (partitions without a commit are absent).
func (c *Cluster) Committed(t testing.TB, group, topic string) map[int32]int64 {
	t.Helper()
	ca, err := sarama.NewClusterAdmin(c.addrs, c.config())
	if err != nil {
		t.Fatalf("kafkatest: admin: %v", err)
	}
	defer ca.Close()
	resp, err := ca.ListConsumerGroupOffsets(group, nil)
	if errors.Is(err, sarama.ErrGroupIDNotFound) {
		return map[int32]int64{}
	}
	if err != nil {
		t.Fatalf("kafkatest: offsets of %s: %v", group, err)
	}
	out := map[int32]int64{}
	for p, b := range resp.Blocks[topic] {
		if b.Offset >= 0 {
			out[p] = b.Offset
		}
	}
	return out
}

// Offsets returns the log start and end offsets of every partition of
// topic.
func (c *Cluster) Offsets(t testing.TB, topic string) (start, end map[int32]int64) {
	t.Helper()
	client, err := sarama.NewClient(c.addrs, c.config())
	if err != nil {
		t.Fatalf("kafkatest: client: %v", err)
	}
	defer client.Close()
	parts, err := client.Partitions(topic)
	if err != nil {
		t.Fatalf("kafkatest: partitions of %s: %v", topic, err)
	}
	start, end = map[int32]int64{}, map[int32]int64{}
	for _, p := range parts {
		if start[p], err = client.GetOffset(topic, p, sarama.OffsetOldest); err != nil {
			t.Fatalf("kafkatest: start offset of %s/%d: %v", topic, p, err)
		}
		if end[p], err = client.GetOffset(topic, p, sarama.OffsetNewest); err != nil {
			t.Fatalf("kafkatest: end offset of %s/%d: %v", topic, p, err)
		}
	}
	return start, end
}

// FailNextTxnOffsetCommit makes the cluster answer the next TxnOffsetCommit
// (the offsets of a committing transaction) with errorCode for every
// partition, e.g. 22 (ILLEGAL_GENERATION), which leaves a sarama
// transactional producer in an abortable state. It fires once.
func (c *Cluster) FailNextTxnOffsetCommit(errorCode int16) {
	c.ControlKey(int16(kmsg.TxnOffsetCommit), func(r kmsg.Request) (kmsg.Response, error, bool) {
		req := r.(*kmsg.TxnOffsetCommitRequest)
		resp := req.ResponseKind().(*kmsg.TxnOffsetCommitResponse)
		resp.Version = req.Version
		for _, t := range req.Topics {
			rt := kmsg.NewTxnOffsetCommitResponseTopic()
			rt.Topic = t.Topic
			for _, p := range t.Partitions {
				rp := kmsg.NewTxnOffsetCommitResponseTopicPartition()
				rp.Partition, rp.ErrorCode = p.Partition, errorCode
				rt.Partitions = append(rt.Partitions, rp)
			}
			resp.Topics = append(resp.Topics, rt)
		}
		return resp, nil, true
	})
}

// UnstableStableFetches makes the cluster answer the next n offset fetches
// that set RequireStable with UNSTABLE_OFFSET_COMMIT, as a broker does
// while a previous owner's transaction holding offsets is open. It returns
// a function reporting how many RequireStable fetches the cluster saw.
func (c *Cluster) UnstableStableFetches(n int) (seen func() int) {
	var mu sync.Mutex
	count := 0
	c.ControlKey(int16(kmsg.OffsetFetch), func(r kmsg.Request) (kmsg.Response, error, bool) {
		c.KeepControl()
		req := r.(*kmsg.OffsetFetchRequest)
		if !req.RequireStable {
			return nil, nil, false
		}
		mu.Lock()
		count++
		fail := count <= n
		mu.Unlock()
		if !fail {
			return nil, nil, false
		}
		resp := req.ResponseKind().(*kmsg.OffsetFetchResponse)
		resp.Version = req.Version
		if req.Version >= 8 {
			for _, g := range req.Groups {
				rg := kmsg.NewOffsetFetchResponseGroup()
				rg.Group, rg.ErrorCode = g.Group, 88
				resp.Groups = append(resp.Groups, rg)
			}
		} else {
			resp.ErrorCode = 88
		}
		return resp, nil, true
	})
	return func() int { mu.Lock(); defer mu.Unlock(); return count }
}
