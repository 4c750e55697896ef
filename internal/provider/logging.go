package provider

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/smithy-go/logging"
	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// sdkSubsystem is the tflog subsystem the AWS SDK logs into.
const sdkSubsystem = "aws-sdk"

var (
	_ logging.Logger        = sdkLogger{}
	_ logging.ContextLogger = sdkLogger{}
)

// Names of the fields that carry secret material in SDK wire dumps: secret
// values, generated passwords, the credentials every credential provider
// fetches (STS, SSO, SSO OIDC, IMDS and ECS container credentials, web
// identity), and the (huge, useless) function zip. Matched
// case-insensitively, since each service spells them its own way
// (SecretAccessKey, secretAccessKey; Token, token; accessToken).
const sensitiveFields = `SecretString|SecretBinary|RandomPassword|SecretAccessKey|SessionToken|Token|AccessToken|RefreshToken|IdToken|ClientSecret|WebIdentityToken|ZipFile`

// sensitivePatterns match secret material in SDK wire dumps.
var sensitivePatterns = []*regexp.Regexp{
	// JSON members: "SecretString": "…", "secretAccessKey": "…", "Token": "…".
	regexp.MustCompile(`(?i)"(` + sensitiveFields + `)"\s*:\s*"(?:[^"\\]|\\.)*"`),
	// XML elements (STS): <SessionToken>…</SessionToken>.
	regexp.MustCompile(`(?i)<(` + sensitiveFields + `)>[^<]*</[^>]*>`),
	// Query and form parameters: WebIdentityToken=…, SecretString=….
	regexp.MustCompile(`(?i)\b(` + sensitiveFields + `)=[^&\s]*`),
	// Headers: SigV4 and session tokens, the SSO bearer token, the IMDSv2
	// token, the ECS container credentials token (Authorization).
	regexp.MustCompile(`(?i)(X-Amz-Security-Token|Authorization|X-Amz-Sso_Bearer_Token|X-Aws-Ec2-Metadata-Token):[^\r\n]*`),
	// IMDSv2's token response is the bare token as the body, after the TTL
	// header: mask from that header to the end of the dump.
	regexp.MustCompile(`(?is)X-Aws-Ec2-Metadata-Token-Ttl-Seconds:.*`),
}

// sensitiveFieldKeys are log fields whose values are never shown.
var sensitiveFieldKeys = []string{"secret_string", "initial_value", "secret_value", "password"}

// withLogging prepares ctx for one RPC: the SDK subsystem and the masks.
func withLogging(ctx context.Context) context.Context {
	ctx = tflog.NewSubsystem(ctx, sdkSubsystem)
	ctx = tflog.SubsystemMaskMessageRegexes(ctx, sdkSubsystem, sensitivePatterns...)
	ctx = tflog.SubsystemMaskFieldValuesWithFieldKeys(ctx, sdkSubsystem, sensitiveFieldKeys...)
	ctx = tflog.MaskMessageRegexes(ctx, sensitivePatterns...)
	ctx = tflog.MaskFieldValuesWithFieldKeys(ctx, sensitiveFieldKeys...)
	return ctx
}

// sdkLogger routes smithy's logger into tflog, per request context.
type sdkLogger struct{ ctx context.Context }

func (l sdkLogger) WithContext(ctx context.Context) logging.Logger { return sdkLogger{ctx: ctx} }

func (l sdkLogger) Logf(c logging.Classification, format string, v ...any) {
	ctx := l.ctx
	if ctx == nil {
		ctx = context.Background()
	}
	msg := fmt.Sprintf(format, v...)
	if c == logging.Warn {
		tflog.SubsystemWarn(ctx, sdkSubsystem, msg)
		return
	}
	tflog.SubsystemTrace(ctx, sdkSubsystem, msg)
}

// sdkLogMode dumps wire traffic only when the user asked for trace logs,
// so ordinary runs never format request bodies.
func sdkLogMode() aws.ClientLogMode {
	mode := aws.LogRetries
	for _, k := range []string{"TF_LOG_PROVIDER", "TF_LOG_PROVIDER_ROTATOR", "TF_LOG"} {
		if v := strings.ToUpper(os.Getenv(k)); v == "TRACE" || v == "JSON" {
			return mode | aws.LogRequestWithBody | aws.LogResponseWithBody
		}
	}
	return mode
}
