package provider

import (
	"errors"
	"regexp"
	"strings"
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
		{"pending, single user, setSecret ran: finish, never discard",
			&stack.PendingRotationError{SecretARN: "arn:s", VersionID: "v-9", CurrentVersionID: "v-8", SetSecretDone: true, Strategy: "postgresql_single_user"},
			"An earlier rotation of the secret did not finish",
			regexp.MustCompile(`(?s)do NOT discard AWSPENDING.*--version-stage AWSCURRENT --move-to-version-id v-9 --remove-from-version-id v-8`)},
		{"pending, single user, no label: check the login first",
			&stack.PendingRotationError{SecretARN: "arn:s", VersionID: "v-9", CurrentVersionID: "v-8", Strategy: "mysql_single_user"},
			"An earlier rotation of the secret did not finish",
			regexp.MustCompile(`(?s)check whether its password logs in.*--move-to-version-id v-9.*If it does not.*--remove-from-version-id v-9`)},
		{"pending, alternating users: discarding is safe",
			&stack.PendingRotationError{SecretARN: "arn:s", VersionID: "v-9", CurrentVersionID: "v-8", SetSecretDone: true, Strategy: "postgresql_alternating_users"},
			"An earlier rotation of the secret did not finish",
			regexp.MustCompile(`(?s)cancel it and clear the label.*--version-stage AWSPENDING --remove-from-version-id v-9`)},
		{"denied in a step", &stack.StepError{Step: "creating the rotation function", Err: denied},
			"AWS denied a call the provider needs", regexp.MustCompile(`(?s)lists every IAM action.*creating the rotation function: .*not allowed`)},
		{"not managed", &stack.NotManagedError{SecretARN: "arn:s", Missing: []string{"the tag x"}},
			"Secret was not set up by this provider", regexp.MustCompile(`found no the tag x`)},
		{"scheduled for deletion", &smithy.GenericAPIError{Code: "InvalidRequestException", Message: "You can't create this secret because a secret with this name is already scheduled for deletion."},
			"A secret with this name is scheduled for deletion", regexp.MustCompile(`force-delete-without-recovery`)},
		{"other step", &stack.StepError{Step: "creating the log group", Err: errors.New("boom")},
			"Cannot create: failed while creating the log group", regexp.MustCompile(`boom`)},
	}
	// Once setSecret ran for a single user, the advice never clears
	// AWSPENDING while it is not current.
	d := errorDiag("Cannot update", "", &stack.PendingRotationError{SecretARN: "arn:s", VersionID: "v-9", CurrentVersionID: "v-8", SetSecretDone: true, Strategy: "mysql_single_user"})
	if strings.Contains(d.Detail(), "clear the label") || strings.Index(d.Detail(), "--version-stage AWSPENDING") < strings.Index(d.Detail(), "--version-stage AWSCURRENT") {
		t.Errorf("single user after setSecret: the advice discards AWSPENDING before making it current:\n%s", d.Detail())
	}
	for _, tc := range tests {
		d := errorDiag("Cannot create", "", tc.err)
		if d.Summary() != tc.wantSummary || !tc.wantDetail.MatchString(d.Detail()) {
			t.Errorf("%s: diag = %q / %q", tc.name, d.Summary(), d.Detail())
		}
	}
}
