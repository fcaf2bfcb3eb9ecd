package kafkatest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/IBM/sarama"
)

// BareOptions configures BareLoop.
type BareOptions struct {
	Brokers []string
	// Group is the consumer group id.
	Group string
	// In and Out are the input and output topics (same partition count).
	In, Out string
	// Transactional makes the loop exactly-once: a transactional producer
	// per partition, offsets sent with the group metadata, commits every
	// CommitInterval. Otherwise it produces, waits for acks and commits
	// offsets every CommitInterval.
	Transactional bool
	// CommitInterval defaults to 100ms.
	CommitInterval time.Duration
}

// BareLoop is the baseline of the end-to-end benchmarks: a plain sarama
// consume -> produce loop with no engine (no decoding, no topology), each
// input record copied to the same partition of Out. Producers use the
// worker's settings (idempotent, acks=all, one request in flight). It
// runs until ctx is done.
func BareLoop(ctx context.Context, o BareOptions) error {
	if o.CommitInterval <= 0 {
		o.CommitInterval = 100 * time.Millisecond
	}
	cfg := sarama.NewConfig()
	cfg.Version = sarama.V3_9_0_0
	cfg.Consumer.Offsets.AutoCommit.Enable = false
	cfg.Consumer.Offsets.Initial = sarama.OffsetOldest
	cfg.Consumer.IsolationLevel = sarama.ReadCommitted
	cfg.Consumer.Fetch.Default = 1 << 20
	cfg.Consumer.MaxWaitTime = 100 * time.Millisecond
	cfg.ChannelBufferSize = 1024
	cg, err := sarama.NewConsumerGroup(o.Brokers, o.Group, cfg)
	if err != nil {
		return err
	}
	defer cg.Close()
	go func() {
		for range cg.Errors() {
		}
	}()
	h := &bareHandler{o: o}
	for ctx.Err() == nil {
		if err := cg.Consume(ctx, []string{o.In}, h); err != nil && ctx.Err() == nil {
			return err
		}
	}
	return nil
}

type bareHandler struct{ o BareOptions }

func (h *bareHandler) Setup(sarama.ConsumerGroupSession) error   { return nil }
func (h *bareHandler) Cleanup(sarama.ConsumerGroupSession) error { return nil }

func (h *bareHandler) producer(partition int32) (sarama.AsyncProducer, error) {
	cfg := sarama.NewConfig()
	cfg.Version = sarama.V3_9_0_0
	cfg.Producer.Idempotent = true
	cfg.Producer.RequiredAcks = sarama.WaitForAll
	cfg.Net.MaxOpenRequests = 1
	cfg.Producer.Retry.Max = 10
	cfg.Producer.Partitioner = sarama.NewManualPartitioner
	cfg.Producer.Return.Errors = true
	cfg.Producer.Return.Successes = !h.o.Transactional
	cfg.ChannelBufferSize = 1024
	if h.o.Transactional {
		cfg.Producer.Transaction.ID = fmt.Sprintf("%s-%d", h.o.Group, partition)
		cfg.Producer.Transaction.Timeout = 10 * time.Second
	}
	return sarama.NewAsyncProducer(h.o.Brokers, cfg)
}

func (h *bareHandler) ConsumeClaim(sess sarama.ConsumerGroupSession, claim sarama.ConsumerGroupClaim) error {
	p, err := h.producer(claim.Partition())
	if err != nil {
		return err
	}
	var mu sync.Mutex
	cond := sync.NewCond(&mu)
	pending := 0
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		for range p.Errors() {
			mu.Lock()
			pending--
			cond.Broadcast()
			mu.Unlock()
		}
	}()
	go func() {
		defer wg.Done()
		for range p.Successes() {
			mu.Lock()
			pending--
			cond.Broadcast()
			mu.Unlock()
		}
	}()
	defer func() { p.AsyncClose(); wg.Wait() }()
	meta := sarama.NewConsumerGroupMetadataFromSession(sess, h.o.Group, nil)
	tick := time.NewTicker(h.o.CommitInterval)
	defer tick.Stop()
	next := int64(-1)
	open := false
	commit := func() error {
		if !open {
			return nil
		}
		open = false
		if h.o.Transactional {
			offs := map[string][]*sarama.PartitionOffsetMetadata{h.o.In: {{Partition: claim.Partition(), Offset: next, LeaderEpoch: -1}}}
			if err := p.AddOffsetsToTxnWithGroupMetadata(offs, meta); err != nil {
				return err
			}
			return p.CommitTxn()
		}
		mu.Lock()
		for pending > 0 {
			cond.Wait()
		}
		mu.Unlock()
		sess.MarkOffset(h.o.In, claim.Partition(), next, "")
		sess.Commit()
		return nil
	}
	for {
		select {
		case m, ok := <-claim.Messages():
			if !ok {
				return commit()
			}
			if !open {
				if h.o.Transactional {
					if err := p.BeginTxn(); err != nil {
						return err
					}
				}
				open = true
			}
			if !h.o.Transactional {
				mu.Lock()
				pending++
				mu.Unlock()
			}
			p.Input() <- &sarama.ProducerMessage{Topic: h.o.Out, Partition: m.Partition, Key: sarama.ByteEncoder(m.Key), Value: sarama.ByteEncoder(m.Value), Timestamp: m.Timestamp}
			next = m.Offset + 1
		case <-tick.C:
			if err := commit(); err != nil {
				return err
			}
		case <-sess.Context().Done():
			return commit()
		}
	}
}

// CommittedSum returns the sum of group's committed offsets on topic (0
// when the group has none).
func (c *Cluster) CommittedSum(group, topic string) (int64, error) {
	ca, err := sarama.NewClusterAdmin(c.addrs, c.config())
	if err != nil {
		return 0, err
	}
	defer ca.Close()
	resp, err := ca.ListConsumerGroupOffsets(group, nil)
	if errors.Is(err, sarama.ErrGroupIDNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	var sum int64
	for _, b := range resp.Blocks[topic] {
		if b.Offset > 0 {
			sum += b.Offset
		}
	}
	return sum, nil
}
