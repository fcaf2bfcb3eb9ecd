package expr

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // zone names must resolve the same on every host
)

// Java-style date patterns (SimpleDateFormat/DateTimeFormatter letters) are
// compiled once into a list of fields and literals, then formatted and
// parsed by hand: no translation to Go layouts, no reflection.

type jfield uint8

const (
	jLit        jfield = iota
	jYear              // y, yyyy (yy: two digits)
	jMonth             // M, MM numeric; MMM short name; MMMM full name
	jDay               // d
	jDayOfYear         // D
	jHour24            // H
	jHour12            // h
	jMinute            // m
	jSecond            // s
	jFraction          // S: fraction of a second, one digit per letter
	jAmPm              // a
	jWeekday           // E: EEE short name, EEEE full name
	jWeekdayNum        // u: 1 = Monday
	jZoneName          // z
	jZoneRFC           // Z: +0000 (ZZZZZ: +00:00)
	jZoneISO           // X: Z or +00, XX +0000, XXX +00:00
)

type jop struct {
	f     jfield
	width int
	lit   string
}

// javaLayout is a compiled Java-style date pattern.
type javaLayout struct {
	src string
	ops []jop
}

var patternLetters = map[byte]jfield{
	'y': jYear, 'M': jMonth, 'd': jDay, 'D': jDayOfYear, 'H': jHour24, 'h': jHour12,
	'm': jMinute, 's': jSecond, 'S': jFraction, 'a': jAmPm, 'E': jWeekday, 'u': jWeekdayNum,
	'z': jZoneName, 'Z': jZoneRFC, 'X': jZoneISO,
}

// compileJavaPattern compiles a pattern such as "yyyy-MM-dd'T'HH:mm:ss.SSSXXX".
func compileJavaPattern(p string) (*javaLayout, error) {
	l := &javaLayout{src: p}
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			l.ops = append(l.ops, jop{f: jLit, lit: lit.String()})
			lit.Reset()
		}
	}
	for i := 0; i < len(p); {
		ch := p[i]
		switch {
		case ch == '\'':
			if i+1 < len(p) && p[i+1] == '\'' {
				lit.WriteByte('\'')
				i += 2
				continue
			}
			j := i + 1
			for {
				if j >= len(p) {
					return nil, errors.New("unterminated quoted text")
				}
				if p[j] == '\'' {
					if j+1 < len(p) && p[j+1] == '\'' {
						lit.WriteByte('\'')
						j += 2
						continue
					}
					break
				}
				lit.WriteByte(p[j])
				j++
			}
			i = j + 1
		case (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z'):
			f, ok := patternLetters[ch]
			if !ok {
				return nil, fmt.Errorf("unsupported pattern letter '%c'", ch)
			}
			j := i
			for j < len(p) && p[j] == ch {
				j++
			}
			if j-i > 9 {
				return nil, fmt.Errorf("too many pattern letters '%c'", ch)
			}
			flush()
			l.ops = append(l.ops, jop{f: f, width: j - i})
			i = j
		default:
			lit.WriteByte(ch)
			i++
		}
	}
	flush()
	return l, nil
}

var (
	monthShort = []string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}
	dayShort   = []string{"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"}
)

func appendPadded(b []byte, v, width int) []byte {
	if v < 0 {
		b = append(b, '-')
		v = -v
	}
	var d [20]byte
	s := strconv.AppendInt(d[:0], int64(v), 10)
	for n := len(s); n < width; n++ {
		b = append(b, '0')
	}
	return append(b, s...)
}

func appendOffset(b []byte, off int, colon, short bool) []byte {
	sign := byte('+')
	if off < 0 {
		sign = '-'
		off = -off
	}
	h, m := off/3600, off/60%60
	b = append(b, sign)
	b = appendPadded(b, h, 2)
	if short && m == 0 {
		return b
	}
	if colon {
		b = append(b, ':')
	}
	return appendPadded(b, m, 2)
}

