package schedule_test

import (
	"fmt"
	"time"

	"github.com/rotatorhq/terraform-provider-rotator/internal/schedule"
)

func ExampleRules_Next() {
	last := time.Date(2026, 1, 10, 13, 45, 0, 0, time.UTC) // a Saturday
	for _, r := range []schedule.Rules{
		{AutomaticallyAfterDays: 30},
		{ScheduleExpression: "rate(4 hours)"},
		{ScheduleExpression: "cron(0 16 ? * SUN *)", Duration: "2h"},
	} {
		next, err := r.Next(last)
		fmt.Println(next.Format(time.RFC3339), err)
	}
	// Output:
	// 2026-02-10T00:00:00Z <nil>
	// 2026-01-10T21:00:00Z <nil>
	// 2026-01-11T18:00:00Z <nil>
}

func ExampleRules_Validate() {
	for _, r := range []schedule.Rules{
		{ScheduleExpression: "cron(0 */2 * * ? *)"},
		{ScheduleExpression: "cron(0 22 * * ? *)", Duration: "3h"},
		{AutomaticallyAfterDays: 7, ScheduleExpression: "rate(7 days)"},
	} {
		fmt.Println(r.Validate())
	}
	// Output:
	// ScheduleExpression: "cron(0 */2 * * ? *)" fires at 00:00 and 02:00 UTC, 2 hour(s) apart; Secrets Manager rotates at most every 4 hours (e.g. Hours 0/4 or 2,10,18)
	// Duration: a 3h window opening at 22:00 UTC (cron(0 22 * * ? *)) would run past the end of the UTC day: use at most 2h
	// RotationRules: set either AutomaticallyAfterDays or ScheduleExpression, not both
}
