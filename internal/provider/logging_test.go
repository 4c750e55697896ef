package provider

import (
	"context"
	"strings"
	"testing"
)

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

func TestWithLoggingDoesNotPanicWithoutLogger(t *testing.T) {
	t.Parallel()
	ctx := withLogging(context.Background())
	sdkLogger{}.WithContext(ctx).Logf("DEBUG", "hello %s", "world")
}
