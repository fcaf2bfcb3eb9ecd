package kafka

import (
	"fmt"
	"sort"

	"github.com/IBM/sarama"
)

// AssignorName is the name the task assignor registers in the group
// protocol. Every member of a pipeline's group must use it.
const AssignorName = "eventflux-task"

// taskAssignor is a sarama BalanceStrategy that assigns tasks, not
// topic-partitions. Topics belong to topic groups (a pipeline's
// sub-topologies; GroupOptions.TopicGroups), and a task is a topic group
// and a partition NUMBER: whoever owns task (g, n) gets partition n of
// every subscribed topic of group g that has it. That keeps the
// co-partitioned inputs of a join (or a merge) on one member, which the
// built-in strategies do not guarantee.
//
// The plan is deterministic: members are ordered by member id, tasks by
// group then partition, and the tasks are dealt out in contiguous ranges,
// sizes differing by at most one (like Kafka's range assignor, but across
// topics at once). The leader's groups decide; every member of a pipeline
// runs the same topology, so they agree.
type taskAssignor struct {
	groups map[string]int
}

// Name implements sarama.BalanceStrategy.
func (taskAssignor) Name() string { return AssignorName }

// Plan implements sarama.BalanceStrategy.
func (a taskAssignor) Plan(members map[string]sarama.ConsumerGroupMemberMetadata, topics map[string][]int32) (sarama.BalanceStrategyPlan, error) {
	return planTasks(members, topics, a.groups)
}

// AssignmentData implements sarama.BalanceStrategy; the task assignor
// sends no user data.
func (taskAssignor) AssignmentData(string, map[string][]int32, int32) ([]byte, error) {
	return nil, nil
}

// taskKey is a task of the plan.
type taskKey struct {
	group     int
	partition int32
}

// planTasks computes the task plan; it is a function of its inputs only.
// groups maps topics to topic groups (a topic it lacks is in group 0).
func planTasks(members map[string]sarama.ConsumerGroupMemberMetadata, topics map[string][]int32, groups map[string]int) (sarama.BalanceStrategyPlan, error) {
	plan := sarama.BalanceStrategyPlan{}
	if len(members) == 0 {
		return plan, nil
	}
	ids := make([]string, 0, len(members))
	for id := range members {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	// Every partition number present in any topic of a group is a task.
	taskSet := map[taskKey]bool{}
	for topic, parts := range topics {
		for _, p := range parts {
			taskSet[taskKey{groups[topic], p}] = true
		}
	}
	tasks := make([]taskKey, 0, len(taskSet))
	for k := range taskSet {
		tasks = append(tasks, k)
	}
	sort.Slice(tasks, func(i, j int) bool {
		if tasks[i].group != tasks[j].group {
			return tasks[i].group < tasks[j].group
		}
		return tasks[i].partition < tasks[j].partition
	})

	n, m := len(tasks), len(ids)
	for i, id := range ids {
		lo, hi := i*n/m, (i+1)*n/m
		subscribed := map[string]bool{}
		for _, t := range members[id].Topics {
			subscribed[t] = true
		}
		for _, task := range tasks[lo:hi] {
			for topic, parts := range topics {
				if !subscribed[topic] || groups[topic] != task.group {
					continue
				}
				if hasPartition(parts, task.partition) {
					plan.Add(id, topic, task.partition)
				}
			}
		}
	}
	for id, subs := range plan {
		for topic := range subs {
			sort.Slice(plan[id][topic], func(i, j int) bool { return plan[id][topic][i] < plan[id][topic][j] })
		}
	}
	if len(plan) > m {
		return nil, fmt.Errorf("kafka: task assignor planned for unknown members")
	}
	return plan, nil
}

func hasPartition(parts []int32, p int32) bool {
	for _, q := range parts {
		if q == p {
			return true
		}
	}
	return false
}
