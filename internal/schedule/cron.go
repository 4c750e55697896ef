package schedule

import (
	"math/bits"
	"strconv"
	"strings"
	"time"
)

// cronSpec is a parsed cron() expression. Bit i of a mask means value i.
type cronSpec struct {
	raw    string
	hours  uint32 // bits 0–23
	months uint16 // bits 1–12

	// Day-of-month; used when domAny is false.
	domAny         bool   // "?"
	dom            uint32 // bits 1–31
	domLast        bool   // "L"
	domLastWeekday bool   // "LW"
	domNearest     int    // "nW": n, 0 when unused

	// Day-of-week (1 = Sunday … 7 = Saturday); used when domAny is true.
	dowAny  bool  // "?"
	dow     uint8 // bits 1–7
	dowLast int   // "dL": d, 0 when unused
	dowNth  int   // "d#k": d, 0 when unused
	dowK    int   // "d#k": k
}

// gregorianCycle is the number of days after which the Gregorian calendar,
// weekdays included, repeats (400 years); every cron() that fires at all
// fires within it.
const gregorianCycle = 146097

var monthNames = map[string]int{
	"JAN": 1, "FEB": 2, "MAR": 3, "APR": 4, "MAY": 5, "JUN": 6,
	"JUL": 7, "AUG": 8, "SEP": 9, "OCT": 10, "NOV": 11, "DEC": 12,
}

var dayNames = map[string]int{
	"SUN": 1, "MON": 2, "TUE": 3, "WED": 4, "THU": 5, "FRI": 6, "SAT": 7,
}

// field describes one list-type cron field.
type field struct {
	name     string
	min, max int
	names    map[string]int
}

var (
	hoursField = field{name: "Hours", min: 0, max: 23}
	domField   = field{name: "Day-of-month", min: 1, max: 31}
	monthField = field{name: "Month", min: 1, max: 12, names: monthNames}
	dowField   = field{name: "Day-of-week", min: 1, max: 7, names: dayNames}
)

func parseCron(body string) (*cronSpec, error) {
	raw := "cron(" + body + ")"
	f := strings.Fields(body)
	if len(f) != 6 {
		return nil, exprErr("%q has %d fields; a cron expression has six: cron(Minutes Hours Day-of-month Month Day-of-week Year), e.g. cron(0 16 ? * SUN *)", raw, len(f))
	}
	c := &cronSpec{raw: raw}
	if n, err := strconv.Atoi(f[0]); err != nil || n != 0 || strings.Trim(f[0], "0") != "" {
		return nil, exprErr("%q: Minutes must be 0, because rotation windows open on the hour; got %q", raw, f[0])
	}
	if f[5] != "*" {
		return nil, exprErr("%q: Year must be *, because Secrets Manager does not accept schedules more than a year apart; got %q", raw, f[5])
	}
	var err error
	if c.hours, err = hoursField.parseList(raw, f[1]); err != nil {
		return nil, err
	}
	m, err := monthField.parseList(raw, f[3])
	if err != nil {
		return nil, err
	}
	c.months = uint16(m)

	c.domAny, c.dowAny = f[2] == "?", f[4] == "?"
	switch {
	case c.domAny && c.dowAny:
		return nil, exprErr("%q: only one of Day-of-month and Day-of-week may be ?; set the other, e.g. * for every day", raw)
	case !c.domAny && !c.dowAny:
		return nil, exprErr("%q: one of Day-of-month (%q) and Day-of-week (%q) must be ?, e.g. cron(0 10 * * ? *) or cron(0 10 ? * MON *)", raw, f[2], f[4])
	case c.dowAny:
		if err := c.parseDOM(f[2]); err != nil {
			return nil, err
		}
	default:
		if err := c.parseDOW(f[4]); err != nil {
			return nil, err
		}
	}
	if err := c.checkFires(); err != nil {
		return nil, err
	}
	if err := c.checkFrequency(); err != nil {
		return nil, err
	}
	return c, nil
}

func (c *cronSpec) parseDOM(s string) error {
	u := strings.ToUpper(s)
	switch {
	case u == "L":
		c.domLast = true
		return nil
	case u == "LW":
		c.domLastWeekday = true
		return nil
	case strings.HasSuffix(u, "W"):
		n, ok := domField.value(u[:len(u)-1])
		if !ok {
			return exprErr("%q: Day-of-month %q: nW needs a day from 1 to 31, e.g. 15W for the weekday nearest the 15th", c.raw, s)
		}
		c.domNearest = n
		return nil
	case strings.ContainsAny(u, "LW#"):
		return exprErr("%q: Day-of-month %q: L, LW and nW must stand alone in the field", c.raw, s)
	}
	m, err := domField.parseList(c.raw, s)
	c.dom = m
	return err
}

