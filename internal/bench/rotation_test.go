package bench

import (
	"context"
	"fmt"
	"os/exec"
	"runtime"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	smtypes "github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
	"github.com/google/uuid"

	"github.com/rotatorhq/terraform-provider-rotator/internal/acctest"
	"github.com/rotatorhq/terraform-provider-rotator/internal/lambdabundle"
	"github.com/rotatorhq/terraform-provider-rotator/internal/rotator/config"
	"github.com/rotatorhq/terraform-provider-rotator/internal/stack"
)

// stepsPerRotation is createSecret, setSecret, testSecret, finishSecret.
const stepsPerRotation = 4

// rotationFunction is one deployed rotation function and its secret.
type rotationFunction struct {
	secretARN, functionARN, logGroup string
}

// BenchmarkRotation measures one full rotation of a generic secret with the
// real rotation function (see the package doc for the metrics).
func BenchmarkRotation(b *testing.B) {
	code, err := acctest.Bundle()
	if err != nil {
		b.Fatalf("rotation function bundle: %v", err)
	}
	for _, arch := range []string{lambdabundle.ArchX86_64, lambdabundle.ArchARM64} {
		name, qemu := arch, qemuFor(arch)
		if qemu != "" {
			name += "-qemu"
		}
		b.Run(name, func(b *testing.B) {
			if qemu != "" {
				if _, err := exec.LookPath(qemu); err != nil {
					missingTool(b, fmt.Sprintf("%s functions need %s on this %s host: install the Debian package qemu-user-static", arch, qemu, runtime.GOARCH))
				}
			}
			zip, err := code.Zip(arch)
			if err != nil {
				b.Fatalf("rotation function zip for %s: %v", arch, err)
			}
			benchRotation(b, arch, zip)
		})
	}
}

// qemuFor names the qemu-user binary the emulator needs to run arch on
// this host, or "" when arch is native.
func qemuFor(arch string) string {
	goarch, _ := lambdabundle.GOARCH(arch)
	if goarch == runtime.GOARCH {
		return ""
	}
	if goarch == "arm64" {
		return "qemu-aarch64-static"
	}
	return "qemu-x86_64-static"
}

func benchRotation(b *testing.B, arch string, zip []byte) {
	ctx := context.Background()
	emu := startEmulator(b)
	fn := deployRotation(b, emu, "bench/rotation-"+arch, arch, zip)

	before := emu.calls(b)
	rotations := 0
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		token := uuid.NewString()
		_, err := emu.sm.RotateSecret(ctx, &secretsmanager.RotateSecretInput{
			SecretId:           aws.String(fn.secretARN),
			RotationLambdaARN:  aws.String(fn.functionARN),
			RotationRules:      &smtypes.RotationRulesType{AutomaticallyAfterDays: aws.Int64(30)},
			ClientRequestToken: aws.String(token),
		})
		if err != nil {
			b.Fatalf("RotateSecret: %v", err)
		}
		// The rotation runs in the background after RotateSecret answered
		// (as on AWS): wait for it before the next one.
		if _, err := emu.admin.WaitRotation(ctx, token); err != nil {
			b.Fatalf("waiting for rotation %d: %v", i+1, err)
		}
		rotations++
	}
	b.StopTimer()
	calls := CallDiff(before, emu.calls(b))

	// RotateSecret answers before the rotation ran, even when a step
	// fails: check every run.
	records, err := emu.admin.Rotations(ctx)
	if err != nil {
		b.Fatalf("reading the emulator's rotations: %v", err)
	}
	if len(records) != rotations {
		b.Fatalf("the emulator ran %d rotations, want %d", len(records), rotations)
	}
	for _, r := range records {
		if !r.OK || len(r.Steps) != stepsPerRotation {
			b.Fatalf("rotation %s failed: ok=%v steps=%v error=%q", r.VersionID, r.OK, r.Steps, r.Error)
		}
	}

	invs := reportLines(b, emu, fn.logGroup)
	if len(invs) != stepsPerRotation*rotations {
		b.Fatalf("found %d REPORT lines in %s, want %d (4 per rotation)", len(invs), fn.logGroup, stepsPerRotation*rotations)
	}
	var wall, initSum time.Duration
	peakMB := 0
	for _, inv := range invs {
		wall += inv.Wall()
		initSum += inv.Init
		peakMB = max(peakMB, inv.MaxMemoryMB)
	}
	n := float64(len(invs))
	smCalls := SumService(calls, "secretsmanager") - calls["secretsmanager:RotateSecret"]
	b.ReportMetric(float64(wall.Microseconds())/1000/n, "ms/invocation")
	// The first invocation also unpacks the zip in the emulator: the
	// median shows a typical cold start.
	b.ReportMetric(float64(MedianWall(invs).Microseconds())/1000, "p50-ms/invocation")
	b.ReportMetric(float64(initSum.Microseconds())/1000/n, "init-ms/invocation")
	b.ReportMetric(float64(peakMB), "peak-RSS-MB")
	b.ReportMetric(float64(smCalls)/float64(rotations), "sm-calls/rotation")
	b.ReportMetric(n/float64(rotations), "invocations/rotation")
	for i, inv := range invs[:stepsPerRotation] {
		b.Logf("%s first rotation, %s: %.1f ms wall (%.1f ms init), %d MB peak RSS",
			arch, records[0].Steps[i], float64(inv.Wall().Microseconds())/1000, float64(inv.Init.Microseconds())/1000, inv.MaxMemoryMB)
	}
	delete(calls, "secretsmanager:RotateSecret")
	delete(calls, "logs:FilterLogEvents")
	b.Logf("%s: %d rotation(s); per invocation %.1f ms wall (median %.1f ms; %.1f ms init), peak RSS %d MB; per rotation %.1f Secrets Manager calls (goal <= 7): %s",
		arch, rotations, float64(wall.Microseconds())/1000/n, float64(MedianWall(invs).Microseconds())/1000, float64(initSum.Microseconds())/1000/n, peakMB,
		float64(smCalls)/float64(rotations), FormatCalls(calls, rotations))
}

