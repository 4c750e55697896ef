package schedule

// awsdocs_test.go judges this package by AWS's own words: every case is an
// example or a rule quoted from AWS documentation, with the page it came
// from. The expected values come from those pages, not from this package.
// When a case fails, the package misreads AWS (or AWS changed its docs).

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// Doc pages the cases cite.
const (
	// docSchedule is the Secrets Manager User Guide, "Rotation schedules"
	// (formerly "Schedule expressions in Secrets Manager rotation").
	docSchedule = "https://docs.aws.amazon.com/secretsmanager/latest/userguide/rotate-secrets_schedule.html"
	// docRulesType is the API reference of RotationRulesType.
	docRulesType = "https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_RotationRulesType.html"
)

// TestAWSDocumentedExpressions: each documented example is accepted, each
// documented restriction rejects what it forbids.
func TestAWSDocumentedExpressions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		doc, quote string
		expr       string
		valid      bool
	}{
		// Rate expressions.
		{docSchedule, "rate(4 hours) means the secret is rotated every four hours", "rate(4 hours)", true},
		{docSchedule, "rate(1 day) means the secret is rotated every day", "rate(1 day)", true},
		{docSchedule, "rate(10 days) means the secret is rotated every 10 days", "rate(10 days)", true},
		{docSchedule, "You can rotate a secret as often as every four hours", "rate(3 hours)", false},
		{docSchedule, "The maximum rotation period is 999 days", "rate(999 days)", true},
		{docSchedule, "The maximum rotation period is 999 days", "rate(1000 days)", false},
		{docSchedule, "Value is a positive integer", "rate(0 days)", false},
		{docSchedule, "Unit can be hour, hours, day, or days", "rate(2 weeks)", false},
		{docSchedule, "Unit can be hour, hours, day, or days", "rate(5 minutes)", false},
		// The cron example table.
		{docSchedule, "Every eight hours starting at midnight", "cron(0 /8 * * ? *)", true},
		{docSchedule, "Every eight hours starting at 8:00 AM", "cron(0 8/8 * * ? *)", true},
		{docSchedule, "Every ten hours, starting at 2:00 AM", "cron(0 2/10 * * ? *)", true},
		{docSchedule, "Every day at 10:00 AM", "cron(0 10 * * ? *)", true},
		{docSchedule, "Every Saturday at 6:00 PM", "cron(0 18 ? * SAT *)", true},
		{docSchedule, "The first day of every month at 8:00 AM", "cron(0 8 1 * ? *)", true},
		{docSchedule, "Every three months on the first Sunday at 1:00 AM", "cron(0 1 ? 1/3 SUN#1 *)", true},
		{docSchedule, "The last day of every month at 5:00 PM", "cron(0 17 L * ? *)", true},
		{docSchedule, "Monday through Friday at 8:00 AM", "cron(0 8 ? * MON-FRI *)", true},
		{docSchedule, "First and 15th day of every month at 4:00 PM", "cron(0 16 1,15 * ? *)", true},
		{docSchedule, "First Sunday of every month at midnight", "cron(0 0 ? * SUN#1 *)", true},
		{docSchedule, "Starting in January, every 11 months on the first Monday at midnight", "cron(0 0 ? 1/11 2#1 *)", true},
		{docSchedule, "cron(0 4/12 * * ? *) means 4:00 AM, 4:00 PM", "cron(0 4/12 * * ? *)", true},
		// The requirements table.
		{docSchedule, "must have 0 in the minutes field", "cron(30 4 * * ? *)", false},
		{docSchedule, "must have * in the year field", "cron(0 4 * * ? 2027)", false},
		{docSchedule, "You can't specify the Day-of-month and Day-of-week fields in the same cron expression", "cron(0 4 1 * MON *)", false},
		{docSchedule, "If you specify a value in one of the fields, you must use a ? in the other", "cron(0 4 * * * *)", false},
		{docSchedule, "Hours 0–23", "cron(0 24 * * ? *)", false},
		{docSchedule, "Day-of-month 1–31", "cron(0 4 32 * ? *)", false},
		{docSchedule, "Month 1–12 or JAN–DEC", "cron(0 4 1 13 ? *)", false},
		{docSchedule, "Month: JAN,APR,JUL,OCT means January, April, July, and October", "cron(0 4 1 JAN,APR,JUL,OCT ? *)", true},
		{docSchedule, "Day-of-week 1–7 or SUN–SAT", "cron(0 4 ? * 8 *)", false},
		{docSchedule, "Day-of-week: TUE#3 means the third Tuesday of the month", "cron(0 4 ? * TUE#3 *)", true},
		{docSchedule, "Day-of-month: 1,15 means the first and 15th day of the month", "cron(0 4 1,15 * ? *)", true},
		{docSchedule, "Day-of-month: 1-15 means days 1 through 15 of the month", "cron(0 4 1-15 * ? *)", true},
		{docSchedule, "Day-of-month: 1/2 means every two days starting on day 1", "cron(0 4 1/2 * ? *)", true},
		{docSchedule, "Day-of-week: 1/2 means every second day of the week, starting on the first day", "cron(0 4 ? * 1/2 *)", true},
		{docSchedule, "Day-of-week: L to specify the last day of the week", "cron(0 4 ? * L *)", true},
		{docSchedule, "Hours: 2/10 means every 10 hours beginning at 2:00 AM", "cron(0 2/10 * * ? *)", true},
		{docSchedule, "You can rotate a secret as often as every four hours", "cron(0 0/2 * * ? *)", false},
		// API reference limits.
		{docRulesType, "ScheduleExpression Length Constraints: Maximum length of 256", "cron(0 4 1" + strings.Repeat(",1", 125) + " * ? *)", false},
		{docRulesType, "ScheduleExpression Pattern: [0-9A-Za-z\\(\\)#\\?\\*\\-\\/, ]+", "cron(0 4 * * ? *);", false},
	}
	for _, tc := range tests {
		t.Run(tc.expr, func(t *testing.T) {
			t.Parallel()
			err := Rules{ScheduleExpression: tc.expr}.Validate()
			if got := err == nil; got != tc.valid {
				t.Errorf("%s: valid = %v (err %v), want %v\nAWS (%s): %q", tc.expr, got, err, tc.valid, tc.doc, tc.quote)
			}
		})
	}
}

