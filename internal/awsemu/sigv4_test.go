package awsemu

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// fakeKeyStore is an access-key store with one temporary key.
type fakeKeyStore struct {
	akid, secret, token string
	expires             time.Time
}

var (
	_ accessKeyStore      = (*fakeKeyStore)(nil)
	_ sessionTokenChecker = (*fakeKeyStore)(nil)
	_ accessKeyExpiry     = (*fakeKeyStore)(nil)
)

func (f *fakeKeyStore) LookupAccessKey(akid string) (*Principal, string, bool) {
	if akid != f.akid {
		return nil, "", false
	}
	return &Principal{AccountID: "123456789012", AccessKeyID: akid, RoleName: "r", ARN: "arn:aws:sts::123456789012:assumed-role/r/s"}, f.secret, true
}

func (f *fakeKeyStore) CheckSessionToken(akid, token string) bool { return token == f.token }

func (f *fakeKeyStore) AccessKeyExpiration(akid string) (time.Time, bool) {
	return f.expires, akid == f.akid
}

func TestSigV4Verification(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tests := []struct {
		name                   string
		secret, token          string
		advance                time.Duration
		wantSM, wantSTS, wantL string
	}{
		// Valid: authenticated as the role, which has no policy (role "r"
		// does not exist in IAM), so Secrets Manager denies the action.
		{name: "valid", secret: "s3cr3t", token: "tok", wantSM: "AccessDeniedException"},
		{name: "wrong secret", secret: "other", token: "tok", wantSM: "InvalidSignatureException", wantSTS: "SignatureDoesNotMatch", wantL: "InvalidSignatureException"},
		{name: "wrong token", secret: "s3cr3t", token: "nope", wantSM: "UnrecognizedClientException", wantSTS: "InvalidClientTokenId", wantL: "UnrecognizedClientException"},
		{name: "expired", secret: "s3cr3t", token: "tok", advance: 2 * time.Hour, wantSM: "ExpiredTokenException", wantSTS: "ExpiredToken", wantL: "ExpiredTokenException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := emuTestServer(t, Options{})
			srv.keys = &fakeKeyStore{akid: "ASIAFAKE", secret: "s3cr3t", token: "tok", expires: srv.Now().Add(time.Hour)}
			if tt.advance > 0 {
				srv.AdvanceClock(ctx, tt.advance)
			}
			cfg := emuTestConfig(srv, "ASIAFAKE", tt.secret, tt.token)
			_, err := secretsmanager.NewFromConfig(cfg).ListSecrets(ctx, &secretsmanager.ListSecretsInput{})
			if got := emuErrCode(err); got != tt.wantSM {
				t.Errorf("Secrets Manager (JSON 1.1): %q (%v), want %q", got, err, tt.wantSM)
			}
			_, err = sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
			if got := emuErrCode(err); got != tt.wantSTS {
				t.Errorf("STS (query): %q (%v), want %q", got, err, tt.wantSTS)
			}
			// An ARN in the path exercises the canonical URI encoding.
			_, err = lambda.NewFromConfig(cfg).GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String("arn:aws:lambda:us-east-1:123456789012:function:f")})
			if got := emuErrCode(err); tt.wantL != "" && got != tt.wantL || tt.wantL == "" && (got == "InvalidSignatureException" || got == "UnrecognizedClientException") {
				t.Errorf("Lambda (REST): %q (%v), want %q", got, err, tt.wantL)
			}
		})
	}
}

func TestSigV4TamperedBody(t *testing.T) {
	t.Parallel()
	srv := emuTestServer(t, Options{})
	srv.keys = &fakeKeyStore{akid: "ASIAFAKE", secret: "s3cr3t", token: "tok", expires: srv.Now().Add(time.Hour)}
	signed := `{"SecretId":"a"}`
	tests := []struct {
		name     string
		sent     string
		wantType string
	}{
		// Role "r" has no policies: a request that passes the signature
		// check is denied by authorisation.
		{"body as signed", signed, "AccessDeniedException"},
		{"body changed after signing", `{"SecretId":"b"}`, "InvalidSignatureException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			req, err := http.NewRequest(http.MethodPost, srv.URL()+"/", strings.NewReader(tt.sent))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("X-Amz-Target", "secretsmanager.DescribeSecret")
			req.Header.Set("Content-Type", "application/x-amz-json-1.1")
			req.Header.Set("X-Amz-Security-Token", "tok")
			sum := sha256.Sum256([]byte(signed))
			hash := hex.EncodeToString(sum[:])
			req.Header.Set("X-Amz-Content-Sha256", hash)
			creds := aws.Credentials{AccessKeyID: "ASIAFAKE", SecretAccessKey: "s3cr3t", SessionToken: "tok"}
			if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hash, "secretsmanager", "us-east-1", time.Now()); err != nil {
				t.Fatal(err)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if got := resp.Header.Get("X-Amzn-ErrorType"); got != tt.wantType {
				t.Errorf("X-Amzn-ErrorType = %q, want %q", got, tt.wantType)
			}
		})
	}
}