func (c *cronSpec) parseDOW(s string) error {
	u := strings.ToUpper(s)
	switch {
	case u == "L":
		c.dow = 1 << 7 // the last day of the week: Saturday
		return nil
	case strings.Contains(u, "#"):
		d, k, _ := strings.Cut(u, "#")
		day, ok1 := dowField.value(d)
		nth, err := strconv.Atoi(k)
		if !ok1 || err != nil || nth < 1 || nth > 5 || strings.Trim(k, "0123456789") != "" {
			return exprErr("%q: Day-of-week %q: d#k needs a weekday 1-7 or SUN-SAT and k from 1 to 5, e.g. MON#1 for the first Monday of the month", c.raw, s)
		}
		c.dowNth, c.dowK = day, nth
		return nil
	case len(u) > 1 && strings.HasSuffix(u, "L"):
		day, ok := dowField.value(u[:len(u)-1])
		if !ok {
			return exprErr("%q: Day-of-week %q: dL needs a weekday 1-7 or SUN-SAT, e.g. FRIL for the last Friday of the month", c.raw, s)
		}
		c.dowLast = day
		return nil
	case strings.ContainsAny(u, "L#"):
		return exprErr("%q: Day-of-week %q: L, dL and d#k must stand alone in the field", c.raw, s)
	}
	m, err := dowField.parseList(c.raw, s)
	c.dow = uint8(m)
	return err
}

// value parses a number or, where the field has them, a name.
func (f field) value(s string) (int, bool) {
	if n, ok := f.names[strings.ToUpper(s)]; ok {
		return n, true
	}
	if s == "" || len(s) > 2 || strings.Trim(s, "0123456789") != "" {
		return 0, false
	}
	n, _ := strconv.Atoi(s)
	return n, n >= f.min && n <= f.max
}

// parseList parses "*", values, ranges a-b, steps x/s (x is *, a value, a
// range or empty; a lone value n means n up to the maximum, an empty x the
// field's minimum) and comma lists of them.
func (f field) parseList(raw, s string) (uint32, error) {
	allowed := "a value"
	if f.names != nil {
		allowed = "a number or name"
	}
	bad := func(item, why string) error {
		return exprErr("%q: %s %q: %s; use %s from %d to %d, *, ranges a-b, steps x/n and comma lists",
			raw, f.name, item, why, allowed, f.min, f.max)
	}
	var mask uint32
	for item := range strings.SplitSeq(s, ",") {
		base, stepStr, hasStep := strings.Cut(item, "/")
		step := 1
		if hasStep {
			n, err := strconv.Atoi(stepStr)
			if err != nil || n < 1 || strings.Trim(stepStr, "0123456789") != "" {
				return 0, bad(item, "the step must be a whole number of 1 or more")
			}
			step = n
		}
		lo, hi := f.min, f.max
		switch {
		case base == "*":
		case base == "" && hasStep:
			// "/n" starts at the field's minimum: AWS documents
			// cron(0 /8 * * ? *) as "every eight hours starting at midnight".
		case strings.Contains(base, "-"):
			a, b, _ := strings.Cut(base, "-")
			var ok1, ok2 bool
			lo, ok1 = f.value(a)
			hi, ok2 = f.value(b)
			if !ok1 || !ok2 {
				return 0, bad(item, "not a valid range")
			}
			if lo > hi {
				return 0, bad(item, "a range must go from low to high")
			}
		default:
			v, ok := f.value(base)
			if !ok {
				return 0, bad(item, "not a valid value")
			}
			lo = v
			if !hasStep {
				hi = v
			}
		}
		for v := lo; v <= hi; v += step {
			mask |= 1 << v
		}
	}
	return mask, nil
}

// daysIn returns the number of days of month m in year y.
func daysIn(y int, m time.Month) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

func weekday(y int, m time.Month, d int) time.Weekday {
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Weekday()
}

