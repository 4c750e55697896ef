package stack_test

// survive_emu_test.go shows the stack surviving the emulator's AWS-like
// unkindness: IAM eventual consistency, Lambda states and throttling.
// Long emulator delays are ended by moving the emulator clock once the
// stack has been seen retrying, so the outcome never depends on how fast
// the machine is.

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/rotatorhq/terraform-provider-rotator/internal/acctest"
	"github.com/rotatorhq/terraform-provider-rotator/internal/awsemu"
	"github.com/rotatorhq/terraform-provider-rotator/internal/stack"
)

// TestSurviveIAMPropagation: with an hour-long IAM delay, Create retries
// CreateFunction ("The role defined for the function cannot be assumed by
// Lambda.") until the role has propagated and RotateSecret ("Secrets
// Manager cannot invoke the specified Lambda function") until the invoke
// permission has, and Delete retries DeleteRole
// (DeleteConflict right after DeleteRolePolicy); both end with every child
// created, then every child gone.
func TestSurviveIAMPropagation(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, env := newStack(t)
	const delay = time.Hour
	if err := env.Admin.SetIAMPropagationDelay(ctx, delay); err != nil {
		t.Fatal(err)
	}
	spec := testSpec(strings.ToLower(acctest.RandomName()))
	env.AdvanceClockWhen(t, "lambda:CreateFunction", 2, delay)
	env.AdvanceClockWhen(t, "secretsmanager:RotateSecret", 2, delay)
	st, err := s.Create(ctx, spec, "v", nil)
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	if n := env.Server.Calls()["lambda:CreateFunction"]; n < 2 {
		t.Errorf("CreateFunction calls = %d, want a retry", n)
	}
	if n := env.Server.Calls()["secretsmanager:RotateSecret"]; n < 2 {
		t.Errorf("RotateSecret calls = %d, want a retry while the invoke permission propagates", n)
	}
	if err := env.CheckExists(ctx, spec.Name, false); err != nil {
		t.Fatalf("after Create: %v", err)
	}
	env.AdvanceClockWhen(t, "iam:DeleteRole", 2, delay)
	if err := s.Delete(ctx, spec, st.SecretARN, stack.DeleteOptions{}); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if n := env.Server.Calls()["iam:DeleteRole"]; n < 2 {
		t.Errorf("DeleteRole calls = %d, want a retry after DeleteConflict", n)
	}
	if err := env.CheckGone(ctx, spec.Name, false); err != nil {
		t.Errorf("after Delete: %v", err)
	}
}

// TestSurviveVPCRolePropagation: moving the function into a VPC adds the
// network statements to the role policy; until they propagate Lambda
// answers "The provided execution role does not have permissions to call
// CreateNetworkInterface on EC2", and Update retries until it can.
func TestSurviveVPCRolePropagation(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, env, spec, st := createdStack(t)
	const delay = time.Hour
	if err := env.Admin.SetIAMPropagationDelay(ctx, delay); err != nil {
		t.Fatal(err)
	}
	spec.Function.SubnetIDs, spec.Function.SecurityGroupIDs = []string{"subnet-0abc"}, []string{"sg-0abc"}
	env.AdvanceClockWhen(t, "lambda:UpdateFunctionConfiguration", 2, delay)
	if _, err := s.Update(ctx, spec, st, stack.UpdateOptions{}); err != nil {
		t.Fatalf("Update into a VPC: %v", err)
	}
	if n := env.Server.Calls()["lambda:UpdateFunctionConfiguration"]; n < 2 {
		t.Errorf("UpdateFunctionConfiguration calls = %d, want a retry while the VPC statements propagate", n)
	}
	fn, err := env.Clients.Lambda.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String(spec.Names().Function)})
	if err != nil {
		t.Fatal(err)
	}
	if fn.Configuration.VpcConfig == nil || len(fn.Configuration.VpcConfig.SubnetIds) != 1 {
		t.Errorf("VpcConfig = %+v, want the subnet", fn.Configuration.VpcConfig)
	}
}

