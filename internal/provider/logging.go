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

// sensitivePatterns match secret material in SDK wire dumps: secret values,
// generated passwords, credentials, and the (huge, useless) function zip.
var sensitivePatterns = []*regexp.Regexp{
	regexp.MustCompile(`"(SecretString|SecretBinary|RandomPassword|SecretAccessKey|SessionToken|ZipFile)"\s*:\s*"(?:[^"\\]|\\.)*"`),
	regexp.MustCompile(`<(SecretAccessKey|SessionToken)>[^<]*</(SecretAccessKey|SessionToken)>`),
	regexp.MustCompile(`(?i)(X-Amz-Security-Token|Authorization):[^\r\n]*`),
	regexp.MustCompile(`(?i)(SecretString|SecretBinary|ZipFile)=[^&\s]*`),
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
