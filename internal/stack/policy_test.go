package stack

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestRolePolicyDocument(t *testing.T) {
	t.Parallel()
	base := PolicyInput{Partition: "aws", SecretARN: "arn:aws:secretsmanager:us-east-1:1:secret:s-abc", LogGroupARN: "arn:aws:logs:us-east-1:1:log-group:/aws/lambda/f"}
	tests := []struct {
		name    string
		in      func(PolicyInput) PolicyInput
		wantSid []string
	}{
		{"generic", func(p PolicyInput) PolicyInput { return p }, []string{"RotateThisSecret", "WriteOwnLogs"}},
		{"kms", func(p PolicyInput) PolicyInput { p.KMSKeyARN = "arn:aws:kms:us-east-1:1:key/k"; return p },
			[]string{"RotateThisSecret", "WriteOwnLogs", "UseSecretKey"}},
		{"vpc and master", func(p PolicyInput) PolicyInput { p.VPC = true; p.MasterSecretARN = "arn:m"; return p },
			[]string{"RotateThisSecret", "ReadMasterSecret", "WriteOwnLogs", "ManageVPCNetworkInterfaces"}},
		{"master under a customer key", func(p PolicyInput) PolicyInput {
			p.MasterSecretARN, p.MasterKMSKeyARN = "arn:m", "arn:aws:kms:us-east-1:1:key/mk"
			return p
		}, []string{"RotateThisSecret", "ReadMasterSecret", "WriteOwnLogs", "DecryptMasterSecret"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			in := tc.in(base)
			var doc policyDocument
			if err := json.Unmarshal([]byte(RolePolicyDocument(in)), &doc); err != nil {
				t.Fatal(err)
			}
			var sids []string
			for _, s := range doc.Statement {
				sids = append(sids, s.Sid)
				switch s.Sid {
				case "DecryptMasterSecret":
					if diff := cmp.Diff([]string{in.MasterKMSKeyARN}, s.Resource); diff != "" || s.Condition["StringEquals"]["kms:EncryptionContext:SecretARN"] != in.MasterSecretARN {
						t.Errorf("master key grant must be scoped to the key and the master secret's encryption context: %v %+v", s.Resource, s.Condition)
					}
					if diff := cmp.Diff([]string{"kms:Decrypt"}, s.Action); diff != "" {
						t.Errorf("the master key needs kms:Decrypt only (-want +got):\n%s", diff)
					}
				case "RotateThisSecret":
					if diff := cmp.Diff([]string{in.SecretARN}, s.Resource); diff != "" {
						t.Errorf("rotation actions must be scoped to the secret (-want +got):\n%s", diff)
					}
				case "UseSecretKey":
					if s.Condition["StringEquals"]["kms:EncryptionContext:SecretARN"] != in.SecretARN {
						t.Errorf("KMS grant not conditioned on the secret's encryption context: %+v", s.Condition)
					}
				case "WriteOwnLogs":
					if diff := cmp.Diff([]string{in.LogGroupARN, in.LogGroupARN + ":*"}, s.Resource); diff != "" {
						t.Errorf("logs must be scoped to the function's log group (-want +got):\n%s", diff)
					}
				}
			}
			if diff := cmp.Diff(tc.wantSid, sids); diff != "" {
				t.Errorf("statements (-want +got):\n%s", diff)
			}
		})
	}
}

func TestTrustPolicyHasSourceAccount(t *testing.T) {
	t.Parallel()
	doc := TrustPolicyDocument("123456789012")
	if !strings.Contains(doc, `"aws:SourceAccount":"123456789012"`) || !strings.Contains(doc, "lambda.amazonaws.com") {
		t.Errorf("trust policy = %s", doc)
	}
}

func TestPolicyEqual(t *testing.T) {
	t.Parallel()
	a := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject"],"Resource":"*"}]}`
	tests := []struct {
		b    string
		want bool
	}{
		{`{"Statement":[{"Resource":"*","Action":"s3:GetObject","Effect":"Allow"}],"Version":"2012-10-17"}`, true},
		{"%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22s3%3AGetObject%22%2C%22Resource%22%3A%22%2A%22%7D%5D%7D", true},
		{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`, false},
		{`not json`, false},
	}
	for _, tc := range tests {
		if got := PolicyEqual(a, tc.b); got != tc.want {
			t.Errorf("PolicyEqual(a, %s) = %t, want %t", tc.b, got, tc.want)
		}
	}
}
