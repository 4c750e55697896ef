package stack_test

import (
	"context"
	"maps"
	"os"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/google/go-cmp/cmp"

	"github.com/rotatorhq/terraform-provider-rotator/internal/acctest"
	"github.com/rotatorhq/terraform-provider-rotator/internal/rotator/config"
	"github.com/rotatorhq/terraform-provider-rotator/internal/stack"
)

func newStack(t *testing.T) (*stack.Stack, *acctest.Env) {
	t.Helper()
	if os.Getenv(acctest.EnvRealAWS) != "" {
		t.Skip("stack tests run against the emulator only")
	}
	code, err := acctest.Bundle()
	if err != nil {
		t.Fatalf("rotation function bundle: %v", err)
	}
	env := acctest.NewEnv(t)
	return stack.New(env.Clients, code), env
}

// createdStack is a stack with one secret created from testSpec, where
// most tests start.
func createdStack(t *testing.T) (*stack.Stack, *acctest.Env, stack.Spec, stack.State) {
	t.Helper()
	s, env := newStack(t)
	spec := testSpec(strings.ToLower(acctest.RandomName()))
	st, err := s.Create(context.Background(), spec, "v", nil)
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	return s, env, spec, st
}

func testSpec(name string) stack.Spec {
	return stack.Spec{
		Region: acctest.Region, Account: acctest.AccountID, Partition: "aws",
		Name:         name,
		Tags:         map[string]string{"team": "payments"},
		Strategy:     config.StrategyGeneric,
		RotatedField: config.DefaultRotatedField,
		Password:     config.DefaultPasswordPolicy(),
		Function:     stack.FunctionSpec{Architecture: "x86_64", MemorySize: 128, Timeout: 30, LogRetentionDays: 30},
		Rotation:     stack.RotationSpec{Enabled: true, AutomaticallyAfterDays: 30},
	}
}

// TestCreateReadDelete creates every child, sees no drift, deletes
// everything and proves nothing is left.
func TestCreateReadDelete(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, env := newStack(t)
	spec := testSpec("app/db-" + strings.ToLower(acctest.RandomName()))

	var saves []stack.State
	st, err := s.Create(ctx, spec, "first-value", func(st stack.State) { saves = append(saves, st) })
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	if len(saves) < 5 || saves[0].SecretARN == "" || saves[0].FunctionARN != "" {
		t.Errorf("saves = %+v; want the secret saved first, then each child", saves)
	}
	if err := env.CheckExists(ctx, spec.Name, false); err != nil {
		t.Fatalf("children missing after Create: %v", err)
	}
	o, err := s.Read(ctx, spec, st.SecretARN)
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	drift, err := s.Drift(ctx, spec, o)
	if err != nil {
		t.Fatalf("Drift: %v", err)
	}
	if diff := cmp.Diff([]stack.Drift(nil), drift); diff != "" {
		t.Errorf("drift after Create (-want +got):\n%s", diff)
	}
	f := o.Facts()
	if !f.RotationEnabled || f.FunctionARN != st.FunctionARN || f.Tags["team"] != "payments" {
		t.Errorf("facts = %+v", f)
	}
	if err := o.Managed(); err != nil {
		t.Errorf("Managed: %v", err)
	}
	if err := s.Delete(ctx, spec, st.SecretARN, stack.DeleteOptions{}); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if err := env.CheckGone(ctx, spec.Name, false); err != nil {
		t.Errorf("left after Delete: %v", err)
	}
	if _, err := s.Read(ctx, spec, st.SecretARN); !stack.IsNotFound(err) {
		t.Errorf("Read after Delete = %v; want NotFound", err)
	}
}

// TestReadCallCount keeps a refresh at five calls, one per child
// (DescribeSecret, GetFunction, GetPolicy, GetRolePolicy, DescribeLogGroups),
// and six with alerts: the alert rule costs one ListTargetsByRule, which
// also proves the rule exists (the issue allows the sixth call if said).
func TestReadCallCount(t *testing.T) {
	t.Parallel()
	base := map[string]int{
		"secretsmanager:DescribeSecret": 1, "lambda:GetFunction": 1, "lambda:GetPolicy": 1,
		"iam:GetRolePolicy": 1, "logs:DescribeLogGroups": 1,
	}
	withAlerts := maps.Clone(base)
	withAlerts["events:ListTargetsByRule"] = 1
	for _, tc := range []struct {
		name   string
		alerts bool
		want   map[string]int
	}{
		{"without alerts", false, base},
		{"with alerts", true, withAlerts},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			s, env := newStack(t)
			spec := testSpec(strings.ToLower(acctest.RandomName()))
			if tc.alerts {
				topic, err := env.SDK.SNS.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("alerts")})
				if err != nil {
					t.Fatal(err)
				}
				spec.Alerts = &stack.AlertSpec{TopicARN: aws.ToString(topic.TopicArn)}
			}
			st, err := s.Create(ctx, spec, "v", nil)
			if err != nil {
				t.Fatalf("Create: %v", err)
			}
			if err := env.Admin.ResetCalls(ctx); err != nil {
				t.Fatal(err)
			}
			o, err := s.Read(ctx, spec, st.SecretARN)
			if err != nil {
				t.Fatalf("Read: %v", err)
			}
			drift, err := s.Drift(ctx, spec, o)
			if err != nil || len(drift) != 0 {
				t.Fatalf("Drift = %v, %v; want none", drift, err)
			}
			calls, err := env.Admin.Calls(ctx)
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]int{}
			for k, v := range calls {
				if v > 0 {
					got[k] = v
				}
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("calls per refresh (-want +got):\n%s", diff)
			}
		})
	}
}