// deployRotation sets up what the provider creates for one secret: the
// secret, the role with its least-privilege inline policy, the log group,
// the function from zip, and the invoke permission for Secrets Manager.
func deployRotation(b *testing.B, emu *emulator, secretName, arch string, zip []byte) rotationFunction {
	b.Helper()
	ctx := context.Background()
	account, region := emu.srv.AccountID(), emu.srv.Region()
	names := stack.NamesFor(region, secretName)

	secret, err := emu.sm.CreateSecret(ctx, &secretsmanager.CreateSecretInput{
		Name:         aws.String(secretName),
		SecretString: aws.String(`{"username":"app","password":"initial-value"}`),
	})
	if err != nil {
		b.Fatalf("CreateSecret: %v", err)
	}
	secretARN := aws.ToString(secret.ARN)

	role, err := emu.iam.CreateRole(ctx, &iam.CreateRoleInput{
		RoleName:                 aws.String(names.Role),
		AssumeRolePolicyDocument: aws.String(stack.TrustPolicyDocument(account)),
	})
	if err != nil {
		b.Fatalf("CreateRole: %v", err)
	}
	logGroupARN := fmt.Sprintf("arn:aws:logs:%s:%s:log-group:%s", region, account, names.LogGroup)
	_, err = emu.iam.PutRolePolicy(ctx, &iam.PutRolePolicyInput{
		RoleName:   aws.String(names.Role),
		PolicyName: aws.String(names.RolePolicy),
		PolicyDocument: aws.String(stack.RolePolicyDocument(stack.PolicyInput{
			Partition: "aws", SecretARN: secretARN, LogGroupARN: logGroupARN,
		})),
	})
	if err != nil {
		b.Fatalf("PutRolePolicy: %v", err)
	}
	if _, err := emu.logs.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(names.LogGroup)}); err != nil {
		b.Fatalf("CreateLogGroup: %v", err)
	}
	// The setup is not what is measured: let the role propagate (IAM
	// eventual consistency) by moving the emulator clock.
	emu.srv.AdvanceClock(ctx, emu.srv.IAMPropagationDelay())

	env := config.Config{
		SecretARN:    secretARN,
		Strategy:     config.StrategyGeneric,
		RotatedField: config.DefaultRotatedField,
		Password:     config.DefaultPasswordPolicy(),
	}.Env()
	created, err := emu.lambda.CreateFunction(ctx, &lambda.CreateFunctionInput{
		FunctionName:  aws.String(names.Function),
		Role:          role.Role.Arn,
		Runtime:       lambdatypes.Runtime(stack.Runtime),
		Handler:       aws.String(stack.Handler),
		Architectures: []lambdatypes.Architecture{lambdatypes.Architecture(arch)},
		Code:          &lambdatypes.FunctionCode{ZipFile: zip},
		MemorySize:    aws.Int32(128),
		Timeout:       aws.Int32(30),
		Environment:   &lambdatypes.Environment{Variables: env},
	})
	if err != nil {
		b.Fatalf("CreateFunction: %v", err)
	}
	// The function is Pending after CreateFunction; wait as the stack does.
	if err := lambda.NewFunctionActiveV2Waiter(emu.lambda).Wait(ctx, &lambda.GetFunctionInput{FunctionName: aws.String(names.Function)}, time.Minute); err != nil {
		b.Fatalf("waiting for the function to become Active: %v", err)
	}
	_, err = emu.lambda.AddPermission(ctx, &lambda.AddPermissionInput{
		FunctionName:  aws.String(names.Function),
		StatementId:   aws.String(names.StatementID),
		Action:        aws.String("lambda:InvokeFunction"),
		Principal:     aws.String("secretsmanager.amazonaws.com"),
		SourceAccount: aws.String(account),
		SourceArn:     aws.String(secretARN),
	})
	if err != nil {
		b.Fatalf("AddPermission: %v", err)
	}
	// The invoke permission propagates too before Secrets Manager sees it.
	emu.srv.AdvanceClock(ctx, emu.srv.IAMPropagationDelay())
	return rotationFunction{secretARN: secretARN, functionARN: aws.ToString(created.FunctionArn), logGroup: names.LogGroup}
}

// reportLines reads every REPORT line of the function's log group.
func reportLines(b *testing.B, emu *emulator, group string) []Invocation {
	b.Helper()
	var out []Invocation
	p := cloudwatchlogs.NewFilterLogEventsPaginator(emu.logs, &cloudwatchlogs.FilterLogEventsInput{
		LogGroupName:  aws.String(group),
		FilterPattern: aws.String("REPORT"),
	})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			b.Fatalf("FilterLogEvents %s: %v", group, err)
		}
		for _, e := range page.Events {
			if inv, ok := ParseReport(aws.ToString(e.Message)); ok {
				out = append(out, inv)
			}
		}
	}
	return out
}
