package schedule

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// errShape is what a test asserts about an error: the field it names and a
// fragment of the reason that says what is allowed.
type errShape struct {
	Field  string
	Reason string // substring
}

func shapeOf(t *testing.T, err error, wantReason string) *errShape {
	t.Helper()
	if err == nil {
		return nil
	}
	e, ok := AsError(err)
	if !ok {
		t.Fatalf("error %v is not a *schedule.Error", err)
	}
	got := &errShape{Field: e.Field, Reason: e.Reason}
	if wantReason != "" && strings.Contains(e.Reason, wantReason) {
		got.Reason = wantReason
	}
	return got
}

func TestRulesValidate(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		rules Rules
		want  *errShape
	}{
		// AutomaticallyAfterDays.
		"days 1":                  {rules: Rules{AutomaticallyAfterDays: 1}},
		"days 30":                 {rules: Rules{AutomaticallyAfterDays: 30}},
		"days 1000":               {rules: Rules{AutomaticallyAfterDays: 1000}},
		"days 1001":               {rules: Rules{AutomaticallyAfterDays: 1001}, want: &errShape{FieldAutomaticallyAfterDays, "between 1 and 1000"}},
		"days negative":           {rules: Rules{AutomaticallyAfterDays: -1}, want: &errShape{FieldAutomaticallyAfterDays, "between 1 and 1000"}},
		"days with 24h window":    {rules: Rules{AutomaticallyAfterDays: 7, Duration: "24h"}},
		"days with 25h window":    {rules: Rules{AutomaticallyAfterDays: 7, Duration: "25h"}, want: &errShape{FieldDuration, "between 1h and 24h"}},
		"both days and schedule":  {rules: Rules{AutomaticallyAfterDays: 7, ScheduleExpression: "rate(7 days)"}, want: &errShape{"", "not both"}},
		"neither days nor sched":  {rules: Rules{}, want: &errShape{"", "set one of"}},
		"only a duration":         {rules: Rules{Duration: "3h"}, want: &errShape{"", "set one of"}},
		"rate 4 hours":            {rules: Rules{ScheduleExpression: "rate(4 hours)"}},
		"rate 1 hour":             {rules: Rules{ScheduleExpression: "rate(1 hour)"}, want: &errShape{FieldScheduleExpression, "from 4 to 23 hours"}},
		"rate 3 hours":            {rules: Rules{ScheduleExpression: "rate(3 hours)"}, want: &errShape{FieldScheduleExpression, "from 4 to 23 hours"}},
		"rate 23 hours":           {rules: Rules{ScheduleExpression: "rate(23 hours)"}},
		"rate 24 hours":           {rules: Rules{ScheduleExpression: "rate(24 hours)"}, want: &errShape{FieldScheduleExpression, "write longer intervals in days"}},
		"rate 1 day":              {rules: Rules{ScheduleExpression: "rate(1 day)"}},
		"rate 10 days":            {rules: Rules{ScheduleExpression: "rate(10 days)"}},
		"rate 999 days":           {rules: Rules{ScheduleExpression: "rate(999 days)"}},
		"rate 1000 days":          {rules: Rules{ScheduleExpression: "rate(1000 days)"}, want: &errShape{FieldScheduleExpression, "from 1 to 999 days"}},
		"rate 0 days":             {rules: Rules{ScheduleExpression: "rate(0 days)"}, want: &errShape{FieldScheduleExpression, "from 1 to 999 days"}},
		"rate huge":               {rules: Rules{ScheduleExpression: "rate(99999999999999999999 days)"}, want: &errShape{FieldScheduleExpression, "from 1 to 999 days"}},
		"rate negative":           {rules: Rules{ScheduleExpression: "rate(-1 days)"}, want: &errShape{FieldScheduleExpression, "positive whole number"}},
		"rate weeks":              {rules: Rules{ScheduleExpression: "rate(2 weeks)"}, want: &errShape{FieldScheduleExpression, "one of hour, hours, day, days"}},
		"rate minutes":            {rules: Rules{ScheduleExpression: "rate(240 minutes)"}, want: &errShape{FieldScheduleExpression, "one of hour, hours, day, days"}},
		"rate without unit":       {rules: Rules{ScheduleExpression: "rate(5)"}, want: &errShape{FieldScheduleExpression, "rate(Value Unit)"}},
		"rate fraction":           {rules: Rules{ScheduleExpression: "rate(1.5 days)"}, want: &errShape{FieldScheduleExpression, `contains '.'`}},
		"not an expression":       {rules: Rules{ScheduleExpression: "every day"}, want: &errShape{FieldScheduleExpression, "not a schedule expression"}},
		"uppercase RATE":          {rules: Rules{ScheduleExpression: "RATE(1 day)"}, want: &errShape{FieldScheduleExpression, "not a schedule expression"}},
		"at expression":           {rules: Rules{ScheduleExpression: "at(2026-01-01)"}, want: &errShape{FieldScheduleExpression, "not a schedule expression"}},
		"colon":                   {rules: Rules{ScheduleExpression: "at(2026-01-01T00:00:00)"}, want: &errShape{FieldScheduleExpression, `contains ':'; a schedule expression uses only letters, digits, spaces and ( ) # ? * - / ,`}},
		"tab":                     {rules: Rules{ScheduleExpression: "cron(0\t16 ? * SUN *)"}, want: &errShape{FieldScheduleExpression, `contains '\t'`}},
		"too long":                {rules: Rules{ScheduleExpression: "cron(0 " + strings.Repeat("1,", 130) + "1 * * ? *)"}, want: &errShape{FieldScheduleExpression, "at most 256"}},
		"rate hours 4h window":    {rules: Rules{ScheduleExpression: "rate(4 hours)", Duration: "4h"}},
		"rate hours 5h window":    {rules: Rules{ScheduleExpression: "rate(4 hours)", Duration: "5h"}, want: &errShape{FieldDuration, "next rotation window"}},
		"rate days 24h window":    {rules: Rules{ScheduleExpression: "rate(2 days)", Duration: "24h"}},
		"cron weekly":             {rules: Rules{ScheduleExpression: "cron(0 16 ? * SUN *)"}},
		"cron weekly lowercase":   {rules: Rules{ScheduleExpression: "cron(0 16 ? jan,jul sun *)"}},
		"cron every 12h":          {rules: Rules{ScheduleExpression: "cron(0 4/12 * * ? *)"}},
		"cron every 4h":           {rules: Rules{ScheduleExpression: "cron(0 */4 * * ? *)"}},
		"cron hour list":          {rules: Rules{ScheduleExpression: "cron(0 2,10,18 * * ? *)"}},
		"cron unordered list":     {rules: Rules{ScheduleExpression: "cron(0 20,0 * * ? *)"}},
		"cron every other day":    {rules: Rules{ScheduleExpression: "cron(0 0 1/2 * ? *)"}},
		"cron last day":           {rules: Rules{ScheduleExpression: "cron(0 8 L * ? *)"}},
		"cron last weekday":       {rules: Rules{ScheduleExpression: "cron(0 8 LW * ? *)"}},
		"cron nearest weekday":    {rules: Rules{ScheduleExpression: "cron(0 8 15W * ? *)"}},
		"cron first monday":       {rules: Rules{ScheduleExpression: "cron(0 0 ? * MON#1 *)"}},
		"cron last friday":        {rules: Rules{ScheduleExpression: "cron(0 0 ? * FRIL *)"}},
		"cron last friday num":    {rules: Rules{ScheduleExpression: "cron(0 0 ? * 6L *)"}},
		"cron saturday L":         {rules: Rules{ScheduleExpression: "cron(0 0 ? * L *)"}},
		"cron weekdays":           {rules: Rules{ScheduleExpression: "cron(0 0 ? * MON-FRI *)"}},
		"cron quarterly":          {rules: Rules{ScheduleExpression: "cron(0 0 1 JAN,APR,JUL,OCT ? *)"}},
		"cron month step":         {rules: Rules{ScheduleExpression: "cron(0 0 1 1/3 ? *)"}},
		"cron leap day":           {rules: Rules{ScheduleExpression: "cron(0 0 29 FEB ? *)"}},
		"cron extra blanks":       {rules: Rules{ScheduleExpression: "cron(0  16 ? * SUN *)"}},
		"cron hourly */1":         {rules: Rules{ScheduleExpression: "cron(0 */1 * * ? *)"}, want: &errShape{FieldScheduleExpression, "at most every 4 hours"}},
		"cron 2h apart":           {rules: Rules{ScheduleExpression: "cron(0 1,3 * * ? *)"}, want: &errShape{FieldScheduleExpression, "01:00 and 03:00 UTC, 2 hour(s) apart"}},
		"cron 3h step":            {rules: Rules{ScheduleExpression: "cron(0 0/3 * * ? *)"}, want: &errShape{FieldScheduleExpression, "at most every 4 hours"}},
		"cron hour range":         {rules: Rules{ScheduleExpression: "cron(0 8-10 * * ? *)"}, want: &errShape{FieldScheduleExpression, "at most every 4 hours"}},
		"cron across midnight":    {rules: Rules{ScheduleExpression: "cron(0 0,22 * * ? *)"}, want: &errShape{FieldScheduleExpression, "the next day, 2 hour(s) apart"}},
		"cron midnight monthly":   {rules: Rules{ScheduleExpression: "cron(0 0,22 1 * ? *)"}},
		"cron midnight 2 days":    {rules: Rules{ScheduleExpression: "cron(0 0,22 1,2 * ? *)"}, want: &errShape{FieldScheduleExpression, "the next day"}},
		"cron minutes 5":          {rules: Rules{ScheduleExpression: "cron(5 10 * * ? *)"}, want: &errShape{FieldScheduleExpression, "Minutes must be 0"}},
		"cron minutes step":       {rules: Rules{ScheduleExpression: "cron(0/30 10 * * ? *)"}, want: &errShape{FieldScheduleExpression, "Minutes must be 0"}},
		"cron minutes star":       {rules: Rules{ScheduleExpression: "cron(* 10 * * ? *)"}, want: &errShape{FieldScheduleExpression, "Minutes must be 0"}},
		"cron year":               {rules: Rules{ScheduleExpression: "cron(0 10 * * ? 2027)"}, want: &errShape{FieldScheduleExpression, "Year must be *"}},
		"cron five fields":        {rules: Rules{ScheduleExpression: "cron(0 10 * * ?)"}, want: &errShape{FieldScheduleExpression, "has 5 fields"}},
		"cron seven fields":       {rules: Rules{ScheduleExpression: "cron(0 0 10 * * ? *)"}, want: &errShape{FieldScheduleExpression, "has 7 fields"}},
		"cron no question mark":   {rules: Rules{ScheduleExpression: "cron(0 10 * * * *)"}, want: &errShape{FieldScheduleExpression, "must be ?"}},
		"cron two question marks": {rules: Rules{ScheduleExpression: "cron(0 10 ? * ? *)"}, want: &errShape{FieldScheduleExpression, "only one of Day-of-month and Day-of-week"}},
		"cron hour 24":            {rules: Rules{ScheduleExpression: "cron(0 24 * * ? *)"}, want: &errShape{FieldScheduleExpression, "Hours \"24\""}},
		"cron hour question":      {rules: Rules{ScheduleExpression: "cron(0 ? * * ? *)"}, want: &errShape{FieldScheduleExpression, "Hours \"?\""}},
		"cron day 32":             {rules: Rules{ScheduleExpression: "cron(0 10 32 * ? *)"}, want: &errShape{FieldScheduleExpression, "Day-of-month \"32\""}},
		"cron day 0":              {rules: Rules{ScheduleExpression: "cron(0 10 0 * ? *)"}, want: &errShape{FieldScheduleExpression, "Day-of-month \"0\""}},
		"cron month 13":           {rules: Rules{ScheduleExpression: "cron(0 10 1 13 ? *)"}, want: &errShape{FieldScheduleExpression, "Month \"13\""}},
		"cron month name":         {rules: Rules{ScheduleExpression: "cron(0 10 1 JANUARY ? *)"}, want: &errShape{FieldScheduleExpression, "Month \"JANUARY\""}},
		"cron weekday 8":          {rules: Rules{ScheduleExpression: "cron(0 10 ? * 8 *)"}, want: &errShape{FieldScheduleExpression, "Day-of-week \"8\""}},
		"cron weekday 0":          {rules: Rules{ScheduleExpression: "cron(0 10 ? * 0 *)"}, want: &errShape{FieldScheduleExpression, "Day-of-week \"0\""}},
		"cron weekday name":       {rules: Rules{ScheduleExpression: "cron(0 10 ? * FOO *)"}, want: &errShape{FieldScheduleExpression, "Day-of-week \"FOO\""}},
		"cron sixth monday":       {rules: Rules{ScheduleExpression: "cron(0 10 ? * MON#6 *)"}, want: &errShape{FieldScheduleExpression, "k from 1 to 5"}},
		"cron hash in list":       {rules: Rules{ScheduleExpression: "cron(0 10 ? * MON#1,TUE *)"}, want: &errShape{FieldScheduleExpression, "k from 1 to 5"}},
		"cron L in list":          {rules: Rules{ScheduleExpression: "cron(0 10 L,1 * ? *)"}, want: &errShape{FieldScheduleExpression, "must stand alone"}},
		"cron W on its own":       {rules: Rules{ScheduleExpression: "cron(0 10 W * ? *)"}, want: &errShape{FieldScheduleExpression, "nW needs a day from 1 to 31"}},
		"cron 32W":                {rules: Rules{ScheduleExpression: "cron(0 10 32W * ? *)"}, want: &errShape{FieldScheduleExpression, "nW needs a day from 1 to 31"}},
		"cron backwards range":    {rules: Rules{ScheduleExpression: "cron(0 10 5-1 * ? *)"}, want: &errShape{FieldScheduleExpression, "from low to high"}},
		"cron wrapping weekdays":  {rules: Rules{ScheduleExpression: "cron(0 10 ? * FRI-MON *)"}, want: &errShape{FieldScheduleExpression, "from low to high"}},
		"cron step zero":          {rules: Rules{ScheduleExpression: "cron(0 10 */0 * ? *)"}, want: &errShape{FieldScheduleExpression, "step must be a whole number of 1 or more"}},
		"cron empty list item":    {rules: Rules{ScheduleExpression: "cron(0 10 1,,2 * ? *)"}, want: &errShape{FieldScheduleExpression, "not a valid value"}},
		"cron never fires":        {rules: Rules{ScheduleExpression: "cron(0 10 30 2 ? *)"}, want: &errShape{FieldScheduleExpression, "never fires"}},
		"cron 31st of april":      {rules: Rules{ScheduleExpression: "cron(0 10 31 4,6 ? *)"}, want: &errShape{FieldScheduleExpression, "never fires"}},
		"cron 30W of february":    {rules: Rules{ScheduleExpression: "cron(0 10 30W 2 ? *)"}, want: &errShape{FieldScheduleExpression, "never fires"}},
		"cron daily 20h + 4h":     {rules: Rules{ScheduleExpression: "cron(0 20 * * ? *)", Duration: "4h"}},
		"cron daily 20h + 5h":     {rules: Rules{ScheduleExpression: "cron(0 20 * * ? *)", Duration: "5h"}, want: &errShape{FieldDuration, "opening at 20:00 UTC"}},
		"cron midnight + 24h":     {rules: Rules{ScheduleExpression: "cron(0 0 ? * MON *)", Duration: "24h"}},
		"cron 12h + 8h":           {rules: Rules{ScheduleExpression: "cron(0 4/12 * * ? *)", Duration: "8h"}},
		"cron 12h + 9h":           {rules: Rules{ScheduleExpression: "cron(0 4/12 * * ? *)", Duration: "9h"}, want: &errShape{FieldDuration, "past the end of the UTC day: use at most 8h"}},
		"cron 4h apart + 5h":      {rules: Rules{ScheduleExpression: "cron(0 0,4 * * ? *)", Duration: "5h"}, want: &errShape{FieldDuration, "into the next window at 04:00 UTC"}},
		"cron 8h apart + 6h":      {rules: Rules{ScheduleExpression: "cron(0 2,10,18 * * ? *)", Duration: "6h"}},
		"duration 1h":             {rules: Rules{ScheduleExpression: "rate(1 day)", Duration: "1h"}},
		"duration 0h":             {rules: Rules{ScheduleExpression: "rate(1 day)", Duration: "0h"}, want: &errShape{FieldDuration, "between 1h and 24h"}},
		"duration no unit":        {rules: Rules{ScheduleExpression: "rate(1 day)", Duration: "3"}, want: &errShape{FieldDuration, "whole hours followed by h"}},
		"duration uppercase":      {rules: Rules{ScheduleExpression: "rate(1 day)", Duration: "3H"}, want: &errShape{FieldDuration, "whole hours followed by h"}},
		"duration minutes":        {rules: Rules{ScheduleExpression: "rate(1 day)", Duration: "90m"}, want: &errShape{FieldDuration, "whole hours followed by h"}},
		"duration fraction":       {rules: Rules{ScheduleExpression: "rate(1 day)", Duration: "1.5h"}, want: &errShape{FieldDuration, "whole hours followed by h"}},
		"duration negative":       {rules: Rules{ScheduleExpression: "rate(1 day)", Duration: "-1h"}, want: &errShape{FieldDuration, "whole hours followed by h"}},
		"duration only h":         {rules: Rules{ScheduleExpression: "rate(1 day)", Duration: "h"}, want: &errShape{FieldDuration, "whole hours followed by h"}},
		"duration 100h":           {rules: Rules{ScheduleExpression: "rate(1 day)", Duration: "100h"}, want: &errShape{FieldDuration, "whole hours followed by h"}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			wantReason := ""
			if tc.want != nil {
				wantReason = tc.want.Reason
			}
			got := shapeOf(t, tc.rules.Validate(), wantReason)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Validate(%+v) mismatch (-want +got):\n%s", tc.rules, diff)
			}
		})
	}
}

