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
		keys     []string // kms_key_id of each region
	}{
		{"none", "generic", nil, nil, nil},
		{"two other regions", "generic", []string{"us-west-2", "eu-west-1"}, nil, nil},
		{"unknown region skipped", "generic", []string{""}, nil, nil},
		{"primary region", "generic", []string{"us-east-1"}, []diagShape{errAt("replica", "Replica in the primary region", rule)}, nil},
		{"duplicate", "generic", []string{"eu-west-1", "eu-west-1"}, []diagShape{errAt("replica", "Duplicate replica region", rule)}, nil},
		{"misspelt region", "generic", []string{"eu-westt-1"}, []diagShape{errAt("replica", "Unknown replica region", rule)}, nil},
		{"region of another partition", "generic", []string{"cn-north-1"}, []diagShape{errAt("replica", "Unknown replica region", "not a region of partition aws")}, nil},
		{"single-user database strategy", "postgresql_single_user", []string{"eu-west-1"},
			[]diagShape{warnAt("replica", "Replicas of a single-user database secret", "Rotation runs only in the primary region")}, nil},
		{"mysql single user", "mysql_single_user", []string{"eu-west-1"},
			[]diagShape{warnAt("replica", "Replicas of a single-user database secret", "get the same credentials")}, nil},
		{"alternating users: no warning", "postgresql_alternating_users", []string{"eu-west-1"}, nil, nil},
		{"key ARN of the replica's region", "generic", []string{"eu-west-1"}, nil, []string{"arn:aws:kms:eu-west-1:123456789012:key/abc"}},
		{"default key alias", "generic", []string{"eu-west-1"}, nil, []string{"alias/aws/secretsmanager"}},
		{"key ARN of another region", "generic", []string{"eu-west-1"},
			[]diagShape{errAt("replica", "Replica KMS key is not a key ARN of the replica's region", "The ARN of a KMS key of the replica's region")},
			[]string{"arn:aws:kms:us-east-1:123456789012:key/abc"}},
		{"key alias", "generic", []string{"eu-west-1"},
			[]diagShape{errAt("replica", "Replica KMS key is not a key ARN of the replica's region", "only an ARN converges")},
			[]string{"alias/payments"}},
		{"key ARN of another partition", "generic", []string{"eu-west-1"},
			[]diagShape{errAt("replica", "Replica KMS key is not a key ARN of the replica's region", "arn:aws-cn:kms:eu-west-1")},
			[]string{"arn:aws-cn:kms:eu-west-1:123456789012:key/abc"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var reps []Replica
			for i, r := range tt.regions {
				rep := Replica{Region: r}
				if i < len(tt.keys) {
					rep.KMSKeyID = tt.keys[i]
				}
				reps = append(reps, rep)
			}
			got := Replicas("us-east-1", "aws", tt.strategy, reps)
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
