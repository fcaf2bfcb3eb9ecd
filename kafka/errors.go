package kafka

import (
	"context"
	"errors"
	"fmt"
	"net"

	"github.com/IBM/sarama"
)

// TxnError is a failed transactional-producer call, with the producer's
// transaction state flags captured right after the failure. The flags, not
// the broker's error code, decide what the caller must do: brokers answer
// a fenced producer with different codes (the measured notes show kfake
// answering INVALID_TXN_STATE where Apache Kafka says PRODUCER_FENCED).
type TxnError struct {
	// Op is the call that failed: begin, send, offsets, commit, abort.
	Op string
	// TransactionalID is the producer's transactional.id.
	TransactionalID string
	// Abortable is set when the producer is in an abortable error state:
	// Abort, then rewind to the committed offsets.
	Abortable bool
	// Fatal is set when the producer cannot continue: close it and create
	// a new one with the same transactional id (which fences the old
	// epoch and aborts its open transaction).
	Fatal bool
	// State is sarama's rendering of the flags, for logs.
	State string
	Err   error
}

// Error renders "kafka: txn commit (app-0): <err> [state]".
func (e *TxnError) Error() string {
	return fmt.Sprintf("kafka: txn %s (%s): %v [%s]", e.Op, e.TransactionalID, e.Err, e.State)
}

// Unwrap returns the underlying error.
func (e *TxnError) Unwrap() error { return e.Err }

// fencedCodes are broker answers meaning another producer or member took
// over: the caller is a zombie.
var fencedCodes = []error{
	sarama.ErrProducerFenced,
	sarama.ErrInvalidProducerEpoch,
	sarama.ErrFencedInstancedId,
	sarama.ErrInvalidProducerIDMapping,
	sarama.ErrUnknownProducerID,
}

// generationCodes mean the group moved on: the member's generation is
// stale, so its offsets are rejected (KIP-447 fencing).
var generationCodes = []error{
	sarama.ErrIllegalGeneration,
	sarama.ErrUnknownMemberId,
	sarama.ErrRebalanceInProgress,
}

// IsFenced reports whether err says this worker was fenced: another
// producer with the same transactional id, or a newer group generation,
// took over. The work of the current transaction is lost (it is aborted);
// the caller must rejoin and restart from committed offsets.
func IsFenced(err error) bool {
	if err == nil {
		return false
	}
	for _, c := range fencedCodes {
		if errors.Is(err, c) {
			return true
		}
	}
	for _, c := range generationCodes {
		if errors.Is(err, c) {
			return true
		}
	}
	return false
}

// IsFatal reports whether the producer that returned err cannot be used
// again and must be closed and re-created. Keyed on the transaction state
// flag FatalError; a producer-fencing code counts too.
func IsFatal(err error) bool {
	var te *TxnError
	if errors.As(err, &te) && te.Fatal {
		return true
	}
	for _, c := range fencedCodes {
		if errors.Is(err, c) {
			return true
		}
	}
	return false
}

// IsAbortable reports whether err left the producer in an abortable state:
// Abort the transaction and rewind, but the producer itself may be reused.
func IsAbortable(err error) bool {
	var te *TxnError
	return errors.As(err, &te) && te.Abortable && !te.Fatal
}

// IsRetriable reports whether err is transient (a broker or the network
// not available right now): the same call may succeed after a backoff.
func IsRetriable(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	if IsFatal(err) {
		return false
	}
	var ke sarama.KError
	if errors.As(err, &ke) {
		switch ke {
		case sarama.ErrNotLeaderForPartition, sarama.ErrLeaderNotAvailable, sarama.ErrRequestTimedOut,
			sarama.ErrNetworkException, sarama.ErrNotEnoughReplicas, sarama.ErrNotEnoughReplicasAfterAppend,
			sarama.ErrOffsetsLoadInProgress, sarama.ErrConsumerCoordinatorNotAvailable,
			sarama.ErrNotCoordinatorForConsumer, sarama.ErrUnknownTopicOrPartition,
			sarama.ErrConcurrentTransactions, sarama.ErrUnstableOffsetCommit, sarama.ErrRebalanceInProgress,
			sarama.ErrKafkaStorageError, sarama.ErrFencedLeaderEpoch,
			sarama.ErrUnknownLeaderEpoch, sarama.ErrThrottlingQuotaExceeded:
			return true
		}
		return false
	}
	if errors.Is(err, sarama.ErrOutOfBrokers) || errors.Is(err, sarama.ErrNotConnected) ||
		errors.Is(err, sarama.ErrControllerNotAvailable) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne)
}

// txnError wraps err from call op with the producer's current state flags.
func txnError(op, id string, status sarama.ProducerTxnStatusFlag, err error) error {
	if err == nil {
		return nil
	}
	return &TxnError{
		Op:              op,
		TransactionalID: id,
		Abortable:       status&sarama.ProducerTxnFlagAbortableError != 0,
		Fatal:           status&sarama.ProducerTxnFlagFatalError != 0,
		State:           status.String(),
		Err:             err,
	}
}