func TestErrorMessageNamesField(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		rules Rules
		want  string
	}{
		"days":       {Rules{AutomaticallyAfterDays: 0 - 5}, "AutomaticallyAfterDays: must be between 1 and 1000 days, got -5"},
		"both":       {Rules{AutomaticallyAfterDays: 5, ScheduleExpression: "rate(5 days)"}, "RotationRules: set either AutomaticallyAfterDays or ScheduleExpression, not both"},
		"expression": {Rules{ScheduleExpression: "rate(2 hours)"}, `ScheduleExpression: "rate(2 hours)": a rate in hours must be from 4 to 23 hours (Secrets Manager rotates at most every 4 hours; write longer intervals in days), got 2`},
		"duration":   {Rules{AutomaticallyAfterDays: 5, Duration: "30h"}, `Duration: must be between 1h and 24h, got "30h"`},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			err := tc.rules.Validate()
			if err == nil {
				t.Fatalf("Validate(%+v) = nil, want %q", tc.rules, tc.want)
			}
			if diff := cmp.Diff(tc.want, err.Error()); diff != "" {
				t.Errorf("message mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseDuration(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		in      string
		want    time.Duration
		wantErr bool
	}{
		"1h":    {in: "1h", want: time.Hour},
		"3h":    {in: "3h", want: 3 * time.Hour},
		"24h":   {in: "24h", want: 24 * time.Hour},
		"03h":   {in: "03h", want: 3 * time.Hour},
		"0h":    {in: "0h", wantErr: true},
		"25h":   {in: "25h", wantErr: true},
		"empty": {in: "", wantErr: true},
		"space": {in: " 3h", wantErr: true},
		"go":    {in: "1h30m", wantErr: true},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseDuration(tc.in)
			if (err != nil) != tc.wantErr {
				t.Fatalf("ParseDuration(%q) error = %v, want error %v", tc.in, err, tc.wantErr)
			}
			if err != nil {
				if e, ok := AsError(err); !ok || e.Field != FieldDuration {
					t.Errorf("ParseDuration(%q) error %v does not name %s", tc.in, err, FieldDuration)
				}
				return
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("ParseDuration(%q) mismatch (-want +got):\n%s", tc.in, diff)
			}
		})
	}
}

