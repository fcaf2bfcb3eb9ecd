package kafka

import (
	"reflect"
	"testing"

	"github.com/IBM/sarama"
)

func TestPlanTasksKeepsPartitionNumbersTogether(t *testing.T) {
	members := map[string]sarama.ConsumerGroupMemberMetadata{
		"m-b": {Topics: []string{"trades", "quotes"}},
		"m-a": {Topics: []string{"trades", "quotes"}},
		"m-c": {Topics: []string{"trades", "quotes"}},
	}
	topics := map[string][]int32{"trades": {3, 1, 0, 2, 4}, "quotes": {0, 1, 2, 3, 4}}
	plan, err := planTasks(members, topics, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := sarama.BalanceStrategyPlan{
		"m-a": {"trades": {0}, "quotes": {0}},
		"m-b": {"trades": {1, 2}, "quotes": {1, 2}},
		"m-c": {"trades": {3, 4}, "quotes": {3, 4}},
	}
	if !reflect.DeepEqual(plan, want) {
		t.Fatalf("plan = %v, want %v", plan, want)
	}
	again, _ := planTasks(members, topics, nil)
	if !reflect.DeepEqual(plan, again) {
		t.Fatal("plan is not deterministic")
	}
}

func TestPlanTasksMoreMembersThanTasks(t *testing.T) {
	members := map[string]sarama.ConsumerGroupMemberMetadata{
		"a": {Topics: []string{"t"}}, "b": {Topics: []string{"t"}}, "c": {Topics: []string{"t"}},
	}
	plan, err := planTasks(members, map[string][]int32{"t": {0, 1}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, subs := range plan {
		for _, parts := range subs {
			total += len(parts)
			if len(parts) > 1 {
				t.Fatalf("unbalanced plan %v", plan)
			}
		}
	}
	if total != 2 {
		t.Fatalf("plan %v assigns %d partitions, want 2", plan, total)
	}
}

// Topic groups make separate tasks of the same partition number: the
// repartition topic's partition 0 is another task than the source's.
func TestPlanTasksTopicGroups(t *testing.T) {
	members := map[string]sarama.ConsumerGroupMemberMetadata{
		"a": {Topics: []string{"src", "rp", "one"}}, "b": {Topics: []string{"src", "rp", "one"}},
	}
	topics := map[string][]int32{"src": {0, 1}, "rp": {0, 1}, "one": {0}}
	groups := map[string]int{"src": 0, "rp": 1, "one": 2}
	plan, err := planTasks(members, topics, groups)
	if err != nil {
		t.Fatal(err)
	}
	// Tasks 0_0, 0_1 | 1_0, 1_1, 2_0.
	want := sarama.BalanceStrategyPlan{
		"a": {"src": {0, 1}},
		"b": {"rp": {0, 1}, "one": {0}},
	}
	if !reflect.DeepEqual(plan, want) {
		t.Fatalf("plan = %v, want %v", plan, want)
	}
}
