package validators

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestPartitionRegions(t *testing.T) {
	t.Parallel()
	// Regions AWS lists per partition (https://docs.aws.amazon.com/general/latest/gr/rande.html).
	tests := []struct {
		partition string
		has       []string
		hasNot    []string
	}{
		{"aws", []string{"us-east-1", "eu-west-1", "ap-southeast-2", "mx-central-1", "ap-southeast-7"}, []string{"cn-north-1", "us-gov-west-1", "aws-global"}},
		{"aws-cn", []string{"cn-north-1", "cn-northwest-1"}, []string{"us-east-1"}},
		{"aws-us-gov", []string{"us-gov-west-1", "us-gov-east-1"}, []string{"us-east-1"}},
	}
	for _, tt := range tests {
		t.Run(tt.partition, func(t *testing.T) {
			t.Parallel()
			got := PartitionRegions(tt.partition)
			for _, r := range tt.has {
				if !slices.Contains(got, r) {
					t.Errorf("%s lacks %s", tt.partition, r)
				}
			}
			for _, r := range tt.hasNot {
				if slices.Contains(got, r) {
					t.Errorf("%s has %s, a region of another partition", tt.partition, r)
				}
			}
		})
	}
}

func TestReplicas(t *testing.T) {
	t.Parallel()
	const rule = "A region of the provider's partition"
	tests := []struct {
		name     string
		strategy string
		regions  []string
		want     []diagShape
	}{
		{"none", "generic", nil, nil},
		{"two other regions", "generic", []string{"us-west-2", "eu-west-1"}, nil},
		{"unknown region skipped", "generic", []string{""}, nil},
		{"primary region", "generic", []string{"us-east-1"}, []diagShape{errAt("replica", "Replica in the primary region", rule)}},
		{"duplicate", "generic", []string{"eu-west-1", "eu-west-1"}, []diagShape{errAt("replica", "Duplicate replica region", rule)}},
		{"misspelt region", "generic", []string{"eu-westt-1"}, []diagShape{errAt("replica", "Unknown replica region", rule)}},
		{"region of another partition", "generic", []string{"cn-north-1"}, []diagShape{errAt("replica", "Unknown replica region", "not a region of partition aws")}},
		{"single-user database strategy", "postgresql_single_user", []string{"eu-west-1"},
			[]diagShape{warnAt("replica", "Replicas of a single-user database secret", "Rotation runs only in the primary region")}},
		{"mysql single user", "mysql_single_user", []string{"eu-west-1"},
			[]diagShape{warnAt("replica", "Replicas of a single-user database secret", "get the same credentials")}},
		{"alternating users: no warning", "postgresql_alternating_users", []string{"eu-west-1"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := Replicas("us-east-1", "aws", tt.strategy, tt.regions)
			if diff := cmp.Diff(tt.want, shapes(got, tt.want)); diff != "" {
				t.Errorf("diagnostics (-want +got):\n%s", diff)
			}
		})
	}
}

// TestPartitionsMatchSDK keeps the embedded partitions.json equal to the
// one the AWS SDK for Go v2 of go.mod ships (SOURCE.md).
func TestPartitionsMatchSDK(t *testing.T) {
	t.Parallel()
	dir, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/aws/aws-sdk-go-v2").Output()
	if err != nil {
		t.Fatalf("locating github.com/aws/aws-sdk-go-v2: %v", err)
	}
	sdk, err := os.ReadFile(filepath.Join(strings.TrimSpace(string(dir)), "internal", "endpoints", "awsrulesfn", "partitions.json"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(sdk, partitionsJSON) {
		t.Error("internal/provider/validators/partitions.json differs from the SDK's: copy it again (SOURCE.md)")
	}
}