// matchDay reports whether c fires on the given date (at some hour).
func (c *cronSpec) matchDay(y int, m time.Month, d int) bool {
	if c.months&(1<<m) == 0 {
		return false
	}
	last := daysIn(y, m)
	if !c.domAny {
		switch {
		case c.domLast:
			return d == last
		case c.domLastWeekday:
			return d == nearestWeekday(y, m, last, last)
		case c.domNearest != 0:
			return c.domNearest <= last && d == nearestWeekday(y, m, c.domNearest, last)
		}
		return c.dom&(1<<d) != 0
	}
	w := int(weekday(y, m, d)) + 1 // 1 = Sunday
	switch {
	case c.dowLast != 0:
		return w == c.dowLast && d+7 > last
	case c.dowNth != 0:
		return w == c.dowNth && (d-1)/7+1 == c.dowK
	}
	return c.dow&(1<<w) != 0
}

// nearestWeekday is the Monday-to-Friday day nearest day n of the month,
// without leaving the month.
func nearestWeekday(y int, m time.Month, n, last int) int {
	switch weekday(y, m, n) {
	case time.Saturday:
		if n == 1 {
			return 3
		}
		return n - 1
	case time.Sunday:
		if n == last {
			return n - 2
		}
		return n + 1
	}
	return n
}

// next returns the first firing strictly after t (UTC).
func (c *cronSpec) next(t time.Time) (time.Time, bool) {
	day := midnight(t)
	for range gregorianCycle + 1 {
		y, m, d := day.Date()
		if c.matchDay(y, m, d) {
			for h := range 24 {
				if c.hours&(1<<h) == 0 {
					continue
				}
				if at := day.Add(time.Duration(h) * time.Hour); at.After(t) {
					return at, true
				}
			}
		}
		day = day.AddDate(0, 0, 1)
	}
	return time.Time{}, false
}

// checkFires rejects an expression that matches no date at all, such as
// cron(0 0 30 2 ? *). Only a Day-of-month list or nW can cause that: every
// month has every weekday, a last day and a last weekday, and even a fifth
// weekday in some years.
func (c *cronSpec) checkFires() error {
	if c.domAny || c.domLast || c.domLastWeekday {
		return nil
	}
	for m := time.January; m <= time.December; m++ {
		if c.months&(1<<m) == 0 {
			continue
		}
		maxDay := daysIn(2000, m) // a leap year: February has 29 days
		if c.domNearest != 0 && c.domNearest <= maxDay {
			return nil
		}
		if c.domNearest == 0 && bits.TrailingZeros32(c.dom) <= maxDay {
			return nil
		}
	}
	return exprErr("%q never fires: no selected month has the selected day of the month", c.raw)
}

// checkFrequency rejects firings less than MinInterval apart: within a day,
// and from the last firing of a day to the first of the next day when the
// expression matches two consecutive days.
func (c *cronSpec) checkFrequency() error {
	var hs []int
	for h := range 24 {
		if c.hours&(1<<h) != 0 {
			hs = append(hs, h)
		}
	}
	minH := int(MinInterval / time.Hour)
	for i := 1; i < len(hs); i++ {
		if hs[i]-hs[i-1] < minH {
			return exprErr("%q fires at %02d:00 and %02d:00 UTC, %d hour(s) apart; Secrets Manager rotates at most every %d hours (e.g. Hours 0/4 or 2,10,18)",
				c.raw, hs[i-1], hs[i], hs[i]-hs[i-1], minH)
		}
	}
	first, last := hs[0], hs[len(hs)-1]
	if gap := 24 - last + first; gap < minH && c.hasConsecutiveDays() {
		return exprErr("%q fires at %02d:00 UTC and again at %02d:00 UTC the next day, %d hour(s) apart; Secrets Manager rotates at most every %d hours",
			c.raw, last, first, gap, minH)
	}
	return nil
}

// hasConsecutiveDays reports whether c matches two consecutive dates. Eight
// years from 2000 (a leap year) are enough: day-of-month pairs across month
// ends and February 28/29 recur within four years, and day-of-week specs
// repeat weekly or never match consecutive days.
func (c *cronSpec) hasConsecutiveDays() bool {
	day := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	end := day.AddDate(8, 0, 0)
	prev := false
	for ; day.Before(end); day = day.AddDate(0, 0, 1) {
		y, m, d := day.Date()
		cur := c.matchDay(y, m, d)
		if cur && prev {
			return true
		}
		prev = cur
	}
	return false
}
