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
		{"rds managed", &stack.OwnedByServiceError{SecretARN: "arn:rds!db", Service: "rds"},
			"Secret is managed by another AWS service", regexp.MustCompile(`(?s)arn:rds!db is owned by rds.*cannot be adopted.*master_user_secret`)},
		{"other region", &stack.OtherRegionError{SecretARN: "arn:s", SecretRegion: "eu-west-1", ProviderRegion: "us-east-1"},
			"Secret is in another region", regexp.MustCompile(`(?s)region eu-west-1.*configured for us-east-1.*alias = "eu-west-1" and region = "eu-west-1"`)},
		{"pending with a value", &stack.PendingValueError{SecretARN: "arn:s", VersionID: "v-7"},
			"An earlier rotation of the secret left a value in AWSPENDING", regexp.MustCompile(`(?s)NOT in use.*--remove-from-version-id v-7.*IS in use.*--version-stage AWSCURRENT --move-to-version-id v-7`)},
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
		{"rotation stalled", &stack.RotationFailedError{SecretARN: "arn:s", VersionID: "v-2", LogGroup: "/aws/lambda/f", Stalled: true, PendingLeft: true},
			"The secret's rotation stopped without finishing",
			regexp.MustCompile(`(?s)failed before it could log.*Task timed out.*/aws/lambda/f.*AWSPENDING is left`)},
		{"rotation timed out", &stack.RotationFailedError{SecretARN: "arn:s", VersionID: "v-1", LogGroup: "/aws/lambda/f", TimedOut: true, PendingLeft: true},
			"The secret's rotation did not finish within " + stack.RotationWaitTimeout.String(),
			regexp.MustCompile(`(?s)logged no error for this rotation.*AWSPENDING is left`)},
		// Issue 10, alerts: what the user can do about the topic or the rule.
		{"alert topic missing", &stack.StepError{Step: "letting EventBridge publish", Kind: stack.KindAlertRule,
			Err: &smithy.GenericAPIError{Code: "NotFound", Message: "Topic does not exist"}},
			"The alert topic does not exist", regexp.MustCompile(`(?s)Create the topic first.*Topic does not exist`)},
		{"alert topic policy denied", &stack.StepError{Step: "letting EventBridge publish", Kind: stack.KindAlertRule,
			Err: &smithy.GenericAPIError{Code: "AuthorizationError", Message: "not authorized to perform: SNS:SetTopicAttributes"}},
			"Cannot change the alert topic's policy", regexp.MustCompile(`(?s)sns:GetTopicAttributes and sns:SetTopicAttributes on the topic`)},
		{"foreign alert rule", &stack.StepError{Step: "creating the alert rule", Kind: stack.KindAlertRule, Err: &stack.ForeignRuleError{Name: "rotator-alerts-x"}},
			"An EventBridge rule of the alert rule's name is not this provider's", regexp.MustCompile(`(?s)rotator-alerts-x exists without the tag rotator:managed-by.*delete-rule --name rotator-alerts-x`)},
		{"alert topic elsewhere", &stack.StepError{Step: "checking the alert topic", Kind: stack.KindAlertRule,
			Err: &stack.AlertTopicRegionError{TopicARN: "arn:aws:sns:eu-west-1:1:t", TopicRegion: "eu-west-1", Region: "us-east-1"}},
			"The alert topic is in another region", regexp.MustCompile(`(?s)own region.*in us-east-1.*Use a topic in us-east-1`)},
		{"alert topic under aws/sns", &stack.StepError{Step: "letting EventBridge publish", Kind: stack.KindAlertRule,
			Err: &stack.AlertTopicKeyError{TopicARN: "arn:aws:sns:us-east-1:1:t", KeyID: "alias/aws/sns"}},
			"The alert topic's encryption key keeps EventBridge out", regexp.MustCompile(`(?s)arn:aws:sns:us-east-1:1:t.*alias/aws/sns.*customer managed KMS key.*events.amazonaws.com`)},
		// A NotFound of another child is not about the alert topic.
		{"NotFound elsewhere", &stack.StepError{Step: "creating the log group", Kind: stack.KindLogGroup, Err: &smithy.GenericAPIError{Code: "NotFound", Message: "x"}},
			"Cannot create: failed while creating the log group", regexp.MustCompile(`x`)},
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
