package kafka

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/IBM/sarama"
)

// Assignment is what one member owns in one generation.
type Assignment struct {
	MemberID   string
	Generation int32
	// Tasks are the assigned tasks in ascending order of topic group,
	// then partition.
	Tasks []TaskAssignment
}

// TaskAssignment is one task: a topic group and a partition number, and
// the partition of each of the group's topics that has it.
type TaskAssignment struct {
	// TopicGroup is the task's topic group (GroupOptions.TopicGroups).
	TopicGroup int
	// Task is the partition number.
	Task int32
	// Inputs are the task's partitions, in the group's topic order, with
	// the committed offsets they resume from.
	Inputs []Committed
}

// Committed is a partition's committed position, read with RequireStable.
type Committed struct {
	Topic     string
	Partition int32
	// Offset is the next offset to read, or -1 when nothing is committed
	// (consumption starts at the oldest record).
	Offset   int64
	Metadata string
}

// Session is one generation of group membership: the assignment, a
// channel of record batches per assigned partition, and the group
// metadata transactional offset commits carry (KIP-447).
type Session struct {
	g      *Group
	ss     sarama.ConsumerGroupSession
	ctx    context.Context
	cancel context.CancelFunc
	once   sync.Once
	asg    Assignment
	chans  map[TopicPartition]chan []Record
	meta   *sarama.ConsumerGroupMetadata

	// claims holds each partition's claim once its forwarder runs, for
	// HighWaterMark.
	claimMu sync.Mutex
	claims  map[TopicPartition]sarama.ConsumerGroupClaim
}

// Context is done when the session ends: a rebalance, End, or the Consume
// context being done.
func (s *Session) Context() context.Context { return s.ctx }

// Assignment returns the member's tasks for this generation.
func (s *Session) Assignment() Assignment { return s.asg }

// Records returns the channel delivering tp's records in offset order,
// starting at its committed offset; nil if tp is not assigned. The
// channel is never closed: select on Context().Done() too.
func (s *Session) Records(tp TopicPartition) <-chan []Record { return s.chans[tp] }

// HighWaterMark returns the offset the broker will give tp's next record
// (the end of the log) as of the latest fetch, or -1 before the first
// fetch or when tp is not assigned. It is safe for concurrent use.
func (s *Session) HighWaterMark(tp TopicPartition) int64 {
	s.claimMu.Lock()
	c := s.claims[tp]
	s.claimMu.Unlock()
	if c == nil {
		return -1
	}
	if hwm := c.HighWaterMarkOffset(); hwm > 0 {
		return hwm
	}
	return -1
}

func (s *Session) setClaim(tp TopicPartition, c sarama.ConsumerGroupClaim) {
	s.claimMu.Lock()
	s.claims[tp] = c
	s.claimMu.Unlock()
}

// End ends the session for every task of this member, e.g. to rewind
// after an aborted transaction: the next session resumes from the
// committed offsets. It is safe to call more than once and concurrently.
func (s *Session) End() { s.once.Do(s.cancel) }

// Group returns the group id.
func (s *Session) Group() string { return s.g.opts.Group }

func (g *Group) newSession(ss sarama.ConsumerGroupSession) (*Session, error) {
	ctx, cancel := context.WithCancel(ss.Context())
	s := &Session{g: g, ss: ss, ctx: ctx, cancel: cancel, chans: map[TopicPartition]chan []Record{},
		claims: map[TopicPartition]sarama.ConsumerGroupClaim{}}
	var inst *string
	if g.opts.InstanceID != "" {
		id := g.opts.InstanceID
		inst = &id
	}
	s.meta = sarama.NewConsumerGroupMetadataFromSession(ss, g.opts.Group, inst)
	claims := ss.Claims()
	committed, err := g.fetchStable(ctx, claims)
	if err != nil {
		cancel()
		return nil, err
	}
	order := map[string]int{}
	for i, t := range g.opts.Topics {
		order[t] = i
	}
	tasks := map[taskKey]*TaskAssignment{}
	for topic, parts := range claims {
		for _, p := range parts {
			tp := TopicPartition{topic, p}
			s.chans[tp] = make(chan []Record, 4)
			c := committed[tp]
			if c.Offset >= 0 {
				// Move sarama's start position to the stable offset:
				// MarkOffset only moves forward, ResetOffset only back.
				ss.MarkOffset(topic, p, c.Offset, c.Metadata)
				ss.ResetOffset(topic, p, c.Offset, c.Metadata)
			}
			key := taskKey{g.opts.TopicGroups[topic], p}
			ta := tasks[key]
			if ta == nil {
				ta = &TaskAssignment{TopicGroup: key.group, Task: p}
				tasks[key] = ta
			}
			ta.Inputs = append(ta.Inputs, c)
		}
	}
	s.asg = Assignment{MemberID: ss.MemberID(), Generation: ss.GenerationID()}
	for _, ta := range tasks {
		sort.Slice(ta.Inputs, func(i, j int) bool { return order[ta.Inputs[i].Topic] < order[ta.Inputs[j].Topic] })
		s.asg.Tasks = append(s.asg.Tasks, *ta)
	}
	sort.Slice(s.asg.Tasks, func(i, j int) bool {
		a, b := s.asg.Tasks[i], s.asg.Tasks[j]
		return a.TopicGroup < b.TopicGroup || (a.TopicGroup == b.TopicGroup && a.Task < b.Task)
	})
	return s, nil
}