// TestAWSDocumentedFiringTimes: the documented examples fire when AWS says.
func TestAWSDocumentedFiringTimes(t *testing.T) {
	t.Parallel()
	at := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	tests := []struct {
		doc, quote string
		expr       string
		from       string   // a rotation at this time
		want       []string // the next window starts, in order
	}{
		{docSchedule, "cron(0 4/12 * * ? *) means 4:00 AM, 4:00 PM, and then the next day 4:00 AM, 4:00 PM",
			"cron(0 4/12 * * ? *)", "2026-03-02T00:30:00Z",
			[]string{"2026-03-02T04:00:00Z", "2026-03-02T16:00:00Z", "2026-03-03T04:00:00Z", "2026-03-03T16:00:00Z"}},
		{docSchedule, "The rotation windows will start at 2:00, 12:00, and 22:00, and then the next day at 2:00, 12:00, and 22:00",
			"cron(0 2/10 * * ? *)", "2026-03-02T00:30:00Z",
			[]string{"2026-03-02T02:00:00Z", "2026-03-02T12:00:00Z", "2026-03-02T22:00:00Z", "2026-03-03T02:00:00Z"}},
		{docSchedule, "Every eight hours starting at midnight",
			"cron(0 /8 * * ? *)", "2026-03-02T00:30:00Z",
			[]string{"2026-03-02T08:00:00Z", "2026-03-02T16:00:00Z", "2026-03-03T00:00:00Z"}},
		{docSchedule, "Every Saturday at 6:00 PM (2026-03-07 is a Saturday)",
			"cron(0 18 ? * SAT *)", "2026-03-02T00:30:00Z",
			[]string{"2026-03-07T18:00:00Z", "2026-03-14T18:00:00Z"}},
		{docSchedule, "The last day of every month at 5:00 PM",
			"cron(0 17 L * ? *)", "2026-02-01T00:00:00Z",
			[]string{"2026-02-28T17:00:00Z", "2026-03-31T17:00:00Z", "2026-04-30T17:00:00Z"}},
		{docSchedule, "Every three months on the first Sunday at 1:00 AM (months 1, 4, 7, 10)",
			"cron(0 1 ? 1/3 SUN#1 *)", "2026-01-10T00:00:00Z",
			[]string{"2026-04-05T01:00:00Z", "2026-07-05T01:00:00Z", "2026-10-04T01:00:00Z"}},
		{docSchedule, "Monday through Friday at 8:00 AM (2026-03-06 is a Friday)",
			"cron(0 8 ? * MON-FRI *)", "2026-03-06T09:00:00Z",
			[]string{"2026-03-09T08:00:00Z", "2026-03-10T08:00:00Z"}},
		{docSchedule, "First and 15th day of every month at 4:00 PM",
			"cron(0 16 1,15 * ? *)", "2026-03-02T00:00:00Z",
			[]string{"2026-03-15T16:00:00Z", "2026-04-01T16:00:00Z"}},
		{docSchedule, "For a rate in days, the default rotation window starts at midnight",
			"rate(10 days)", "2026-03-02T13:45:00Z",
			[]string{"2026-03-12T00:00:00Z"}},
	}
	for _, tc := range tests {
		t.Run(tc.expr, func(t *testing.T) {
			t.Parallel()
			e, err := ParseExpression(tc.expr)
			if err != nil {
				t.Fatalf("%s: %v", tc.expr, err)
			}
			var got []string
			from := at(tc.from)
			for range tc.want {
				next, err := e.NextStart(from)
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, next.Format(time.RFC3339))
				from = next
			}
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("%s from %s (-AWS +got):\n%s\nAWS (%s): %q", tc.expr, tc.from, d, tc.doc, tc.quote)
			}
		})
	}
}

