package schedule

import (
	"math/bits"
	"strconv"
	"strings"
	"time"
)

// Kind is the form of a schedule expression.
type Kind int

// Expression kinds.
const (
	KindRate Kind = iota + 1 // rate(N hours|days)
	KindCron                 // cron(…)
)

// String returns "rate" or "cron".
func (k Kind) String() string {
	switch k {
	case KindRate:
		return "rate"
	case KindCron:
		return "cron"
	}
	return "unknown"
}

// Expression is a valid, parsed schedule expression. Its zero value is not
// valid; obtain one from ParseExpression or Rules.Expression.
type Expression struct {
	raw   string
	kind  Kind
	rate  int64 // rate value
	hours bool  // rate unit is hours
	cron  *cronSpec
}

// ParseExpression parses and validates a rotation ScheduleExpression (see
// the package documentation for the accepted syntax). Besides syntax and
// value ranges it enforces that the schedule fires at all and never more
// often than every four hours. Errors are *Error with Field
// ScheduleExpression. It never panics, whatever the input.
func ParseExpression(s string) (Expression, error) {
	if len(s) > MaxExpressionLength {
		return Expression{}, exprErr("is %d characters long; a schedule expression has at most %d", len(s), MaxExpressionLength)
	}
	for _, r := range s {
		if !expressionRune(r) {
			return Expression{}, exprErr("%q contains %q; a schedule expression uses only letters, digits, spaces and ( ) # ? * - / ,", s, r)
		}
	}
	switch {
	case strings.HasPrefix(s, "rate(") && strings.HasSuffix(s, ")"):
		return parseRate(s)
	case strings.HasPrefix(s, "cron(") && strings.HasSuffix(s, ")"):
		c, err := parseCron(s[len("cron(") : len(s)-1])
		if err != nil {
			return Expression{}, err
		}
		return Expression{raw: s, kind: KindCron, cron: c}, nil
	}
	return Expression{}, exprErr("%q is not a schedule expression: write rate(Value Unit), e.g. rate(10 days) or rate(12 hours), or cron(Minutes Hours Day-of-month Month Day-of-week Year), e.g. cron(0 16 ? * SUN *)", s)
}

// ValidateExpression reports whether s is a valid ScheduleExpression: the
// error of ParseExpression.
func ValidateExpression(s string) error {
	_, err := ParseExpression(s)
	return err
}

// MaxExpressionLength is the longest ScheduleExpression the API accepts.
const MaxExpressionLength = 256

// expressionRune reports whether r is in the API's ScheduleExpression
// pattern [0-9A-Za-z\(\)#\?\*\-\/, ]. Tabs and other blanks are not.
func expressionRune(r rune) bool {
	return r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || strings.ContainsRune("()#?*-/, ", r)
}

func exprErr(format string, args ...any) *Error {
	return fieldErr(FieldScheduleExpression, format, args...)
}

func parseRate(s string) (Expression, error) {
	f := strings.Fields(s[len("rate(") : len(s)-1])
	if len(f) != 2 {
		return Expression{}, exprErr("%q: write rate(Value Unit) with a whole number and hours or days, e.g. rate(12 hours) or rate(10 days)", s)
	}
	if strings.Trim(f[0], "0123456789") != "" {
		return Expression{}, exprErr("%q: the rate value %q must be a positive whole number", s, f[0])
	}
	n, err := strconv.ParseInt(f[0], 10, 64)
	if err != nil {
		n = MaxDays * 24 // overflow: simply too large
	}
	e := Expression{raw: s, kind: KindRate, rate: n}
	switch f[1] {
	case "hour", "hours":
		e.hours = true
		if n < MinRateHours || n > MaxRateHours {
			return Expression{}, exprErr("%q: a rate in hours must be from %d to %d hours (Secrets Manager rotates at most every %d hours; write longer intervals in days), got %s",
				s, MinRateHours, MaxRateHours, MinRateHours, f[0])
		}
	case "day", "days":
		if n < MinRateDays || n > MaxRateDays {
			return Expression{}, exprErr("%q: a rate in days must be from %d to %d days, got %s", s, MinRateDays, MaxRateDays, f[0])
		}
	default:
		return Expression{}, exprErr("%q: the rate unit %q must be one of hour, hours, day, days", s, f[1])
	}
	return e, nil
}

// String returns the expression as written (for AutomaticallyAfterDays N,
// "rate(N days)").
func (e Expression) String() string { return e.raw }

// Kind reports whether e is a rate() or a cron() expression.
func (e Expression) Kind() Kind { return e.kind }

