package awsemu

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	smtypes "github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
	"github.com/google/go-cmp/cmp"

	"github.com/rotatorhq/terraform-provider-rotator/internal/schedule"
)

const emuTestFunctionARN = "arn:aws:lambda:us-east-1:123456789012:function:rotator"

func emuRotate(c *emuTestClients, arn, token string, rules *smtypes.RotationRulesType, immediately *bool) error {
	in := &secretsmanager.RotateSecretInput{SecretId: aws.String(arn), RotationLambdaARN: aws.String(emuTestFunctionARN), RotationRules: rules, RotateImmediately: immediately}
	if token != "" {
		in.ClientRequestToken = aws.String(token)
	}
	_, err := c.sm.RotateSecret(context.Background(), in)
	return err
}

// emuWaitRotation waits until the background rotation of token ended
// (RotateSecret answers before it runs, as on AWS) and returns its record.
func emuWaitRotation(t *testing.T, c *emuTestClients, token string) RotationRecord {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	rec, err := NewAdminClient(c.srv.URL()).WaitRotation(ctx, token)
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

// emuRotateWait is emuRotate followed by emuWaitRotation.
func emuRotateWait(t *testing.T, c *emuTestClients, arn, token string, rules *smtypes.RotationRulesType, immediately *bool) (RotationRecord, error) {
	t.Helper()
	if token == "" {
		token = emuUUID()
	}
	if err := emuRotate(c, arn, token, rules, immediately); err != nil {
		return RotationRecord{}, err
	}
	return emuWaitRotation(t, c, token), nil
}

func TestRotateSecretFullRotation(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c, f := emuTestRotation(t)
	arn, v1 := emuCreateSecret(t, c, "rot", "initial")
	tok1, tok2 := emuToken("r1"), emuToken("r2")

	if _, err := emuRotateWait(t, c, arn, tok1, &smtypes.RotationRulesType{AutomaticallyAfterDays: aws.Int64(7)}, nil); err != nil {
		t.Fatalf("RotateSecret: %v", err)
	}
	if diff := cmp.Diff([]string{"createSecret", "setSecret", "testSecret", "finishSecret"}, f.ranSteps()); diff != "" {
		t.Errorf("steps (-want +got):\n%s", diff)
	}
	var rnf *smtypes.ResourceNotFoundException
	if !errors.As(f.probe(), &rnf) {
		t.Errorf("GetSecretValue(token, AWSPENDING) before createSecret stored a value = %v, want ResourceNotFoundException", f.probe())
	}
	events := f.recordedEvents()
	for i, ev := range events {
		if ev.SecretID != arn || ev.ClientRequestToken != tok1 || ev.RotationToken == "" || ev.RotationToken != events[0].RotationToken {
			t.Errorf("event %d = %+v, want SecretId=%s ClientRequestToken=%s and one RotationToken", i, ev, arn, tok1)
		}
	}
	f.mu.Lock()
	perms := append([]string(nil), f.permissions...)
	f.mu.Unlock()
	if diff := cmp.Diff([]string{"secretsmanager.amazonaws.com 123456789012 " + arn}, perms); diff != "" {
		t.Errorf("CheckInvokePermission calls (-want +got):\n%s", diff)
	}
	// AWSPENDING is gone once the rotation completed, as AWS's backend
	// removes it (aws-samples/aws-secrets-manager-rotation-lambdas#145).
	want := map[string][]string{"v1": {smPrevious}, tok1: {smCurrent}}
	if diff := cmp.Diff(want, emuStages(t, c, arn, map[string]string{v1: "v1"})); diff != "" {
		t.Errorf("stages after the first rotation (-want +got):\n%s", diff)
	}
	d, err := c.sm.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String(arn)})
	if err != nil {
		t.Fatal(err)
	}
	if !aws.ToBool(d.RotationEnabled) || aws.ToString(d.RotationLambdaARN) != emuTestFunctionARN || aws.ToInt64(d.RotationRules.AutomaticallyAfterDays) != 7 {
		t.Errorf("rotation config = %v %q %+v", d.RotationEnabled, aws.ToString(d.RotationLambdaARN), d.RotationRules)
	}
	if d.LastRotatedDate == nil || d.NextRotationDate == nil {
		t.Fatalf("LastRotatedDate, NextRotationDate = %v, %v; want both", d.LastRotatedDate, d.NextRotationDate)
	}
	wantNext, err := schedule.Rules{AutomaticallyAfterDays: 7}.Next(*d.LastRotatedDate)
	if err != nil {
		t.Fatal(err)
	}
	if !d.NextRotationDate.Equal(wantNext) {
		t.Errorf("NextRotationDate = %v, want %v (schedule.Next of LastRotatedDate %v)", d.NextRotationDate, wantNext, d.LastRotatedDate)
	}
	got, err := c.sm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(arn)})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(got.SecretString) != "rotated-"+tok1 {
		t.Errorf("AWSCURRENT value is not the rotated one")
	}

	// A second rotation (stored configuration) succeeds.
	if _, err := c.sm.RotateSecret(ctx, &secretsmanager.RotateSecretInput{SecretId: aws.String(arn), ClientRequestToken: aws.String(tok2)}); err != nil {
		t.Fatalf("second RotateSecret: %v", err)
	}
	emuWaitRotation(t, c, tok2)
	want = map[string][]string{tok1: {smPrevious}, tok2: {smCurrent}}
	if diff := cmp.Diff(want, emuStages(t, c, arn, nil)); diff != "" {
		t.Errorf("stages after the second rotation (-want +got):\n%s", diff)
	}
	recs, err := NewAdminClient(c.srv.URL()).Rotations(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var gotRecs []RotationRecord
	for _, r := range recs {
		r.Finished = time.Time{}
		gotRecs = append(gotRecs, r)
	}
	full := []string{"createSecret", "setSecret", "testSecret", "finishSecret"}
	wantRecs := []RotationRecord{
		{RotationResult: RotationResult{SecretARN: arn, OK: true}, VersionID: tok1, Steps: full, Attempts: []RotationAttempt{{Steps: full}}},
		{RotationResult: RotationResult{SecretARN: arn, OK: true}, VersionID: tok2, Steps: full, Attempts: []RotationAttempt{{Steps: full}}},
	}
	if diff := cmp.Diff(wantRecs, gotRecs); diff != "" {
		t.Errorf("GET /_emu/rotations (-want +got):\n%s", diff)
	}
}

