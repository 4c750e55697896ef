package stack

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	smtypes "github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
	"github.com/aws/smithy-go"
	"github.com/google/go-cmp/cmp"
)

func TestCheckRegion(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, id, region string
		wantRegion       string // "" when accepted
	}{
		{"name", "sensitive-credentials", "us-east-1", ""},
		{"arn same region", "arn:aws:secretsmanager:us-east-1:123456789012:secret:x-AbCdEf", "us-east-1", ""},
		{"arn other region", "arn:aws:secretsmanager:eu-west-1:123456789012:secret:x-AbCdEf", "us-east-1", "eu-west-1"},
		{"name with colons is not an arn", "a:b", "us-east-1", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := CheckRegion(tt.id, tt.region)
			var other *OtherRegionError
			got := ""
			if errors.As(err, &other) {
				got = other.SecretRegion
			} else if err != nil {
				t.Fatalf("unexpected error %v", err)
			}
			if got != tt.wantRegion {
				t.Errorf("CheckRegion(%q) refused region %q, want %q", tt.id, got, tt.wantRegion)
			}
		})
	}
}

// An RDS-managed secret reports OwningService "rds" (AWS docs: "Secrets
// managed by other AWS services"); it is refused, naming the service.
func TestCheckAdoptable(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		owner   *string
		refused string
	}{
		{"own secret", nil, ""},
		{"rds managed", aws.String("rds"), "rds"},
		{"empty owner", aws.String(""), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := CheckAdoptable(&secretsmanager.DescribeSecretOutput{ARN: aws.String("arn:aws:secretsmanager:us-east-1:1:secret:rds!db-1"), OwningService: tt.owner})
			var owned *OwnedByServiceError
			got := ""
			if errors.As(err, &owned) {
				got = owned.Service
			}
			if got != tt.refused {
				t.Errorf("refused for %q, want %q (err %v)", got, tt.refused, err)
			}
		})
	}
}

func TestAdoptionTags(t *testing.T) {
	t.Parallel()
	owned := map[string]string{ManagedByTag: ManagedByValue}
	tests := []struct {
		name string
		have map[string]string
		want map[string]string
	}{
		{"being adopted", map[string]string{"team": "a"}, map[string]string{ManagedByTag: ManagedByValue, AdoptedTag: AdoptedValue}},
		{"adopted earlier keeps the tag", map[string]string{ManagedByTag: ManagedByValue, AdoptedTag: AdoptedValue}, map[string]string{ManagedByTag: ManagedByValue, AdoptedTag: AdoptedValue}},
		{"created by us", owned, map[string]string{ManagedByTag: ManagedByValue}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			want := map[string]string{ManagedByTag: ManagedByValue}
			adoptionTags(tt.have, want)
			if d := cmp.Diff(tt.want, want); d != "" {
				t.Errorf("tags (-want +got):\n%s", d)
			}
		})
	}
}

// The warning names what stays untouched and what the apply clears.
func TestAdoptionDescribe(t *testing.T) {
	t.Parallel()
	a := &Adoption{ForeignFunctionARN: "arn:fn:old", ForeignRoleARN: "arn:role:old", Pending: &StuckPending{VersionID: "v-1"}}
	got := a.Describe("sensitive-credentials")
	for _, want := range []string{"arn:fn:old", "arn:role:old", "left untouched", "v-1", "removes the AWSPENDING label", "AWSCURRENT and its value stay"} {
		if !strings.Contains(got, want) {
			t.Errorf("Describe lacks %q:\n%s", want, got)
		}
	}
	if got := (&Adoption{NoCurrentValue: true}).Describe("x"); !strings.Contains(got, "x has no current value") || !strings.Contains(got, "initial_value_wo_version") {
		t.Errorf("no current value, yet:\n%s", got)
	}
	if got := (&Adoption{}).Describe("x"); strings.Contains(got, "AWSPENDING") || strings.Contains(got, "left untouched") || strings.Contains(got, "no current value") {
		t.Errorf("nothing foreign and nothing pending, yet:\n%s", got)
	}
}

