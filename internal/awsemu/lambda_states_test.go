package awsemu

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// TestLambdaStatesRefuseCalls: while a function is Pending (after
// CreateFunction) "any invocations or other API actions that operate on
// the function will fail", and while an update is InProgress
// UpdateFunctionCode, UpdateFunctionConfiguration and TagResource fail
// (functions-states.html) with ResourceConflictException; invocations go
// on with the previous code during an update. Each case has its own
// function; the windows are counted in calls, with a day-long clock bound.
func TestLambdaStatesRefuseCalls(t *testing.T) {
	t.Parallel()
	c := lamTestAdmin(t, Options{Lambda: LambdaTiming{Observations: 3, Window: 24 * time.Hour}})
	ctx := context.Background()
	role := lamCreateRole(t, c, "fn-role", "")
	arnOf := func(fn string) string { return "arn:aws:lambda:us-east-1:123456789012:function:" + fn }
	calls := []struct {
		name string
		call func(fn string) error
		// wantInProgress is the answer while an update is in progress ("" = success).
		wantInProgress string
	}{
		{"Invoke", func(fn string) error {
			_, err := c.lambda.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String(fn)})
			return err
		}, ""},
		{"UpdateFunctionCode", func(fn string) error {
			_, err := c.lambda.UpdateFunctionCode(ctx, &lambda.UpdateFunctionCodeInput{FunctionName: aws.String(fn), ZipFile: lamScriptZip(t, "true")})
			return err
		}, "ResourceConflictException"},
		{"UpdateFunctionConfiguration", func(fn string) error {
			_, err := c.lambda.UpdateFunctionConfiguration(ctx, &lambda.UpdateFunctionConfigurationInput{FunctionName: aws.String(fn), Timeout: aws.Int32(9)})
			return err
		}, "ResourceConflictException"},
		{"AddPermission", func(fn string) error {
			_, err := c.lambda.AddPermission(ctx, &lambda.AddPermissionInput{FunctionName: aws.String(fn), StatementId: aws.String("sm"),
				Action: aws.String("lambda:InvokeFunction"), Principal: aws.String("secretsmanager.amazonaws.com")})
			return err
		}, "ResourceConflictException"},
		{"TagResource", func(fn string) error {
			_, err := c.lambda.TagResource(ctx, &lambda.TagResourceInput{Resource: aws.String(arnOf(fn)), Tags: map[string]string{"k": "v"}})
			return err
		}, "ResourceConflictException"},
	}
	for i, tc := range calls {
		fn := "f" + string(rune('a'+i))
		t.Run(tc.name, func(t *testing.T) {
			out, err := c.lambda.CreateFunction(ctx, &lambda.CreateFunctionInput{FunctionName: aws.String(fn), Role: aws.String(role), Runtime: lambdatypes.RuntimeProvidedal2023,
				Handler: aws.String("bootstrap"), Code: &lambdatypes.FunctionCode{ZipFile: lamScriptZip(t, "true")}})
			if err != nil {
				t.Fatalf("CreateFunction: %v", err)
			}
			if out.State != lambdatypes.StatePending || out.StateReasonCode != lambdatypes.StateReasonCodeCreating {
				t.Errorf("CreateFunction: State %s (%s), want Pending (Creating)", out.State, out.StateReasonCode)
			}
			err = tc.call(fn)
			if got, want := emuErrMessage(err), "The operation cannot be performed at this time. The function is currently in the following state: Pending"; emuErrCode(err) != "ResourceConflictException" || got != want {
				t.Errorf("%s while Pending: %v, want ResourceConflictException %q", tc.name, err, want)
			}
			lamWaitSettled(t, c, fn)
			if _, err := c.lambda.UpdateFunctionConfiguration(ctx, &lambda.UpdateFunctionConfigurationInput{FunctionName: aws.String(fn), Description: aws.String("v2")}); err != nil {
				t.Fatalf("UpdateFunctionConfiguration: %v", err)
			}
			cfg, err := c.lambda.GetFunctionConfiguration(ctx, &lambda.GetFunctionConfigurationInput{FunctionName: aws.String(fn)})
			if err != nil || cfg.State != lambdatypes.StateActive || cfg.LastUpdateStatus != lambdatypes.LastUpdateStatusInProgress {
				t.Errorf("after an update: %v, State %s, LastUpdateStatus %s; want Active, InProgress", err, cfg.State, cfg.LastUpdateStatus)
			}
			err = tc.call(fn)
			if emuErrCode(err) != tc.wantInProgress {
				t.Errorf("%s while InProgress: %v, want %q", tc.name, err, tc.wantInProgress)
			}
			if tc.wantInProgress != "" {
				if got, want := emuErrMessage(err), "The operation cannot be performed at this time. An update is in progress for resource: "+arnOf(fn); got != want {
					t.Errorf("message = %q, want %q", got, want)
				}
			}
			lamWaitSettled(t, c, fn)
			if err := tc.call(fn); err != nil {
				t.Errorf("%s once Active and Successful: %v", tc.name, err)
			}
		})
	}
}

