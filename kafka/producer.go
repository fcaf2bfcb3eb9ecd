package kafka

import (
	"fmt"
	"sync"
	"time"

	"github.com/IBM/sarama"
)

// ProducerOptions configures a Producer.
type ProducerOptions struct {
	Options
	// TransactionalID makes the producer transactional (exactly-once) with
	// this transactional.id. Default "": an at-least-once producer, where
	// Begin is a no-op and Commit flushes, then commits offsets.
	TransactionalID string
	// TransactionTimeout is how long the coordinator keeps an idle open
	// transaction before aborting it. Default 10s (as Kafka Streams; sarama's
	// 1 min delays a handover).
	TransactionTimeout time.Duration
	// FlushBytes, when set, makes the producer wait until this many bytes
	// (or 5ms) accumulate per partition before a produce request. Default
	// 0: send as soon as the previous request is answered, which batches
	// naturally under load (one request in flight per broker).
	FlushBytes int
	// TrackOffsets makes the producer record the offset of every
	// acknowledged record, for Acked (the runtime checkpoints its changelog
	// positions with it). Default false: exactly once, acknowledgements are
	// not even returned.
	TrackOffsets bool
}

// Producer writes records, transactionally or at least once. It is used
// by one goroutine (a task); it owns one goroutine draining acks.
//
// Exactly-once use, per batch: Begin, Send..., SendOffsets, Commit (or
// Abort). SendOffsets always passes the live group metadata, so the
// coordinator fences a member that was rebalanced out (KIP-447); a batch
// that produced no record still commits its offsets (sarama v1.61.1 sends
// an offsets-only transaction).
type Producer struct {
	opts ProducerOptions
	ap   sarama.AsyncProducer
	txn  bool
	// track: count pending records and record acked offsets (always
	// at least once; exactly once with TrackOffsets).
	track bool
	wg    sync.WaitGroup

	mu       sync.Mutex
	cond     *sync.Cond
	pending  int // when tracking: sent, not yet acknowledged
	firstErr error
	// acked maps a partition to the offset after its last acknowledged
	// record since Begin (with TrackOffsets).
	acked map[TopicPartition]int64

	// At-least-once: offsets to commit after the flush.
	offsets []Offset
	sess    *Session
}

// NewProducer connects and, for a transactional producer, initialises the
// transactional id (InitProducerID), which fences any older producer with
// the same id and aborts its open transaction.
func NewProducer(opts ProducerOptions) (*Producer, error) {
	cfg, err := opts.config()
	if err != nil {
		return nil, err
	}
	p := &Producer{opts: opts, txn: opts.TransactionalID != "", acked: map[TopicPartition]int64{}}
	p.track = !p.txn || opts.TrackOffsets
	p.cond = sync.NewCond(&p.mu)
	cfg.Producer.Idempotent = true
	cfg.Producer.RequiredAcks = sarama.WaitForAll
	cfg.Net.MaxOpenRequests = 1
	cfg.Producer.Retry.Max = 10
	cfg.Producer.Retry.Backoff = 100 * time.Millisecond
	cfg.Producer.Partitioner = sarama.NewManualPartitioner
	cfg.Producer.Return.Errors = true
	cfg.Producer.Return.Successes = p.track
	if opts.FlushBytes > 0 {
		cfg.Producer.Flush.Bytes = opts.FlushBytes
		cfg.Producer.Flush.Frequency = 5 * time.Millisecond
	}
	cfg.ChannelBufferSize = 1024
	if p.txn {
		cfg.Producer.Transaction.ID = opts.TransactionalID
		cfg.Producer.Transaction.Timeout = opts.TransactionTimeout
		if cfg.Producer.Transaction.Timeout <= 0 {
			cfg.Producer.Transaction.Timeout = 10 * time.Second
		}
		if !cfg.Version.IsAtLeast(minEOSVersion) {
			return nil, fmt.Errorf("kafka: protocol version %s is below 2.5.0, which exactly-once needs", cfg.Version)
		}
	}
	ap, err := sarama.NewAsyncProducer(opts.Brokers, cfg)
	if err != nil {
		if p.txn {
			return nil, fmt.Errorf("kafka: transactional producer %s: %w", opts.TransactionalID, err)
		}
		return nil, fmt.Errorf("kafka: producer: %w", err)
	}
	p.ap = ap
	p.wg.Add(2)
	go p.drainErrors()
	go p.drainSuccesses()
	return p, nil
}

func (p *Producer) drainErrors() {
	defer p.wg.Done()
	for e := range p.ap.Errors() {
		p.mu.Lock()
		if p.firstErr == nil {
			p.firstErr = e.Err
		}
		if p.track {
			p.pending--
			p.cond.Broadcast()
		}
		p.mu.Unlock()
	}
}

func (p *Producer) drainSuccesses() {
	defer p.wg.Done()
	if !p.track {
		return
	}
	for m := range p.ap.Successes() {
		p.mu.Lock()
		if p.opts.TrackOffsets {
			tp := TopicPartition{Topic: m.Topic, Partition: m.Partition}
			if next, ok := p.acked[tp]; !ok || m.Offset+1 > next {
				p.acked[tp] = m.Offset + 1
			}
		}
		p.pending--
		if p.pending == 0 {
			p.cond.Broadcast()
		}
		p.mu.Unlock()
	}
}

