package config

import (
	"maps"
	"slices"

	"github.com/goccy/go-yaml"
)

// redacted is what a secret prints as.
const redacted = "<redacted>"

// Secret is a string that never prints: fmt (%v, %s, %+v, %#v, %q),
// encoding/json, encoding.TextMarshaler and YAML all give "<redacted>" (or
// "" when it is empty). Value returns the secret itself.
type Secret string

// Value returns the secret in clear, for the code that authenticates.
func (s Secret) Value() string { return string(s) }

// String returns "<redacted>", or "" for an empty secret.
func (s Secret) String() string {
	if s == "" {
		return ""
	}
	return redacted
}

// GoString returns the redacted form quoted, for %#v.
func (s Secret) GoString() string { return `"` + s.String() + `"` }

// MarshalText returns the redacted form, so encoding/json, zerolog and
// other encoders print it instead of the secret.
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// MarshalYAML returns the redacted form.
func (s Secret) MarshalYAML() (any, error) { return s.String(), nil }

// Redacted returns a deep copy of p with every secret replaced by
// "<redacted>" in clear, safe to hand to anything that might log it.
func (p *Pipeline) Redacted() *Pipeline {
	c := *p
	c.Kafka.Brokers = slices.Clone(p.Kafka.Brokers)
	c.SQL.Files = slices.Clone(p.SQL.Files)
	c.pos = maps.Clone(p.pos)
	if p.Streams != nil {
		c.Streams = make(map[string]Stream, len(p.Streams))
		for n, s := range p.Streams {
			s.Key = slices.Clone(s.Key)
			s.JSON.Mapping = maps.Clone(s.JSON.Mapping)
			c.Streams[n] = s
		}
	}
	if c.Kafka.SASL.Password != "" {
		c.Kafka.SASL.Password = redacted
	}
	return &c
}

// String returns p as YAML with its secrets redacted, for logs and
// `eventflux check`.
func (p *Pipeline) String() string {
	b, err := yaml.MarshalWithOptions(p.Redacted(), yaml.IndentSequence(true))
	if err != nil {
		return "config: " + err.Error()
	}
	return string(b)
}
