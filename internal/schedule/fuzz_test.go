package schedule

import (
	"testing"
	"time"
)

// FuzzParseExpression checks that ParseExpression never panics, that every
// error it returns is a ScheduleExpression *Error, and that every expression
// it accepts can be evaluated. `go test` runs the seed corpus below.
func FuzzParseExpression(f *testing.F) {
	for _, s := range []string{
		"", "rate(", "rate()", "cron()", "rate(4 hours)", "rate(1 day)", "rate(999 days)",
		"rate(99999999999999999999999 days)", "rate(-4 hours)", "rate( 4  hours )",
		"cron(0 16 ? * SUN *)", "cron(0 4/12 * * ? *)", "cron(0 */1 * * ? *)",
		"cron(0 8 L * ? *)", "cron(0 8 LW * ? *)", "cron(0 8 15W * ? *)", "cron(0 8 W * ? *)",
		"cron(0 0 ? * MON#1 *)", "cron(0 0 ? * #1 *)", "cron(0 0 ? * MON# *)", "cron(0 0 ? * FRIL *)",
		"cron(0 0 ? * L *)", "cron(0 0 ? * 6L *)", "cron(0 0 29 2 ? *)", "cron(0 0 30 2 ? *)",
		"cron(0 0,22 * * ? *)", "cron(0 0 1-/2 * ? *)", "cron(0 0 -1 * ? *)", "cron(0 0 1- * ? *)",
		"cron(0 0 */ * ? *)", "cron(0 0 / * ? *)", "cron(0 0 ,,, * ? *)", "cron(0 0 ? * ? *)",
		"cron(0 0 ? 2 SUN#5 *)", "cron(0 0 99999999999 * ? *)", "cron(0 0 1/99999999999 * ? *)",
		"cron(\x00 0 1 * ? *)", "cron(0 0 1 * ? *) ", "cron(0 0 ? * MON-FRI *)", "cron(0 0 ? * WED#3 *)",
	} {
		f.Add(s)
	}
	at := time.Date(2026, 1, 10, 13, 45, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, s string) {
		e, err := ParseExpression(s)
		if err != nil {
			if fe, ok := AsError(err); !ok || fe.Field != FieldScheduleExpression {
				t.Fatalf("ParseExpression(%q) error %v is not a ScheduleExpression *Error", s, err)
			}
			return
		}
		if e.String() != s {
			t.Fatalf("String() = %q, want %q", e.String(), s)
		}
		start, err := e.NextStart(at)
		if err != nil {
			t.Fatalf("accepted %q but NextStart failed: %v", s, err)
		}
		if !start.After(at) {
			t.Fatalf("%q: NextStart(%v) = %v, not after it", s, at, start)
		}
		if !e.Fires(start) && e.Kind() == KindCron {
			t.Fatalf("%q: NextStart returned %v, at which it does not fire", s, start)
		}
		if e.DefaultWindow() < time.Hour || e.MaxWindow() < time.Hour || e.DefaultWindow() > 24*time.Hour {
			t.Fatalf("%q: windows default %v max %v out of bounds", s, e.DefaultWindow(), e.MaxWindow())
		}
		if err := e.CheckWindow(e.DefaultWindow()); err != nil && e.Kind() == KindCron {
			t.Fatalf("%q: its own default window is rejected: %v", s, err)
		}
	})
}
