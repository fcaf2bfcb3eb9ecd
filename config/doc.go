// Package config reads and validates a pipeline's YAML file: where the
// worker connects (Kafka brokers, TLS, SASL), how it processes (guarantee,
// commit interval, state directory), which SQL it runs, how streams bind to
// topics, what happens to bad records, and where it serves metrics and logs.
//
// A file is decoded strictly: an unknown key is an error with a did-you-mean
// hint, and every error names the key path (processing.commit_interval), the
// reason, and the line:column in the file. String values may refer to the
// environment with ${NAME} or ${NAME:default}; an unset variable without a
// default is an error, never an empty string. $${ writes a literal ${.
//
// Defaults are the values of [Default]; [Parse] decodes over them, derives
// the state directory and dead-letter topic from the app name when they are
// empty, and validates. Secrets ([Secret]) print as "<redacted>" through fmt,
// encoding/json, encoding.TextMarshaler and YAML, so logging a [Pipeline] in
// any form never leaks the SASL password; [Secret.Value] returns it.
//
// This package is a leaf: it imports no other package of the project, and it
// is the only package that imports the YAML library.
package config
