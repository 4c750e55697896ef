package awsemu

// secretsmanager_rotate.go implements RotateSecret, CancelRotateSecret and
// scheduled rotations. A rotation invokes the rotation function (through
// FunctionRuntime) once per step WITHOUT holding the backend's lock (the
// function calls back into Secrets Manager over HTTP), in the background
// after RotateSecret answered, and retries a failed rotation whole.

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"time"

	"github.com/rotatorhq/terraform-provider-rotator/internal/schedule"
)

const (
	smServicePrincipal = "secretsmanager.amazonaws.com"
	smMsgCannotInvoke  = "Secrets Manager cannot invoke the specified Lambda function. Ensure that the function policy grants access to the principal secretsmanager.amazonaws.com."
	smMsgIncomplete    = "A previous rotation isn't complete. That rotation will be reattempted."
	// smRotationHistory is how many rotation results GET /_emu/rotations keeps.
	smRotationHistory = 200
)

// smRotationSteps are the steps of a full rotation, in order.
var smRotationSteps = []string{"createSecret", "setSecret", "testSecret", "finishSecret"}

// smRotationEvent is the payload Secrets Manager sends the function.
type smRotationEvent struct {
	Step               string `json:"Step"`
	SecretID           string `json:"SecretId"`
	ClientRequestToken string `json:"ClientRequestToken"`
	RotationToken      string `json:"RotationToken"`
}

type smRulesInput struct {
	AutomaticallyAfterDays *int64
	Duration               *string
	ScheduleExpression     *string
}

// toSchedule converts stored rules for the schedule package.
func (r *smRules) toSchedule() schedule.Rules {
	out := schedule.Rules{ScheduleExpression: r.ScheduleExpression, Duration: r.Duration}
	if r.AutomaticallyAfterDays != nil {
		out.AutomaticallyAfterDays = *r.AutomaticallyAfterDays
	}
	return out
}

var smRateDays = regexp.MustCompile(`^rate\((\d+) days?\)$`)

// displayRules is the RotationRules DescribeSecret shows: a rate(N days)
// expression is also reported as AutomaticallyAfterDays N, as AWS does, and
// any other expression with the days AWS calculates from the schedule
// (smComputedDays), counted from base.
func (r *smRules) displayRules(base time.Time) *smRules {
	if r == nil {
		return nil
	}
	out := *r
	if out.AutomaticallyAfterDays == nil {
		if m := smRateDays.FindStringSubmatch(out.ScheduleExpression); m != nil {
			if n, err := strconv.ParseInt(m[1], 10, 64); err == nil {
				out.AutomaticallyAfterDays = &n
			}
		} else {
			out.AutomaticallyAfterDays = smComputedDays(r, base)
		}
	}
	return &out
}

// rotationBase is the last rotation or manual change, else the creation.
func (s *smSecret) rotationBase() time.Time {
	if !s.RotationBase.IsZero() {
		return s.RotationBase
	}
	return s.Created
}

// scheduleNextLocked sets NextRotationDate from the rules and the last
// rotation (or manual value change).
func (b *smBackend) scheduleNextLocked(s *smSecret) {
	s.NextRotation, s.WindowStart = time.Time{}, time.Time{}
	if s.Rules == nil {
		return
	}
	base := s.RotationBase
	if base.IsZero() {
		base = s.Created
	}
	if start, end, err := s.Rules.toSchedule().Window(base); err == nil {
		s.NextRotation, s.WindowStart = end, start
	}
}

// dueAt is when a scheduled rotation runs: as soon as the rotation window
// opens (AWS picks a time inside the window; NextRotationDate is its end).
func (s *smSecret) dueAt() time.Time {
	if !s.WindowStart.IsZero() {
		return s.WindowStart
	}
	return s.NextRotation
}

// pendingIncompleteLocked reports whether AWSPENDING sits on a version
// other than AWSCURRENT (or a rotation is running).
func (b *smBackend) pendingIncompleteLocked(s *smSecret) bool {
	if b.rotating[s.ARN] {
		return true
	}
	p := s.holder(smPending)
	return p != nil && p != s.holder(smCurrent)
}

// placeholderLocked creates the AWSPENDING version token without a value,
// as Secrets Manager does before invoking createSecret.
func (b *smBackend) placeholderLocked(s *smSecret, token string, now time.Time) {
	v := s.Versions[token]
	if v == nil {
		v = &smVersion{ID: token, Created: now}
		s.Versions[token] = v
	}
	s.moveStage(smPending, v)
	s.prune(now)
}