// fetchStable reads the committed offsets of claims with RequireStable
// (KIP-447), retrying while a previous owner's transaction holding offsets
// for them is still open (UNSTABLE_OFFSET_COMMIT). sarama's own fetch does
// not set the flag, so a new owner could otherwise start from a stale
// offset and duplicate output when the zombie's transaction commits.
func (g *Group) fetchStable(ctx context.Context, claims map[string][]int32) (map[TopicPartition]Committed, error) {
	out := map[TopicPartition]Committed{}
	if len(claims) == 0 {
		return out, nil
	}
	backoff := 20 * time.Millisecond
	for {
		done, err := g.tryFetchStable(claims, out)
		if done {
			return out, nil
		}
		if err != nil && !IsRetriable(err) {
			return nil, fmt.Errorf("kafka: stable offset fetch: %w", err)
		}
		if err != nil {
			_ = g.client.RefreshCoordinator(g.opts.Group)
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("kafka: stable offset fetch: %w", ctx.Err())
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, time.Second)
	}
}

// tryFetchStable makes one attempt; done is false when it must be
// retried (err then says why, or is nil for an unstable answer).
func (g *Group) tryFetchStable(claims map[string][]int32, out map[TopicPartition]Committed) (done bool, err error) {
	coord, err := g.client.Coordinator(g.opts.Group)
	if err != nil {
		return false, err
	}
	req := sarama.NewOffsetFetchRequest(g.cfg.Version, g.opts.Group, claims)
	req.RequireStable = true
	resp, err := coord.FetchOffset(req)
	if err != nil {
		return false, err
	}
	if kerr := resp.GroupError(); kerr != sarama.ErrNoError {
		if kerr == sarama.ErrUnstableOffsetCommit {
			return false, nil
		}
		return false, kerr
	}
	for topic, parts := range claims {
		for _, p := range parts {
			b := resp.GetBlock(topic, p)
			if b == nil {
				out[TopicPartition{topic, p}] = Committed{Topic: topic, Partition: p, Offset: -1}
				continue
			}
			switch b.Err {
			case sarama.ErrNoError:
			case sarama.ErrUnstableOffsetCommit:
				return false, nil
			default:
				return false, b.Err
			}
			out[TopicPartition{topic, p}] = Committed{Topic: topic, Partition: p, Offset: b.Offset, Metadata: b.Metadata}
		}
	}
	return true, nil
}

// CommitOffsets commits offsets outside any transaction, with this
// session's generation and member id, so the coordinator rejects it if the
// group has moved on. At-least-once mode commits this way; nothing else
// in a member commits plain offsets (auto-commit is off).
func (s *Session) CommitOffsets(offsets []Offset) error {
	if len(offsets) == 0 {
		return nil
	}
	req := sarama.NewOffsetCommitRequest(s.g.cfg, s.g.opts.Group)
	req.ConsumerGroupGeneration = s.asg.Generation
	req.ConsumerID = s.asg.MemberID
	req.GroupInstanceId = s.meta.GroupInstanceID
	for _, o := range offsets {
		req.AddBlock(o.Topic, o.Partition, o.Offset, 0, o.Metadata)
	}
	var lastErr error
	for attempt := 0; attempt < 5; attempt++ {
		if attempt > 0 {
			time.Sleep(time.Duration(attempt) * 100 * time.Millisecond)
			_ = s.g.client.RefreshCoordinator(s.g.opts.Group)
		}
		coord, err := s.g.client.Coordinator(s.g.opts.Group)
		if err != nil {
			lastErr = err
			continue
		}
		resp, err := coord.CommitOffset(req)
		if err != nil {
			lastErr = err
			continue
		}
		lastErr = nil
		for _, parts := range resp.Errors {
			for _, kerr := range parts {
				if kerr != sarama.ErrNoError && lastErr == nil {
					lastErr = kerr
				}
			}
		}
		if lastErr == nil || !IsRetriable(lastErr) {
			break
		}
	}
	if lastErr != nil {
		return fmt.Errorf("kafka: commit offsets for group %s: %w", s.g.opts.Group, lastErr)
	}
	return nil
}

// errSessionEnded is returned by producer calls that need a live session.
var errSessionEnded = errors.New("kafka: session ended")