func TestRotateSecretFailures(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tests := []struct {
		name      string
		setup     func(f *fakeRotationFunction)
		wantCode  string // RotateSecret's error
		wantSteps []string
		// wantStages: "v1" is the first version, "tok" the rotation token.
		wantStages map[string][]string
		wantError  string // substring of the recorded rotation error
	}{
		// Secrets Manager "retries the entire rotation process multiple
		// times" (DescribeSecret, NextRotationDate): every failing case
		// runs smDefaultRotationAttempts (3) times.
		{
			name:       "createSecret fails",
			setup:      func(f *fakeRotationFunction) { f.failStep = "createSecret" },
			wantSteps:  emuEveryAttempt("createSecret"),
			wantStages: map[string][]string{"v1": {smCurrent}, "tok": {smPending}},
			wantError:  "createSecret: function error (Unhandled): TestError: step failed on purpose",
		},
		{
			name:       "testSecret fails",
			setup:      func(f *fakeRotationFunction) { f.failStep = "testSecret" },
			wantSteps:  emuEveryAttempt("createSecret", "setSecret", "testSecret"),
			wantStages: map[string][]string{"v1": {smCurrent}, "tok": {smPending}},
			wantError:  "testSecret",
		},
		{
			name:       "finishSecret does not move AWSCURRENT",
			setup:      func(f *fakeRotationFunction) { f.skipFinish = true },
			wantSteps:  emuEveryAttempt("createSecret", "setSecret", "testSecret", "finishSecret"),
			wantStages: map[string][]string{"v1": {smCurrent}, "tok": {smPending}},
			wantError:  "without moving AWSCURRENT",
		},
		{
			name:       "function policy does not allow Secrets Manager",
			setup:      func(f *fakeRotationFunction) { f.denyInvoke = true },
			wantCode:   "AccessDeniedException",
			wantStages: map[string][]string{"v1": {smCurrent}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, f := emuTestRotation(t)
			f.set(tt.setup)
			arn, v1 := emuCreateSecret(t, c, "fail", "initial")
			tok := emuToken("tok")
			err := emuRotate(c, arn, tok, &smtypes.RotationRulesType{AutomaticallyAfterDays: aws.Int64(1)}, nil)
			if got := emuErrCode(err); got != tt.wantCode {
				t.Fatalf("RotateSecret error = %q (%v), want %q", got, err, tt.wantCode)
			}
			var rec RotationRecord
			if err == nil {
				rec = emuWaitRotation(t, c, tok)
				if len(rec.Attempts) != 3 {
					t.Errorf("attempts = %+v, want 3", rec.Attempts)
				}
			}
			if diff := cmp.Diff(tt.wantSteps, f.ranSteps()); diff != "" {
				t.Errorf("steps (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantStages, emuStages(t, c, arn, map[string]string{v1: "v1", tok: "tok"})); diff != "" {
				t.Errorf("stages (-want +got):\n%s", diff)
			}
			cur, err := c.sm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(arn)})
			if err != nil || aws.ToString(cur.SecretString) != "initial" {
				t.Errorf("AWSCURRENT changed: %v", err)
			}
			d, err := c.sm.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String(arn)})
			if err != nil {
				t.Fatal(err)
			}
			if d.LastRotatedDate != nil {
				t.Errorf("LastRotatedDate = %v after a failed rotation, want none", d.LastRotatedDate)
			}
			if tt.wantCode != "" {
				if msg := emuErrMessage(err); tt.wantCode == "AccessDeniedException" && d.RotationEnabled != nil {
					t.Errorf("RotationEnabled = %v after AccessDenied, want the configuration not stored (%s)", *d.RotationEnabled, msg)
				}
				return
			}
			hist := c.srv.sm.rotationHistory()
			if len(hist) != 1 || hist[0].OK || !strings.Contains(hist[0].Error, tt.wantError) {
				t.Errorf("rotation record = %+v, want one failure containing %q", hist, tt.wantError)
			}
			// The unfinished rotation blocks the next RotateSecret.
			err = emuRotate(c, arn, emuToken("next"), nil, nil)
			if emuErrCode(err) != "InvalidRequestException" || emuErrMessage(err) != smMsgIncomplete {
				t.Errorf("next RotateSecret = %v, want InvalidRequestException %q", err, smMsgIncomplete)
			}
		})
	}
}