func (b *smBackend) rotateSecret(c *Call) (any, error) {
	var in struct {
		SecretId           string
		ClientRequestToken string
		RotationLambdaARN  string
		RotationRules      *smRulesInput
		RotateImmediately  *bool
	}
	if err := smDecode(c, &in); err != nil {
		return nil, err
	}
	if err := smValidateToken(in.ClientRequestToken); err != nil {
		return nil, err
	}
	var rules *smRules
	if in.RotationRules != nil {
		r := in.RotationRules
		if r.AutomaticallyAfterDays != nil && r.ScheduleExpression != nil && *r.ScheduleExpression != "" {
			return nil, emuErr("InvalidParameterException", "You cannot specify both rotation frequency and schedule expression together.")
		}
		rules = &smRules{AutomaticallyAfterDays: r.AutomaticallyAfterDays}
		if r.Duration != nil {
			rules.Duration = *r.Duration
		}
		if r.ScheduleExpression != nil {
			rules.ScheduleExpression = *r.ScheduleExpression
		}
		if rules.AutomaticallyAfterDays != nil && (*rules.AutomaticallyAfterDays < 1 || *rules.AutomaticallyAfterDays > 1000) {
			return nil, emuErr("InvalidParameterException", "The AutomaticallyAfterDays value must be between 1 and 1000 days (inclusive).")
		}
		if err := rules.toSchedule().Validate(); err != nil {
			return nil, emuErr("InvalidParameterException", "%s", err.Error())
		}
	}
	immediately := in.RotateImmediately == nil || *in.RotateImmediately

	b.mu.Lock()
	s, err := b.lookupLocked(c, "RotateSecret", in.SecretId, false)
	if err != nil {
		b.mu.Unlock()
		return nil, err
	}
	fn := in.RotationLambdaARN
	if fn == "" {
		fn = s.RotationLambdaARN
	}
	if fn == "" {
		b.mu.Unlock()
		return nil, emuErr("InvalidRequestException", "No Lambda rotation function ARN is associated with this secret.")
	}
	if b.pendingIncompleteLocked(s) {
		b.mu.Unlock()
		return nil, emuErr("InvalidRequestException", smMsgIncomplete)
	}
	arn, runtime := s.ARN, b.runtime
	b.mu.Unlock()

	// The caller needs lambda:InvokeFunction on the function too.
	if b.authz != nil {
		if err := b.authz.Authorize(c.Caller, "lambda:InvokeFunction", fn, nil); err != nil {
			return nil, err
		}
	}
	if runtime == nil || runtime.CheckInvokePermission(fn, smServicePrincipal, b.env.AccountID, arn) != nil {
		return nil, &APIError{Code: "AccessDeniedException", Message: smMsgCannotInvoke, HTTPStatus: 400}
	}

	b.mu.Lock()
	s = b.secrets[arn]
	if s == nil || s.deleted() {
		b.mu.Unlock()
		return nil, smNotFound()
	}
	if b.pendingIncompleteLocked(s) {
		b.mu.Unlock()
		return nil, emuErr("InvalidRequestException", smMsgIncomplete)
	}
	enabled := true
	s.RotationEnabled = &enabled
	s.RotationLambdaARN = fn
	if rules != nil {
		s.Rules = rules
	}
	b.scheduleNextLocked(s)
	token := in.ClientRequestToken
	if token == "" {
		token = emuUUID()
	}
	out := map[string]any{"ARN": s.ARN, "Name": s.Name, "VersionId": token}
	if v := s.Versions[token]; v != nil && v.hasStage(smCurrent) {
		// This token's rotation already finished: idempotent retry.
		b.mu.Unlock()
		return out, nil
	}
	b.placeholderLocked(s, token, c.Now)
	b.rotating[arn] = true
	s.LastChanged = c.Now
	b.mu.Unlock()

	job := smRotationJob{runtime: runtime, arn: arn, fn: fn, token: token, immediately: immediately}
	if b.options().SyncRotation {
		b.runRotation(b.bgCtx, job)
		return out, nil
	}
	// AWS "starts the asynchronous process" and answers at once: the
	// rotation (and its retries) runs in the background. While it runs,
	// DescribeSecret shows AWSPENDING on the token's version and a second
	// RotateSecret is refused; GET /_emu/rotations says how it ended.
	b.bg.Add(1)
	go func() {
		defer b.bg.Done()
		b.runRotation(b.bgCtx, job)
	}()
	return out, nil
}

