package parser

import (
	"math"
	"strconv"
	"strings"

	"github.com/eventflux-io/eventflux-go/sqlc/ast"
)

const (
	msSecond = 1000
	msMinute = 60 * msSecond
	msHour   = 60 * msMinute
	msDay    = 24 * msHour
	msWeek   = 7 * msDay
)

// units maps the upper-case unit words of "<n> UNIT" durations to
// milliseconds.
var units = map[string]int64{
	"MILLISECOND": 1, "MILLISECONDS": 1, "MS": 1,
	"SECOND": msSecond, "SECONDS": msSecond, "SEC": msSecond,
	"MINUTE": msMinute, "MINUTES": msMinute, "MIN": msMinute,
	"HOUR": msHour, "HOURS": msHour,
	"DAY": msDay, "DAYS": msDay,
	"WEEK": msWeek, "WEEKS": msWeek,
}

// intervalOnlyUnits are the calendar units only INTERVAL accepts, with
// their fixed lengths.
var intervalOnlyUnits = map[string]int64{
	"MONTH": 30 * msDay, "MONTHS": 30 * msDay,
	"YEAR": 365 * msDay, "YEARS": 365 * msDay,
}

// unitWords lists the unit words for did-you-mean hints.
var unitWords = []string{"MILLISECONDS", "MS", "SECOND", "SECONDS", "SEC", "MINUTE", "MINUTES", "MIN", "HOUR", "HOURS", "DAY", "DAYS", "WEEK", "WEEKS"}

// unitMillis returns the length of the unit word t; interval admits MONTH
// and YEAR.
func unitMillis(t token, interval bool) (int64, bool) {
	if t.kind != tIdent || len(t.text) > len("MILLISECONDS") {
		return 0, false
	}
	u := upper(t.text)
	if m, ok := units[u]; ok {
		return m, true
	}
	if interval {
		m, ok := intervalOnlyUnits[u]
		return m, ok
	}
	return 0, false
}

// isIntervalOnlyUnit reports whether t is MONTH(S) or YEAR(S).
func isIntervalOnlyUnit(t token) bool {
	if t.kind != tIdent {
		return false
	}
	_, ok := intervalOnlyUnits[upper(t.text)]
	return ok
}

// intValue converts an integer token, failing when it does not fit a
// LONG.
func (p *parser) intValue(t token) int64 {
	n, err := strconv.ParseInt(t.text, 10, 64)
	if err != nil {
		p.fail(t, "integer literal out of range", "integers are 64-bit; write a decimal point to make it a DOUBLE")
	}
	return n
}

// scale multiplies n by the unit length, failing on overflow.
func (p *parser) scale(at token, n, unit int64) int64 {
	if n > math.MaxInt64/unit {
		p.fail(at, "duration out of range", "")
	}
	return n * unit
}

// duration parses "<int> UNIT" at the current token; the caller has
// checked that the unit follows.
func (p *parser) duration() *ast.Duration {
	num := p.advance()
	unit := p.advance()
	m, _ := unitMillis(unit, false)
	return &ast.Duration{
		At:     num.pos,
		Millis: p.scale(num, p.intValue(num), m),
		Raw:    num.text + " " + unit.text,
	}
}

// interval parses INTERVAL '<n>' UNIT, where UNIT may also be MONTH (30
// days) or YEAR (365 days).
func (p *parser) interval() *ast.Duration {
	kw := p.advance()
	str := p.advance()
	digits := strings.TrimSpace(str.val)
	if digits == "" || strings.Trim(digits, "0123456789") != "" {
		p.fail(str, "INTERVAL takes a whole number in quotes", "write INTERVAL '5' SECOND")
	}
	unit := p.tok()
	m, ok := unitMillis(unit, true)
	if !ok {
		p.fail(unit, "expected a time unit after INTERVAL "+str.text,
			hintOr(typoHint(unit, append(unitWords, "MONTH", "MONTHS", "YEAR", "YEARS")...),
				"units are MILLISECOND, SECOND, MINUTE, HOUR, DAY, WEEK, MONTH and YEAR"))
	}
	p.i++
	n, err := strconv.ParseInt(digits, 10, 64)
	if err != nil {
		p.fail(str, "duration out of range", "")
	}
	return &ast.Duration{
		At:     kw.pos,
		Millis: p.scale(str, n, m),
		Raw:    "INTERVAL " + ast.QuoteString(str.val) + " " + unit.text,
	}
}

func hintOr(h, fallback string) string {
	if h != "" {
		return h
	}
	return fallback
}