// TestSurviveLambdaStates: with the realistic defaults the function is
// Pending after CreateFunction and InProgress after each update; the stack
// waits (SDK waiters) before AddPermission, the next update and tagging,
// so Create and an Update changing configuration, code-independent
// settings and tags all succeed, and no call met ResourceConflictException.
func TestSurviveLambdaStates(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, env, spec, st := createdStack(t)
	spec.Function.MemorySize, spec.Function.Timeout = 256, 60
	spec.Tags = map[string]string{"team": "billing", "tier": "1"}
	if _, err := s.Update(ctx, spec, st, stack.UpdateOptions{}); err != nil {
		t.Fatalf("Update: %v", err)
	}
	fn, err := env.Clients.Lambda.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String(spec.Names().Function)})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToInt32(fn.Configuration.MemorySize) != 256 || fn.Tags["tier"] != "1" || fn.Tags["team"] != "billing" {
		t.Errorf("function after Update: memory %d, tags %v", aws.ToInt32(fn.Configuration.MemorySize), fn.Tags)
	}
}

// TestSurviveThrottling: the SDK's retryer absorbs a few throttled calls
// (ThrottlingException, Lambda's TooManyRequestsException); a call that
// stays throttled fails Create with the AWS error named, and Delete then
// leaves nothing behind.
func TestSurviveThrottling(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, env := newStack(t)
	spec := testSpec(strings.ToLower(acctest.RandomName()))
	for _, f := range []awsemu.Fault{
		{Service: "secretsmanager", Operation: "CreateSecret", Count: 2, Code: "ThrottlingException"},
		{Service: "lambda", Operation: "CreateFunction", Count: 2, Code: "TooManyRequestsException", Status: 429, Message: "Rate exceeded"},
	} {
		if err := env.Admin.InjectFault(ctx, f); err != nil {
			t.Fatal(err)
		}
	}
	st, err := s.Create(ctx, spec, "v", nil)
	if err != nil {
		t.Fatalf("Create with two throttled calls each: %v", err)
	}
	if err := s.Delete(ctx, spec, st.SecretARN, stack.DeleteOptions{}); err != nil {
		t.Fatalf("Delete: %v", err)
	}

	spec2 := testSpec(strings.ToLower(acctest.RandomName()))
	if err := env.Admin.InjectFault(ctx, awsemu.Fault{Service: "lambda", Operation: "CreateFunction", Count: -1, Code: "TooManyRequestsException", Status: 429, Message: "Rate exceeded"}); err != nil {
		t.Fatal(err)
	}
	st2, err := s.Create(ctx, spec2, "v", nil)
	if err == nil || !strings.Contains(err.Error(), "creating the rotation function") || !strings.Contains(err.Error(), "TooManyRequestsException") {
		t.Fatalf("Create with CreateFunction always throttled: %v, want an error naming the step and TooManyRequestsException", err)
	}
	if err := env.Admin.ClearFaults(ctx); err != nil {
		t.Fatal(err)
	}
	if err := s.Delete(ctx, spec2, st2.SecretARN, stack.DeleteOptions{}); err != nil {
		t.Fatalf("Delete after the failed Create: %v", err)
	}
	if err := env.CheckGone(ctx, spec2.Name, false); err != nil {
		t.Errorf("left after the failed Create and Delete: %v", err)
	}
}

// TestSurviveThrottleAtQuotas: Create of several secrets at once against
// an emulator that throttles at AWS's documented rates still succeeds.
func TestSurviveThrottleAtQuotas(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("-short")
	}
	ctx := context.Background()
	code, err := acctest.Bundle()
	if err != nil {
		t.Fatal(err)
	}
	srv, err := awsemu.Start(awsemu.Options{ThrottleAtQuotas: true, Validator: awsemu.ModelCheckFor(t)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	env := acctest.EnvFor(srv)
	s := stack.New(env.Clients, code)
	var wg sync.WaitGroup
	errs := make([]error, 6)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = s.Create(ctx, testSpec(strings.ToLower(acctest.RandomName())), "v", nil)
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("Create %d: %v", i, err)
		}
	}
}