// Transactional reports whether p is an exactly-once producer.
func (p *Producer) Transactional() bool { return p.txn }

// TransactionalID returns the transactional id ("" for at-least-once).
func (p *Producer) TransactionalID() string { return p.opts.TransactionalID }

func (p *Producer) wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	if !p.txn {
		return fmt.Errorf("kafka: producer %s: %w", op, err)
	}
	return txnError(op, p.opts.TransactionalID, p.ap.TxnStatus(), err)
}

// Begin starts a transaction (a no-op at least once).
func (p *Producer) Begin() error {
	p.mu.Lock()
	p.firstErr = nil
	clear(p.acked)
	p.mu.Unlock()
	if !p.txn {
		return nil
	}
	return p.wrap("begin", p.ap.BeginTxn())
}

// Send queues r for sending. r.Partition must be set. Errors surface in
// Commit (the transaction becomes abortable) or in Flush.
func (p *Producer) Send(r *Record) {
	m := &sarama.ProducerMessage{Topic: r.Topic, Partition: r.Partition, Timestamp: r.Timestamp}
	if r.Key != nil {
		m.Key = sarama.ByteEncoder(r.Key)
	}
	if r.Value != nil {
		m.Value = sarama.ByteEncoder(r.Value)
	}
	if len(r.Headers) > 0 {
		m.Headers = make([]sarama.RecordHeader, len(r.Headers))
		for i, h := range r.Headers {
			m.Headers[i] = sarama.RecordHeader{Key: []byte(h.Key), Value: h.Value}
		}
	}
	if p.track {
		p.mu.Lock()
		p.pending++
		p.mu.Unlock()
	}
	p.ap.Input() <- m
}

// SendOffsets adds the input offsets of the batch to the transaction,
// with s's group metadata (member id, generation, instance id). At least
// once, the offsets are committed by Commit, after the flush.
func (p *Producer) SendOffsets(s *Session, offsets []Offset) error {
	if len(offsets) == 0 {
		return nil
	}
	if !p.txn {
		p.offsets = append(p.offsets[:0], offsets...)
		p.sess = s
		return nil
	}
	m := make(map[string][]*sarama.PartitionOffsetMetadata, 1)
	for _, o := range offsets {
		md := o.Metadata
		m[o.Topic] = append(m[o.Topic], &sarama.PartitionOffsetMetadata{Partition: o.Partition, Offset: o.Offset, Metadata: &md, LeaderEpoch: -1})
	}
	return p.wrap("offsets", p.ap.AddOffsetsToTxnWithGroupMetadata(m, s.meta))
}

// Flush waits until every record sent is acknowledged and returns the
// first send error since Begin. Exactly once, Commit flushes itself.
func (p *Producer) Flush() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.track {
		for p.pending > 0 {
			p.cond.Wait()
		}
	}
	return p.firstErr
}

// Commit commits the transaction (records and offsets atomically). At
// least once it flushes and then commits the offsets given to SendOffsets.
func (p *Producer) Commit() error {
	if p.txn {
		if err := p.ap.CommitTxn(); err != nil {
			return p.wrap("commit", err)
		}
		if p.track {
			// The transaction's records are acknowledged; wait until
			// their acknowledgements are counted, for Acked.
			p.mu.Lock()
			for p.pending > 0 {
				p.cond.Wait()
			}
			p.mu.Unlock()
		}
		return nil
	}
	if err := p.Flush(); err != nil {
		return p.wrap("flush", err)
	}
	offs, s := p.offsets, p.sess
	p.offsets, p.sess = p.offsets[:0], nil
	if s == nil {
		return nil
	}
	return s.CommitOffsets(offs)
}

// Acked returns, with TrackOffsets, each partition written since Begin
// mapped to the offset after its last acknowledged record. After a
// successful Commit it covers every record of the batch. The map is a
// copy.
func (p *Producer) Acked() map[TopicPartition]int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make(map[TopicPartition]int64, len(p.acked))
	for tp, o := range p.acked {
		out[tp] = o
	}
	return out
}

// Abort aborts the transaction: none of its records become visible to
// read_committed consumers and its offsets are not committed. At least
// once it flushes and forgets the offsets (sent records stay sent).
func (p *Producer) Abort() error {
	if !p.txn {
		err := p.Flush()
		p.offsets, p.sess = p.offsets[:0], nil
		return p.wrap("abort", err)
	}
	// After fencing, AbortTxn fails and the state turns Fatal: the
	// coordinator has aborted the transaction already; the caller
	// re-creates the producer.
	return p.wrap("abort", p.ap.AbortTxn())
}

// InTransaction reports whether a transaction is open.
func (p *Producer) InTransaction() bool {
	return p.txn && p.ap.TxnStatus()&sarama.ProducerTxnFlagInTransaction != 0
}

// Close shuts the producer down and waits for its goroutines. Close an
// exactly-once producer after Commit or Abort: an open transaction is left
// to the coordinator's timeout (or the next producer with the same id).
func (p *Producer) Close() error {
	p.ap.AsyncClose()
	p.wg.Wait()
	return nil
}
