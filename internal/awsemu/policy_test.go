package awsemu

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func mustPolicy(t *testing.T, doc string, kind policyKind) *policyDocument {
	t.Helper()
	d, err := parsePolicy(doc, kind)
	if err != nil {
		t.Fatalf("parsePolicy(%s): %v", doc, err)
	}
	return d
}

func TestPolicyGlob(t *testing.T) {
	t.Parallel()
	tests := []struct {
		pattern, s string
		fold, want bool
	}{
		{"*", "anything", false, true},
		{"secretsmanager:*", "secretsmanager:PutSecretValue", false, true},
		{"secretsmanager:Get*", "secretsmanager:PutSecretValue", false, false},
		{"arn:aws:secretsmanager:us-east-1:123456789012:secret:db-??????", "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf", false, true},
		{"arn:aws:secretsmanager:us-east-1:123456789012:secret:db-??????", "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdE", false, false},
		{"SecretsManager:putsecretvalue", "secretsmanager:PutSecretValue", true, true},
		{"SecretsManager:putsecretvalue", "secretsmanager:PutSecretValue", false, false},
		{"a*b*c", "aXXbYYc", false, true},
		{"a*b*c", "aXXbYY", false, false},
		{"", "", false, true},
	}
	for _, tt := range tests {
		if got := policyGlob(tt.pattern, tt.s, tt.fold); got != tt.want {
			t.Errorf("policyGlob(%q, %q, %v) = %v, want %v", tt.pattern, tt.s, tt.fold, got, tt.want)
		}
	}
}

func TestParsePolicyErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, doc string
		kind      policyKind
		wantMsg   string // "" = valid
	}{
		{"valid identity", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`, policyIdentity, ""},
		{"single statement object", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}`, policyIdentity, ""},
		{"not json", `{"Version":`, policyIdentity, "This policy contains invalid Json"},
		{"principal in identity", `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}]}`, policyIdentity, "Policy document should not specify a principal."},
		{"no resource", `{"Statement":[{"Effect":"Allow","Action":"s3:*"}]}`, policyIdentity, "Policy statement must contain resources."},
		{"no action", `{"Statement":[{"Effect":"Allow","Resource":"*"}]}`, policyIdentity, "Policy statement must contain actions."},
		{"bad effect", `{"Statement":[{"Effect":"Maybe","Action":"s3:*","Resource":"*"}]}`, policyIdentity, "Syntax errors in policy."},
		{"bad version", `{"Version":"2020-01-01","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`, policyIdentity, "The policy must contain a valid version string"},
		{"action without vendor", `{"Statement":[{"Effect":"Allow","Action":"Get","Resource":"*"}]}`, policyIdentity, "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."},
		{"unknown condition", `{"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"Sometimes":{"a":"b"}}}]}`, policyIdentity, "Invalid Condition type : Sometimes"},
		{"valid trust", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`, policyTrust, ""},
		{"trust without principal", `{"Statement":[{"Effect":"Allow","Action":"sts:AssumeRole"}]}`, policyTrust, "AssumeRolepolicy contained an invalid principal element."},
		{"bad AWS principal", `{"Statement":[{"Effect":"Allow","Principal":{"AWS":"someone"},"Action":"sts:AssumeRole"}]}`, policyTrust, "Invalid principal in policy"},
		{"account principal", `{"Statement":[{"Effect":"Allow","Principal":{"AWS":["123456789012","arn:aws:iam::123456789012:root"]},"Action":"sts:AssumeRole"}]}`, policyTrust, ""},
		{"empty statements", `{"Version":"2012-10-17","Statement":[]}`, policyIdentity, "Syntax errors in policy."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := parsePolicy(tt.doc, tt.kind)
			got := ""
			if err != nil {
				var ae *APIError
				if !errors.As(err, &ae) || ae.Code != "MalformedPolicyDocument" {
					t.Fatalf("error = %v, want MalformedPolicyDocument", err)
				}
				got = ae.Message
			}
			if diff := cmp.Diff(tt.wantMsg, got); diff != "" {
				t.Errorf("message (-want +got):\n%s", diff)
			}
		})
	}
}

func TestEvaluateIdentity(t *testing.T) {
	t.Parallel()
	const secret = "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf"
	const key = "arn:aws:kms:us-east-1:123456789012:key/1234"
	tests := []struct {
		name     string
		docs     []string
		action   string
		resource string
		keys     map[string]string
		want     policyDecision
	}{
		{
			name:   "default deny",
			docs:   []string{`{"Statement":[{"Effect":"Allow","Action":"secretsmanager:GetSecretValue","Resource":"*"}]}`},
			action: "secretsmanager:PutSecretValue", resource: secret, want: policyImplicitDeny,
		},
		{
			name:   "action wildcard, case-insensitive",
			docs:   []string{`{"Statement":[{"Effect":"Allow","Action":"SecretsManager:Put*","Resource":"*"}]}`},
			action: "secretsmanager:PutSecretValue", resource: secret, want: policyAllow,
		},
		{
			name:   "resource wildcard with ?",
			docs:   []string{`{"Statement":[{"Effect":"Allow","Action":"secretsmanager:*","Resource":"arn:aws:secretsmanager:us-east-1:123456789012:secret:db-??????"}]}`},
			action: "secretsmanager:PutSecretValue", resource: secret, want: policyAllow,
		},
		{
			name:   "resource mismatch",
			docs:   []string{`{"Statement":[{"Effect":"Allow","Action":"secretsmanager:*","Resource":"arn:aws:secretsmanager:us-east-1:123456789012:secret:other-*"}]}`},
			action: "secretsmanager:PutSecretValue", resource: secret, want: policyImplicitDeny,
		},
		{
			name: "explicit deny wins across documents",
			docs: []string{
				`{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`,
				`{"Statement":[{"Effect":"Deny","Action":"secretsmanager:DeleteSecret","Resource":"*"}]}`,
			},
			action: "secretsmanager:DeleteSecret", resource: secret, want: policyExplicitDeny,
		},
		{
			name:   "NotAction allows everything else",
			docs:   []string{`{"Statement":[{"Effect":"Allow","NotAction":"secretsmanager:DeleteSecret","Resource":"*"}]}`},
			action: "secretsmanager:PutSecretValue", resource: secret, want: policyAllow,
		},
		{
			name:   "NotAction excludes",
			docs:   []string{`{"Statement":[{"Effect":"Allow","NotAction":"secretsmanager:DeleteSecret","Resource":"*"}]}`},
			action: "secretsmanager:DeleteSecret", resource: secret, want: policyImplicitDeny,
		},
		{
			name:   "NotResource",
			docs:   []string{`{"Statement":[{"Effect":"Allow","Action":"*","NotResource":"arn:aws:secretsmanager:*:*:secret:db-*"}]}`},
			action: "secretsmanager:PutSecretValue", resource: secret, want: policyImplicitDeny,
		},
		{
			name:   "StringEquals on encryption context holds",
			docs:   []string{`{"Statement":[{"Effect":"Allow","Action":"kms:Decrypt","Resource":"*","Condition":{"StringEquals":{"kms:EncryptionContext:SecretARN":"` + secret + `"}}}]}`},
			action: "kms:Decrypt", resource: key, keys: map[string]string{"kms:EncryptionContext:SecretARN": secret}, want: policyAllow,
		},
		{
			name:   "condition key names are case-insensitive",
			docs:   []string{`{"Statement":[{"Effect":"Allow","Action":"kms:Decrypt","Resource":"*","Condition":{"StringEquals":{"KMS:encryptioncontext:SecretARN":"` + secret + `"}}}]}`},
			action: "kms:Decrypt", resource: key, keys: map[string]string{"kms:EncryptionContext:SecretARN": secret}, want: policyAllow,
		},
		{
			name:   "StringEquals with another value",
			docs:   []string{`{"Statement":[{"Effect":"Allow","Action":"kms:Decrypt","Resource":"*","Condition":{"StringEquals":{"kms:EncryptionContext:SecretARN":"` + secret + `"}}}]}`},
			action: "kms:Decrypt", resource: key, keys: map[string]string{"kms:EncryptionContext:SecretARN": secret + "x"}, want: policyImplicitDeny,
		},
		{
			name:   "missing key fails a positive condition",
			docs:   []string{`{"Statement":[{"Effect":"Allow","Action":"kms:Decrypt","Resource":"*","Condition":{"StringEquals":{"kms:EncryptionContext:SecretARN":"` + secret + `"}}}]}`},
			action: "kms:Decrypt", resource: key, want: policyImplicitDeny,
		},
		{
			name:   "IfExists holds when the key is missing",
			docs:   []string{`{"Statement":[{"Effect":"Allow","Action":"kms:Decrypt","Resource":"*","Condition":{"StringEqualsIfExists":{"kms:EncryptionContext:SecretARN":"` + secret + `"}}}]}`},
			action: "kms:Decrypt", resource: key, want: policyAllow,
		},
		{
			name:   "IfExists still compares a present key",
			docs:   []string{`{"Statement":[{"Effect":"Allow","Action":"kms:Decrypt","Resource":"*","Condition":{"StringEqualsIfExists":{"kms:EncryptionContext:SecretARN":"` + secret + `"}}}]}`},
			action: "kms:Decrypt", resource: key, keys: map[string]string{"kms:EncryptionContext:SecretARN": "other"}, want: policyImplicitDeny,
		},
		{
			name:   "StringLike",
			docs:   []string{`{"Statement":[{"Effect":"Allow","Action":"kms:Decrypt","Resource":"*","Condition":{"StringLike":{"kms:EncryptionContext:SecretARN":"arn:aws:secretsmanager:*:*:secret:db-*"}}}]}`},
			action: "kms:Decrypt", resource: key, keys: map[string]string{"kms:EncryptionContext:SecretARN": secret}, want: policyAllow,
		},
		{
			name:   "StringNotEquals denies the listed value",
			docs:   []string{`{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringNotEquals":{"aws:SourceAccount":"111111111111"}}}]}`},
			action: "lambda:InvokeFunction", resource: "*", keys: map[string]string{"aws:SourceAccount": "111111111111"}, want: policyImplicitDeny,
		},
		{
			name:   "StringNotEquals allows another value",
			docs:   []string{`{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringNotEquals":{"aws:SourceAccount":"111111111111"}}}]}`},
			action: "lambda:InvokeFunction", resource: "*", keys: map[string]string{"aws:SourceAccount": "123456789012"}, want: policyAllow,
		},
		{
			name:   "ArnLike compares part by part",
			docs:   []string{`{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"ArnLike":{"aws:SourceArn":"arn:aws:secretsmanager:*:123456789012:secret:*"}}}]}`},
			action: "lambda:InvokeFunction", resource: "*", keys: map[string]string{"aws:SourceArn": secret}, want: policyAllow,
		},
		{
			name:   "ArnLike with another account",
			docs:   []string{`{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"ArnLike":{"aws:SourceArn":"arn:aws:secretsmanager:*:999999999999:secret:*"}}}]}`},
			action: "lambda:InvokeFunction", resource: "*", keys: map[string]string{"aws:SourceArn": secret}, want: policyImplicitDeny,
		},
		{
			name:   "ArnEquals",
			docs:   []string{`{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"ArnEquals":{"aws:SourceArn":"` + secret + `"}}}]}`},
			action: "lambda:InvokeFunction", resource: "*", keys: map[string]string{"aws:SourceArn": secret}, want: policyAllow,
		},
		{
			name:   "several values are alternatives",
			docs:   []string{`{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":{"aws:SourceAccount":["111111111111","123456789012"]}}}]}`},
			action: "lambda:InvokeFunction", resource: "*", keys: map[string]string{"aws:SourceAccount": "123456789012"}, want: policyAllow,
		},
		{
			name:   "several operators must all hold",
			docs:   []string{`{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":{"aws:SourceAccount":"123456789012"},"ArnLike":{"aws:SourceArn":"arn:aws:secretsmanager:*:*:secret:other-*"}}}]}`},
			action: "lambda:InvokeFunction", resource: "*", keys: map[string]string{"aws:SourceAccount": "123456789012", "aws:SourceArn": secret}, want: policyImplicitDeny,
		},
		{
			name:   "ForAnyValue behaves as the operator for a single-valued key",
			docs:   []string{`{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"ForAnyValue:StringEquals":{"aws:SourceAccount":["123456789012"]}}}]}`},
			action: "lambda:InvokeFunction", resource: "*", want: policyImplicitDeny,
		},
		{
			name:   "ForAllValues holds when the key is absent",
			docs:   []string{`{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"ForAllValues:StringEquals":{"aws:SourceAccount":["123456789012"]}}}]}`},
			action: "lambda:InvokeFunction", resource: "*", want: policyAllow,
		},
		{
			name:   "Null true requires the key to be absent",
			docs:   []string{`{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"Null":{"aws:SourceArn":"true"}}}]}`},
			action: "lambda:InvokeFunction", resource: "*", keys: map[string]string{"aws:SourceArn": "arn:aws:s3:::b"}, want: policyImplicitDeny,
		},
		{
			name:   "conditional deny applies only when its condition holds",
			docs:   []string{`{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"StringEquals":{"aws:SourceAccount":"111111111111"}}}]}`},
			action: "lambda:InvokeFunction", resource: "*", keys: map[string]string{"aws:SourceAccount": "123456789012"}, want: policyAllow,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var docs []*policyDocument
			for _, d := range tt.docs {
				docs = append(docs, mustPolicy(t, d, policyIdentity))
			}
			got := evaluateIdentity(docs, tt.action, tt.resource, tt.keys)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("decision (-want +got):\n%s", diff)
			}
		})
	}
}

func TestEvaluateResourcePolicy(t *testing.T) {
	t.Parallel()
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":["lambda.amazonaws.com"]},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"aws:SourceAccount":"123456789012"}}}]}`
	tests := []struct {
		name, principal string
		keys            map[string]string
		want            policyDecision
	}{
		{"service allowed", "lambda.amazonaws.com", map[string]string{"aws:SourceAccount": "123456789012"}, policyAllow},
		{"other service", "ec2.amazonaws.com", map[string]string{"aws:SourceAccount": "123456789012"}, policyImplicitDeny},
		{"other account", "lambda.amazonaws.com", map[string]string{"aws:SourceAccount": "999999999999"}, policyImplicitDeny},
		{"missing key", "lambda.amazonaws.com", nil, policyImplicitDeny},
	}
	doc := mustPolicy(t, trust, policyTrust)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := evaluateResource(doc, "Service", tt.principal, "sts:AssumeRole", "", tt.keys)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("decision (-want +got):\n%s", diff)
			}
		})
	}
}