// emuEveryAttempt returns steps once per attempt of a rotation that keeps
// failing (smDefaultRotationAttempts).
func emuEveryAttempt(steps ...string) []string {
	var out []string
	for range smDefaultRotationAttempts {
		out = append(out, steps...)
	}
	return out
}

func TestRotateSecretAccessDeniedMessage(t *testing.T) {
	t.Parallel()
	c, f := emuTestRotation(t)
	f.set(func(f *fakeRotationFunction) { f.denyInvoke = true })
	arn, _ := emuCreateSecret(t, c, "denied", "x")
	err := emuRotate(c, arn, "", &smtypes.RotationRulesType{AutomaticallyAfterDays: aws.Int64(1)}, nil)
	if code := emuErrCode(err); code != "AccessDeniedException" {
		t.Errorf("code = %q, want AccessDeniedException", code)
	}
	if got := emuErrMessage(err); got != smMsgCannotInvoke {
		t.Errorf("message = %q, want %q", got, smMsgCannotInvoke)
	}
}

func TestRotateSecretRulesValidation(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		rules    *smtypes.RotationRulesType
		wantCode string
		wantMsg  string
	}{
		{"days and expression", &smtypes.RotationRulesType{AutomaticallyAfterDays: aws.Int64(7), ScheduleExpression: aws.String("rate(7 days)")}, "InvalidParameterException", "You cannot specify both rotation frequency and schedule expression together."},
		{"zero days", &smtypes.RotationRulesType{AutomaticallyAfterDays: aws.Int64(0)}, "InvalidParameterException", "between 1 and 1000"},
		{"1001 days", &smtypes.RotationRulesType{AutomaticallyAfterDays: aws.Int64(1001)}, "InvalidParameterException", "between 1 and 1000"},
		{"rate more often than 4 hours", &smtypes.RotationRulesType{ScheduleExpression: aws.String("rate(2 hours)")}, "InvalidParameterException", "ScheduleExpression"},
		{"not rate or cron", &smtypes.RotationRulesType{ScheduleExpression: aws.String("every day")}, "InvalidParameterException", "ScheduleExpression"},
		{"bad duration", &smtypes.RotationRulesType{AutomaticallyAfterDays: aws.Int64(7), Duration: aws.String("3d")}, "InvalidParameterException", "Duration"},
		{"rate every 4 hours", &smtypes.RotationRulesType{ScheduleExpression: aws.String("rate(4 hours)")}, "", ""},
		{"cron with a window", &smtypes.RotationRulesType{ScheduleExpression: aws.String("cron(0 8 ? * MON *)"), Duration: aws.String("3h")}, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, f := emuTestRotation(t)
			arn, _ := emuCreateSecret(t, c, "rules", "x")
			err := emuRotate(c, arn, "", tt.rules, aws.Bool(false))
			if got := emuErrCode(err); got != tt.wantCode {
				t.Fatalf("error = %q (%v), want %q", got, err, tt.wantCode)
			}
			if !strings.Contains(emuErrMessage(err), tt.wantMsg) {
				t.Errorf("message = %q, want it to contain %q", emuErrMessage(err), tt.wantMsg)
			}
			if tt.wantCode != "" && len(f.ranSteps()) != 0 {
				t.Errorf("steps ran after a validation error: %v", f.ranSteps())
			}
		})
	}
}

