package provider

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/feature/ec2/imds"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/sso"
	"github.com/aws/aws-sdk-go-v2/service/ssooidc"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go/logging"
)

// Secret material the fake endpoints hand out, each distinct, so a test
// failure names what leaked. Each contains characters JSON escapes.
const (
	leakSecretKey    = "wJalrXUtnFEMI/K7MDENG+bPxRfiCY-secretkey"
	leakSessionToken = "FwoGZXIvYXdzEJr-session-token"
	leakWebIdentity  = "eyJhbGciOiJSUzI1NiJ9.web-identity-token"
	leakSSOBearer    = "aoaAAAAAGV-sso-bearer-token"
	leakAccessToken  = "oidc-access-token-3f2a"
	leakRefreshToken = "oidc-refresh-token-9c1d"
	leakIDToken      = "oidc-id-token-77ab"
	leakClientSecret = "oidc-client-secret-e5e5"
	leakIMDSToken    = "AQAEAImdsV2-token-value=="
	leakSecretString = `p@ss"w0rd<&>\value`
)

// fakeAWS answers like each credential endpoint, with the shapes of AWS's
// API references (STS query/XML, SSO and SSO OIDC JSON, IMDSv2, Secrets
// Manager JSON).
func fakeAWS(t *testing.T) *httptest.Server {
	t.Helper()
	creds := fmt.Sprintf(`"AccessKeyId":"ASIAEXAMPLE","SecretAccessKey":%q,"Token":%q,"Expiration":"2030-01-01T00:00:00Z"`, leakSecretKey, leakSessionToken)
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/latest/api/token":
			w.Header().Set("X-Aws-Ec2-Metadata-Token-Ttl-Seconds", "21600")
			fmt.Fprint(w, leakIMDSToken)
		case strings.HasPrefix(r.URL.Path, "/latest/meta-data/iam/security-credentials/"):
			fmt.Fprintf(w, `{"Code":"Success","Type":"AWS-HMAC",%s}`, creds)
		case r.URL.Path == "/federation/credentials":
			fmt.Fprintf(w, `{"roleCredentials":{"accessKeyId":"ASIAEXAMPLE","secretAccessKey":%q,"sessionToken":%q,"expiration":1893456000000}}`, leakSecretKey, leakSessionToken)
		case r.URL.Path == "/token":
			fmt.Fprintf(w, `{"accessToken":%q,"expiresIn":28800,"idToken":%q,"refreshToken":%q,"tokenType":"Bearer"}`, leakAccessToken, leakIDToken, leakRefreshToken)
		case r.Header.Get("X-Amz-Target") == "secretsmanager.GetSecretValue":
			fmt.Fprintf(w, `{"ARN":"arn:aws:secretsmanager:us-east-1:123456789012:secret:s-AbCdEf","Name":"s","SecretString":%q,"VersionId":"v1","VersionStages":["AWSCURRENT"]}`, leakSecretString)
		default: // STS (query protocol)
			w.Header().Set("Content-Type", "text/xml")
			fmt.Fprintf(w, `<AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleWithWebIdentityResult><Credentials><AccessKeyId>ASIAEXAMPLE</AccessKeyId><SecretAccessKey>%s</SecretAccessKey><SessionToken>%s</SessionToken><Expiration>2030-01-01T00:00:00Z</Expiration></Credentials></AssumeRoleWithWebIdentityResult></AssumeRoleWithWebIdentityResponse>`, leakSecretKey, leakSessionToken)
		}
	}))
}

// dumpLogger records what the SDK logs.
type dumpLogger struct {
	mu   sync.Mutex
	msgs []string
}

func (l *dumpLogger) Logf(_ logging.Classification, format string, v ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.msgs = append(l.msgs, fmt.Sprintf(format, v...))
}

// TestSensitivePatternsMaskRealSDKDumps runs the SDK's own clients for
// every credential source with TRACE-level wire logging against fake
// endpoints, then masks each logged dump as withLogging does: no secret
// may survive, in any spelling the services use.
func TestSensitivePatternsMaskRealSDKDumps(t *testing.T) {
	t.Parallel()
	srv := fakeAWS(t)
	defer srv.Close()
	log := &dumpLogger{}
	cfg := aws.Config{
		Region:        "us-east-1",
		Credentials:   credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", leakSecretKey, leakSessionToken),
		Logger:        log,
		ClientLogMode: aws.LogRequestWithBody | aws.LogResponseWithBody,
		BaseEndpoint:  aws.String(srv.URL),
	}
	ctx := context.Background()
	calls := map[string]func() error{
		"sts web identity": func() error {
			_, err := sts.NewFromConfig(cfg).AssumeRoleWithWebIdentity(ctx, &sts.AssumeRoleWithWebIdentityInput{
				RoleArn: aws.String("arn:aws:iam::123456789012:role/r"), RoleSessionName: aws.String("s"), WebIdentityToken: aws.String(leakWebIdentity),
			})
			return err
		},
		"sso role credentials": func() error {
			_, err := sso.NewFromConfig(cfg).GetRoleCredentials(ctx, &sso.GetRoleCredentialsInput{
				AccessToken: aws.String(leakSSOBearer), AccountId: aws.String("123456789012"), RoleName: aws.String("r"),
			})
			return err
		},
		"sso oidc token refresh": func() error {
			_, err := ssooidc.NewFromConfig(cfg).CreateToken(ctx, &ssooidc.CreateTokenInput{
				ClientId: aws.String("client"), ClientSecret: aws.String(leakClientSecret), GrantType: aws.String("refresh_token"), RefreshToken: aws.String(leakRefreshToken),
			})
			return err
		},
		"imds credentials": func() error {
			c := imds.New(imds.Options{Endpoint: srv.URL, Logger: log, ClientLogMode: cfg.ClientLogMode})
			_, err := c.GetMetadata(ctx, &imds.GetMetadataInput{Path: "iam/security-credentials/role"})
			return err
		},
		"secret value": func() error {
			_, err := secretsmanager.NewFromConfig(cfg).GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("s")})
			return err
		},
	}
	for name, call := range calls {
		if err := call(); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	leaks := []string{leakSecretKey, leakSessionToken, leakWebIdentity, leakSSOBearer, leakAccessToken, leakRefreshToken, leakIDToken, leakClientSecret, leakIMDSToken}
	for _, v := range []string{leakSecretString} {
		leaks = append(leaks, v, jsonEscaped(v))
	}
	if len(log.msgs) < 2*len(calls) {
		t.Fatalf("the SDK logged %d dumps for %d calls; want a request and a response each", len(log.msgs), len(calls))
	}
	for _, msg := range log.msgs {
		masked := mask(msg)
		for _, leak := range leaks {
			if strings.Contains(masked, leak) || strings.Contains(masked, encodedForm(leak)) {
				t.Errorf("%q survives masking in:\n%s", leak, masked)
			}
		}
	}
}

func mask(s string) string {
	for _, re := range sensitivePatterns {
		s = re.ReplaceAllString(s, "***")
	}
	return s
}

func jsonEscaped(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "<", `\u003c`, ">", `\u003e`, "&", `\u0026`)
	return r.Replace(s)
}

// encodedForm is the form-encoded spelling STS request bodies use.
func encodedForm(s string) string {
	return strings.NewReplacer("/", "%2F", "+", "%2B", "=", "%3D", "\"", "%22").Replace(s)
}
