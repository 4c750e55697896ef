package provider

import (
	"errors"
	"regexp"
	"testing"

	"github.com/aws/smithy-go"

	"github.com/rotatorhq/terraform-provider-rotator/internal/stack"
)

func TestErrorDiag(t *testing.T) {
	t.Parallel()
	denied := &smithy.GenericAPIError{Code: "AccessDeniedException", Message: "not allowed"}
	tests := []struct {
		name        string
		err         error
		wantSummary string
		wantDetail  *regexp.Regexp
	}{
		{"pending", &stack.PendingRotationError{SecretARN: "arn:s", VersionID: "v-9"},
			"An earlier rotation of the secret did not finish", regexp.MustCompile(`(?s)v-9.*cancel-rotate-secret --secret-id arn:s.*--remove-from-version-id v-9`)},
		{"denied in a step", &stack.StepError{Step: "creating the rotation function", Err: denied},
			"AWS denied a call the provider needs", regexp.MustCompile(`(?s)lists every IAM action.*creating the rotation function: .*not allowed`)},
		{"not managed", &stack.NotManagedError{SecretARN: "arn:s", Missing: []string{"the tag x"}},
			"Secret was not set up by this provider", regexp.MustCompile(`found no the tag x`)},
		{"scheduled for deletion", &smithy.GenericAPIError{Code: "InvalidRequestException", Message: "You can't create this secret because a secret with this name is already scheduled for deletion."},
			"A secret with this name is scheduled for deletion", regexp.MustCompile(`force-delete-without-recovery`)},
		{"other step", &stack.StepError{Step: "creating the log group", Err: errors.New("boom")},
			"Cannot create: failed while creating the log group", regexp.MustCompile(`boom`)},
		// Issue 10: the step, the function's own lines, AWSPENDING, what to do.
		{"rotation failed after setSecret", &stack.RotationFailedError{SecretARN: "arn:s", VersionID: "v-7", LogGroup: "/aws/lambda/f",
			Step: "setSecret", PendingLeft: true, Lines: []string{"setSecret: step failed: dial tcp 10.0.0.5:5432: connection refused (3 times)"}},
			"The secret's rotation failed in step setSecret",
			regexp.MustCompile(`(?s)logged, for this rotation \(version v-7\) in log group /aws/lambda/f:\n  setSecret: step failed: dial tcp 10.0.0.5:5432: connection refused \(3 times\).*AWSPENDING is left on version v-7.*Do not remove AWSPENDING from version v-7`)},
		{"rotation failed in createSecret", &stack.RotationFailedError{SecretARN: "arn:s", VersionID: "v-8", LogGroup: "/aws/lambda/f",
			Step: "createSecret", PendingLeft: true, Lines: []string{"createSecret: step failed: AccessDeniedException"}},
			"The secret's rotation failed in step createSecret",
			regexp.MustCompile(`(?s)Nothing reached the target yet.*--remove-from-version-id v-8`)},
		{"configuration test failed", &stack.RotationFailedError{SecretARN: "arn:s", VersionID: "v-9", TestOnly: true, Step: "testSecret", PendingLeft: true, Lines: []string{"testSecret: step failed: x"}},
			"The secret's rotation configuration test (testSecret, rotate_immediately = false) failed in step testSecret",
			regexp.MustCompile(`(?s)testSecret: step failed: x`)},
		{"rotation timed out", &stack.RotationFailedError{SecretARN: "arn:s", VersionID: "v-1", LogGroup: "/aws/lambda/f", TimedOut: true, PendingLeft: true},
			"The secret's rotation did not finish within " + stack.RotationWaitTimeout.String(),
			regexp.MustCompile(`(?s)logged no error for this rotation.*AWSPENDING is left`)},
	}
	for _, tc := range tests {
		d := errorDiag("Cannot create", "", tc.err)
		if d.Summary() != tc.wantSummary || !tc.wantDetail.MatchString(d.Detail()) {
			t.Errorf("%s: diag = %q / %q", tc.name, d.Summary(), d.Detail())
		}
	}
}