func TestRotateSecretNotImmediately(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c, f := emuTestRotation(t)
	arn, v1 := emuCreateSecret(t, c, "later", "x")
	if _, err := emuRotateWait(t, c, arn, emuToken("val"), &smtypes.RotationRulesType{ScheduleExpression: aws.String("rate(10 days)")}, aws.Bool(false)); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"testSecret"}, f.ranSteps()); diff != "" {
		t.Errorf("steps (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string][]string{"v1": {smCurrent}}, emuStages(t, c, arn, map[string]string{v1: "v1"})); diff != "" {
		t.Errorf("stages: the placeholder must be removed (-want +got):\n%s", diff)
	}
	d, err := c.sm.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String(arn)})
	if err != nil {
		t.Fatal(err)
	}
	if !aws.ToBool(d.RotationEnabled) || d.NextRotationDate == nil || d.LastRotatedDate != nil {
		t.Errorf("RotationEnabled=%v NextRotationDate=%v LastRotatedDate=%v; want true, set, unset", d.RotationEnabled, d.NextRotationDate, d.LastRotatedDate)
	}
	wantRules := &smtypes.RotationRulesType{AutomaticallyAfterDays: aws.Int64(10), ScheduleExpression: aws.String("rate(10 days)")}
	if diff := cmp.Diff(wantRules, d.RotationRules, cmp.AllowUnexported(smtypes.RotationRulesType{})); diff != "" {
		t.Errorf("RotationRules (-want +got):\n%s", diff)
	}
}

