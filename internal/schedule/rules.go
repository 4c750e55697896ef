package schedule

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Bounds AWS documents for RotationRulesType.
const (
	MinDays = 1    // AutomaticallyAfterDays minimum
	MaxDays = 1000 // AutomaticallyAfterDays maximum

	MinRateHours = 4   // rate() in hours: AWS rotates at most every four hours
	MaxRateHours = 23  // rate() in hours: from 24 hours on, write days
	MinRateDays  = 1   // rate() in days minimum
	MaxRateDays  = 999 // rate() in days: AWS's maximum rotation period

	MinDurationHours = 1  // Duration minimum ("1h")
	MaxDurationHours = 24 // Duration maximum ("24h")

	// MinInterval is the shortest time AWS allows between two rotations.
	MinInterval = 4 * time.Hour
)

// Names of the RotationRulesType members, used as Error.Field.
const (
	FieldAutomaticallyAfterDays = "AutomaticallyAfterDays"
	FieldScheduleExpression     = "ScheduleExpression"
	FieldDuration               = "Duration"
)

// Error is a rotation-rules validation failure. Field names the
// RotationRulesType member at fault (one of the Field… constants), or is
// empty when the combination of members is wrong. Reason says what is
// allowed, without naming the field, so callers can prefix their own name
// for it (the provider uses its attribute names).
type Error struct {
	Field  string
	Reason string
}

// Error implements error as "Field: Reason" ("RotationRules: Reason" when
// Field is empty).
func (e *Error) Error() string {
	f := e.Field
	if f == "" {
		f = "RotationRules"
	}
	return f + ": " + e.Reason
}

func fieldErr(field, format string, args ...any) *Error {
	return &Error{Field: field, Reason: fmt.Sprintf(format, args...)}
}

// AsError returns err's *Error, if it holds one.
func AsError(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

// Rules mirrors RotationRulesType. A zero AutomaticallyAfterDays and an empty
// ScheduleExpression or Duration mean the member is not set.
type Rules struct {
	AutomaticallyAfterDays int64
	ScheduleExpression     string
	Duration               string
}

// Validate reports the first rule r breaks, as an *Error, or nil:
// AutomaticallyAfterDays outside 1–1000; both or neither of
// AutomaticallyAfterDays and ScheduleExpression; an invalid expression (see
// ParseExpression); an invalid Duration (see ParseDuration); or a Duration
// longer than the schedule's window allows (see Expression.MaxWindow).
func (r Rules) Validate() error {
	_, _, err := r.parse()
	return err
}

// Expression returns the schedule r describes. AutomaticallyAfterDays N is
// returned as the equivalent of rate(N days) (String gives "rate(N days)").
func (r Rules) Expression() (Expression, error) {
	e, _, err := r.parse()
	return e, err
}

// Window returns the next rotation window after a rotation at lastRotated:
// when it opens and when it closes (see the package documentation).
func (r Rules) Window(lastRotated time.Time) (start, end time.Time, err error) {
	e, d, err := r.parse()
	if err != nil {
		return time.Time{}, time.Time{}, err
	}
	start, err = e.NextStart(lastRotated)
	if err != nil {
		return time.Time{}, time.Time{}, err
	}
	if d == 0 {
		d = e.DefaultWindow()
	}
	return start, start.Add(d), nil
}

// Next returns the NextRotationDate AWS would report after a rotation at
// lastRotated: the end of the next rotation window (see Window).
func (r Rules) Next(lastRotated time.Time) (time.Time, error) {
	_, end, err := r.Window(lastRotated)
	return end, err
}

// parse validates r and returns its expression and Duration (0 if unset).
func (r Rules) parse() (Expression, time.Duration, error) {
	if r.AutomaticallyAfterDays != 0 && (r.AutomaticallyAfterDays < MinDays || r.AutomaticallyAfterDays > MaxDays) {
		return Expression{}, 0, fieldErr(FieldAutomaticallyAfterDays,
			"must be between %d and %d days, got %d", MinDays, MaxDays, r.AutomaticallyAfterDays)
	}
	var e Expression
	switch {
	case r.AutomaticallyAfterDays != 0 && r.ScheduleExpression != "":
		return Expression{}, 0, fieldErr("",
			"set either %s or %s, not both", FieldAutomaticallyAfterDays, FieldScheduleExpression)
	case r.AutomaticallyAfterDays == 0 && r.ScheduleExpression == "":
		return Expression{}, 0, fieldErr("",
			"set one of %s (%d-%d) or %s (rate() or cron())", FieldAutomaticallyAfterDays, MinDays, MaxDays, FieldScheduleExpression)
	case r.AutomaticallyAfterDays != 0:
		e = Expression{raw: fmt.Sprintf("rate(%d days)", r.AutomaticallyAfterDays), kind: KindRate, rate: r.AutomaticallyAfterDays}
	default:
		var err error
		if e, err = ParseExpression(r.ScheduleExpression); err != nil {
			return Expression{}, 0, err
		}
	}
	if r.Duration == "" {
		return e, 0, nil
	}
	d, err := ParseDuration(r.Duration)
	if err != nil {
		return Expression{}, 0, err
	}
	if err := e.CheckWindow(d); err != nil {
		return Expression{}, 0, err
	}
	return e, d, nil
}

// ParseDuration parses a rotation-window Duration: a decimal number of hours
// N followed by "h", N 1–24 ("3h", "24h"). Errors are *Error with Field
// Duration.
func ParseDuration(s string) (time.Duration, error) {
	num, ok := strings.CutSuffix(s, "h")
	if !ok || num == "" || len(num) > 2 || strings.Trim(num, "0123456789") != "" {
		return 0, fieldErr(FieldDuration,
			"%q is not a window length: write whole hours followed by h, from %dh to %dh (e.g. \"3h\")", s, MinDurationHours, MaxDurationHours)
	}
	n, _ := strconv.Atoi(num) // at most two digits, all checked
	if n < MinDurationHours || n > MaxDurationHours {
		return 0, fieldErr(FieldDuration, "must be between %dh and %dh, got %q", MinDurationHours, MaxDurationHours, s)
	}
	return time.Duration(n) * time.Hour, nil
}

// ValidateDuration checks a Duration string against the schedule an
// expression (or, when expression is empty, AutomaticallyAfterDays) sets.
// It is Rules.Validate restricted to what concerns Duration; an invalid
// schedule is reported too.
func ValidateDuration(automaticallyAfterDays int64, expression, duration string) error {
	return Rules{AutomaticallyAfterDays: automaticallyAfterDays, ScheduleExpression: expression, Duration: duration}.Validate()
}

func midnight(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}
