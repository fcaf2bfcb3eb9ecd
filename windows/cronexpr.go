package windows

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Schedule is a parsed Quartz-style cron expression: seconds, minutes,
// hours, day of month, month, day of week and an optional year, evaluated
// in UTC. Each field is a bit set of the values it allows.
//
// Supported syntax per field: `*`, `?` (day fields), a value, `a-b`, and
// `/step` after `*`, a value or a range, combined with commas; months
// JAN-DEC and days SUN-SAT by name (Quartz numbers days 1 = SUN to 7 =
// SAT). Quartz's `L`, `W` and `#` are rejected. Restricting both day of
// month and day of week is rejected, as Quartz does.
type Schedule struct {
	Sec, Min, Hour, Dom, Month, Dow uint64
	// Years lists the allowed years; nil allows every year.
	Years []int
}

// Never is what Schedule.Next returns when the schedule has no later fire
// time.
const Never int64 = math.MaxInt64

// cronField describes one field's range and names.
type cronField struct {
	name     string
	lo, hi   int
	names    []string // names[i] stands for lo+i
	anyValue bool     // '?' allowed
}

var cronFields = []cronField{
	{name: "seconds", lo: 0, hi: 59},
	{name: "minutes", lo: 0, hi: 59},
	{name: "hours", lo: 0, hi: 23},
	{name: "day of month", lo: 1, hi: 31, anyValue: true},
	{name: "month", lo: 1, hi: 12, names: strings.Fields("JAN FEB MAR APR MAY JUN JUL AUG SEP OCT NOV DEC")},
	{name: "day of week", lo: 1, hi: 7, names: strings.Fields("SUN MON TUE WED THU FRI SAT"), anyValue: true},
	{name: "year", lo: 1970, hi: 2199},
}

// ParseCron parses a Quartz cron expression of 6 or 7 fields.
func ParseCron(expr string) (*Schedule, error) {
	fields := strings.Fields(expr)
	if len(fields) != 6 && len(fields) != 7 {
		return nil, fmt.Errorf("cron expression needs 6 or 7 fields (seconds minutes hours day-of-month month day-of-week [year]), got %d", len(fields))
	}
	var sets [7]uint64
	restricted := [7]bool{}
	for i, f := range fields {
		set, all, err := parseCronField(f, cronFields[i])
		if err != nil {
			return nil, err
		}
		sets[i], restricted[i] = set, !all
	}
	if restricted[3] && restricted[5] {
		return nil, errors.New("cron expression restricts both day of month and day of week; write ? in one of them")
	}
	s := &Schedule{Sec: sets[0], Min: sets[1], Hour: sets[2], Dom: sets[3], Month: sets[4], Dow: sets[5]}
	if len(fields) == 7 && restricted[6] {
		for y := 1970; y <= 2199; y++ {
			if sets[6]&(1<<uint(y-1970)) != 0 {
				s.Years = append(s.Years, y)
			}
		}
	}
	if s.Next(-1) == Never {
		return nil, errors.New("cron expression never fires")
	}
	return s, nil
}

// parseCronField returns the bit set of field f's text; all is true for
// `*` and `?`. Years are stored as bits from 1970.
func parseCronField(text string, f cronField) (set uint64, all bool, err error) {
	base := 0
	if f.lo >= 1970 {
		base = 1970
		if f.hi-base >= 64 {
			f.hi = base + 63 // the bit set holds 64 years
		}
	}
	if text == "*" || (text == "?" && f.anyValue) {
		return rangeBits(f.lo-base, f.hi-base, 1), true, nil
	}
	for _, part := range strings.Split(text, ",") {
		bits, err := parseCronPart(part, f, base)
		if err != nil {
			return 0, false, err
		}
		set |= bits
	}
	return set, false, nil
}

func parseCronPart(part string, f cronField, base int) (uint64, error) {
	rng, stepText, hasStep := strings.Cut(part, "/")
	step := 1
	if hasStep {
		n, err := strconv.Atoi(stepText)
		if err != nil || n <= 0 {
			return 0, fmt.Errorf("bad step %q in cron %s field", stepText, f.name)
		}
		step = n
	}
	lo, hi := f.lo, f.hi
	switch {
	case rng == "*":
	case strings.Contains(rng, "-"):
		a, b, _ := strings.Cut(rng, "-")
		var err error
		if lo, err = cronValue(a, f); err != nil {
			return 0, err
		}
		if hi, err = cronValue(b, f); err != nil {
			return 0, err
		}
		if hi < lo {
			return 0, fmt.Errorf("bad range %q in cron %s field", rng, f.name)
		}
	default:
		v, err := cronValue(rng, f)
		if err != nil {
			return 0, err
		}
		lo = v
		if !hasStep {
			hi = v
		}
	}
	return rangeBits(lo-base, hi-base, step), nil
}

func cronValue(s string, f cronField) (int, error) {
	for i, n := range f.names {
		if strings.EqualFold(s, n) {
			return f.lo + i, nil
		}
	}
	if strings.ContainsAny(s, "LW#") {
		return 0, fmt.Errorf("cron %s field %q: L, W and # are not supported", f.name, s)
	}
	v, err := strconv.Atoi(s)
	if err != nil || v < f.lo || v > f.hi {
		return 0, fmt.Errorf("bad value %q in cron %s field (allowed %d-%d)", s, f.name, f.lo, f.hi)
	}
	return v, nil
}

func rangeBits(lo, hi, step int) uint64 {
	var set uint64
	for v := lo; v <= hi && v < 64; v += step {
		set |= 1 << uint(v)
	}
	return set
}

func has(set uint64, v int) bool { return set&(1<<uint(v)) != 0 }

// Next returns the first fire time strictly after after (epoch ms, UTC),
// or Never.
func (s *Schedule) Next(after int64) int64 {
	t := time.UnixMilli((floorDiv(after, 1000) + 1) * 1000).UTC()
	for t.Year() <= 2199 {
		switch {
		case !s.yearOK(t.Year()):
			t = time.Date(t.Year()+1, 1, 1, 0, 0, 0, 0, time.UTC)
		case !has(s.Month, int(t.Month())):
			t = time.Date(t.Year(), t.Month()+1, 1, 0, 0, 0, 0, time.UTC)
		case !has(s.Dom, t.Day()) || !has(s.Dow, int(t.Weekday())+1):
			t = time.Date(t.Year(), t.Month(), t.Day()+1, 0, 0, 0, 0, time.UTC)
		case !has(s.Hour, t.Hour()):
			t = time.Date(t.Year(), t.Month(), t.Day(), t.Hour()+1, 0, 0, 0, time.UTC)
		case !has(s.Min, t.Minute()):
			t = time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute()+1, 0, 0, time.UTC)
		case !has(s.Sec, t.Second()):
			t = t.Add(time.Second)
		default:
			return t.UnixMilli()
		}
	}
	return Never
}

func (s *Schedule) yearOK(y int) bool {
	if s.Years == nil {
		return true
	}
	for _, v := range s.Years {
		if v == y {
			return true
		}
	}
	return false
}
