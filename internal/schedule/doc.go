// Package schedule parses, validates and evaluates Secrets Manager rotation
// rules (the RotationRulesType of RotateSecret) the way AWS documents them in
// "Schedule expressions in Secrets Manager rotation" and the
// RotationRulesType API reference. It is plain Go with no framework
// dependency: the emulator (internal/awsemu) uses it to accept or reject
// RotateSecret and to compute NextRotationDate, and the provider's plan-time
// validators (internal/provider/validators) use it so both agree.
//
// # Rules enforced by Rules.Validate
//
//   - Exactly one of AutomaticallyAfterDays and ScheduleExpression. The zero
//     value of AutomaticallyAfterDays and the empty ScheduleExpression mean
//     "not set".
//   - AutomaticallyAfterDays is 1–1000.
//   - ScheduleExpression is rate() or cron(), see ParseExpression.
//   - Duration, when set, is "Nh" with N 1–24, see ParseDuration. The window
//     it describes must not extend into the next rotation window nor past the
//     end of the UTC day it opens on, see Expression.MaxWindow.
//
// # Expressions (ParseExpression)
//
// An expression is at most 256 characters from the API's pattern: ASCII
// letters, digits, space and ( ) # ? * - / , (no tabs, dots or other marks).
//
// rate(Value Unit): Value is a positive decimal integer and Unit one of hour,
// hours, day, days. In hours Value is 4–23 (AWS rotates at most every four
// hours; longer intervals are written in days); in days Value is 1–999 (AWS's
// maximum rotation period).
//
// cron(Minutes Hours Day-of-month Month Day-of-week Year), six fields
// separated by blanks, evaluated in UTC:
//
//   - Minutes must be 0: rotation windows open on the hour.
//   - Hours 0–23 with the wildcards , - * /.
//   - Day-of-month 1–31 with , - * / ?, or on its own L (last day of the
//     month), LW (last weekday of the month) or nW (the weekday nearest day n,
//     staying inside the month).
//   - Month 1–12 or JAN–DEC with , - * /.
//   - Day-of-week 1–7 or SUN–SAT (1 = SUN) with , - * / ?, or on its own L
//     (Saturday, the last day of the week), dL (the last weekday d of the
//     month, e.g. 6L or FRIL) or d#k (the k-th weekday d of the month, k 1–5).
//   - Year must be *: AWS does not accept schedules more than a year apart.
//   - Exactly one of Day-of-month and Day-of-week is ?.
//   - Names are case-insensitive; ranges go from low to high (no wrap
//     around); a step is 1 or more; "n/s" means n, n+s, … up to the field's
//     maximum, and "/s" starts at the field's minimum (AWS's example
//     cron(0 /8 * * ? *), "every eight hours starting at midnight").
//
// The tests in awsdocs_test.go take every example and rule from AWS's
// "Rotation schedules" page and the RotationRulesType reference, with the
// page each came from.
//
// A cron expression must fire at least once, and two consecutive firings must
// be at least four hours apart. Hour increments restart every day (AWS:
// cron(0 4/12 * * ? *) fires at 04:00 and 16:00 every day), and this package
// also counts the gap from the last firing of one day to the first firing of
// the next when the expression can match two consecutive days, so
// cron(0 0,22 * * ? *) is rejected (22:00 to 00:00 is two hours).
//
// # Windows
//
// A rotation window opens on the hour:
//
//   - AutomaticallyAfterDays N and rate(N days): at 00:00 UTC. Without
//     Duration it closes at the end of that UTC day.
//   - rate(N hours): at 00:00 UTC and every N hours after it, restarting each
//     UTC day (like cron hour increments). Without Duration it closes after
//     one hour. Duration may be at most N hours.
//   - cron(): at every hour the expression fires. An expression that fires
//     once a day is "a schedule in days": without Duration its window closes
//     at the end of the UTC day. One that fires at several hours a day is "a
//     schedule in hours": without Duration its window closes after one hour.
//     Duration may not reach past 24:00 from the latest firing hour, nor past
//     the next firing hour of the same day.
//
// # Next rotation date (Rules.Next, Rules.Window)
//
// AWS schedules the next rotation from the date of the last rotation and
// reports as NextRotationDate the latest moment it will happen, which is the
// end of the next window. This package computes that window from the last
// rotation time t (in UTC):
//
//   - AutomaticallyAfterDays N and rate(N days): the window opens at 00:00 UTC
//     of the day N days after t's day.
//   - rate(N hours): the first window start (see above) at or after t
//     truncated to the hour plus N hours.
//   - cron(): the first firing strictly after t.
//
// Next returns the window's end: its start plus Duration, or plus the default
// window described above.
package schedule