// smRotationJob is one rotation to run: the caller has set
// b.rotating[arn] and created the AWSPENDING placeholder for token.
type smRotationJob struct {
	runtime     FunctionRuntime
	arn, fn     string
	token       string
	immediately bool
}

// runRotation runs a rotation with Secrets Manager's retries and records
// the outcome. A failing rotation is run again, whole, up to
// opts.RotationAttempts times, waiting opts.RotationBackoff (doubling) on
// the emulator clock between tries; it stops early when the rotation was
// cancelled or the secret deleted. After the last failed try AWSPENDING
// stays where it is, as on AWS. RotateImmediately=false runs testSecret
// once (a configuration test, not a rotation, is not retried).
func (b *smBackend) runRotation(ctx context.Context, job smRotationJob) RotationResult {
	opts := b.options()
	attempts := opts.RotationAttempts
	if !job.immediately {
		attempts = 1
	}
	backoff := opts.RotationBackoff
	rotationToken := emuUUID()
	var tries []RotationAttempt
	failure := ""
	for i := range attempts {
		if i > 0 {
			if !b.waitClock(ctx, backoff) {
				break
			}
			backoff *= 2
			if !b.retryWanted(job) {
				break
			}
		}
		var steps []string
		b.emitRotationEvent(job.arn, rotationEventName(job.immediately, false, ""))
		steps, failure = b.attemptRotation(ctx, job, rotationToken)
		b.emitRotationEvent(job.arn, rotationEventName(job.immediately, true, failure))
		tries = append(tries, RotationAttempt{Steps: steps, Error: failure})
		if failure == "" {
			break
		}
	}

	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.rotating, job.arn)
	now := b.env.Now()
	result := RotationResult{SecretARN: job.arn}
	s := b.secrets[job.arn]
	switch {
	case s == nil:
		result.Error = "the secret was deleted during the rotation"
	case failure != "":
		// AWSPENDING stays on the token's version (for a failed
		// configuration test too: see doc.go).
		result.Error = failure
	case !job.immediately:
		// The configuration test passed: the placeholder is removed again.
		if v := s.Versions[job.token]; v != nil && !v.hasStage(smCurrent) {
			v.removeStage(smPending)
			if len(v.Stages) == 0 {
				delete(s.Versions, job.token)
			}
		}
		result.OK = true
	default:
		result.OK = true
		// AWS's backend removes AWSPENDING once the rotation completed
		// (aws-samples/aws-secrets-manager-rotation-lambdas#145).
		if v := s.Versions[job.token]; v != nil {
			v.removeStage(smPending)
		}
		s.LastRotated = now
		s.RotationBase = now
		b.scheduleNextLocked(s)
	}
	var steps []string
	if len(tries) > 0 {
		steps = tries[len(tries)-1].Steps
	}
	b.history = append(b.history, RotationRecord{RotationResult: result, VersionID: job.token, Steps: steps, Attempts: tries, Finished: now})
	if len(b.history) > smRotationHistory {
		b.history = b.history[len(b.history)-smRotationHistory:]
	}
	return result
}

// attemptRotation invokes the steps once; it returns the steps it ran and
// "" or why the attempt failed.
func (b *smBackend) attemptRotation(ctx context.Context, job smRotationJob, rotationToken string) ([]string, string) {
	steps := smRotationSteps
	if !job.immediately {
		steps = []string{"testSecret"}
	}
	var ran []string
	for _, step := range steps {
		ran = append(ran, step)
		payload, _ := json.Marshal(smRotationEvent{Step: step, SecretID: job.arn, ClientRequestToken: job.token, RotationToken: rotationToken})
		res, fnErr, err := job.runtime.Invoke(ctx, job.fn, payload)
		if err != nil {
			return ran, fmt.Sprintf("%s: invoking %s failed: %v", step, job.fn, err)
		}
		if fnErr != "" {
			return ran, fmt.Sprintf("%s: function error (%s): %s", step, fnErr, smFunctionErrorSummary(res))
		}
	}
	if !job.immediately {
		return ran, ""
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	s := b.secrets[job.arn]
	if s == nil {
		return ran, "the secret was deleted during the rotation"
	}
	if cur := s.holder(smCurrent); cur == nil || cur.ID != job.token {
		return ran, "finishSecret returned without moving AWSCURRENT to version " + job.token + "; AWSPENDING stays on an unfinished version"
	}
	return ran, ""
}

// retryWanted reports whether a failed rotation should run again: the
// secret still exists, rotation is still on, and AWSPENDING is still on
// the token's version.
func (b *smBackend) retryWanted(job smRotationJob) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	s := b.secrets[job.arn]
	if s == nil || s.deleted() || s.RotationEnabled == nil || !*s.RotationEnabled {
		return false
	}
	v := s.Versions[job.token]
	return v != nil && v.hasStage(smPending)
}

