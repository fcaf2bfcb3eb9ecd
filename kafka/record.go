package kafka

import "time"

// Header is one record header.
type Header struct {
	Key   string
	Value []byte
}

// Record is one Kafka record, consumed or to be produced.
type Record struct {
	Topic string
	// Partition is the record's partition. A produced record must set it
	// (>= 0): the producer partitions manually, so the runtime decides
	// placement with the Java-compatible murmur2 partitioner.
	Partition int32
	// Offset is set on consumed records.
	Offset int64
	Key    []byte
	Value  []byte
	// Timestamp is the record timestamp (create or log-append time). A
	// produced record with a zero Timestamp gets the time of sending.
	Timestamp time.Time
	Headers   []Header
}

// TopicPartition names one partition of a topic.
type TopicPartition struct {
	Topic     string
	Partition int32
}

// Offset is the position to commit for a partition: the offset of the next
// record to read (last processed + 1).
type Offset struct {
	Topic     string
	Partition int32
	Offset    int64
	// Metadata is stored with the committed offset (e.g. stream time).
	Metadata string
}
