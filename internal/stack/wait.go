package stack

// wait.go waits for the outcome of a rotation the stack started. RotateSecret
// only starts one: "Secrets Manager starts the asynchronous process" and
// answers (RotateSecret API reference), and "If rotation fails, Secrets
// Manager retries the entire rotation process multiple times" (DescribeSecret,
// NextRotationDate). The provider sees neither the end of the retries nor
// the outcome directly, so it reads what it can on AWS: the secret's staging
// labels (DescribeSecret) and, once a rotation has not ended quickly, the
// function's own lines for the rotation's token in its log group.

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
)

// Rotation waits.
const (
	// RotationWaitTimeout bounds the wait for a rotation started by
	// RotateSecret to end. A rotation that has neither finished nor shown a
	// failure by then is reported as not finished (RotationFailedError with
	// TimedOut). Four steps with the function's maximum timeout (15 min) each
	// could take longer; the rotation functions this provider ships finish in
	// seconds, and a rotation this slow is a failure a user must hear about.
	RotationWaitTimeout = 10 * time.Minute
	// rotationQuietPeriod decides that a failed rotation is over: the
	// function logged an error for the rotation's token, and neither the
	// staging labels nor the function's lines for the token changed for
	// this long. AWS retries a failed rotation without documenting when;
	// this is longer than the emulator's whole retry schedule (2s, then 4s,
	// plus cold starts) with room to spare.
	rotationQuietPeriod = 20 * time.Second
	// rotationLogCheckAfter: the log group is read only once a rotation has
	// not ended within this long (a failure the provider observed), then at
	// most every rotationLogCheckEvery. A rotation that succeeds at once
	// costs DescribeSecret calls only.
	rotationLogCheckAfter = 3 * time.Second
	rotationLogCheckEvery = 3 * time.Second
	// rotationPollFirst and rotationPollMax space the DescribeSecret polls.
	rotationPollFirst = 200 * time.Millisecond
	rotationPollMax   = 2 * time.Second
	// rotationMaxQuoted bounds the function lines a diagnostic quotes, and
	// rotationMaxLineLen each line's length.
	rotationMaxQuoted  = 5
	rotationMaxLineLen = 500
)

// rotationTiming are the waits of waitRotation; unit tests shorten them.
type rotationTiming struct {
	timeout, quiet, logAfter, logEvery, pollFirst, pollMax time.Duration
}

var defaultRotationTiming = rotationTiming{
	timeout: RotationWaitTimeout, quiet: rotationQuietPeriod,
	logAfter: rotationLogCheckAfter, logEvery: rotationLogCheckEvery,
	pollFirst: rotationPollFirst, pollMax: rotationPollMax,
}

// rotationLog is what the function's log lines say about one rotation.
type rotationLog struct {
	count  int      // lines that name the token
	errors []string // the error lines, formatted, in order
	step   string   // step of the last error line
}

// functionLine is the part of the rotation function's JSON log lines the
// provider reads (internal/rotator logs with log/slog's JSON handler).
type functionLine struct {
	Level string `json:"level"`
	Msg   string `json:"msg"`
	Step  string `json:"step"`
	Token string `json:"token"`
	Error string `json:"error"`
}

// readRotationLog reads the function's lines for token from its log group.
// Only JSON lines the function wrote with this token count (START/END/
// REPORT and runtime lines are not the function's).
func (s *Stack) readRotationLog(ctx context.Context, logGroup, token string, since time.Time) (rotationLog, error) {
	var out rotationLog
	in := &cloudwatchlogs.FilterLogEventsInput{
		LogGroupName:  aws.String(logGroup),
		FilterPattern: aws.String(`"` + token + `"`),
		StartTime:     aws.Int64(since.Add(-time.Minute).UnixMilli()),
	}
	for page := 0; page < 10; page++ {
		res, err := s.c.Logs.FilterLogEvents(ctx, in)
		if err != nil {
			return out, err
		}
		for _, ev := range res.Events {
			var l functionLine
			if json.Unmarshal([]byte(strings.TrimSpace(aws.ToString(ev.Message))), &l) != nil || l.Token != token {
				continue
			}
			out.count++
			if l.Level != "ERROR" {
				continue
			}
			line := l.Msg
			if l.Step != "" {
				line = l.Step + ": " + line
			}
			if l.Error != "" {
				line += ": " + l.Error
			}
			if len(line) > rotationMaxLineLen {
				line = strings.ToValidUTF8(line[:rotationMaxLineLen], "") + "…"
			}
			out.errors = append(out.errors, line)
			if l.Step != "" {
				out.step = l.Step
			}
		}
		if res.NextToken == nil || aws.ToString(res.NextToken) == aws.ToString(in.NextToken) {
			break
		}
		in.NextToken = res.NextToken
	}
	return out, nil
}

