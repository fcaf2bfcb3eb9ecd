package testscript

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/eventflux-io/eventflux-go/topology"
)

// ParseTime parses a script time into epoch milliseconds. It accepts an
// integer number of milliseconds (`1500`), a duration since the epoch in
// Go syntax with whole milliseconds plus a `d` (day) unit (`500ms`, `10s`,
// `1m30s`, `2h`, `1d`), or an RFC 3339 instant (`2024-03-10T12:00:00Z`,
// `2024-03-10T12:00:00.250+01:00`).
func ParseTime(s string) (int64, error) {
	if s == "" {
		return 0, fmt.Errorf("missing time")
	}
	if ms, err := strconv.ParseInt(s, 10, 64); err == nil {
		return ms, nil
	}
	if len(s) >= 10 && s[4] == '-' && strings.ContainsAny(s, "T") {
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return 0, fmt.Errorf("bad time %q: %v", s, err)
		}
		return t.UnixMilli(), nil
	}
	d, err := parseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("bad time %q (want milliseconds, a duration like 500ms, 10s, 1m, 1h, 1d, or an RFC 3339 instant)", s)
	}
	if d%time.Millisecond != 0 {
		return 0, fmt.Errorf("time %q is not a whole number of milliseconds", s)
	}
	return d.Milliseconds(), nil
}

// parseDuration is time.ParseDuration plus a leading whole-days term
// (`1d`, `2d12h`).
func parseDuration(s string) (time.Duration, error) {
	var days time.Duration
	if i := strings.IndexByte(s, 'd'); i > 0 {
		n, err := strconv.Atoi(s[:i])
		if err != nil {
			return 0, err
		}
		days, s = time.Duration(n)*24*time.Hour, s[i+1:]
		if s == "" {
			return days, nil
		}
	}
	d, err := time.ParseDuration(s)
	return days + d, err
}

// canonicalType resolves any SQL type spelling to its canonical name.
func canonicalType(name string) (string, bool) {
	t, ok := topology.ParseType(name)
	if !ok {
		return "", false
	}
	return t.String(), true
}
