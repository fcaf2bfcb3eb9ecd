package config

import (
	"fmt"
	"net"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

var (
	nameRE    = regexp.MustCompile(`^[a-zA-Z0-9._-]+$`)
	versionRE = regexp.MustCompile(`^[0-9]+\.[0-9]+\.[0-9]+(\.[0-9]+)?$`)
)

// maxAppLen leaves room for internal-topic suffixes within Kafka's 249.
const maxAppLen = 200

// Validate checks every field and returns nil, an *Error, or an ErrorList
// naming each bad key with the reason. It does not touch the file system or
// the network, and does not change p.
func (p *Pipeline) Validate() error {
	v := &validator{p: p}
	v.appOK = v.app()
	v.kafka()
	v.processing()
	v.sql()
	v.streams()
	v.errorHandling()
	v.http()
	v.log()
	return v.errs.err()
}

type validator struct {
	p    *Pipeline
	errs ErrorList
	// appOK is false when app is missing or invalid; the defaults derived
	// from it are then not reported again.
	appOK bool
}

func (v *validator) add(path, format string, args ...any) {
	v.errs = append(v.errs, v.p.errAt(path, format, args...))
}

// errAt returns an *Error for path, placed at the value of path in the
// YAML, else at its closest ancestor that has a place.
func (p *Pipeline) errAt(path, format string, args ...any) *Error {
	e := &Error{File: p.file, Path: path, Msg: fmt.Sprintf(format, args...)}
	for q := path; q != ""; q = parent(q) {
		if pos, ok := p.pos[q]; ok {
			e.Line, e.Column = pos.line, pos.col
			break
		}
	}
	return e
}

// parent returns the key path above path: a.b[2] -> a.b -> a -> "".
func parent(path string) string {
	if strings.HasSuffix(path, "]") {
		if i := strings.LastIndexByte(path, '['); i >= 0 {
			return path[:i]
		}
	}
	if i := strings.LastIndexByte(path, '.'); i >= 0 {
		return path[:i]
	}
	return ""
}

// enum checks that val is one of allowed (or empty, when optional).
func (v *validator) enum(path, what, val string, optional bool, allowed ...string) {
	if val == "" && optional {
		return
	}
	for _, a := range allowed {
		if val == a {
			return
		}
	}
	if val == "" {
		v.add(path, "must not be empty, want %s", oneOf(allowed...))
		return
	}
	v.add(path, "unknown %s %q, want %s%s", what, val, oneOf(allowed...), suggest(val, allowed))
}

// name checks a Kafka-style name (topic, group, transactional id) and
// reports whether it is valid.
func (v *validator) name(path, val string, max int) bool {
	n := len(v.errs)
	switch {
	case val == "":
		v.add(path, "must not be empty")
	case val == "." || val == "..":
		v.add(path, "must not be %q", val)
	case !nameRE.MatchString(val):
		v.add(path, "invalid name %q: use only letters, digits, '.', '_' and '-'", val)
	case len(val) > max:
		v.add(path, "is %d characters long, at most %d allowed", len(val), max)
	}
	return len(v.errs) == n
}

func (v *validator) app() bool {
	if v.p.App == "" {
		v.add("app", "required: the application name (consumer group, transactional-id and internal-topic prefix)")
		return false
	}
	return v.name("app", v.p.App, maxAppLen)
}

func (v *validator) kafka() {
	k := &v.p.Kafka
	if len(k.Brokers) == 0 {
		v.add("kafka.brokers", "required: at least one broker as host:port")
	}
	for i, b := range k.Brokers {
		if err := hostPort(b, false); err != nil {
			v.add(fmt.Sprintf("kafka.brokers[%d]", i), "%v", err)
		}
	}
	if k.ClientID == "" {
		v.add("kafka.client_id", "must not be empty")
	}
	if !versionRE.MatchString(k.Version) {
		v.add("kafka.version", "invalid Kafka version %q, want major.minor.patch such as \"3.9.0\"", k.Version)
	}
	t := &k.TLS
	if !t.Enabled {
		for _, f := range []struct{ key, val string }{{"ca_file", t.CAFile}, {"cert_file", t.CertFile}, {"key_file", t.KeyFile}} {
			if f.val != "" {
				v.add("kafka.tls."+f.key, "set but kafka.tls.enabled is false")
			}
		}
		if t.InsecureSkipVerify {
			v.add("kafka.tls.insecure_skip_verify", "set but kafka.tls.enabled is false")
		}
	}
	if (t.CertFile == "") != (t.KeyFile == "") {
		if t.CertFile == "" {
			v.add("kafka.tls.cert_file", "required when kafka.tls.key_file is set")
		} else {
			v.add("kafka.tls.key_file", "required when kafka.tls.cert_file is set")
		}
	}
	s := &k.SASL
	if s.Mechanism == "" {
		if s.Username != "" {
			v.add("kafka.sasl.username", "set but kafka.sasl.mechanism is empty")
		}
		if s.Password != "" {
			v.add("kafka.sasl.password", "set but kafka.sasl.mechanism is empty")
		}
		return
	}
	v.enum("kafka.sasl.mechanism", "mechanism", s.Mechanism, false, MechanismPlain, MechanismSCRAMSHA256, MechanismSCRAMSHA512)
	if s.Username == "" {
		v.add("kafka.sasl.username", "required with mechanism %s", s.Mechanism)
	}
	if s.Password == "" {
		v.add("kafka.sasl.password", "required with mechanism %s", s.Mechanism)
	}
}

// hostPort checks host:port; an empty host is allowed only for listening.
func hostPort(s string, listen bool) error {
	host, port, err := net.SplitHostPort(s)
	if err != nil {
		return fmt.Errorf("invalid address %q, want host:port", s)
	}
	if host == "" && !listen {
		return fmt.Errorf("invalid address %q: missing host", s)
	}
	n, err := strconv.Atoi(port)
	if err != nil || n < 0 || n > 65535 || (n == 0 && !listen) {
		return fmt.Errorf("invalid address %q: port must be a number from 1 to 65535", s)
	}
	return nil
}

func (v *validator) processing() {
	pr := &v.p.Processing
	v.enum("processing.guarantee", "guarantee", string(pr.Guarantee), false, string(ExactlyOnce), string(AtLeastOnce))
	v.positive("processing.commit_interval", pr.CommitInterval)
	if pr.MaxTaskIdle < 0 {
		v.add("processing.max_task_idle", "must be >= 0, got %q", pr.MaxTaskIdle.String())
	}
	v.positive("processing.shutdown_timeout", pr.ShutdownTimeout)
	if pr.StateDir == "" && v.appOK {
		v.add("processing.state_dir", "must not be empty")
	}
	if pr.InstanceID != "" {
		v.name("processing.instance_id", pr.InstanceID, 249)
	}
}

func (v *validator) positive(path string, d time.Duration) {
	if d <= 0 {
		v.add(path, "must be > 0, got %q", d.String())
	}
}

func (v *validator) sql() {
	s := &v.p.SQL
	switch {
	case s.Inline == "" && len(s.Files) == 0:
		v.add("sql", "required: set sql.inline or sql.files")
	case s.Inline != "" && len(s.Files) > 0:
		v.add("sql", "set only one of sql.inline and sql.files")
	}
	for i, f := range s.Files {
		if strings.TrimSpace(f) == "" {
			v.add(fmt.Sprintf("sql.files[%d]", i), "must not be empty")
		}
	}
}

func (v *validator) streams() {
	names := make([]string, 0, len(v.p.Streams))
	for n := range v.p.Streams {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		st := v.p.Streams[n]
		path := "streams." + n
		if st.Topic != "" {
			v.name(path+".topic", st.Topic, 249)
		}
		v.enum(path+".format", "format", string(st.Format), true, string(FormatJSON), string(FormatCSV), string(FormatRaw))
		seen := map[string]bool{}
		for i, k := range st.Key {
			kp := fmt.Sprintf("%s.key[%d]", path, i)
			switch {
			case k == "":
				v.add(kp, "must not be empty")
			case seen[k]:
				v.add(kp, "duplicate key attribute %q", k)
			}
			seen[k] = true
		}
		if len(st.JSON.Mapping) > 0 && st.Format != "" && st.Format != FormatJSON {
			v.add(path+".json", "only valid with format json, got format %s", st.Format)
		}
		attrs := make([]string, 0, len(st.JSON.Mapping))
		for a := range st.JSON.Mapping {
			attrs = append(attrs, a)
		}
		sort.Strings(attrs)
		for _, a := range attrs {
			if m := st.JSON.Mapping[a]; !strings.HasPrefix(m, "$") {
				v.add(path+".json.mapping."+a, "invalid JSONPath %q, want one starting with $ such as \"$.quote.price\"", m)
			}
		}
		c := st.CSV
		if (c.Delimiter != "" || c.Header) && st.Format != "" && st.Format != FormatCSV {
			v.add(path+".csv", "only valid with format csv, got format %s", st.Format)
		}
		if c.Delimiter != "" {
			r, size := utf8.DecodeRuneInString(c.Delimiter)
			switch {
			case size != len(c.Delimiter):
				v.add(path+".csv.delimiter", "must be one character, got %q", c.Delimiter)
			case r == '"' || r == '\r' || r == '\n' || r == utf8.RuneError:
				v.add(path+".csv.delimiter", "invalid delimiter %q", c.Delimiter)
			}
		}
	}
}

func (v *validator) errorHandling() {
	e := &v.p.Errors
	v.enum("errors.policy", "policy", string(e.Policy), false, string(PolicyDLQ), string(PolicySkip), string(PolicyFail))
	v.enum("errors.late_events", "late_events", string(e.LateEvents), false, string(LateDrop), string(LateDLQ))
	if v.appOK || (e.DLQTopic != "" && e.DLQTopic != v.p.App+"-dlq") {
		v.name("errors.dlq_topic", e.DLQTopic, 249)
	}
}

func (v *validator) http() {
	if l := v.p.HTTP.Listen; l != "" {
		if err := hostPort(l, true); err != nil {
			v.add("http.listen", "%v", err)
		}
	}
}

func (v *validator) log() {
	v.enum("log.level", "level", v.p.Log.Level, false, "debug", "info", "warn", "error")
	v.enum("log.format", "format", v.p.Log.Format, false, "auto", "json", "console")
}
