package windows

import (
	"strings"
	"testing"
	"time"
)

func TestCronNext(t *testing.T) {
	ms := func(s string) int64 {
		tm, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return tm.UnixMilli()
	}
	cases := []struct{ expr, after, want string }{
		{"*/5 * * * * ?", "2024-01-01T00:00:00Z", "2024-01-01T00:00:05Z"},
		{"0 0 12 * * ?", "2024-01-01T12:00:00Z", "2024-01-02T12:00:00Z"},
		{"0 30 9 ? * MON-FRI", "2024-03-15T10:00:00Z", "2024-03-18T09:30:00Z"}, // Fri -> Mon
		{"0 0 0 29 FEB ?", "2023-03-01T00:00:00Z", "2024-02-29T00:00:00Z"},
		{"0 15,45 * * * ? 2025", "2024-06-01T00:00:00Z", "2025-01-01T00:15:00Z"},
		{"10-12/2 * * * * *", "2024-01-01T00:00:10Z", "2024-01-01T00:00:12Z"},
	}
	for _, c := range cases {
		s, err := ParseCron(c.expr)
		if err != nil {
			t.Fatalf("%s: %v", c.expr, err)
		}
		if got := s.Next(ms(c.after)); got != ms(c.want) {
			t.Errorf("%s after %s = %s, want %s", c.expr, c.after, time.UnixMilli(got).UTC().Format(time.RFC3339), c.want)
		}
	}
}

func TestCronErrors(t *testing.T) {
	for expr, want := range map[string]string{
		"* * * *":           "6 or 7 fields",
		"0 0 0 30 FEB ?":    "never fires",
		"0 0 0 1 * MON":     "both day of month and day of week",
		"0 0 0 L * ?":       "not supported",
		"61 * * * * ?":      "bad value",
		"*/0 * * * * ?":     "bad step",
		"0 0 0 ? * MON#2":   "not supported",
		"0 0 5-1 * * ?":     "bad range",
		"0 0 0 ? JANUARY *": "bad value",
	} {
		_, err := ParseCron(expr)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseCron(%q) = %v, want an error containing %q", expr, err, want)
		}
	}
}