// fakeStages is a Secrets Manager that knows which versions hold a value
// and records UpdateSecretVersionStage calls.
type fakeStages struct {
	SecretsManagerAPI
	withValue map[string]bool
	sec       *secretsmanager.DescribeSecretOutput
	removed   []string
}

func (f *fakeStages) GetSecretValue(_ context.Context, in *secretsmanager.GetSecretValueInput, _ ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error) {
	if !f.withValue[aws.ToString(in.VersionId)] {
		return nil, &smithy.GenericAPIError{Code: codeResourceNotFound, Message: "Secrets Manager can't find the specified secret value for VersionId"}
	}
	return &secretsmanager.GetSecretValueOutput{SecretString: aws.String("x")}, nil
}

func (f *fakeStages) UpdateSecretVersionStage(_ context.Context, in *secretsmanager.UpdateSecretVersionStageInput, _ ...func(*secretsmanager.Options)) (*secretsmanager.UpdateSecretVersionStageOutput, error) {
	f.removed = append(f.removed, aws.ToString(in.VersionStage)+" from "+aws.ToString(in.RemoveFromVersionId))
	delete(f.sec.VersionIdsToStages, aws.ToString(in.RemoveFromVersionId))
	return &secretsmanager.UpdateSecretVersionStageOutput{}, nil
}

func (f *fakeStages) DescribeSecret(context.Context, *secretsmanager.DescribeSecretInput, ...func(*secretsmanager.Options)) (*secretsmanager.DescribeSecretOutput, error) {
	return f.sec, nil
}

// The adoption apply clears AWSPENDING only on a secret being adopted and
// only from a version without a value; AWSCURRENT is never touched.
func TestClearAdoptedPending(t *testing.T) {
	t.Parallel()
	ours := []smtypes.Tag{{Key: aws.String(ManagedByTag), Value: aws.String(ManagedByValue)}}
	stuck := map[string][]string{"cur": {"AWSCURRENT"}, "pend": {"AWSPENDING"}}
	tests := []struct {
		name        string
		tags        []smtypes.Tag
		stages      map[string][]string
		withValue   map[string]bool
		wantRemoved []string
		wantErr     any
	}{
		{"adopting, placeholder without value", nil, stuck, map[string]bool{"cur": true}, []string{"AWSPENDING from pend"}, nil},
		{"adopting, pending holds a value", nil, stuck, map[string]bool{"cur": true, "pend": true}, nil, &PendingValueError{}},
		{"adopting, nothing pending", nil, map[string][]string{"cur": {"AWSCURRENT", "AWSPENDING"}}, map[string]bool{"cur": true}, nil, nil},
		{"our secret: left to CheckPending", ours, stuck, map[string]bool{"cur": true}, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			stages := map[string][]string{}
			for k, v := range tt.stages {
				stages[k] = v
			}
			f := &fakeStages{withValue: tt.withValue, sec: &secretsmanager.DescribeSecretOutput{ARN: aws.String("arn:s"), Tags: tt.tags, VersionIdsToStages: stages}}
			s := New(Clients{SecretsManager: f}, nil)
			_, err := s.clearAdoptedPending(context.Background(), f.sec)
			var pv *PendingValueError
			if gotErr := errors.As(err, &pv); gotErr != (tt.wantErr != nil) {
				t.Fatalf("error %v, want %T", err, tt.wantErr)
			}
			if tt.wantErr == nil && err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tt.wantRemoved, f.removed); d != "" {
				t.Errorf("UpdateSecretVersionStage calls (-want +got):\n%s", d)
			}
			if _, ok := f.sec.VersionIdsToStages["cur"]; !ok {
				t.Error("AWSCURRENT's version was touched")
			}
		})
	}
}
