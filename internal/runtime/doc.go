// Package runtime is the EventFlux worker: it joins the pipeline's consumer
// group, runs one topology task per assigned task, and moves records
// consume -> decode -> task.Process -> encode -> produce, committing
// outputs and input offsets together (exactly-once) or after each other
// (at-least-once).
//
// Tasks. Repartition topics cut the topology into sub-topologies
// (topology.SubTopologies). Each sub-topology, or several whose source
// streams share a topic, is a unit: the topology it runs
// (topology.View), the topics it consumes (a topic group for the
// assignor) and a stable name, "s" and a hash of its processors. A task
// is a unit and a partition number, named "<unit>_<n>": partition n of
// each topic the unit consumes. An upstream task writes the events a
// query inserts into a repartition stream to the repartition topic, in
// its transaction, keyed by the key attributes (murmur2) or to the one
// partition of a global query's topic; the reading unit's tasks consume
// it like a source, read_committed, and purge what they committed
// (DeleteRecords) every RepartitionPurgeInterval. A watermark record
// (HeaderWatermark) moves a task's stream time without an event and is
// forwarded through the repartition topics the task writes.
//
// Goroutines and their owners. Run owns everything it starts and returns
// only after all of it has exited:
//
//	Run
//	└─ kafka.Group (sarama's member goroutines, one forwarder per claim)
//	   └─ per generation: one goroutine per task (taskRun.run)
//	      └─ its kafka.Producer (one ack-draining goroutine)
//
// One goroutine owns a task, its topology.Task, its decoders and its
// producer; nothing is shared between tasks but read-only plans.
//
// Exactly-once. Each task has a transactional producer with
// transactional.id "<app>-<unit>_<n>", so a zombie owner of the same task is
// fenced by epoch when the new owner initialises its producer, and by
// generation (KIP-447) because offsets always go with the live group
// metadata. A transaction spans up to CommitInterval of input; it is
// opened by the first record and committed with the next offsets even if
// the batch produced nothing (sarama v1.61.1 sends offsets-only
// transactions). On a commit failure the task aborts and the generation
// ends, so every task restarts from the committed offsets (fetched with
// RequireStable); a fatal producer error (fenced) also closes the
// producer, and a new one is created for the next generation.
//
// Shutdown order (on ctx cancel): every task finishes its open
// transaction (commit, or abort if the commit fails), the member leaves
// the group, then the producers and clients close. Finishing before
// leaving is deliberate: after LeaveGroup the coordinator would reject the
// offsets of the last transaction (generation fencing). The commit is
// bounded by the producer's own timeouts (transaction timeout 10s).
//
// Dead letters. A record that cannot be decoded into its stream's schema
// goes to the dead-letter topic in the same transaction, with the
// original key, value and headers plus eventflux.source.topic,
// eventflux.source.partition, eventflux.source.offset and eventflux.error;
// or is skipped, or stops the worker, per DeadLetterPolicy. A late event
// (a window dropped it, every window it belongs to having closed) is
// counted (Metrics.LateEvent) and, under LateDeadLetter, dead-lettered
// the same way in the same transaction: the carrying record's key and
// headers, the event as JSON in the window's input schema, and
// eventflux.error "late event: window closed at ...".
//
// State. A topology with operator stores keeps each task's state in a
// statestore.TaskState: Pebble under StateDir/<unit>_<n> (in memory
// without StateDir), kept open across generations while the task stays.
// Every store, and each unit's task store "_task.<unit>", has a changelog
// topic "<app>-<store>-changelog" (created at start with the unit's task
// count, cleanup.policy compact; windowed
// stores compact,delete with window size + grace + ChangelogRetention), partition = task. At
// each commit the task flushes its operators, produces the batch's
// changelog records in the transaction with the outputs and offsets,
// commits the transaction, and then commits the batch locally with the
// acknowledged changelog positions and the input offsets. On assignment
// (after the producer fenced any previous owner) each store is restored
// from its checkpointed changelog position to the last stable offset,
// read_committed, before the task processes or the worker reports
// ready; the same tail replay repairs a crash between the Kafka and the
// local commit. A task that moves away has its state closed; its
// directory is deleted at the next assignment that does not bring it
// back. At least once, the loop is the same without the transaction.
package runtime
