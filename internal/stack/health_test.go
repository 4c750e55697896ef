package stack

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	smtypes "github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
	"github.com/google/go-cmp/cmp"
)

// TestRotates checks the one "does this apply rotate the secret" predicate:
// RotateSecret rotates when rotate_immediately is set, and a trigger
// change rotates whatever rotate_immediately says, with or without a
// reconfiguration, and never with rotation disabled.
func TestRotates(t *testing.T) {
	t.Parallel()
	const fn = "arn:aws:lambda:us-east-1:1:function:f"
	inStep := RotationSeen{Enabled: true, LambdaARN: fn, FunctionARN: fn, Rules: &RotationRules{AutomaticallyAfterDays: 30}}
	days30 := RotationSpec{Enabled: true, AutomaticallyAfterDays: 30}
	days7 := RotationSpec{Enabled: true, AutomaticallyAfterDays: 7}
	with := func(s RotationSpec, f func(*RotationSpec)) RotationSpec { f(&s); return s }
	immediately := func(s *RotationSpec) { s.RotateImmediately = true }
	now := func(s *RotationSpec) { s.RotateNow = true }
	tests := []struct {
		name                string
		want                RotationSpec
		seen                RotationSeen
		reconfigure, rotate bool
	}{
		{"in step", days30, inStep, false, false},
		{"in step, rotate_immediately alone does not rotate", with(days30, immediately), inStep, false, false},
		{"schedule change validates only", days7, inStep, true, false},
		{"schedule change with rotate_immediately", with(days7, immediately), inStep, true, true},
		{"trigger change", with(days30, now), inStep, true, true},
		{"trigger change with a schedule change", with(days7, now), inStep, true, true},
		{"trigger change on a secret disabled out of band", with(days30, now), RotationSeen{LambdaARN: fn, FunctionARN: fn}, true, true},
		{"trigger change with rotation disabled", RotationSpec{RotateNow: true}, inStep, false, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := Reconfigures(tc.want, tc.seen); got != tc.reconfigure {
				t.Errorf("Reconfigures = %t, want %t", got, tc.reconfigure)
			}
			if got := Rotates(tc.want, tc.seen); got != tc.rotate {
				t.Errorf("Rotates = %t, want %t", got, tc.rotate)
			}
		})
	}
}

// TestHealth derives the health attributes from what DescribeSecret and
// the version dates say, measured on Secrets Manager's clock (its Date
// header), not the local one.
func TestHealth(t *testing.T) {
	t.Parallel()
	server := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	created := server.Add(-48 * time.Hour)
	dates := VersionDates{"cur": created, "young": server.Add(-10 * time.Minute), "old": server.Add(-RotationStuckAfter)}
	secret := func(stages map[string][]string, next *time.Time) *secretsmanager.DescribeSecretOutput {
		return &secretsmanager.DescribeSecretOutput{VersionIdsToStages: stages, NextRotationDate: next}
	}
	later, earlier := server.Add(time.Hour), server.Add(-time.Minute)
	tests := []struct {
		name string
		sec  *secretsmanager.DescribeSecretOutput
		want Health
	}{
		{"settled", secret(map[string][]string{"cur": {"AWSCURRENT"}, "prev": {"AWSPREVIOUS"}}, &later),
			Health{CurrentVersionCreated: &created}},
		{"AWSPENDING on AWSCURRENT's version is not pending", secret(map[string][]string{"cur": {"AWSCURRENT", "AWSPENDING"}}, &later),
			Health{CurrentVersionCreated: &created}},
		{"rotation running", secret(map[string][]string{"cur": {"AWSCURRENT"}, "young": {"AWSPENDING"}}, &later),
			Health{CurrentVersionCreated: &created, Pending: true}},
		{"pending for RotationStuckAfter", secret(map[string][]string{"cur": {"AWSCURRENT"}, "old": {"AWSPENDING"}}, &later),
			Health{CurrentVersionCreated: &created, Pending: true, Stuck: true}},
		{"pending past NextRotationDate", secret(map[string][]string{"cur": {"AWSCURRENT"}, "young": {"AWSPENDING"}}, &earlier),
			Health{CurrentVersionCreated: &created, Pending: true, Stuck: true}},
		{"NextRotationDate past without AWSPENDING is not stuck", secret(map[string][]string{"cur": {"AWSCURRENT"}}, &earlier),
			Health{CurrentVersionCreated: &created}},
		{"dates not read", secret(map[string][]string{"new": {"AWSCURRENT"}}, nil), Health{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := (&Observed{Secret: tc.sec, VersionDates: dates, ServerTime: server}).Health()
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Health (-want +got):\n%s", diff)
			}
		})
	}
}

// versionsSM answers ListSecretVersionIds from versions, 2 per page, and
// counts the calls.
type versionsSM struct {
	SecretsManagerAPI
	versions []smtypes.SecretVersionsListEntry
	calls    int
}

func (f *versionsSM) ListSecretVersionIds(_ context.Context, in *secretsmanager.ListSecretVersionIdsInput, _ ...func(*secretsmanager.Options)) (*secretsmanager.ListSecretVersionIdsOutput, error) {
	f.calls++
	start := 0
	if in.NextToken != nil {
		start = int(aws.ToString(in.NextToken)[0] - '0')
	}
	end := min(start+2, len(f.versions))
	out := &secretsmanager.ListSecretVersionIdsOutput{Versions: f.versions[start:end]}
	if end < len(f.versions) {
		out.NextToken = aws.String(string(rune('0' + end)))
	}
	return out, nil
}

// TestReadVersionDates: a refresh that knows the dates of every labelled
// version makes no call; a new one makes one ListSecretVersionIds (paged)
// and keeps only the labelled versions' dates.
func TestReadVersionDates(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	entry := func(id string, age int) smtypes.SecretVersionsListEntry {
		return smtypes.SecretVersionsListEntry{VersionId: aws.String(id), CreatedDate: aws.Time(t0.Add(-time.Duration(age) * time.Hour))}
	}
	versions := []smtypes.SecretVersionsListEntry{entry("p", 0), entry("c", 1), entry("prev", 2), entry("old", 3)}
	sec := &secretsmanager.DescribeSecretOutput{ARN: aws.String("arn"), VersionIdsToStages: map[string][]string{
		"c": {"AWSCURRENT"}, "p": {"AWSPENDING"}, "prev": {"AWSPREVIOUS"},
	}}
	want := VersionDates{"c": t0.Add(-time.Hour), "p": t0}
	tests := []struct {
		name  string
		known VersionDates
		calls int
	}{
		{"first refresh", nil, 1},
		{"a new pending version", VersionDates{"c": t0.Add(-time.Hour), "gone": t0}, 1},
		{"nothing new", want, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			fake := &versionsSM{versions: versions}
			s := New(Clients{SecretsManager: fake}, nil)
			o := &Observed{Secret: sec}
			if err := s.ReadVersionDates(context.Background(), o, tc.known); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, o.VersionDates); diff != "" {
				t.Errorf("VersionDates (-want +got):\n%s", diff)
			}
			if fake.calls != tc.calls {
				t.Errorf("%d ListSecretVersionIds calls, want %d", fake.calls, tc.calls)
			}
		})
	}
}
