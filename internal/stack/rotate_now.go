package stack

// rotate_now.go starts one rotation of a secret (RotateSecret with the
// stored configuration) and waits for its outcome. Secrets Manager runs a
// rotation asynchronously and reports its result nowhere in its API: the
// rotation succeeded when the request's token version holds AWSCURRENT,
// and it failed when the rotation function logged a failed step for that
// token (AWS then retries the whole rotation, which this wait does not
// sit through).

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/arn"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/google/uuid"
)

const (
	// RotateNowTimeout is how long RotateNow waits for a rotation's outcome
	// by default. Each of the four steps may run up to the function's
	// timeout (at most 15 minutes on Lambda; ours default to 30 s), and
	// Secrets Manager starts the first step within seconds.
	RotateNowTimeout = 5 * time.Minute

	rotateNowFirstPoll = 1 * time.Second
	rotateNowMaxPoll   = 10 * time.Second
	// rotateNowMaxLines caps the function lines quoted in an error.
	rotateNowMaxLines = 10
)

// RotationLogsAPI is the part of the CloudWatch Logs client that reads the
// rotation function's lines for one rotation.
type RotationLogsAPI interface {
	FilterLogEvents(context.Context, *cloudwatchlogs.FilterLogEventsInput, ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.FilterLogEventsOutput, error)
}

var _ RotationLogsAPI = (*cloudwatchlogs.Client)(nil)

// RotateNowError says that a rotation started by the provider did not
// finish: which step failed (when the function said so), the function's
// own error lines for this rotation, and whether AWSPENDING was left on
// the unfinished version.
type RotateNowError struct {
	SecretARN   string
	VersionID   string // the rotation's ClientRequestToken
	Step        string // createSecret, setSecret, testSecret or finishSecret; "" when unknown
	LogGroup    string
	Lines       []string // the function's error lines for this rotation (no values: the function never logs one)
	PendingLeft bool     // AWSPENDING sits on VersionID, which is not AWSCURRENT
	TimedOut    bool     // no outcome within the timeout
	Abandoned   bool     // the version lost AWSPENDING without becoming AWSCURRENT
}

func (e *RotateNowError) Error() string {
	var b strings.Builder
	switch {
	case e.Step != "":
		fmt.Fprintf(&b, "rotation %s of %s failed in step %s", e.VersionID, e.SecretARN, e.Step)
	case e.Abandoned:
		fmt.Fprintf(&b, "rotation %s of %s was abandoned: its version lost AWSPENDING without becoming AWSCURRENT", e.VersionID, e.SecretARN)
	case e.TimedOut:
		fmt.Fprintf(&b, "rotation %s of %s did not finish in time", e.VersionID, e.SecretARN)
	default:
		fmt.Fprintf(&b, "rotation %s of %s failed", e.VersionID, e.SecretARN)
	}
	for _, l := range e.Lines {
		b.WriteString("\n  ")
		b.WriteString(l)
	}
	return b.String()
}

// RotateNow rotates the secret once with its stored rotation configuration
// and waits up to timeout for the outcome. It returns the new AWSCURRENT
// version ID, or a *RotateNowError. logs may be nil (no log lines are
// then quoted and a failure shows only as a timeout).
func RotateNow(ctx context.Context, sm SecretsManagerAPI, logs RotationLogsAPI, secretID string, timeout time.Duration) (string, error) {
	secret, err := FindSecret(ctx, sm, secretID)
	if err != nil {
		return "", err
	}
	secretARN := aws.ToString(secret.ARN)
	fn := aws.ToString(secret.RotationLambdaARN)
	if fn == "" || !aws.ToBool(secret.RotationEnabled) {
		return "", fmt.Errorf("secret %s has no rotation configured: set up its rotation (rotator_rotated_secret does) before rotating it", secretARN)
	}
	if err := CheckPending(secret); err != nil {
		return "", err
	}
	token := uuid.NewString()
	if _, err := sm.RotateSecret(ctx, &secretsmanager.RotateSecretInput{
		SecretId:           aws.String(secretARN),
		ClientRequestToken: aws.String(token),
	}); err != nil {
		return "", stepErr("starting a rotation (RotateSecret)", KindSecret, err)
	}
	return waitRotateNow(ctx, sm, logs, secretARN, logGroupOf(fn), token, timeout)
}

// logGroupOf is the log group Lambda writes a function's lines to.
func logGroupOf(functionARN string) string {
	name := functionARN
	if a, err := arn.Parse(functionARN); err == nil {
		name = strings.TrimPrefix(a.Resource, "function:")
		name, _, _ = strings.Cut(name, ":") // drop a qualifier
	}
	return "/aws/lambda/" + name
}

// waitRotateNow polls DescribeSecret (and, while the rotation is not done,
// the function's log lines for token) until the outcome is known.
func waitRotateNow(ctx context.Context, sm SecretsManagerAPI, logs RotationLogsAPI, secretARN, logGroup, token string, timeout time.Duration) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	fail := &RotateNowError{SecretARN: secretARN, VersionID: token, LogGroup: logGroup}
	delay := rotateNowFirstPoll
	for {
		secret, err := FindSecret(ctx, sm, secretARN)
		if err != nil {
			if ctx.Err() != nil {
				fail.TimedOut = true
				return "", fail
			}
			return "", err
		}
		stages, known := secret.VersionIdsToStages[token]
		switch {
		case slices.Contains(stages, "AWSCURRENT"):
			return token, nil
		case !known || !slices.Contains(stages, "AWSPENDING"):
			fail.Abandoned = true
			return "", fail
		}
		fail.PendingLeft = true
		if logs != nil {
			step, lines, err := rotateNowErrors(ctx, logs, logGroup, token)
			if err == nil && step != "" {
				fail.Step, fail.Lines = step, lines
				return "", fail
			}
		}
		select {
		case <-ctx.Done():
			fail.TimedOut = true
			return "", fail
		case <-time.After(delay):
		}
		delay = min(delay*2, rotateNowMaxPoll)
	}
}

// rotateNowLine is the part of our rotation function's JSON log line
// (internal/rotator, log/slog) that a failure report quotes.
type rotateNowLine struct {
	Level string `json:"level"`
	Msg   string `json:"msg"`
	Step  string `json:"step"`
	Token string `json:"token"`
	Error string `json:"error"`
}

// rotateNowErrors returns the step of the first ERROR line the function
// logged for token, and every ERROR line for token, in order. Lambda's
// own START/END/REPORT lines and anything not JSON are skipped.
func rotateNowErrors(ctx context.Context, logs RotationLogsAPI, group, token string) (string, []string, error) {
	in := &cloudwatchlogs.FilterLogEventsInput{
		LogGroupName:  aws.String(group),
		FilterPattern: aws.String(`"` + token + `"`),
	}
	var step string
	var lines []string
	for range 20 { // pages
		out, err := logs.FilterLogEvents(ctx, in)
		if err != nil {
			return "", nil, err
		}
		for _, ev := range out.Events {
			var l rotateNowLine
			if json.Unmarshal([]byte(aws.ToString(ev.Message)), &l) != nil || l.Token != token || l.Level != "ERROR" {
				continue
			}
			if step == "" {
				step = l.Step
			}
			if len(lines) < rotateNowMaxLines {
				lines = append(lines, strings.TrimSpace(l.Step+": "+l.Msg+": "+l.Error))
			}
		}
		if out.NextToken == nil {
			break
		}
		in.NextToken = out.NextToken
	}
	return step, lines, nil
}
