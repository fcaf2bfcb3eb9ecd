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
// topic-partitions: a task is a partition NUMBER, and whoever owns task n
// gets partition n of every subscribed topic that has it. That keeps the
// co-partitioned inputs of a join (or a merge) on one member, which the
// built-in strategies do not guarantee.
//
// The plan is deterministic: members are ordered by member id and task
// numbers are dealt out in contiguous ranges, sizes differing by at most
// one (like Kafka's range assignor, but across topics at once).
type taskAssignor struct{}

// Name implements sarama.BalanceStrategy.
func (taskAssignor) Name() string { return AssignorName }

// Plan implements sarama.BalanceStrategy.
func (taskAssignor) Plan(members map[string]sarama.ConsumerGroupMemberMetadata, topics map[string][]int32) (sarama.BalanceStrategyPlan, error) {
	return planTasks(members, topics)
}

// AssignmentData implements sarama.BalanceStrategy; the task assignor
// sends no user data.
func (taskAssignor) AssignmentData(string, map[string][]int32, int32) ([]byte, error) {
	return nil, nil
}

// planTasks computes the task plan; it is a function of its inputs only.
func planTasks(members map[string]sarama.ConsumerGroupMemberMetadata, topics map[string][]int32) (sarama.BalanceStrategyPlan, error) {
	plan := sarama.BalanceStrategyPlan{}
	if len(members) == 0 {
		return plan, nil
	}
	ids := make([]string, 0, len(members))
	for id := range members {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	// Every partition number present in any topic is a task.
	taskSet := map[int32]bool{}
	for _, parts := range topics {
		for _, p := range parts {
			taskSet[p] = true
		}
	}
	tasks := make([]int32, 0, len(taskSet))
	for p := range taskSet {
		tasks = append(tasks, p)
	}
	sort.Slice(tasks, func(i, j int) bool { return tasks[i] < tasks[j] })

	n, m := len(tasks), len(ids)
	for i, id := range ids {
		lo, hi := i*n/m, (i+1)*n/m
		subscribed := map[string]bool{}
		for _, t := range members[id].Topics {
			subscribed[t] = true
		}
		for _, task := range tasks[lo:hi] {
			for topic, parts := range topics {
				if !subscribed[topic] {
					continue
				}
				if hasPartition(parts, task) {
					plan.Add(id, topic, task)
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
