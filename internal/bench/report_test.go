package bench

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestParseReport(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		line   string
		want   Invocation
		wantOK bool
	}{
		{
			name: "cold start",
			line: "REPORT RequestId: 8f0c\tDuration: 12.50 ms\tBilled Duration: 13 ms\tMemory Size: 128 MB\tMax Memory Used: 9 MB\tInit Duration: 3.25 ms\n",
			want: Invocation{RequestID: "8f0c", Duration: 12500 * time.Microsecond, Init: 3250 * time.Microsecond, MaxMemoryMB: 9}, wantOK: true,
		},
		{
			name: "warm, no init",
			line: "REPORT RequestId: a1\tDuration: 1.00 ms\tBilled Duration: 1 ms\tMemory Size: 128 MB\tMax Memory Used: 20 MB",
			want: Invocation{RequestID: "a1", Duration: time.Millisecond, MaxMemoryMB: 20}, wantOK: true,
		},
		{
			name: "timeout status",
			line: "REPORT RequestId: t\tDuration: 3000.00 ms\tBilled Duration: 3000 ms\tMemory Size: 128 MB\tMax Memory Used: 30 MB\tInit Duration: 1.00 ms\tStatus: timeout",
			want: Invocation{RequestID: "t", Duration: 3 * time.Second, Init: time.Millisecond, MaxMemoryMB: 30, Status: "timeout"}, wantOK: true,
		},
		{name: "START line", line: "START RequestId: a1 Version: $LATEST"},
		{name: "missing memory", line: "REPORT RequestId: a1\tDuration: 1.00 ms"},
		{name: "missing duration", line: "REPORT RequestId: a1\tMax Memory Used: 20 MB"},
		{name: "bad unit", line: "REPORT RequestId: a1\tDuration: 1.00 s\tMax Memory Used: 20 MB"},
		{name: "negative memory", line: "REPORT RequestId: a1\tDuration: 1.00 ms\tMax Memory Used: -2 MB"},
		{name: "field without value", line: "REPORT RequestId: a1\tDuration"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, ok := ParseReport(tt.line)
			if ok != tt.wantOK {
				t.Fatalf("ParseReport(%q) ok = %v, want %v", tt.line, ok, tt.wantOK)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ParseReport(%q) mismatch (-want +got):\n%s", tt.line, diff)
			}
		})
	}
}

func TestInvocationWall(t *testing.T) {
	t.Parallel()
	inv := Invocation{Duration: 5 * time.Millisecond, Init: 2 * time.Millisecond}
	if got, want := inv.Wall(), 7*time.Millisecond; got != want {
		t.Errorf("Wall() = %v, want %v", got, want)
	}
}

func TestMedianWall(t *testing.T) {
	t.Parallel()
	ms := func(wall ...int) []Invocation {
		var out []Invocation
		for _, w := range wall {
			out = append(out, Invocation{Duration: time.Duration(w) * time.Millisecond, Init: time.Millisecond})
		}
		return out
	}
	tests := []struct {
		name string
		invs []Invocation
		want time.Duration
	}{
		{"none", nil, 0},
		{"one", ms(9), 10 * time.Millisecond},
		{"odd count, unsorted, a slow first one", ms(374, 5, 6, 5, 7), 7 * time.Millisecond},
		{"even count takes the middle mean", ms(374, 5, 6, 7), 7500 * time.Microsecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := MedianWall(tt.invs); got != tt.want {
				t.Errorf("MedianWall = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestCallDiff(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name          string
		before, after map[string]int
		want          map[string]int
	}{
		{
			name:   "new and grown operations, unchanged left out",
			before: map[string]int{"secretsmanager:DescribeSecret": 2, "iam:GetRole": 1},
			after:  map[string]int{"secretsmanager:DescribeSecret": 5, "iam:GetRole": 1, "lambda:GetFunction": 1},
			want:   map[string]int{"secretsmanager:DescribeSecret": 3, "lambda:GetFunction": 1},
		},
		{
			name:   "counts reset in between",
			before: map[string]int{"logs:DescribeLogGroups": 4},
			after:  map[string]int{},
			want:   map[string]int{"logs:DescribeLogGroups": -4},
		},
		{name: "nothing", before: nil, after: nil, want: map[string]int{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(tt.want, CallDiff(tt.before, tt.after)); diff != "" {
				t.Errorf("CallDiff mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSumService(t *testing.T) {
	t.Parallel()
	calls := map[string]int{
		"secretsmanager:DescribeSecret": 3,
		"secretsmanager:GetSecretValue": 2,
		"secretsmanagerx:Other":         7, // a prefix of another name must not match
		"lambda:GetFunction":            1,
	}
	tests := []struct {
		service string
		want    int
	}{
		{"secretsmanager", 5},
		{"lambda", 1},
		{"iam", 0},
		{"", 13},
	}
	for _, tt := range tests {
		if got := SumService(calls, tt.service); got != tt.want {
			t.Errorf("SumService(%q) = %d, want %d", tt.service, got, tt.want)
		}
	}
}

func TestFormatCalls(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		calls map[string]int
		per   int
		want  string
	}{
		{"sorted, divided", map[string]int{"lambda:GetFunction": 10, "iam:GetRole": 5}, 10, "iam:GetRole=0.5, lambda:GetFunction=1"},
		{"per zero counts once", map[string]int{"sts:GetCallerIdentity": 1}, 0, "sts:GetCallerIdentity=1"},
		{"empty", nil, 3, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := FormatCalls(tt.calls, tt.per); got != tt.want {
				t.Errorf("FormatCalls = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestParseVmHWM(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		status string
		want   int64
		wantOK bool
	}{
		{"linux status", "Name:\tterraform-provid\nVmPeak:\t 1300000 kB\nVmHWM:\t   51234 kB\nVmRSS:\t   40000 kB\n", 51234, true},
		{"no VmHWM (kernel thread, other OS)", "Name:\tkthreadd\nState:\tS (sleeping)\n", 0, false},
		{"unexpected unit", "VmHWM:\t 12 MB\n", 0, false},
		{"garbage number", "VmHWM:\t x kB\n", 0, false},
		{"empty", "", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, ok := ParseVmHWM(tt.status)
			if got != tt.want || ok != tt.wantOK {
				t.Errorf("ParseVmHWM = %d, %v; want %d, %v", got, ok, tt.want, tt.wantOK)
			}
		})
	}
}