func TestExpressionShape(t *testing.T) {
	t.Parallel()
	type shape struct {
		Kind          Kind
		Hourly        bool
		FiringHours   []int
		DefaultWindow time.Duration
		MaxWindow     time.Duration
	}
	tests := map[string]struct {
		rules Rules
		want  shape
	}{
		"days":         {Rules{AutomaticallyAfterDays: 30}, shape{KindRate, false, []int{0}, 24 * time.Hour, 24 * time.Hour}},
		"rate days":    {Rules{ScheduleExpression: "rate(3 days)"}, shape{KindRate, false, []int{0}, 24 * time.Hour, 24 * time.Hour}},
		"rate hours":   {Rules{ScheduleExpression: "rate(6 hours)"}, shape{KindRate, true, []int{0, 6, 12, 18}, time.Hour, 6 * time.Hour}},
		"rate 5 hours": {Rules{ScheduleExpression: "rate(5 hours)"}, shape{KindRate, true, []int{0, 5, 10, 15, 20}, time.Hour, 5 * time.Hour}},
		"cron daily":   {Rules{ScheduleExpression: "cron(0 16 ? * SUN *)"}, shape{KindCron, false, []int{16}, 8 * time.Hour, 8 * time.Hour}},
		"cron hourly":  {Rules{ScheduleExpression: "cron(0 4/12 * * ? *)"}, shape{KindCron, true, []int{4, 16}, time.Hour, 8 * time.Hour}},
		"cron list":    {Rules{ScheduleExpression: "cron(0 1,5,20 * * ? *)"}, shape{KindCron, true, []int{1, 5, 20}, time.Hour, 4 * time.Hour}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			e, err := tc.rules.Expression()
			if err != nil {
				t.Fatalf("Expression(): %v", err)
			}
			got := shape{e.Kind(), e.IsHourly(), e.FiringHours(), e.DefaultWindow(), e.MaxWindow()}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("shape mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func utc(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t.UTC()
}

func TestRulesWindowAndNext(t *testing.T) {
	t.Parallel()
	// 2026-01-10 is a Saturday.
	const last = "2026-01-10T13:45:00Z"
	tests := map[string]struct {
		rules       Rules
		lastRotated string
		wantStart   string
		wantEnd     string
	}{
		"days: midnight N days later, end of day":  {Rules{AutomaticallyAfterDays: 30}, last, "2026-02-09T00:00:00Z", "2026-02-10T00:00:00Z"},
		"days with duration":                       {Rules{AutomaticallyAfterDays: 1, Duration: "3h"}, last, "2026-01-11T00:00:00Z", "2026-01-11T03:00:00Z"},
		"days across a year":                       {Rules{AutomaticallyAfterDays: 365}, "2027-12-31T23:59:59Z", "2028-12-30T00:00:00Z", "2028-12-31T00:00:00Z"},
		"rate days":                                {Rules{ScheduleExpression: "rate(10 days)"}, last, "2026-01-20T00:00:00Z", "2026-01-21T00:00:00Z"},
		"rate 1 day with duration":                 {Rules{ScheduleExpression: "rate(1 day)", Duration: "2h"}, last, "2026-01-11T00:00:00Z", "2026-01-11T02:00:00Z"},
		"rate hours: next grid hour":               {Rules{ScheduleExpression: "rate(4 hours)"}, last, "2026-01-10T20:00:00Z", "2026-01-10T21:00:00Z"},
		"rate hours: on the grid":                  {Rules{ScheduleExpression: "rate(4 hours)"}, "2026-01-10T08:00:00Z", "2026-01-10T12:00:00Z", "2026-01-10T13:00:00Z"},
		"rate hours: past midnight":                {Rules{ScheduleExpression: "rate(6 hours)"}, "2026-01-10T23:10:00Z", "2026-01-11T06:00:00Z", "2026-01-11T07:00:00Z"},
		"rate hours: grid restarts each day":       {Rules{ScheduleExpression: "rate(5 hours)"}, "2026-01-10T20:30:00Z", "2026-01-11T05:00:00Z", "2026-01-11T06:00:00Z"},
		"rate hours: last slot rolls to midnight":  {Rules{ScheduleExpression: "rate(5 hours)"}, "2026-01-10T17:00:00Z", "2026-01-11T00:00:00Z", "2026-01-11T01:00:00Z"},
		"rate hours with duration":                 {Rules{ScheduleExpression: "rate(8 hours)", Duration: "8h"}, "2026-01-10T18:00:00Z", "2026-01-11T08:00:00Z", "2026-01-11T16:00:00Z"},
		"cron weekly: window to end of day":        {Rules{ScheduleExpression: "cron(0 16 ? * SUN *)"}, last, "2026-01-11T16:00:00Z", "2026-01-12T00:00:00Z"},
		"cron weekly with duration":                {Rules{ScheduleExpression: "cron(0 16 ? * SUN *)", Duration: "2h"}, last, "2026-01-11T16:00:00Z", "2026-01-11T18:00:00Z"},
		"cron 12h: later today, 1h window":         {Rules{ScheduleExpression: "cron(0 4/12 * * ? *)"}, "2026-01-10T05:00:00Z", "2026-01-10T16:00:00Z", "2026-01-10T17:00:00Z"},
		"cron 12h: strictly after last":            {Rules{ScheduleExpression: "cron(0 4/12 * * ? *)"}, "2026-01-10T16:00:00Z", "2026-01-11T04:00:00Z", "2026-01-11T05:00:00Z"},
		"cron rotated inside window":               {Rules{ScheduleExpression: "cron(0 10 * * ? *)", Duration: "3h"}, "2026-01-10T10:30:00Z", "2026-01-11T10:00:00Z", "2026-01-11T13:00:00Z"},
		"cron last day of february":                {Rules{ScheduleExpression: "cron(0 8 L * ? *)"}, "2026-02-10T00:00:00Z", "2026-02-28T08:00:00Z", "2026-03-01T00:00:00Z"},
		"cron last day of leap february":           {Rules{ScheduleExpression: "cron(0 8 L * ? *)"}, "2028-02-10T00:00:00Z", "2028-02-29T08:00:00Z", "2028-03-01T00:00:00Z"},
		"cron last weekday (31st is a Sunday)":     {Rules{ScheduleExpression: "cron(0 8 LW * ? *)"}, "2026-05-01T00:00:00Z", "2026-05-29T08:00:00Z", "2026-05-30T00:00:00Z"},
		"cron nearest weekday (Sunday -> Monday)":  {Rules{ScheduleExpression: "cron(0 8 15W * ? *)"}, "2026-03-01T00:00:00Z", "2026-03-16T08:00:00Z", "2026-03-17T00:00:00Z"},
		"cron 1W on a Saturday -> Monday 3rd":      {Rules{ScheduleExpression: "cron(0 8 1W * ? *)"}, "2026-07-15T00:00:00Z", "2026-08-03T08:00:00Z", "2026-08-04T00:00:00Z"},
		"cron 31W on a Saturday -> Friday":         {Rules{ScheduleExpression: "cron(0 8 31W * ? *)"}, "2026-01-01T00:00:00Z", "2026-01-30T08:00:00Z", "2026-01-31T00:00:00Z"},
		"cron first monday":                        {Rules{ScheduleExpression: "cron(0 0 ? * MON#1 *)"}, last, "2026-02-02T00:00:00Z", "2026-02-03T00:00:00Z"},
		"cron last friday":                         {Rules{ScheduleExpression: "cron(0 0 ? * FRIL *)"}, last, "2026-01-30T00:00:00Z", "2026-01-31T00:00:00Z"},
		"cron L in day-of-week is saturday":        {Rules{ScheduleExpression: "cron(0 0 ? * L *)"}, last, "2026-01-17T00:00:00Z", "2026-01-18T00:00:00Z"},
		"cron weekdays skip the weekend":           {Rules{ScheduleExpression: "cron(0 6 ? * MON-FRI *)"}, last, "2026-01-12T06:00:00Z", "2026-01-13T00:00:00Z"},
		"cron quarterly":                           {Rules{ScheduleExpression: "cron(0 0 1 JAN,APR,JUL,OCT ? *)"}, last, "2026-04-01T00:00:00Z", "2026-04-02T00:00:00Z"},
		"cron leap day":                            {Rules{ScheduleExpression: "cron(0 0 29 2 ? *)"}, "2026-03-01T00:00:00Z", "2028-02-29T00:00:00Z", "2028-03-01T00:00:00Z"},
		"cron fifth sunday of february (28 years)": {Rules{ScheduleExpression: "cron(0 0 ? 2 SUN#5 *)"}, "2026-01-01T00:00:00Z", "2032-02-29T00:00:00Z", "2032-03-01T00:00:00Z"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			start, end, err := tc.rules.Window(utc(tc.lastRotated))
			if err != nil {
				t.Fatalf("Window: %v", err)
			}
			next, err := tc.rules.Next(utc(tc.lastRotated))
			if err != nil {
				t.Fatalf("Next: %v", err)
			}
			got := []string{start.Format(time.RFC3339), end.Format(time.RFC3339), next.Format(time.RFC3339)}
			want := []string{tc.wantStart, tc.wantEnd, tc.wantEnd}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("[start end next] mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestNextUsesUTC(t *testing.T) {
	t.Parallel()
	// 23:30 on Jan 10 in UTC-5 is 04:30 on Jan 11 UTC: the next daily window
	// is counted from the UTC day.
	loc := time.FixedZone("UTC-5", -5*3600)
	got, err := Rules{AutomaticallyAfterDays: 1}.Next(time.Date(2026, 1, 10, 23, 30, 0, 0, loc))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff("2026-01-13T00:00:00Z", got.Format(time.RFC3339)); diff != "" {
		t.Errorf("Next mismatch (-want +got):\n%s", diff)
	}
}

func TestNextRejectsInvalidRules(t *testing.T) {
	t.Parallel()
	_, err := Rules{ScheduleExpression: "cron(0 */1 * * ? *)"}.Next(utc("2026-01-10T00:00:00Z"))
	if e, ok := AsError(err); !ok || e.Field != FieldScheduleExpression {
		t.Errorf("Next of an invalid schedule: error %v, want a %s error", err, FieldScheduleExpression)
	}
}

func TestFires(t *testing.T) {
	t.Parallel()
	e, err := ParseExpression("cron(0 4/12 ? * MON *)")
	if err != nil {
		t.Fatal(err)
	}
	tests := map[string]bool{
		"2026-01-12T04:00:00Z": true,  // Monday 04:00
		"2026-01-12T16:00:00Z": true,  // Monday 16:00
		"2026-01-12T05:00:00Z": false, // not a firing hour
		"2026-01-12T04:30:00Z": false, // not on the hour
		"2026-01-13T04:00:00Z": false, // Tuesday
	}
	for at, want := range tests {
		t.Run(at, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(want, e.Fires(utc(at))); diff != "" {
				t.Errorf("Fires(%s) mismatch (-want +got):\n%s", at, diff)
			}
		})
	}
}

func TestValidateHelpersAgreeWithRules(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		days       int64
		expression string
		duration   string
		wantErr    bool
	}{
		"valid cron":        {expression: "cron(0 20 * * ? *)", duration: "4h"},
		"cron window":       {expression: "cron(0 20 * * ? *)", duration: "5h", wantErr: true},
		"days window":       {days: 3, duration: "24h"},
		"bad expression":    {expression: "rate(1 hour)", duration: "1h", wantErr: true},
		"no duration given": {expression: "rate(1 day)"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			err := ValidateDuration(tc.days, tc.expression, tc.duration)
			if (err != nil) != tc.wantErr {
				t.Errorf("ValidateDuration error = %v, want error %v", err, tc.wantErr)
			}
			if tc.days == 0 {
				_, perr := ParseExpression(tc.expression)
				if diff := cmp.Diff(perr == nil, ValidateExpression(tc.expression) == nil); diff != "" {
					t.Errorf("ValidateExpression disagrees with ParseExpression: %s", diff)
				}
			}
		})
	}
}

func BenchmarkParseExpression(b *testing.B) {
	for _, s := range []string{"rate(10 days)", "cron(0 4/12 * * ? *)", "cron(0 0,22 1 * ? *)"} {
		b.Run(s, func(b *testing.B) {
			for b.Loop() {
				if _, err := ParseExpression(s); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkNext(b *testing.B) {
	r := Rules{ScheduleExpression: "cron(0 0 ? * MON#1 *)"}
	at := utc("2026-01-10T13:45:00Z")
	for b.Loop() {
		if _, err := r.Next(at); err != nil {
			b.Fatal(err)
		}
	}
}
