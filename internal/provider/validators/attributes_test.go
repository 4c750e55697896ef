package validators

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

type stringCase struct {
	value types.String
	want  []diagShape
}

func runStringCases(t *testing.T, v validator.String, p path.Path, tests map[string]stringCase) {
	t.Helper()
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var resp validator.StringResponse
			v.ValidateString(context.Background(), validator.StringRequest{Path: p, PathExpression: p.Expression(), ConfigValue: tc.value}, &resp)
			if diff := cmp.Diff(tc.want, shapes(resp.Diagnostics, tc.want)); diff != "" {
				t.Errorf("diagnostics mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func str(s string) types.String { return types.StringValue(s) }

func TestSecretName(t *testing.T) {
	t.Parallel()
	const invalid = "Invalid secret name"
	runStringCases(t, NewSecretName(), path.Root("name"), map[string]stringCase{
		"null":            {value: types.StringNull()},
		"unknown":         {value: types.StringUnknown()},
		"simple":          {value: str("app")},
		"every character": {value: str("prod/db/App_user+x=y.z@w-1")},
		"one character":   {value: str("a")},
		"512 characters":  {value: str(strings.Repeat("a", 512))},
		"empty": {
			value: str(""),
			want:  []diagShape{errAt("name", invalid, "name must be 1 to 512 characters long, got 0.")},
		},
		"513 characters": {
			value: str(strings.Repeat("a", 513)),
			want:  []diagShape{errAt("name", invalid, "got 513")},
		},
		"space": {
			value: str("my app"),
			want:  []diagShape{errAt("name", invalid, `name contains ' ' at position 3; it may contain only ASCII letters, digits and /_+=.@-.`)},
		},
		"non-ascii letter": {
			value: str("naïve"),
			want:  []diagShape{errAt("name", invalid, `contains 'ï' at position 3`)},
		},
		"colon": {
			value: str("a:b"),
			want:  []diagShape{errAt("name", invalid, `contains ':'`)},
		},
		"arn-like suffix": {
			value: str("app-AbCdEf"),
			want:  []diagShape{warnAt("name", "Secret name ends like an ARN suffix", "ends with a hyphen followed by six characters")},
		},
		"hyphen then five": {value: str("app-AbCdE")},
	})
}

func TestSecretNamePrefix(t *testing.T) {
	t.Parallel()
	const invalid = "Invalid secret name prefix"
	runStringCases(t, NewSecretNamePrefix(), path.Root("name_prefix"), map[string]stringCase{
		"null":            {value: types.StringNull()},
		"unknown":         {value: types.StringUnknown()},
		"simple":          {value: str("app-")},
		"505 characters":  {value: str(strings.Repeat("a", 505))},
		"arn-like ending": {value: str("app-AbCdEf")}, // a suffix follows: no warning
		"506 characters": {
			value: str(strings.Repeat("a", 506)),
			want:  []diagShape{errAt("name_prefix", invalid, "name_prefix must be 1 to 505 characters long, got 506.")},
		},
		"empty": {value: str(""), want: []diagShape{errAt("name_prefix", invalid, "got 0")}},
		"bad character": {
			value: str("app#"),
			want:  []diagShape{errAt("name_prefix", invalid, `name_prefix contains '#' at position 4`)},
		},
	})
}

func TestScheduleExpressionValidator(t *testing.T) {
	t.Parallel()
	const invalid = "Invalid rotation schedule expression"
	p := path.Root("rotation").AtName("schedule_expression")
	runStringCases(t, NewScheduleExpression(), p, map[string]stringCase{
		"null":          {value: types.StringNull()},
		"unknown":       {value: types.StringUnknown()},
		"rate days":     {value: str("rate(30 days)")},
		"rate hours":    {value: str("rate(4 hours)")},
		"cron weekly":   {value: str("cron(0 16 ? * SUN *)")},
		"cron 12 hours": {value: str("cron(0 4/12 * * ? *)")},
		"too frequent rate": {
			value: str("rate(2 hours)"),
			want:  []diagShape{errAt(p.String(), invalid, `rotation.schedule_expression "rate(2 hours)": a rate in hours must be from 4 to 23 hours`)},
		},
		"hourly cron": {
			value: str("cron(0 */1 * * ? *)"),
			want:  []diagShape{errAt(p.String(), invalid, "Secrets Manager rotates at most every 4 hours")},
		},
		"minutes": {
			value: str("cron(30 10 * * ? *)"),
			want:  []diagShape{errAt(p.String(), invalid, "Minutes must be 0")},
		},
		"five fields": {
			value: str("cron(0 10 * * ?)"),
			want:  []diagShape{errAt(p.String(), invalid, "has 5 fields")},
		},
		"free text": {
			value: str("weekly"),
			want:  []diagShape{errAt(p.String(), invalid, "is not a schedule expression: write rate(Value Unit)")},
		},
	})
}

func TestWindowDuration(t *testing.T) {
	t.Parallel()
	const invalid = "Invalid rotation window duration"
	p := path.Root("rotation").AtName("duration")
	runStringCases(t, NewWindowDuration(), p, map[string]stringCase{
		"null":    {value: types.StringNull()},
		"unknown": {value: types.StringUnknown()},
		"1h":      {value: str("1h")},
		"24h":     {value: str("24h")},
		"0h":      {value: str("0h"), want: []diagShape{errAt(p.String(), invalid, `rotation.duration must be between 1h and 24h, got "0h"`)}},
		"25h":     {value: str("25h"), want: []diagShape{errAt(p.String(), invalid, "between 1h and 24h")}},
		"no unit": {value: str("3"), want: []diagShape{errAt(p.String(), invalid, "whole hours followed by h")}},
		"minutes": {value: str("90m"), want: []diagShape{errAt(p.String(), invalid, "whole hours followed by h")}},
	})
}

func TestSecretARN(t *testing.T) {
	t.Parallel()
	const invalid = "Invalid secret ARN"
	p := path.Root("rotation").AtName("master_secret_arn")
	runStringCases(t, NewSecretARN(), p, map[string]stringCase{
		"null":       {value: types.StringNull()},
		"unknown":    {value: types.StringUnknown()},
		"aws":        {value: str("arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/master-AbCdEf")},
		"china":      {value: str("arn:aws-cn:secretsmanager:cn-north-1:123456789012:secret:master-AbCdEf")},
		"govcloud":   {value: str("arn:aws-us-gov:secretsmanager:us-gov-west-1:123456789012:secret:m-AbCdEf")},
		"name only":  {value: str("master"), want: []diagShape{errAt(p.String(), invalid, "must be the ARN of a Secrets Manager secret, arn:aws:secretsmanager:REGION:ACCOUNT_ID:secret:NAME")}},
		"iam role":   {value: str("arn:aws:iam::123456789012:role/x"), want: []diagShape{errAt(p.String(), invalid, `got "arn:aws:iam::123456789012:role/x"`)}},
		"no region":  {value: str("arn:aws:secretsmanager::123456789012:secret:m"), want: []diagShape{errAt(p.String(), invalid, "must be the ARN of a Secrets Manager secret")}},
		"short acct": {value: str("arn:aws:secretsmanager:us-east-1:1234:secret:m"), want: []diagShape{errAt(p.String(), invalid, "must be the ARN of a Secrets Manager secret")}},
		"no name":    {value: str("arn:aws:secretsmanager:us-east-1:123456789012:secret:"), want: []diagShape{errAt(p.String(), invalid, "must be the ARN of a Secrets Manager secret")}},
	})
}

func TestEnumValidators(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		v     validator.String
		value string
		ok    bool
	}{
		"strategy generic":       {NewStrategy(), "generic", true},
		"strategy pg alternate":  {NewStrategy(), "postgresql_alternating_users", true},
		"strategy oracle":        {NewStrategy(), "oracle_single_user", false},
		"architecture arm64":     {NewArchitecture(), "arm64", true},
		"architecture x86_64":    {NewArchitecture(), "x86_64", true},
		"architecture amd64":     {NewArchitecture(), "amd64", false},
		"rotated field password": {NewRotatedField(), "password", true},
		"rotated field empty":    {NewRotatedField(), "", false},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var resp validator.StringResponse
			tc.v.ValidateString(context.Background(), validator.StringRequest{Path: path.Root("x"), ConfigValue: str(tc.value)}, &resp)
			if diff := cmp.Diff(tc.ok, !resp.Diagnostics.HasError()); diff != "" {
				t.Errorf("%q accepted mismatch (-want +got):\n%s\n%v", tc.value, diff, resp.Diagnostics)
			}
		})
	}
}