// format renders t (already in the target zone).
func (l *javaLayout) format(t time.Time) string {
	var buf [64]byte
	b := buf[:0]
	year, month, day := t.Date()
	hour, minute, sec := t.Clock()
	for _, op := range l.ops {
		switch op.f {
		case jLit:
			b = append(b, op.lit...)
		case jYear:
			if op.width == 2 {
				b = appendPadded(b, (year%100+100)%100, 2)
			} else {
				b = appendPadded(b, year, op.width)
			}
		case jMonth:
			switch {
			case op.width == 3:
				b = append(b, monthShort[month-1]...)
			case op.width >= 4:
				b = append(b, month.String()...)
			default:
				b = appendPadded(b, int(month), op.width)
			}
		case jDay:
			b = appendPadded(b, day, op.width)
		case jDayOfYear:
			b = appendPadded(b, t.YearDay(), op.width)
		case jHour24:
			b = appendPadded(b, hour, op.width)
		case jHour12:
			h := hour % 12
			if h == 0 {
				h = 12
			}
			b = appendPadded(b, h, op.width)
		case jMinute:
			b = appendPadded(b, minute, op.width)
		case jSecond:
			b = appendPadded(b, sec, op.width)
		case jFraction:
			var d [9]byte
			ns := t.Nanosecond()
			for i := 8; i >= 0; i-- {
				d[i] = byte('0' + ns%10)
				ns /= 10
			}
			if op.width <= 9 {
				b = append(b, d[:op.width]...)
			}
		case jAmPm:
			if hour < 12 {
				b = append(b, "AM"...)
			} else {
				b = append(b, "PM"...)
			}
		case jWeekday:
			if op.width >= 4 {
				b = append(b, t.Weekday().String()...)
			} else {
				b = append(b, dayShort[t.Weekday()]...)
			}
		case jWeekdayNum:
			b = appendPadded(b, int(t.Weekday()+6)%7+1, op.width)
		case jZoneName:
			name, _ := t.Zone()
			b = append(b, name...)
		case jZoneRFC:
			_, off := t.Zone()
			b = appendOffset(b, off, op.width >= 5, false)
		case jZoneISO:
			_, off := t.Zone()
			if off == 0 {
				b = append(b, 'Z')
			} else {
				b = appendOffset(b, off, op.width >= 3, op.width == 1)
			}
		}
	}
	return string(b)
}

// parse reads s in full; fields missing from the pattern default to
// 1970-01-01 00:00:00.000 in loc (or in the parsed offset).
func (l *javaLayout) parse(s string, loc *time.Location) (int64, bool) {
	year, month, day, yday := 1970, 1, 1, 0
	hour, minute, sec, nanos := 0, 0, 0, 0
	pm, hasAmPm, hour12 := false, false, -1
	var zone *time.Location
	pos := 0
	for i, op := range l.ops {
		adjacent := i+1 < len(l.ops) && isNumericField(l.ops[i+1])
		switch op.f {
		case jLit:
			if !strings.HasPrefix(s[pos:], op.lit) {
				return 0, false
			}
			pos += len(op.lit)
			continue
		case jMonth:
			if op.width >= 3 {
				m, n := matchName(s[pos:], monthShort, op.width >= 4)
				if n == 0 {
					return 0, false
				}
				month, pos = m+1, pos+n
				continue
			}
		case jWeekday:
			_, n := matchName(s[pos:], dayShort, op.width >= 4)
			if n == 0 {
				return 0, false
			}
			pos += n
			continue
		case jAmPm:
			switch {
			case hasPrefixFold(s[pos:], "AM"):
			case hasPrefixFold(s[pos:], "PM"):
				pm = true
			default:
				return 0, false
			}
			hasAmPm = true
			pos += 2
			continue
		case jZoneName, jZoneRFC, jZoneISO:
			z, n := parseZonePrefix(s[pos:], op.f == jZoneName)
			if n == 0 {
				return 0, false
			}
			zone, pos = z, pos+n
			continue
		}
		maxDigits := 9
		if adjacent {
			maxDigits = op.width
		} else if op.f != jYear && op.f != jFraction && op.f != jDayOfYear {
			maxDigits = 2
		}
		v, n := readDigits(s[pos:], maxDigits)
		if n == 0 || (adjacent && n != op.width) {
			return 0, false
		}
		pos += n
		switch op.f {
		case jYear:
			if op.width == 2 && n == 2 {
				v += 2000
			}
			year = v
		case jMonth:
			month = v
		case jDay:
			day = v
		case jDayOfYear:
			yday = v
		case jHour24:
			hour = v
		case jHour12:
			hour12 = v
		case jMinute:
			minute = v
		case jSecond:
			sec = v
		case jFraction:
			for k := n; k < 9; k++ {
				v *= 10
			}
			nanos = v
		case jWeekdayNum:
			if v < 1 || v > 7 {
				return 0, false
			}
		}
	}
	if pos != len(s) {
		return 0, false
	}
	if hour12 >= 0 {
		if hour12 < 1 || hour12 > 12 {
			return 0, false
		}
		hour = hour12 % 12
		if pm {
			hour += 12
		}
	} else if hasAmPm && pm && hour < 12 {
		hour += 12
	}
	if month < 1 || month > 12 || day < 1 || day > daysIn(time.Month(month), year) ||
		hour > 23 || minute > 59 || sec > 59 {
		return 0, false
	}
	if zone != nil {
		loc = zone
	}
	var t time.Time
	if yday > 0 {
		if yday > time.Date(year, 12, 31, 0, 0, 0, 0, time.UTC).YearDay() {
			return 0, false
		}
		t = time.Date(year, 1, yday, hour, minute, sec, nanos, loc)
	} else {
		t = time.Date(year, time.Month(month), day, hour, minute, sec, nanos, loc)
	}
	return t.UnixMilli(), true
}

