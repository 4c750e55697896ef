package stack

import (
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
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
	if got := (&Adoption{}).Describe("x"); strings.Contains(got, "AWSPENDING") || strings.Contains(got, "left untouched") {
		t.Errorf("nothing foreign and nothing pending, yet:\n%s", got)
	}
}
