package provider

import (
	"context"
	"errors"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/aws/smithy-go"
	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/rotatorhq/terraform-provider-rotator/internal/rotator/config"
	"github.com/rotatorhq/terraform-provider-rotator/internal/stack"
)

func TestSecretValue(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, template, master, want string
		wantErr                      bool
	}{
		{"plain", "", "", "p@ss<>", false},
		{"template", `{"username":"app","port":5432}`, "", `{"password":"p@ss<>","port":5432,"username":"app"}`, false},
		{"master", `{"username":"app"}`, "arn:m", `{"masterarn":"arn:m","password":"p@ss<>","username":"app"}`, false},
		{"not an object", `[1]`, "", "", true},
	}
	for _, tc := range tests {
		got, err := secretValue(tc.template, "password", "p@ss<>", tc.master)
		if (err != nil) != tc.wantErr || got != tc.want {
			t.Errorf("%s: secretValue = %q, %v; want %q", tc.name, got, err, tc.want)
		}
		if err != nil && strings.Contains(err.Error(), "p@ss") {
			t.Errorf("%s: the error contains the value", tc.name)
		}
	}
}

func TestRewriteTemplateKeepsRotatedValues(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, strategy, current, template, want string
	}{
		{"generic", "generic", `{"password":"s3cret","host":"old"}`, `{"host":"new","port":1}`, `{"host":"new","password":"s3cret","port":1}`},
		{"alternating keeps the flipped user", "postgresql_alternating_users",
			`{"password":"s3cret","username":"app_clone","host":"old"}`, `{"username":"app","host":"new"}`,
			`{"host":"new","password":"s3cret","username":"app_clone"}`},
		{"plain string becomes the field", "generic", `s3cret`, `{"host":"h"}`, `{"host":"h","password":"s3cret"}`},
		// A renamed base user: the function only accepts the new pair, so
		// the old clone's name is not kept.
		{"alternating with a renamed user takes the template's", "mysql_alternating_users",
			`{"password":"s3cret","username":"app_clone","host":"h"}`, `{"username":"svc","host":"h"}`,
			`{"host":"h","password":"s3cret","username":"svc"}`},
	}
	for _, tc := range tests {
		got, err := rewriteTemplate(tc.template, "password", tc.strategy, "")(tc.current)
		if err != nil || got != tc.want {
			t.Errorf("%s: got %q, %v; want %q", tc.name, got, err, tc.want)
		}
	}
}

func TestSensitivePatternsMaskWireDumps(t *testing.T) {
	t.Parallel()
	const secret = `Sup3r"Secret\value`
	dumps := []string{
		`{"Name":"a","SecretString":"{\"password\":\"Sup3r\\\"Secret\\\\value\"}"}`,
		`{"RandomPassword":"Sup3r\"Secret\\value"}`,
		`<AssumeRoleResult><Credentials><SessionToken>Sup3r"Secret\value</SessionToken><SecretAccessKey>Sup3r"Secret\value</SecretAccessKey></Credentials></AssumeRoleResult>`,
		"POST / HTTP/1.1\r\nX-Amz-Security-Token: Sup3r\"Secret\\value\r\n",
	}
	for _, d := range dumps {
		masked := d
		for _, re := range sensitivePatterns {
			masked = re.ReplaceAllString(masked, "***")
		}
		for _, part := range []string{"Sup3r", "Secret\\", secret} {
			if strings.Contains(masked, part) {
				t.Errorf("mask left %q in %q", part, masked)
			}
		}
	}
}

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

// TestDocsListCallerPermissions keeps the resource template's permission
// table equal to stack.CallerPermissions.
func TestDocsListCallerPermissions(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile("../../templates/resources/rotated_secret.md.tmpl")
	if err != nil {
		t.Fatal(err)
	}
	var documented []string
	for _, m := range regexp.MustCompile("(?m)^\\| `([a-z0-9]+:[A-Za-z]+)` \\| (.+) \\|$").FindAllStringSubmatch(string(b), -1) {
		documented = append(documented, m[1]+" | "+m[2])
	}
	var want []string
	for _, p := range stack.CallerPermissions() {
		want = append(want, fmt.Sprintf("%s | %s", p.Action, p.When))
	}
	slices.Sort(documented)
	slices.Sort(want)
	if diff := cmp.Diff(want, documented); diff != "" {
		t.Errorf("templates/resources/rotated_secret.md.tmpl permission table is stale (-code +doc):\n%s", diff)
	}
}

func TestWithLoggingDoesNotPanicWithoutLogger(t *testing.T) {
	t.Parallel()
	ctx := withLogging(context.Background())
	sdkLogger{}.WithContext(ctx).Logf("DEBUG", "hello %s", "world")
}

func TestSpecDefaultsWithoutBlocks(t *testing.T) {
	t.Parallel()
	m := rotatedSecretModel{Name: types.StringValue("n"), Tags: types.MapNull(types.StringType), Rotation: &rotationModel{
		AutomaticallyAfterDays: types.Int64Value(7),
	}}
	pd := &providerData{region: "us-east-1", account: "1", partition: "aws", defaultTags: map[string]string{"env": "dev"}}
	got, diags := m.spec(context.Background(), pd)
	if diags.HasError() {
		t.Fatal(diags)
	}
	want := stack.Spec{
		Region: "us-east-1", Account: "1", Partition: "aws", Name: "n",
		Tags:               map[string]string{"env": "dev"},
		RecoveryWindowDays: defaultRecoveryWindowDays,
		Strategy:           "generic", RotatedField: "password", Password: config.DefaultPasswordPolicy(),
		Function: stack.FunctionSpec{Architecture: defaultArchitecture, MemorySize: defaultMemorySize, Timeout: defaultTimeout, LogRetentionDays: defaultLogRetentionDays},
		Rotation: stack.RotationSpec{Enabled: true, AutomaticallyAfterDays: 7},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("spec (-want +got):\n%s", diff)
	}
}
