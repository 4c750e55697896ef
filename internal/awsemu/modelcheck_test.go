package awsemu

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestModelCheckFindsViolations: the model check is an oracle only if it
// can fail. Each exchange below breaks one rule of AWS's published model
// (or none), and the check must say so.
func TestModelCheckFindsViolations(t *testing.T) {
	t.Parallel()
	mc, err := NewModelCheck()
	if err != nil {
		t.Fatal(err)
	}
	jsonHdr := http.Header{"Content-Type": {"application/x-amz-json-1.1"}}
	role := `<GetRoleResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><GetRoleResult><Role>` +
		`<Path>/</Path><RoleName>r</RoleName>%s<Arn>arn:aws:iam::123456789012:role/r</Arn><CreateDate>2026-01-01T00:00:00Z</CreateDate>` +
		`</Role></GetRoleResult><ResponseMetadata><RequestId>x</RequestId></ResponseMetadata></GetRoleResponse>`
	tests := []struct {
		name string
		x    Exchange
		want string // substring of the one violation; "" = none
	}{
		{"valid JSON exchange", Exchange{Service: "secretsmanager", Operation: "DescribeSecret", Status: 200, ResponseHeader: jsonHdr,
			RequestBody: []byte(`{"SecretId":"s"}`), ResponseBody: []byte(`{"ARN":"arn:aws:secretsmanager:us-east-1:123456789012:secret:s-AbCdEf","Name":"s","RotationRules":{"AutomaticallyAfterDays":30}}`)}, ""},
		{"required request member missing", Exchange{Service: "secretsmanager", Operation: "CreateSecret", Status: 200, ResponseHeader: jsonHdr,
			RequestBody: []byte(`{"SecretString":"x"}`), ResponseBody: []byte(`{}`)}, "request.Name: required member missing"},
		{"number below the model's minimum", Exchange{Service: "secretsmanager", Operation: "DescribeSecret", Status: 200, ResponseHeader: jsonHdr,
			RequestBody: []byte(`{"SecretId":"s"}`), ResponseBody: []byte(`{"RotationRules":{"AutomaticallyAfterDays":0}}`)}, "less than the minimum 1"},
		{"member the model does not know", Exchange{Service: "secretsmanager", Operation: "DescribeSecret", Status: 200, ResponseHeader: jsonHdr,
			RequestBody: []byte(`{"SecretId":"s"}`), ResponseBody: []byte(`{"Name":"s","Invented":true}`)}, "response.Invented: member not in the model"},
		{"enum value outside the model", Exchange{Service: "lambda", Operation: "GetFunctionConfiguration", Method: "GET", Path: "/2015-03-31/functions/f/configuration", Status: 200,
			ResponseHeader: http.Header{}, ResponseBody: []byte(`{"FunctionName":"f","State":"Warming"}`)}, `"Warming" is not one of`},
		{"pattern violated in a REST path label", Exchange{Service: "lambda", Operation: "GetFunction", Method: "GET", Path: "/2015-03-31/functions/bad%20name", Status: 200,
			ResponseHeader: http.Header{}, ResponseBody: []byte(`{}`)}, "does not match the pattern"},
		{"undeclared error code", Exchange{Service: "iam", Operation: "CreateRole", Status: 404, ErrorCode: "NoSuchEntity"}, "NoSuchEntity is not one the operation declares"},
		{"declared error with the wrong status", Exchange{Service: "lambda", Operation: "AddPermission", Status: 400, ErrorCode: "ResourceConflictException"}, "HTTP 400, the model says 409"},
		{"common error", Exchange{Service: "kms", Operation: "CreateKey", Status: 400, ErrorCode: "ThrottlingException"}, ""},
		{"required XML member missing", Exchange{Service: "iam", Operation: "GetRole", Status: 200, Form: url.Values{"Action": {"GetRole"}, "RoleName": {"r"}},
			ResponseBody: []byte(strings.Replace(role, "%s", "", 1))}, "response.Role.RoleId: required member missing"},
		{"valid XML response", Exchange{Service: "iam", Operation: "GetRole", Status: 200, Form: url.Values{"Action": {"GetRole"}, "RoleName": {"r"}},
			ResponseBody: []byte(strings.Replace(role, "%s", "<RoleId>AROAEXAMPLEEXAMPLE12</RoleId>", 1))}, ""},
		{"query request over the model's length", Exchange{Service: "iam", Operation: "GetRole", Status: 200, Form: url.Values{"Action": {"GetRole"}, "RoleName": {strings.Repeat("r", 65)}},
			ResponseBody: []byte(strings.Replace(role, "%s", "<RoleId>AROAEXAMPLEEXAMPLE12</RoleId>", 1))}, "length 65 is more than the maximum 64"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			x := tt.x
			x.Protocol = ProtocolJSON11
			got := mc.check(&x)
			switch {
			case tt.want == "" && len(got) != 0:
				t.Errorf("violations = %q, want none", got)
			case tt.want != "" && (len(got) != 1 || !strings.Contains(got[0], tt.want)):
				t.Errorf("violations = %q, want exactly one containing %q", got, tt.want)
			}
		})
	}
}
