package kafka

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/IBM/sarama"
)

// GroupOptions configures a Group.
type GroupOptions struct {
	Options
	// Group is the consumer group id (the pipeline's app id). Required.
	Group string
	// InstanceID, when set, enables static membership (KIP-345): a restart
	// within the session timeout keeps the assignment without a rebalance.
	// Default "": dynamic membership.
	InstanceID string
	// Topics are the source topics, in topic order. Required.
	Topics []string
	// TopicGroups maps topics to topic groups: the sub-topologies whose
	// tasks read them (see TaskAssignment). Every member must pass the
	// same map. Default: every topic in group 0.
	TopicGroups map[string]int
	// ReadUncommitted makes the consumer see records of open and aborted
	// transactions. Default false: read_committed, as exactly-once needs.
	ReadUncommitted bool
	// SessionTimeout is how long the coordinator waits for heartbeats
	// before evicting the member. Default 10s.
	SessionTimeout time.Duration
	// HeartbeatInterval is the heartbeat period. Default SessionTimeout/3,
	// at most 1s.
	HeartbeatInterval time.Duration
	// RebalanceTimeout bounds how long the group waits for members to
	// rejoin (and so how long a member may take to commit on revocation).
	// Default 30s.
	RebalanceTimeout time.Duration
	// BatchSize is the largest number of records delivered in one batch.
	// Default 512.
	BatchSize int
	// Logf receives diagnostic messages. Default: discarded.
	Logf func(format string, args ...any)
}

func (o *GroupOptions) defaults() error {
	if o.Group == "" {
		return errors.New("kafka: group id is required")
	}
	if len(o.Topics) == 0 {
		return errors.New("kafka: group needs at least one topic")
	}
	if o.SessionTimeout <= 0 {
		o.SessionTimeout = 10 * time.Second
	}
	if o.HeartbeatInterval <= 0 {
		o.HeartbeatInterval = min(o.SessionTimeout/3, time.Second)
	}
	if o.RebalanceTimeout <= 0 {
		o.RebalanceTimeout = 30 * time.Second
	}
	if o.BatchSize <= 0 {
		o.BatchSize = 512
	}
	if o.Logf == nil {
		o.Logf = func(string, ...any) {}
	}
	return nil
}

// Group is one member of a consumer group. Consume runs one generation at a
// time; Close leaves the group. A Group is used by one goroutine.
type Group struct {
	opts   GroupOptions
	cfg    *sarama.Config
	client sarama.Client
	cg     sarama.ConsumerGroup
	errWG  sync.WaitGroup
}

// NewGroup connects to the cluster; it joins the group on Consume.
func NewGroup(opts GroupOptions) (*Group, error) {
	if err := opts.defaults(); err != nil {
		return nil, err
	}
	cfg, err := opts.config()
	if err != nil {
		return nil, err
	}
	if !cfg.Version.IsAtLeast(minEOSVersion) {
		return nil, fmt.Errorf("kafka: protocol version %s is below 2.5.0, which stable offset fetches need", cfg.Version)
	}
	cfg.Consumer.Return.Errors = true
	cfg.Consumer.Offsets.AutoCommit.Enable = false
	cfg.Consumer.Offsets.Initial = sarama.OffsetOldest
	cfg.Consumer.Group.Rebalance.GroupStrategies = []sarama.BalanceStrategy{taskAssignor{groups: opts.TopicGroups}}
	cfg.Consumer.Group.Session.Timeout = opts.SessionTimeout
	cfg.Consumer.Group.Heartbeat.Interval = opts.HeartbeatInterval
	cfg.Consumer.Group.Rebalance.Timeout = opts.RebalanceTimeout
	// The coordinator may hold a JoinGroup for up to the rebalance timeout
	// (waiting for a member that died mid-join); a read timeout no longer
	// than that gives up just as the answer comes, and the group never
	// settles. Java clients wait rebalance timeout + 5s likewise.
	cfg.Net.ReadTimeout = max(cfg.Net.ReadTimeout, opts.RebalanceTimeout+5*time.Second)
	cfg.Consumer.Group.Rebalance.Retry.Backoff = 200 * time.Millisecond
	cfg.Consumer.Fetch.Default = 1 << 20
	cfg.Consumer.MaxWaitTime = 100 * time.Millisecond
	cfg.ChannelBufferSize = 1024
	if opts.InstanceID != "" {
		cfg.Consumer.Group.InstanceId = opts.InstanceID
	}
	cfg.Consumer.IsolationLevel = sarama.ReadCommitted
	if opts.ReadUncommitted {
		cfg.Consumer.IsolationLevel = sarama.ReadUncommitted
	}
	client, err := sarama.NewClient(opts.Brokers, cfg)
	if err != nil {
		return nil, fmt.Errorf("kafka: connect: %w", err)
	}
	cg, err := sarama.NewConsumerGroupFromClient(opts.Group, client)
	if err != nil {
		client.Close()
		return nil, fmt.Errorf("kafka: consumer group %s: %w", opts.Group, err)
	}
	g := &Group{opts: opts, cfg: cfg, client: client, cg: cg}
	g.errWG.Add(1)
	go func() {
		defer g.errWG.Done()
		for err := range cg.Errors() {
			g.opts.Logf("kafka: group %s: %v", opts.Group, err)
		}
	}()
	return g, nil
}