func TestInt64Bounds(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		v     validator.Int64
		value int64
		ok    bool
	}{
		"days 0":               {NewAutomaticallyAfterDays(), 0, false},
		"days 1":               {NewAutomaticallyAfterDays(), 1, true},
		"days 1000":            {NewAutomaticallyAfterDays(), 1000, true},
		"days 1001":            {NewAutomaticallyAfterDays(), 1001, false},
		"password length 0":    {NewPasswordLength(), 0, false},
		"password length 1":    {NewPasswordLength(), 1, true},
		"password length 4096": {NewPasswordLength(), 4096, true},
		"password length 4097": {NewPasswordLength(), 4097, false},
		"memory 127":           {NewMemorySize(), 127, false},
		"memory 128":           {NewMemorySize(), 128, true},
		"memory 10240":         {NewMemorySize(), 10240, true},
		"memory 10241":         {NewMemorySize(), 10241, false},
		"timeout 0":            {NewTimeout(), 0, false},
		"timeout 1":            {NewTimeout(), 1, true},
		"timeout 900":          {NewTimeout(), 900, true},
		"timeout 901":          {NewTimeout(), 901, false},
		"recovery 0":           {NewRecoveryWindowInDays(), 0, true},
		"recovery 6":           {NewRecoveryWindowInDays(), 6, false},
		"recovery 7":           {NewRecoveryWindowInDays(), 7, true},
		"recovery 30":          {NewRecoveryWindowInDays(), 30, true},
		"recovery 31":          {NewRecoveryWindowInDays(), 31, false},
		"log retention 14":     {NewLogRetentionInDays(), 14, true},
		"log retention 3653":   {NewLogRetentionInDays(), 3653, true},
		"log retention 15":     {NewLogRetentionInDays(), 15, false},
		"log retention 0":      {NewLogRetentionInDays(), 0, false},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var resp validator.Int64Response
			tc.v.ValidateInt64(context.Background(), validator.Int64Request{Path: path.Root("x"), ConfigValue: types.Int64Value(tc.value)}, &resp)
			if diff := cmp.Diff(tc.ok, !resp.Diagnostics.HasError()); diff != "" {
				t.Errorf("%d accepted mismatch (-want +got):\n%s\n%v", tc.value, diff, resp.Diagnostics)
			}
		})
	}
}

