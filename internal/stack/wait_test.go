package stack

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	logtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/google/go-cmp/cmp"
)

// waitSM answers DescribeSecret with stages[i] on the i-th call (the last
// one from then on).
type waitSM struct {
	SecretsManagerAPI
	mu     sync.Mutex
	stages []map[string][]string
	calls  int
}

func (f *waitSM) DescribeSecret(_ context.Context, in *secretsmanager.DescribeSecretInput, _ ...func(*secretsmanager.Options)) (*secretsmanager.DescribeSecretOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	i := min(f.calls, len(f.stages)-1)
	f.calls++
	return &secretsmanager.DescribeSecretOutput{ARN: in.SecretId, VersionIdsToStages: f.stages[i]}, nil
}

// waitLogs holds a log group's lines.
type waitLogs struct {
	LogsAPI
	lines []string
	err   error
	calls int
}

func (f *waitLogs) FilterLogEvents(_ context.Context, _ *cloudwatchlogs.FilterLogEventsInput, _ ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.FilterLogEventsOutput, error) {
	f.calls++
	if f.err != nil {
		return nil, f.err
	}
	out := &cloudwatchlogs.FilterLogEventsOutput{}
	for _, l := range f.lines {
		out.Events = append(out.Events, logtypes.FilteredLogEvent{Message: aws.String(l)})
	}
	return out, nil
}

// TestWaitRotation: the outcome a user gets for each way a rotation can
// end, judged by the labels and the function's lines as AWS shows them.
func TestWaitRotation(t *testing.T) {
	t.Parallel()
	const tok = "11111111-1111-4111-8111-111111111111"
	running := map[string][]string{"v1": {"AWSCURRENT"}, tok: {"AWSPENDING"}}
	done := map[string][]string{"v1": {"AWSPREVIOUS"}, tok: {"AWSCURRENT"}}
	doneOldStyle := map[string][]string{"v1": {"AWSPREVIOUS"}, tok: {"AWSCURRENT", "AWSPENDING"}}
	testDone := map[string][]string{"v1": {"AWSCURRENT"}}
	setFailed := `{"level":"ERROR","msg":"step failed","step":"setSecret","token":"` + tok + `","error":"connecting to db.example:5432: connection refused"}`
	otherToken := `{"level":"ERROR","msg":"step failed","step":"createSecret","token":"22222222-2222-4222-8222-222222222222","error":"unrelated"}`
	info := `{"level":"INFO","msg":"stored the new value as AWSPENDING","step":"createSecret","token":"` + tok + `"}`
	tests := []struct {
		name        string
		immediately bool
		stages      []map[string][]string
		logs        *waitLogs
		want        *RotationFailedError // nil: success
		wantLogRead bool
	}{
		{"finishes", true, []map[string][]string{running, running, done}, &waitLogs{}, nil, false},
		{"finishes, AWSPENDING kept on the current version (older AWS behaviour)", true, []map[string][]string{running, doneOldStyle}, &waitLogs{}, nil, false},
		{"configuration test passes", false, []map[string][]string{running, testDone}, &waitLogs{}, nil, false},
		{"fails in setSecret after retries", true, []map[string][]string{running},
			&waitLogs{lines: []string{"START RequestId: x", info, setFailed, otherToken, info, setFailed, setFailed}},
			&RotationFailedError{Step: "setSecret", PendingLeft: true,
				Lines: []string{"setSecret: step failed: connecting to db.example:5432: connection refused (3 times)"}}, true},
		{"configuration test fails", false, []map[string][]string{running},
			&waitLogs{lines: []string{setFailed}},
			&RotationFailedError{Step: "setSecret", PendingLeft: true, TestOnly: true,
				Lines: []string{"setSecret: step failed: connecting to db.example:5432: connection refused"}}, true},
		{"cancelled and cleared outside Terraform", true, []map[string][]string{running, {"v1": {"AWSCURRENT"}}}, &waitLogs{},
			&RotationFailedError{Lines: []string{}}, false},
		{"never finishes, no error logged", true, []map[string][]string{running}, &waitLogs{lines: []string{info}},
			&RotationFailedError{TimedOut: true, PendingLeft: true, Lines: []string{}}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			sm := &waitSM{stages: tt.stages}
			s := New(Clients{SecretsManager: sm, Logs: tt.logs}, fakeCode{})
			s.timing = &rotationTiming{timeout: 400 * time.Millisecond, quiet: 60 * time.Millisecond,
				logAfter: 100 * time.Millisecond, logEvery: 10 * time.Millisecond, pollFirst: 5 * time.Millisecond, pollMax: 10 * time.Millisecond}
			err := s.waitRotation(context.Background(), "arn:s", "/aws/lambda/f", tok, tt.immediately, time.Now())
			if tt.want == nil {
				if err != nil {
					t.Fatalf("waitRotation = %v, want success", err)
				}
			} else {
				var got *RotationFailedError
				if !errors.As(err, &got) {
					t.Fatalf("waitRotation = %v, want a RotationFailedError", err)
				}
				want := *tt.want
				want.SecretARN, want.VersionID, want.LogGroup = "arn:s", tok, "/aws/lambda/f"
				if diff := cmp.Diff(&want, got, cmp.Comparer(func(a, b error) bool { return (a == nil) == (b == nil) })); diff != "" {
					t.Errorf("failure (-want +got):\n%s", diff)
				}
			}
			if read := tt.logs.calls > 0; read != tt.wantLogRead {
				t.Errorf("log group read = %v, want %v (only after a rotation did not end at once)", read, tt.wantLogRead)
			}
		})
	}
}