// TestLambdaStatesWaiters: the SDK's own waiters (FunctionActiveV2,
// FunctionUpdatedV2) see Pending / InProgress and then Active / Successful.
func TestLambdaStatesWaiters(t *testing.T) {
	t.Parallel()
	c := lamTestAdmin(t, Options{Lambda: LambdaTiming{Window: 24 * time.Hour}})
	ctx := context.Background()
	role := lamCreateRole(t, c, "fn-role", "")
	if _, err := c.lambda.CreateFunction(ctx, &lambda.CreateFunctionInput{FunctionName: aws.String("w"), Role: aws.String(role), Runtime: lambdatypes.RuntimeProvidedal2023,
		Handler: aws.String("bootstrap"), Code: &lambdatypes.FunctionCode{ZipFile: lamScriptZip(t, "true")}}); err != nil {
		t.Fatal(err)
	}
	c.srv.ResetCalls()
	fast := func(o *lambda.FunctionActiveV2WaiterOptions) {
		o.MinDelay, o.MaxDelay = 10*time.Millisecond, 20*time.Millisecond
	}
	if err := lambda.NewFunctionActiveV2Waiter(c.lambda, fast).Wait(ctx, &lambda.GetFunctionInput{FunctionName: aws.String("w")}, time.Minute); err != nil {
		t.Fatalf("FunctionActiveV2: %v", err)
	}
	if got := c.srv.Calls()["lambda:GetFunction"]; got != 2 {
		t.Errorf("FunctionActiveV2 polled %d times, want 2 (one Pending, one Active)", got)
	}
	if _, err := c.lambda.UpdateFunctionCode(ctx, &lambda.UpdateFunctionCodeInput{FunctionName: aws.String("w"), ZipFile: lamScriptZip(t, "echo 2")}); err != nil {
		t.Fatal(err)
	}
	c.srv.ResetCalls()
	fastU := func(o *lambda.FunctionUpdatedV2WaiterOptions) {
		o.MinDelay, o.MaxDelay = 10*time.Millisecond, 20*time.Millisecond
	}
	if err := lambda.NewFunctionUpdatedV2Waiter(c.lambda, fastU).Wait(ctx, &lambda.GetFunctionInput{FunctionName: aws.String("w")}, time.Minute); err != nil {
		t.Fatalf("FunctionUpdatedV2: %v", err)
	}
	if got := c.srv.Calls()["lambda:GetFunction"]; got != 2 {
		t.Errorf("FunctionUpdatedV2 polled %d times, want 2 (one InProgress, one Successful)", got)
	}
}

// TestLambdaInactive: a function idle long enough becomes Inactive; "when
// you try to invoke a function that is inactive, the invocation fails and
// Lambda sets the function to pending state until the function resources
// are recreated" (functions-states.html).
func TestLambdaInactive(t *testing.T) {
	t.Parallel()
	c := lamTestAdmin(t, Options{Lambda: LambdaTiming{Window: 24 * time.Hour}})
	ctx := context.Background()
	role := lamCreateRole(t, c, "fn-role", "")
	lamCreateFunction(t, c, "idle", role, lamScriptZip(t, "true"), "x86_64", 3, nil)
	state := func() (lambdatypes.State, lambdatypes.StateReasonCode) {
		out, err := c.lambda.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String("idle")})
		if err != nil {
			t.Fatalf("GetFunction: %v", err)
		}
		return out.Configuration.State, out.Configuration.StateReasonCode
	}
	invoke := func() error {
		_, err := c.lambda.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("idle")})
		return err
	}
	c.srv.AdvanceClock(ctx, DefaultLambdaInactiveAfter-time.Hour)
	if s, _ := state(); s != lambdatypes.StateActive {
		t.Errorf("an hour before the idle limit: %s, want Active", s)
	}
	c.srv.AdvanceClock(ctx, time.Hour)
	if s, r := state(); s != lambdatypes.StateInactive || r != lambdatypes.StateReasonCodeIdle {
		t.Errorf("after the idle limit: %s (%s), want Inactive (Idle)", s, r)
	}
	err := invoke()
	if got, want := emuErrMessage(err), "The operation cannot be performed at this time. The function is currently in the following state: Inactive"; emuErrCode(err) != "ResourceConflictException" || got != want {
		t.Errorf("first Invoke of an Inactive function: %v, want ResourceConflictException %q", err, want)
	}
	if s, r := state(); s != lambdatypes.StatePending || r != lambdatypes.StateReasonCodeRestoring {
		t.Errorf("after the failed invocation: %s (%s), want Pending (Restoring)", s, r)
	}
	if s, _ := state(); s != lambdatypes.StateActive {
		t.Errorf("once restored: %s, want Active", s)
	}
	if err := invoke(); err != nil {
		t.Errorf("Invoke once Active again: %v", err)
	}
}