// quoteLines deduplicates lines (keeping first-seen order, counting
// repeats, as each retry logs the same failure) and keeps the last
// rotationMaxQuoted.
func quoteLines(lines []string) []string {
	var order []string
	count := map[string]int{}
	for _, l := range lines {
		if count[l] == 0 {
			order = append(order, l)
		}
		count[l]++
	}
	if len(order) > rotationMaxQuoted {
		order = order[len(order)-rotationMaxQuoted:]
	}
	out := make([]string, 0, len(order))
	for _, l := range order {
		if n := count[l]; n > 1 {
			l = fmt.Sprintf("%s (%d times)", l, n)
		}
		out = append(out, l)
	}
	return out
}

// rotationState is what DescribeSecret says about a rotation of token.
type rotationState struct {
	finished bool   // the rotation (or configuration test) ended well
	pending  bool   // AWSPENDING is on token and token is not AWSCURRENT
	current  bool   // AWSCURRENT is on token
	labels   string // a fingerprint of the labels, to notice progress
}

func observeRotation(sec *secretsmanager.DescribeSecretOutput, token string, immediately bool) rotationState {
	stages := sec.VersionIdsToStages[token]
	isCurrent := slices.Contains(stages, "AWSCURRENT")
	st := rotationState{current: isCurrent}
	st.pending = slices.Contains(stages, "AWSPENDING") && !isCurrent
	other := CheckPending(sec) != nil && !st.pending // AWSPENDING on some other unfinished version
	if immediately {
		st.finished = isCurrent && CheckPending(sec) == nil
	} else {
		st.finished = !st.pending && !other
	}
	ids := make([]string, 0, len(sec.VersionIdsToStages))
	for id, s := range sec.VersionIdsToStages {
		s = slices.Clone(s)
		slices.Sort(s)
		ids = append(ids, id+"="+strings.Join(s, ","))
	}
	slices.Sort(ids)
	st.labels = strings.Join(ids, ";")
	return st
}

// waitRotation waits until the rotation of token (started by RotateSecret
// at started) has finished, or returns a *RotationFailedError. Finished
// means AWSCURRENT is on the token's version and no AWSPENDING is left on
// another version (for RotateImmediately=false: the configuration test's
// AWSPENDING placeholder is gone). Failed means the function logged an
// error for the token and nothing moved for rotationQuietPeriod after
// Secrets Manager's retries. The log group is read only when the rotation
// has not ended within rotationLogCheckAfter.
func (s *Stack) waitRotation(ctx context.Context, secretARN, logGroup, token string, immediately bool, started time.Time) error {
	fail := &RotationFailedError{SecretARN: secretARN, VersionID: token, LogGroup: logGroup, TestOnly: !immediately}
	tm := defaultRotationTiming
	if s.timing != nil {
		tm = *s.timing
	}
	deadline := started.Add(tm.timeout)
	lastMove := started
	var lastLabels string
	var log rotationLog
	var lastLogCheck time.Time
	delay := tm.pollFirst
	for {
		sec, err := FindSecret(ctx, s.c.SecretsManager, secretARN)
		if err != nil {
			return stepErr("waiting for the rotation to finish", KindSecret, err)
		}
		st := observeRotation(sec, token, immediately)
		if st.finished {
			return nil
		}
		now := time.Now()
		if st.labels != lastLabels {
			lastLabels, lastMove = st.labels, now
		}
		fail.PendingLeft = st.pending
		if logGroup != "" && now.Sub(started) >= tm.logAfter && now.Sub(lastLogCheck) >= tm.logEvery {
			lastLogCheck = now
			got, err := s.readRotationLog(ctx, logGroup, token, started)
			fail.LogErr = err
			if err == nil {
				if got.count != log.count {
					lastMove = now
				}
				log = got
			}
		}
		if len(log.errors) > 0 && now.Sub(lastMove) >= tm.quiet {
			fail.Step, fail.Lines = log.step, quoteLines(log.errors)
			return fail
		}
		if !st.pending && !immediately {
			// The test's placeholder is gone but another version holds
			// AWSPENDING: not ours to wait for.
			return nil
		}
		if !st.pending && !st.current {
			// AWSPENDING was taken off the token's version (the rotation
			// was cancelled and cleared) before AWSCURRENT reached it.
			fail.Step, fail.Lines = log.step, quoteLines(log.errors)
			return fail
		}
		if now.After(deadline) {
			fail.TimedOut = true
			fail.Step, fail.Lines = log.step, quoteLines(log.errors)
			return fail
		}
		select {
		case <-ctx.Done():
			fail.TimedOut = true
			fail.Step, fail.Lines = log.step, quoteLines(log.errors)
			return fail
		case <-time.After(delay):
		}
		delay = min(delay*2, tm.pollMax)
	}
}

// createSecretRetryable reports whether CreateSecret's err for name is the
// transient one of a forced deletion still running in the background: the
// name is "scheduled for deletion" but DescribeSecret finds no secret of
// that name. A secret in its recovery window is still found and is not
// retried: the user must restore or delete it, and the error says so.
func (s *Stack) createSecretRetryable(ctx context.Context, name string) func(error) bool {
	return func(err error) bool {
		if !isNameScheduledForDeletion(err) {
			return false
		}
		_, derr := s.c.SecretsManager.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String(name)})
		return isCode(derr, codeResourceNotFound)
	}
}
