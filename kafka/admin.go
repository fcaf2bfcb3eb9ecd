package kafka

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/IBM/sarama"
)

// MissingTopicsError reports source topics that do not exist.
type MissingTopicsError struct {
	Topics []string
}

// Error renders "kafka: source topics do not exist: a, b".
func (e *MissingTopicsError) Error() string {
	return "kafka: source topics do not exist: " + strings.Join(e.Topics, ", ")
}

// CoPartitionError reports source topics of one sub-topology with
// different partition counts: tasks (partition numbers) would not line up.
type CoPartitionError struct {
	// Partitions maps each topic to its partition count.
	Partitions map[string]int
}

// Error renders "kafka: source topics are not co-partitioned: trades has 4
// partitions, quotes has 2".
func (e *CoPartitionError) Error() string {
	names := make([]string, 0, len(e.Partitions))
	for t := range e.Partitions {
		names = append(names, t)
	}
	sort.Strings(names)
	parts := make([]string, len(names))
	for i, t := range names {
		parts[i] = fmt.Sprintf("%s has %d partitions", t, e.Partitions[t])
	}
	return "kafka: source topics are not co-partitioned: " + strings.Join(parts, ", ")
}

// Admin checks and creates topics.
type Admin struct {
	ca sarama.ClusterAdmin
	// ReplicationFactor is used for topics it creates. Default -1: the
	// broker's default.replication.factor.
	ReplicationFactor int16
}

// NewAdmin connects an admin client.
func NewAdmin(opts Options) (*Admin, error) {
	cfg, err := opts.config()
	if err != nil {
		return nil, err
	}
	ca, err := sarama.NewClusterAdmin(opts.Brokers, cfg)
	if err != nil {
		return nil, fmt.Errorf("kafka: admin: %w", err)
	}
	return &Admin{ca: ca, ReplicationFactor: -1}, nil
}

// Partitions returns the partition count of each of topics that exists.
func (a *Admin) Partitions(topics ...string) (map[string]int, error) {
	md, err := a.ca.DescribeTopics(topics)
	if err != nil {
		return nil, fmt.Errorf("kafka: describe topics: %w", err)
	}
	out := map[string]int{}
	for _, t := range md {
		switch {
		case errors.Is(t.Err, sarama.ErrUnknownTopicOrPartition):
			continue
		case t.Err != sarama.ErrNoError:
			return nil, fmt.Errorf("kafka: describe topic %s: %w", t.Name, t.Err)
		}
		out[t.Name] = len(t.Partitions)
	}
	return out, nil
}

// CheckSources checks that every source topic exists and that all have
// the same partition count, which it returns. The errors are
// *MissingTopicsError and *CoPartitionError.
func (a *Admin) CheckSources(topics []string) (int, error) {
	counts, err := a.Partitions(topics...)
	if err != nil {
		return 0, err
	}
	var missing []string
	for _, t := range topics {
		if _, ok := counts[t]; !ok {
			missing = append(missing, t)
		}
	}
	if len(missing) > 0 {
		return 0, &MissingTopicsError{Topics: missing}
	}
	n := -1
	for _, t := range topics {
		if n == -1 {
			n = counts[t]
		} else if counts[t] != n {
			return 0, &CoPartitionError{Partitions: counts}
		}
	}
	return n, nil
}

// EnsureTopics creates those of topics that do not exist, with partitions
// partitions, and returns the partition count of every topic (existing
// ones keep theirs).
func (a *Admin) EnsureTopics(topics []string, partitions int) (map[string]int, error) {
	counts, err := a.Partitions(topics...)
	if err != nil {
		return nil, err
	}
	for _, t := range topics {
		if _, ok := counts[t]; ok {
			continue
		}
		err := a.ca.CreateTopic(t, &sarama.TopicDetail{NumPartitions: int32(partitions), ReplicationFactor: a.ReplicationFactor}, false)
		if err != nil && !errors.Is(err, sarama.ErrTopicAlreadyExists) {
			return nil, fmt.Errorf("kafka: create topic %s (%d partitions): %w", t, partitions, err)
		}
		counts[t] = partitions
	}
	return counts, nil
}

// TopicSpec is a topic for EnsureTopicSpecs.
type TopicSpec struct {
	Name       string
	Partitions int
	// Configs are topic configs set at creation (cleanup.policy, ...).
	Configs map[string]string
}

// EnsureTopicSpecs creates those of specs that do not exist and returns
// the partition count of every topic (existing ones keep theirs and their
// configs).
func (a *Admin) EnsureTopicSpecs(specs []TopicSpec) (map[string]int, error) {
	names := make([]string, len(specs))
	for i, s := range specs {
		names[i] = s.Name
	}
	counts, err := a.Partitions(names...)
	if err != nil {
		return nil, err
	}
	for _, s := range specs {
		if _, ok := counts[s.Name]; ok {
			continue
		}
		d := &sarama.TopicDetail{NumPartitions: int32(s.Partitions), ReplicationFactor: a.ReplicationFactor}
		if len(s.Configs) > 0 {
			d.ConfigEntries = make(map[string]*string, len(s.Configs))
			for k, v := range s.Configs {
				d.ConfigEntries[k] = &v
			}
		}
		err := a.ca.CreateTopic(s.Name, d, false)
		if err != nil && !errors.Is(err, sarama.ErrTopicAlreadyExists) {
			return nil, fmt.Errorf("kafka: create topic %s (%d partitions): %w", s.Name, s.Partitions, err)
		}
		counts[s.Name] = s.Partitions
	}
	return counts, nil
}

// DeleteRecords deletes the records of topic before the given offset of
// each partition (it moves their log start offsets), as the readers of a
// repartition topic purge what they have committed.
func (a *Admin) DeleteRecords(topic string, before map[int32]int64) error {
	if err := a.ca.DeleteRecords(topic, before); err != nil {
		return fmt.Errorf("kafka: delete records of %s: %w", topic, err)
	}
	return nil
}

// Close closes the admin client.
func (a *Admin) Close() error {
	if err := a.ca.Close(); err != nil {
		return fmt.Errorf("kafka: close admin: %w", err)
	}
	return nil
}