func TestAttributeValidatorsDescribeThemselves(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, v := range []validator.String{NewSecretName(), NewSecretNamePrefix(), NewScheduleExpression(), NewWindowDuration(), NewSecretARN(), NewStrategy(), NewArchitecture()} {
		if v.Description(ctx) == "" || v.MarkdownDescription(ctx) == "" {
			t.Errorf("%T has an empty description", v)
		}
	}
}

func TestCABundle(t *testing.T) {
	t.Parallel()
	p := path.Root("rotation").AtName("ca_bundle")
	runStringCases(t, NewCABundle(), p, map[string]stringCase{
		"null":          {value: types.StringNull()},
		"unknown":       {value: types.StringUnknown()},
		"one CA":        {value: str(testCAPEM)},
		"two CAs":       {value: str(testCAPEM + testCAPEM)},
		"not PEM":       {value: str("hello"), want: []diagShape{errAt(p.String(), "Invalid CA bundle", "must be PEM CA certificates")}},
		"a private key": {value: str("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"), want: []diagShape{errAt(p.String(), "Invalid CA bundle", "PRIVATE KEY")}},
		"too large":     {value: str(strings.Repeat(testCAPEM, 6)), want: []diagShape{errAt(p.String(), "CA bundle too large", "at most 3072 bytes fit")}},
	})
}

// testCAPEM is a throwaway CA certificate made for these tests.
const testCAPEM = `-----BEGIN CERTIFICATE-----
MIIBZTCCAQugAwIBAgIBATAKBggqhkjOPQQDAjAaMRgwFgYDVQQDEw9yb3RhdG9y
IHRlc3QgQ0EwHhcNMjYwMTAxMDAwMDAwWhcNMzYwMTAxMDAwMDAwWjAaMRgwFgYD
VQQDEw9yb3RhdG9yIHRlc3QgQ0EwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAATd
g+fYg2ANhB9qwWKUNG2DaiaR8GmhwpIK4Mv20YfO/hMGnHqRDYe/RJIzS6iMUrvU
ZQPBpDt+i6afs75Xmx2Ro0IwQDAOBgNVHQ8BAf8EBAMCAgQwDwYDVR0TAQH/BAUw
AwEB/zAdBgNVHQ4EFgQUBSv/HuYTt4FQqxsIqBzpaEjNRAswCgYIKoZIzj0EAwID
SAAwRQIgQBglGYGXMNqRhBMvjV/hCoN/WV3G+UQ5FONHE+P2ZWMCIQDwGIvjmdIO
2R4XatnXSrJ3PhBEYGEGGSv1+C8P+Wi/ew==
-----END CERTIFICATE-----
`
