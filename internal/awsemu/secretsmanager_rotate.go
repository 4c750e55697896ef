package awsemu

// secretsmanager_rotate.go implements RotateSecret, CancelRotateSecret and
// scheduled rotations. A rotation invokes the rotation function (through
// FunctionRuntime) once per step, synchronously, WITHOUT holding the
// backend's lock: the function calls back into Secrets Manager over HTTP.

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
// expression is also reported as AutomaticallyAfterDays N, as AWS does.
func (r *smRules) displayRules() *smRules {
	if r == nil {
		return nil
	}
	out := *r
	if out.AutomaticallyAfterDays == nil {
		if m := smRateDays.FindStringSubmatch(out.ScheduleExpression); m != nil {
			if n, err := strconv.ParseInt(m[1], 10, 64); err == nil {
				out.AutomaticallyAfterDays = &n
			}
		}
	}
	return &out
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

	// AWS runs the rotation asynchronously and answers at once; the
	// emulator runs it before answering, so tests are deterministic, and
	// still answers 200 when a step fails (see GET /_emu/rotations).
	b.runRotation(c.Ctx, runtime, arn, fn, token, immediately)
	return out, nil
}

// runRotation invokes the steps and records the outcome. The caller has
// set b.rotating[arn] and created the AWSPENDING placeholder.
func (b *smBackend) runRotation(ctx context.Context, runtime FunctionRuntime, arn, fn, token string, immediately bool) RotationResult {
	steps := smRotationSteps
	if !immediately {
		steps = []string{"testSecret"}
	}
	rotationToken := emuUUID()
	failure := ""
	var ran []string
	b.emitRotationEvent(arn, rotationEventName(immediately, false, ""))
	for _, step := range steps {
		ran = append(ran, step)
		payload, _ := json.Marshal(smRotationEvent{Step: step, SecretID: arn, ClientRequestToken: token, RotationToken: rotationToken})
		if ctx == nil || ctx.Err() != nil {
			ctx = context.Background()
		}
		res, fnErr, err := runtime.Invoke(ctx, fn, payload)
		if err != nil {
			failure = fmt.Sprintf("%s: invoking %s failed: %v", step, fn, err)
			break
		}
		if fnErr != "" {
			failure = fmt.Sprintf("%s: function error (%s): %s", step, fnErr, smFunctionErrorSummary(res))
			break
		}
	}

	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.rotating, arn)
	now := b.env.Now()
	result := RotationResult{SecretARN: arn}
	s := b.secrets[arn]
	switch {
	case s == nil:
		result.Error = "the secret was deleted during the rotation"
	case !immediately:
		// Validation only: the placeholder is removed again.
		if v := s.Versions[token]; v != nil && !v.hasStage(smCurrent) {
			v.removeStage(smPending)
			if len(v.Stages) == 0 {
				delete(s.Versions, token)
			}
		}
		result.OK, result.Error = failure == "", failure
	case failure != "":
		result.Error = failure
	default:
		if cur := s.holder(smCurrent); cur == nil || cur.ID != token {
			result.Error = "finishSecret returned without moving AWSCURRENT to version " + token + "; AWSPENDING stays on an unfinished version"
			break
		}
		result.OK = true
		s.LastRotated = now
		s.RotationBase = now
		b.scheduleNextLocked(s)
	}
	b.emitRotationEvent(arn, rotationEventName(immediately, true, result.Error))
	b.history = append(b.history, RotationRecord{RotationResult: result, VersionID: token, Steps: ran, Finished: now})
	if len(b.history) > smRotationHistory {
		b.history = b.history[len(b.history)-smRotationHistory:]
	}
	return result
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
		out = append(out, b.runRotation(ctx, runtime, d.arn, d.fn, d.token, true))
	}
	return out
}

// rotationHistory returns the recorded rotations, oldest first.
func (b *smBackend) rotationHistory() []RotationRecord {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]RotationRecord{}, b.history...)
}
