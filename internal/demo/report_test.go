package demo

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestRedactor(t *testing.T) {
	t.Parallel()
	const pw = `s3cr"et\pass`
	tests := []struct {
		name       string
		add        func(r *Redactor)
		text       string
		wantLeak   bool
		wantRedact string
	}{
		{
			name:       "plain value",
			add:        func(r *Redactor) { r.Add("hunter2hunter2") },
			text:       "value is hunter2hunter2.",
			wantLeak:   true,
			wantRedact: "value is [redacted].",
		},
		{
			name:       "short values are not secrets",
			add:        func(r *Redactor) { r.Add("app", "5432") },
			text:       "user app on port 5432",
			wantRedact: "user app on port 5432",
		},
		{
			name:       "json-escaped form is caught",
			add:        func(r *Redactor) { r.Add(pw) },
			text:       `{"password":"s3cr\"et\\pass"}`,
			wantLeak:   true,
			wantRedact: `{"password":"[redacted]"}`,
		},
		{
			name:       "password field of a JSON secret",
			add:        func(r *Redactor) { r.AddSecretString(`{"username":"app","password":"Zq9-very-long-pw"}`, "password") },
			text:       "rotated app: Zq9-very-long-pw",
			wantLeak:   true,
			wantRedact: "rotated app: [redacted]",
		},
		{
			name: "other JSON fields stay visible",
			add: func(r *Redactor) {
				r.AddSecretString(`{"username":"application_user","password":"Zq9-very-long-pw"}`, "password")
			},
			text:       "user application_user logged in",
			wantRedact: "user application_user logged in",
		},
		{
			name:       "longest value wins",
			add:        func(r *Redactor) { r.Add("abcdefgh", "abcdefghijkl") },
			text:       "x abcdefghijkl y",
			wantLeak:   true,
			wantRedact: "x [redacted] y",
		},
		{
			name:       "plain string secret is registered whole",
			add:        func(r *Redactor) { r.AddSecretString("not-json-but-secret", "password") },
			text:       "got not-json-but-secret",
			wantLeak:   true,
			wantRedact: "got [redacted]",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := NewRedactor()
			tt.add(r)
			if got := r.Contains(tt.text); got != tt.wantLeak {
				t.Errorf("Contains(%q) = %v, want %v", tt.text, got, tt.wantLeak)
			}
			if diff := cmp.Diff(tt.wantRedact, r.Redact(tt.text)); diff != "" {
				t.Errorf("Redact (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRedactorLeaks(t *testing.T) {
	t.Parallel()
	r := NewRedactor()
	r.Add("topsecretvalue")
	lines := []string{"fine", "has topsecretvalue", "fine too", "again topsecretvalue!"}
	if diff := cmp.Diff([]int{2, 4}, r.Leaks(lines)); diff != "" {
		t.Errorf("Leaks (-want +got):\n%s", diff)
	}
}

func TestRotationCheck(t *testing.T) {
	t.Parallel()
	snap := func(m map[string][]string) Snapshot { return NewSnapshot("x", m, true, time.Time{}, time.Time{}) }
	before := snap(map[string][]string{"v1": {"AWSCURRENT"}})
	tests := []struct {
		name   string
		after  Snapshot
		wantOK bool
		want   string
	}{
		{"rotated", snap(map[string][]string{"v2": {"AWSCURRENT"}, "v1": {"AWSPREVIOUS"}}), true, "AWSCURRENT v1 → v2"},
		{"not moved", snap(map[string][]string{"v1": {"AWSCURRENT"}, "v2": {"AWSPENDING"}}), false, "did not move"},
		{"previous is not the old current", snap(map[string][]string{"v3": {"AWSCURRENT"}, "v2": {"AWSPREVIOUS"}}), false, "AWSPREVIOUS is v2"},
		{"no previous", snap(map[string][]string{"v3": {"AWSCURRENT"}}), false, "AWSPREVIOUS is none"},
		{"stuck pending", snap(map[string][]string{"v2": {"AWSCURRENT"}, "v1": {"AWSPREVIOUS"}, "v3": {"AWSPENDING"}}), false, "AWSPENDING left on v3"},
		{"pending on current is complete", snap(map[string][]string{"v2": {"AWSCURRENT", "AWSPENDING"}, "v1": {"AWSPREVIOUS"}}), true, "AWSCURRENT v1 → v2"},
		{"no current", snap(map[string][]string{"v1": {"AWSPREVIOUS"}}), false, "no AWSCURRENT"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := RotationCheck("s", before, tt.after)
			if got.OK != tt.wantOK || !strings.Contains(got.Text, tt.want) {
				t.Errorf("RotationCheck = %+v, want OK=%v and text containing %q", got, tt.wantOK, tt.want)
			}
		})
	}
}

func TestNewSnapshotOrdersByStage(t *testing.T) {
	t.Parallel()
	s := NewSnapshot("after", map[string][]string{
		"a-old":  {},
		"b-prev": {"AWSPREVIOUS"},
		"c-cur":  {"AWSPENDING", "AWSCURRENT"},
		"d-pend": {"AWSPENDING"},
	}, true, time.Time{}, time.Time{})
	want := []Version{
		{ID: "c-cur", Stages: []string{"AWSCURRENT", "AWSPENDING"}},
		{ID: "d-pend", Stages: []string{"AWSPENDING"}},
		{ID: "b-prev", Stages: []string{"AWSPREVIOUS"}},
		{ID: "a-old", Stages: nil},
	}
	if diff := cmp.Diff(want, s.Versions); diff != "" {
		t.Errorf("versions (-want +got):\n%s", diff)
	}
}

func TestReportLines(t *testing.T) {
	t.Parallel()
	day := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	r := Report{
		Title: "rotator demo",
		Phases: []Phase{
			{Name: "tofu apply", Duration: 2500 * time.Millisecond, Calls: map[string]int{"iam:CreateRole": 1, "secretsmanager:CreateSecret": 1, "secretsmanager:DescribeSecret": 2}, Notes: []string{"Apply complete! Resources: 1 added, 0 changed, 0 destroyed."}},
			{Name: "RotateSecret", Duration: 300 * time.Millisecond, Calls: map[string]int{"secretsmanager:RotateSecret": 1, "lambda:Invoke": 4, "secretsmanager:GetSecretValue": 0}},
		},
		Secrets: []SecretReport{{
			Name: "app", ARN: "arn:aws:secretsmanager:us-east-1:123456789012:secret:app-AbCdEf", Strategy: "generic", Schedule: "every 7 days",
			Snapshots: []Snapshot{
				NewSnapshot("after apply", map[string][]string{"v1": {"AWSCURRENT"}}, true, time.Time{}, day.Add(7*24*time.Hour)),
				NewSnapshot("after RotateSecret", map[string][]string{"v2": {"AWSCURRENT"}, "v1": {"AWSPREVIOUS"}}, true, day, day.Add(7*24*time.Hour)),
			},
			LogGroup: "/aws/lambda/rotator-app",
			LogLines: []LogLine{{Time: day, Message: "createSecret: created version v2\n"}, {Time: day, Message: "finishSecret: done"}},
		}},
		Checks:      []Check{{OK: true, Text: "rotated"}, {Text: "broken"}},
		MaxLogLines: 1,
	}
	want := []string{
		"rotator demo",
		"",
		"Steps",
		"  1. tofu apply      2.5s    4 API calls",
		"       Apply complete! Resources: 1 added, 0 changed, 0 destroyed.",
		"  2. RotateSecret   300ms    5 API calls",
		"",
		"Secret app  (strategy generic, every 7 days)",
		"  arn:aws:secretsmanager:us-east-1:123456789012:secret:app-AbCdEf",
		"  after apply: rotation on, last rotated never, next rotation 2026-12-02 12:00:00 UTC",
		"    v1  AWSCURRENT",
		"  after RotateSecret: rotation on, last rotated 2026-11-25 12:00:00 UTC, next rotation 2026-12-02 12:00:00 UTC",
		"    v2  AWSCURRENT",
		"    v1  AWSPREVIOUS",
		"  Function log /aws/lambda/rotator-app (2 lines)",
		"    … 1 earlier lines not shown",
		"    Nov 25 12:00:00  finishSecret: done",
		"",
		"API calls",
		"  tofu apply: 4",
		"    iam             CreateRole 1",
		"    secretsmanager  CreateSecret 1, DescribeSecret 2",
		"  RotateSecret: 5",
		"    lambda          Invoke 4",
		"    secretsmanager  RotateSecret 1",
		"",
		"Checks",
		"  ✓ rotated",
		"  ✗ broken",
	}
	if diff := cmp.Diff(want, r.Lines()); diff != "" {
		t.Errorf("Lines (-want +got):\n%s", diff)
	}
	if !r.Failed() {
		t.Error("Failed() = false with a failed check")
	}
}

func TestHumanDuration(t *testing.T) {
	t.Parallel()
	for in, want := range map[time.Duration]string{
		7*24*time.Hour + time.Minute: "7d 0h 1m",
		4*time.Hour + 30*time.Minute: "4h 30m",
		90 * time.Second:             "2m",
	} {
		if got := humanDuration(in); got != want {
			t.Errorf("humanDuration(%v) = %q, want %q", in, got, want)
		}
	}
}

func TestCompactLogLine(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in     string
		want   string
		wantOK bool
	}{
		{"START RequestId: 7f0a Version: $LATEST", "", false},
		{"END RequestId: 7f0a", "", false},
		{"REPORT RequestId: 7f0a\tDuration: 71.19 ms", "", false},
		{"   \n", "", false},
		{`{"time":"t","level":"INFO","msg":"stored the new value as AWSPENDING","step":"createSecret","secret_arn":"arn:x","token":"556cca18-9780","version_id":"556cca18-9780"}`,
			"[createSecret] stored the new value as AWSPENDING (version 556cca18…)", true},
		{`{"level":"ERROR","msg":"step failed","step":"setSecret","error":"login refused"}`, "[setSecret] ERROR: step failed: login refused", true},
		{`{"level":"INFO","msg":"cold start"}`, "cold start", true},
		{`{"no":"msg"}`, `{"no":"msg"}`, true},
		{"plain text from the function\n", "plain text from the function", true},
	}
	for _, tt := range tests {
		got, ok := CompactLogLine(tt.in)
		if got != tt.want || ok != tt.wantOK {
			t.Errorf("CompactLogLine(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.wantOK)
		}
	}
}

func TestCompactLogOrdersByTime(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	got := compactLog([]LogLine{
		{Time: t0.Add(2 * time.Second), Message: "second"},
		{Time: t0, Message: "START RequestId: x"},
		{Time: t0.Add(time.Second), Message: "first"},
	})
	want := []LogLine{{Time: t0.Add(time.Second), Message: "first"}, {Time: t0.Add(2 * time.Second), Message: "second"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("compactLog (-want +got):\n%s", diff)
	}
}