// TestAWSDocumentedWindows: default window lengths and the limits on
// Duration, as the Rotation windows section and RotationRulesType state them.
func TestAWSDocumentedWindows(t *testing.T) {
	t.Parallel()
	tests := []struct {
		doc, quote    string
		rules         Rules
		valid         bool
		defaultWindow time.Duration // checked when valid and Duration is empty
	}{
		{docSchedule, "the rotation window closes after one hour for a rotation schedule in hours",
			Rules{ScheduleExpression: "rate(4 hours)"}, true, time.Hour},
		{docSchedule, "the rotation window closes after one hour for a rotation schedule in hours",
			Rules{ScheduleExpression: "cron(0 4/12 * * ? *)"}, true, time.Hour},
		{docSchedule, "and at the end of the day for a rotation schedule in days (a rate in days starts at midnight)",
			Rules{ScheduleExpression: "rate(10 days)"}, true, 24 * time.Hour},
		{docSchedule, "and at the end of the day for a rotation schedule in days (cron at 10:00 closes at 24:00)",
			Rules{ScheduleExpression: "cron(0 10 * * ? *)"}, true, 14 * time.Hour},
		{docSchedule, "You can set the rotation window as small as one hour",
			Rules{ScheduleExpression: "rate(1 day)", Duration: "1h"}, true, 0},
		{docRulesType, "Duration Pattern: [0-9h]+ (whole hours)",
			Rules{ScheduleExpression: "rate(1 day)", Duration: "90m"}, false, 0},
		{docSchedule, "for a rotation schedule in hours, confirm that the rotation window is less than or equal to the number of hours between rotations",
			Rules{ScheduleExpression: "rate(4 hours)", Duration: "4h"}, true, 0},
		{docSchedule, "for a rotation schedule in hours, confirm that the rotation window is less than or equal to the number of hours between rotations",
			Rules{ScheduleExpression: "rate(4 hours)", Duration: "5h"}, false, 0},
		{docSchedule, "The rotation window must not extend into the next rotation window (4:00 and 16:00)",
			Rules{ScheduleExpression: "cron(0 4/12 * * ? *)", Duration: "13h"}, false, 0},
		{docSchedule, "For a rotation schedule in days, confirm that the start hour plus the window duration is less than or equal to 24 hours",
			Rules{ScheduleExpression: "cron(0 10 * * ? *)", Duration: "14h"}, true, 0},
		{docSchedule, "For a rotation schedule in days, confirm that the start hour plus the window duration is less than or equal to 24 hours",
			Rules{ScheduleExpression: "cron(0 10 * * ? *)", Duration: "15h"}, false, 0},
		{docSchedule, "For a rate in days ... start hour (midnight) plus the window duration is less than or equal to 24 hours",
			Rules{AutomaticallyAfterDays: 30, Duration: "24h"}, true, 0},
		{docRulesType, "AutomaticallyAfterDays Valid Range: Minimum value of 1. Maximum value of 1000",
			Rules{AutomaticallyAfterDays: 1000}, true, 24 * time.Hour},
		{docRulesType, "AutomaticallyAfterDays Valid Range: Minimum value of 1. Maximum value of 1000",
			Rules{AutomaticallyAfterDays: 1001}, false, 0},
		{docRulesType, "you can set the rotation schedule in RotationRules with AutomaticallyAfterDays or ScheduleExpression, but not both",
			Rules{AutomaticallyAfterDays: 7, ScheduleExpression: "rate(7 days)"}, false, 0},
	}
	for _, tc := range tests {
		t.Run(tc.rules.ScheduleExpression+"/"+tc.rules.Duration, func(t *testing.T) {
			t.Parallel()
			err := tc.rules.Validate()
			if got := err == nil; got != tc.valid {
				t.Fatalf("%+v: valid = %v (err %v), want %v\nAWS (%s): %q", tc.rules, got, err, tc.valid, tc.doc, tc.quote)
			}
			if !tc.valid || tc.defaultWindow == 0 {
				return
			}
			start, end, err := tc.rules.Window(time.Date(2026, 3, 2, 0, 30, 0, 0, time.UTC))
			if err != nil {
				t.Fatal(err)
			}
			if got := end.Sub(start); got != tc.defaultWindow {
				t.Errorf("%+v: default window %v, want %v\nAWS (%s): %q", tc.rules, got, tc.defaultWindow, tc.doc, tc.quote)
			}
		})
	}
}