// waitClock waits until the emulator clock has moved d forward (a clock
// advance ends the wait early); false when ctx ended first.
func (b *smBackend) waitClock(ctx context.Context, d time.Duration) bool {
	until := b.env.Now().Add(d)
	for {
		now := b.env.Now()
		if !now.Before(until) {
			return true
		}
		t := time.NewTimer(min(until.Sub(now), 20*time.Millisecond))
		select {
		case <-ctx.Done():
			t.Stop()
			return false
		case <-t.C:
		}
	}
}

// close cancels running background rotations and waits for them.
//
//nolint:unparam // implements closer
func (b *smBackend) close() error {
	b.bgCancel()
	b.bg.Wait()
	return nil
}

// smFunctionErrorSummary extracts errorType and errorMessage from a
// function's error payload.
func smFunctionErrorSummary(payload []byte) string {
	var e struct {
		ErrorType    string `json:"errorType"`
		ErrorMessage string `json:"errorMessage"`
	}
	if json.Unmarshal(payload, &e) == nil && (e.ErrorType != "" || e.ErrorMessage != "") {
		return e.ErrorType + ": " + e.ErrorMessage
	}
	const maxLen = 512
	if len(payload) > maxLen {
		return string(payload[:maxLen]) + "…"
	}
	return string(payload)
}

func (b *smBackend) cancelRotateSecret(c *Call) (any, error) {
	return b.withSecret(c, "CancelRotateSecret", false, func(s *smSecret) (any, error) {
		if s.RotationLambdaARN != "" || s.RotationEnabled != nil {
			disabled := false
			s.RotationEnabled = &disabled
		}
		s.NextRotation, s.WindowStart = time.Time{}, time.Time{}
		s.LastChanged = c.Now
		out := map[string]any{"ARN": s.ARN, "Name": s.Name}
		if p := s.holder(smPending); p != nil && p != s.holder(smCurrent) {
			out["VersionId"] = p.ID
		}
		return out, nil
	})
}

// runDueRotations runs every scheduled rotation that is due (its window
// has opened), once per secret. An unfinished rotation (AWSPENDING on a version other than
// AWSCURRENT) is reattempted with its token, as AWS does.
func (b *smBackend) runDueRotations(ctx context.Context) []RotationResult {
	type due struct{ arn, fn, token string }
	var list []due
	b.mu.Lock()
	runtime := b.runtime
	now := b.env.Now()
	for arn, s := range b.secrets {
		if s.deleted() || s.RotationEnabled == nil || !*s.RotationEnabled || s.RotationLambdaARN == "" ||
			s.NextRotation.IsZero() || now.Before(s.dueAt()) || b.rotating[arn] {
			continue
		}
		token := emuUUID()
		if p := s.holder(smPending); p != nil && p != s.holder(smCurrent) {
			token = p.ID
		}
		list = append(list, due{arn: arn, fn: s.RotationLambdaARN, token: token})
	}
	b.mu.Unlock()

	out := []RotationResult{}
	for _, d := range list {
		if ctx.Err() != nil {
			break // the clock advance was abandoned; later rotations stay due
		}
		if runtime == nil || runtime.CheckInvokePermission(d.fn, smServicePrincipal, b.env.AccountID, d.arn) != nil {
			out = append(out, RotationResult{SecretARN: d.arn, Error: smMsgCannotInvoke})
			continue
		}
		b.mu.Lock()
		s := b.secrets[d.arn]
		if s == nil || b.rotating[d.arn] {
			b.mu.Unlock()
			continue
		}
		b.placeholderLocked(s, d.token, now)
		b.rotating[d.arn] = true
		b.mu.Unlock()
		out = append(out, b.runRotation(b.bgCtx, smRotationJob{runtime: runtime, arn: d.arn, fn: d.fn, token: d.token, immediately: true}))
	}
	return out
}

// rotationHistory returns the recorded rotations, oldest first.
func (b *smBackend) rotationHistory() []RotationRecord {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]RotationRecord{}, b.history...)
}