func TestCancelRotateSecret(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c, f := emuTestRotation(t)
	arn, v1 := emuCreateSecret(t, c, "cancel", "x")
	f.set(func(f *fakeRotationFunction) { f.failStep = "setSecret" })
	tok := emuToken("partial")
	if _, err := emuRotateWait(t, c, arn, tok, &smtypes.RotationRulesType{AutomaticallyAfterDays: aws.Int64(30)}, nil); err != nil {
		t.Fatal(err)
	}
	out, err := c.sm.CancelRotateSecret(ctx, &secretsmanager.CancelRotateSecretInput{SecretId: aws.String(arn)})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.VersionId) != tok {
		t.Errorf("CancelRotateSecret VersionId = %q, want the unfinished version %q", aws.ToString(out.VersionId), tok)
	}
	d, err := c.sm.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String(arn)})
	if err != nil {
		t.Fatal(err)
	}
	if d.RotationEnabled == nil || *d.RotationEnabled || aws.ToInt64(d.RotationRules.AutomaticallyAfterDays) != 30 || d.NextRotationDate != nil {
		t.Errorf("after cancel: RotationEnabled=%v rules=%+v next=%v; want false, rules kept, no next date", d.RotationEnabled, d.RotationRules, d.NextRotationDate)
	}
	// Cancel leaves AWSPENDING on the partial version; it still blocks.
	if err := emuRotate(c, arn, emuToken("again"), nil, nil); emuErrMessage(err) != smMsgIncomplete {
		t.Errorf("RotateSecret before cleanup = %v, want %q", err, smMsgIncomplete)
	}
	if _, err := c.sm.UpdateSecretVersionStage(ctx, &secretsmanager.UpdateSecretVersionStageInput{SecretId: aws.String(arn), VersionStage: aws.String(smPending), RemoveFromVersionId: aws.String(tok)}); err != nil {
		t.Fatal(err)
	}
	f.mu.Lock()
	f.failStep = ""
	f.mu.Unlock()
	if _, err := emuRotateWait(t, c, arn, emuToken("again"), nil, nil); err != nil {
		t.Fatalf("RotateSecret after cleanup: %v", err)
	}
	want := map[string][]string{"v1": {smPrevious}, emuToken("again"): {smCurrent}}
	if diff := cmp.Diff(want, emuStages(t, c, arn, map[string]string{v1: "v1"})); diff != "" {
		t.Errorf("stages (-want +got):\n%s", diff)
	}
}

func TestRotateSecretWithoutFunction(t *testing.T) {
	t.Parallel()
	c, _ := emuTestRotation(t)
	arn, _ := emuCreateSecret(t, c, "nofn", "x")
	_, err := c.sm.RotateSecret(context.Background(), &secretsmanager.RotateSecretInput{SecretId: aws.String(arn)})
	if emuErrCode(err) != "InvalidRequestException" {
		t.Errorf("RotateSecret without a function = %v, want InvalidRequestException", err)
	}
}