// SessionFunc runs one generation of the group. It is called once the
// member's partitions are assigned and their committed offsets fetched;
// the session ends when fn returns, when the group rebalances, or when the
// Consume context is done (s.Context() is cancelled in the last two cases:
// fn must then finish its work and return).
type SessionFunc func(s *Session) error

// Consume joins (or rejoins) the group and runs fn for one generation. It
// returns fn's error, or the error that kept the session from starting,
// or nil after a normal end (rebalance, fn returned nil). It returns
// ctx.Err() once ctx is done.
func (g *Group) Consume(ctx context.Context, fn SessionFunc) error {
	h := &groupHandler{g: g, fn: fn}
	err := g.cg.Consume(ctx, g.opts.Topics, h)
	if h.fnErr != nil {
		return h.fnErr
	}
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("kafka: group %s: %w", g.opts.Group, err)
	}
	return ctx.Err()
}

// Close leaves the group (a static member does not send LeaveGroup) and
// closes the connections. It waits for the group's goroutines.
func (g *Group) Close() error {
	err := g.cg.Close()
	g.errWG.Wait()
	if cerr := g.client.Close(); cerr != nil && !errors.Is(cerr, sarama.ErrClosedClient) && err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("kafka: close group %s: %w", g.opts.Group, err)
	}
	return nil
}

// groupHandler adapts a SessionFunc to sarama's ConsumerGroupHandler.
type groupHandler struct {
	g     *Group
	fn    SessionFunc
	sess  *Session
	done  chan struct{}
	fnErr error
}

// Setup fetches stable committed offsets, repositions the claims on them
// and starts fn on its own goroutine.
func (h *groupHandler) Setup(ss sarama.ConsumerGroupSession) error {
	s, err := h.g.newSession(ss)
	if err != nil {
		return err
	}
	h.sess, h.done = s, make(chan struct{})
	go func() {
		defer close(h.done)
		err := h.fn(s)
		if err != nil {
			h.fnErr = err
		}
		s.End()
	}()
	return nil
}

// Cleanup waits for fn: a generation's partitions are not released before
// its transactions are finished.
func (h *groupHandler) Cleanup(sarama.ConsumerGroupSession) error {
	if h.done != nil {
		h.sess.End()
		<-h.done
	}
	return nil
}

// ConsumeClaim forwards the claim's messages, in batches, to the session's
// channel for the partition, until the session ends.
func (h *groupHandler) ConsumeClaim(_ sarama.ConsumerGroupSession, claim sarama.ConsumerGroupClaim) error {
	s := h.sess
	tp := TopicPartition{claim.Topic(), claim.Partition()}
	ch := s.chans[tp]
	if ch == nil {
		return nil
	}
	s.setClaim(tp, claim)
	ctx := s.ctx
	msgs := claim.Messages()
	max := h.g.opts.BatchSize
	for {
		var batch []Record
		select {
		case <-ctx.Done():
			return nil
		case m, ok := <-msgs:
			if !ok {
				return nil
			}
			batch = make([]Record, 0, min(max, 1+len(msgs)))
			batch = append(batch, toRecord(m))
		}
	fill:
		for len(batch) < max {
			select {
			case m, ok := <-msgs:
				if !ok {
					break fill
				}
				batch = append(batch, toRecord(m))
			default:
				break fill
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case ch <- batch:
		}
	}
}

func toRecord(m *sarama.ConsumerMessage) Record {
	r := Record{Topic: m.Topic, Partition: m.Partition, Offset: m.Offset, Key: m.Key, Value: m.Value, Timestamp: m.Timestamp}
	if len(m.Headers) > 0 {
		r.Headers = make([]Header, len(m.Headers))
		for i, h := range m.Headers {
			r.Headers[i] = Header{Key: string(h.Key), Value: h.Value}
		}
	}
	return r
}
