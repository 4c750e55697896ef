package stack

import (
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
)

func TestCheckPending(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		stages  map[string][]string
		wantErr string
	}{
		{"no pending", map[string][]string{"v1": {"AWSCURRENT"}}, ""},
		{"pending on current", map[string][]string{"v1": {"AWSCURRENT", "AWSPENDING"}, "v0": {"AWSPREVIOUS"}}, ""},
		{"stuck", map[string][]string{"v1": {"AWSCURRENT"}, "v2": {"AWSPENDING"}}, "v2"},
	}
	for _, tc := range tests {
		err := CheckPending(&secretsmanager.DescribeSecretOutput{ARN: aws.String("arn:s"), VersionIdsToStages: tc.stages})
		var pe *PendingRotationError
		switch {
		case tc.wantErr == "" && err != nil:
			t.Errorf("%s: CheckPending = %v, want nil", tc.name, err)
		case tc.wantErr != "" && (!errors.As(err, &pe) || pe.VersionID != tc.wantErr):
			t.Errorf("%s: CheckPending = %v, want PendingRotationError on %s", tc.name, err, tc.wantErr)
		}
	}
}