func TestScheduledRotationByClock(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c, f := emuTestRotation(t)
	admin := NewAdminClient(c.srv.URL())
	arn, _ := emuCreateSecret(t, c, "sched", "x")
	if _, err := emuRotateWait(t, c, arn, "", &smtypes.RotationRulesType{AutomaticallyAfterDays: aws.Int64(7)}, nil); err != nil {
		t.Fatal(err)
	}
	steps := func() int { return len(f.ranSteps()) }
	if steps() != 4 {
		t.Fatalf("first rotation ran %d steps", steps())
	}
	tests := []struct {
		name      string
		advance   time.Duration
		failStep  string
		want      []RotationResult
		wantSteps int
	}{
		{"not due yet", 3 * 24 * time.Hour, "", []RotationResult{}, 4},
		{"due: rotates", 5 * 24 * time.Hour, "", []RotationResult{{SecretARN: arn, OK: true}}, 8},
		// A failing scheduled rotation runs 3 times (createSecret, setSecret each).
		{"due again but the function fails", 8 * 24 * time.Hour, "setSecret", []RotationResult{{SecretARN: arn, Error: "setSecret: function error (Unhandled): TestError: step failed on purpose"}}, 14},
		{"the failed rotation is reattempted", time.Hour, "", []RotationResult{{SecretARN: arn, OK: true}}, 18},
	}
	// Steps depend on each other: run in order, not in parallel.
	for _, tt := range tests {
		f.mu.Lock()
		f.failStep = tt.failStep
		f.mu.Unlock()
		res, err := admin.AdvanceClock(ctx, tt.advance)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(tt.want, res.Rotations); diff != "" {
			t.Errorf("%s: rotations (-want +got):\n%s", tt.name, diff)
		}
		if steps() != tt.wantSteps {
			t.Errorf("%s: %d steps ran in total, want %d", tt.name, steps(), tt.wantSteps)
		}
	}
	// The reattempt reused the failed rotation's token.
	ev := f.recordedEvents()
	if ev[13].ClientRequestToken != ev[14].ClientRequestToken {
		t.Errorf("reattempt token %s, want the failed rotation's %s", ev[14].ClientRequestToken, ev[13].ClientRequestToken)
	}
}

func TestManualChangeMovesNextRotation(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c, _ := emuTestRotation(t)
	arn, _ := emuCreateSecret(t, c, "manual", "x")
	if _, err := emuRotateWait(t, c, arn, "", &smtypes.RotationRulesType{AutomaticallyAfterDays: aws.Int64(7)}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := NewAdminClient(c.srv.URL()).AdvanceClock(ctx, 3*24*time.Hour); err != nil {
		t.Fatal(err)
	}
	if _, err := c.sm.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: aws.String(arn), SecretString: aws.String("manual")}); err != nil {
		t.Fatal(err)
	}
	d, err := c.sm.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String(arn)})
	if err != nil {
		t.Fatal(err)
	}
	want, err := schedule.Rules{AutomaticallyAfterDays: 7}.Next(c.srv.Now())
	if err != nil {
		t.Fatal(err)
	}
	if d.NextRotationDate == nil || d.NextRotationDate.Sub(want).Abs() > time.Minute {
		t.Errorf("NextRotationDate = %v, want about %v (7 days after the manual change)", d.NextRotationDate, want)
	}
}

func TestScheduledRotationRunsWhenWindowOpens(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c, _ := emuTestRotation(t)
	admin := NewAdminClient(c.srv.URL())
	arn, _ := emuCreateSecret(t, c, "window", "x")
	rules := schedule.Rules{ScheduleExpression: "cron(0 10 * * ? *)", Duration: "4h"}
	if _, err := emuRotateWait(t, c, arn, "", &smtypes.RotationRulesType{ScheduleExpression: aws.String(rules.ScheduleExpression), Duration: aws.String(rules.Duration)}, nil); err != nil {
		t.Fatal(err)
	}
	d, err := c.sm.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String(arn)})
	if err != nil {
		t.Fatal(err)
	}
	start, end, err := rules.Window(*d.LastRotatedDate)
	if err != nil {
		t.Fatal(err)
	}
	if !d.NextRotationDate.Equal(end) {
		t.Errorf("NextRotationDate = %v, want the window's end %v", d.NextRotationDate, end)
	}
	tests := []struct {
		name   string
		to     time.Time
		wantOK int
	}{
		{"a minute before the window opens", start.Add(-time.Minute), 0},
		{"a minute after the window opens", start.Add(time.Minute), 1},
	}
	for _, tt := range tests {
		res, err := admin.AdvanceClock(ctx, tt.to.Sub(c.srv.Now()))
		if err != nil {
			t.Fatal(err)
		}
		ok := 0
		for _, r := range res.Rotations {
			if r.OK {
				ok++
			}
		}
		if ok != tt.wantOK {
			t.Errorf("%s: %d successful rotations (%+v), want %d", tt.name, ok, res.Rotations, tt.wantOK)
		}
	}
}