// IsHourly reports whether e is "a schedule in hours" in AWS's words:
// rate(N hours), or a cron() that fires at more than one hour of a day. Its
// default window closes after one hour; otherwise at the end of the UTC day.
func (e Expression) IsHourly() bool {
	if e.kind == KindCron {
		return bits.OnesCount32(e.cron.hours) > 1
	}
	return e.hours
}

// FiringHours returns the UTC hours at which e's windows open on a day it
// fires: for rate(N days) 0, for rate(N hours) 0, N, 2N…, for cron() its
// Hours field.
func (e Expression) FiringHours() []int {
	var hs []int
	switch {
	case e.kind == KindCron:
		for h := range 24 {
			if e.cron.hours&(1<<h) != 0 {
				hs = append(hs, h)
			}
		}
	case e.hours:
		for h := 0; h < 24; h += int(e.rate) {
			hs = append(hs, h)
		}
	default:
		hs = []int{0}
	}
	return hs
}

// DefaultWindow is the window length without a Duration: one hour for a
// schedule in hours, otherwise until the end of the UTC day (24 hours minus
// the opening hour).
func (e Expression) DefaultWindow() time.Duration {
	if e.IsHourly() {
		return time.Hour
	}
	hs := e.FiringHours()
	return time.Duration(24-hs[0]) * time.Hour
}

// MaxWindow is the longest Duration e allows: for rate(N hours) N hours;
// otherwise the window may reach neither past the end of the UTC day from
// the latest opening hour nor into the next window of the same day.
func (e Expression) MaxWindow() time.Duration {
	if e.kind == KindRate && e.hours {
		return time.Duration(e.rate) * time.Hour
	}
	hs := e.FiringHours()
	maxH := 24 - hs[len(hs)-1]
	for i := 1; i < len(hs); i++ {
		maxH = min(maxH, hs[i]-hs[i-1])
	}
	return time.Duration(maxH) * time.Hour
}

// CheckWindow reports, as an *Error with Field Duration, a window length d
// longer than MaxWindow, saying why.
func (e Expression) CheckWindow(d time.Duration) error {
	maxW := e.MaxWindow()
	if d <= maxW {
		return nil
	}
	got, allowed := int(d/time.Hour), int(maxW/time.Hour)
	if e.kind == KindRate && e.hours {
		return fieldErr(FieldDuration, "a %dh window would run into the next rotation window of %s: use at most %dh", got, e.raw, allowed)
	}
	hs := e.FiringHours()
	last := hs[len(hs)-1]
	if last+got > 24 {
		return fieldErr(FieldDuration, "a %dh window opening at %02d:00 UTC (%s) would run past the end of the UTC day: use at most %dh", got, last, e.raw, allowed)
	}
	for i := 1; i < len(hs); i++ {
		if hs[i-1]+got > hs[i] {
			return fieldErr(FieldDuration, "a %dh window opening at %02d:00 UTC would run into the next window at %02d:00 UTC (%s): use at most %dh", got, hs[i-1], hs[i], e.raw, allowed)
		}
	}
	return fieldErr(FieldDuration, "must be at most %dh for %s", allowed, e.raw)
}

// NextStart returns when the next rotation window opens after a rotation at
// lastRotated (see the package documentation), in UTC.
func (e Expression) NextStart(lastRotated time.Time) (time.Time, error) {
	t := lastRotated.UTC()
	switch {
	case e.kind == KindCron:
		next, ok := e.cron.next(t)
		if !ok {
			return time.Time{}, exprErr("%s does not fire after %s", e.raw, t.Format(time.RFC3339))
		}
		return next, nil
	case e.hours:
		from := t.Truncate(time.Hour).Add(time.Duration(e.rate) * time.Hour)
		day, h := midnight(from), from.Hour()
		g := (h + int(e.rate) - 1) / int(e.rate) * int(e.rate)
		if g >= 24 {
			return day.AddDate(0, 0, 1), nil
		}
		return day.Add(time.Duration(g) * time.Hour), nil
	case e.kind == KindRate:
		return midnight(t).AddDate(0, 0, int(e.rate)), nil
	}
	return time.Time{}, exprErr("not a parsed expression")
}

// Fires reports whether e opens a window at t (UTC, on the hour). Rate
// expressions depend on the last rotation, so for them Fires reports only
// whether t is one of their daily opening hours.
func (e Expression) Fires(t time.Time) bool {
	t = t.UTC()
	if t.Minute() != 0 || t.Second() != 0 || t.Nanosecond() != 0 {
		return false
	}
	if e.kind == KindCron {
		return e.cron.hours&(1<<t.Hour()) != 0 && e.cron.matchDay(t.Date())
	}
	for _, h := range e.FiringHours() {
		if h == t.Hour() {
			return true
		}
	}
	return false
}