func isNumericField(op jop) bool {
	switch op.f {
	case jYear, jDay, jDayOfYear, jHour24, jHour12, jMinute, jSecond, jFraction, jWeekdayNum:
		return true
	case jMonth:
		return op.width < 3
	}
	return false
}

func readDigits(s string, max int) (v, n int) {
	for n < len(s) && n < max && s[n] >= '0' && s[n] <= '9' {
		v = v*10 + int(s[n]-'0')
		n++
	}
	return v, n
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// matchName matches a month or weekday name at the start of s: the full
// name when full (falling back to the short one), else the short one.
func matchName(s string, short []string, full bool) (idx, n int) {
	for i, name := range short {
		if full {
			var long string
			if len(short) == 12 {
				long = time.Month(i + 1).String()
			} else {
				long = time.Weekday(i).String()
			}
			if hasPrefixFold(s, long) {
				return i, len(long)
			}
		}
		if hasPrefixFold(s, name) {
			return i, len(name)
		}
	}
	return 0, 0
}

// parseZonePrefix reads a zone at the start of s: Z, an offset (+05,
// +0530, +05:30), UTC/GMT with an optional offset, or (names only) an IANA
// zone name.
func parseZonePrefix(s string, names bool) (*time.Location, int) {
	if strings.HasPrefix(s, "Z") && !(names && len(s) > 1 && isZoneChar(s[1])) {
		return time.UTC, 1
	}
	if len(s) > 0 && (s[0] == '+' || s[0] == '-') {
		off, n := parseOffset(s)
		if n == 0 {
			return nil, 0
		}
		return time.FixedZone("", off), n
	}
	if !names {
		return nil, 0
	}
	n := 0
	for n < len(s) && isZoneChar(s[n]) {
		n++
	}
	if n == 0 {
		return nil, 0
	}
	// Extend over a following offset for UTC+2 / GMT-05:00.
	if end := n; end < len(s) && (s[end] == '+' || s[end] == '-') {
		if _, m := parseOffset(s[end:]); m > 0 {
			n = end + m
		}
	}
	loc, err := loadZone(s[:n])
	if err != nil {
		return nil, 0
	}
	return loc, n
}

func isZoneChar(c byte) bool {
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '/' || c == '_'
}

// parseOffset reads ±HH, ±HHMM or ±HH:MM and returns seconds east of UTC.
func parseOffset(s string) (int, int) {
	if len(s) < 2 || (s[0] != '+' && s[0] != '-') {
		return 0, 0
	}
	h, n := readDigits(s[1:], 2)
	if n == 0 {
		return 0, 0
	}
	pos := 1 + n
	m := 0
	if pos < len(s) && s[pos] == ':' {
		mm, k := readDigits(s[pos+1:], 2)
		if k != 2 {
			return 0, 0
		}
		m, pos = mm, pos+1+k
	} else if mm, k := readDigits(s[pos:], 2); k == 2 && n == 2 {
		m, pos = mm, pos+k
	}
	if h > 18 || m > 59 {
		return 0, 0
	}
	off := h*3600 + m*60
	if s[0] == '-' {
		off = -off
	}
	return off, pos
}

// loadZone resolves a time-zone argument: UTC, GMT, Z, an offset (+05:30),
// UTC/GMT followed by an offset, or an IANA name (Europe/Paris). "Local" is
// refused so results do not depend on the host.
func loadZone(name string) (*time.Location, error) {
	switch strings.ToUpper(name) {
	case "UTC", "GMT", "Z", "UT":
		return time.UTC, nil
	case "", "LOCAL":
		return nil, fmt.Errorf("unknown time zone %q", name)
	}
	for _, prefix := range []string{"UTC", "GMT", "UT", ""} {
		if rest, ok := strings.CutPrefix(name, prefix); ok && rest != "" && (rest[0] == '+' || rest[0] == '-') {
			if off, n := parseOffset(rest); n == len(rest) {
				return time.FixedZone(name, off), nil
			}
			return nil, fmt.Errorf("unknown time zone %q", name)
		}
	}
	return time.LoadLocation(name)
}
