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
	plan, err := planTasks(members, topics)
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
	again, _ := planTasks(members, topics)
	if !reflect.DeepEqual(plan, again) {
		t.Fatal("plan is not deterministic")
	}
}

func TestPlanTasksMoreMembersThanTasks(t *testing.T) {
	members := map[string]sarama.ConsumerGroupMemberMetadata{
		"a": {Topics: []string{"t"}}, "b": {Topics: []string{"t"}}, "c": {Topics: []string{"t"}},
	}
	plan, err := planTasks(members, map[string][]int32{"t": {0, 1}})
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
