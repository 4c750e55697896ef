// Command testfn is a small Lambda function the emulator's tests build,
// zip and run. It is a minimal but protocol-correct Secrets Manager
// rotation function (createSecret/setSecret/testSecret/finishSecret) and,
// for events without a Step, a probe with a few modes.
//
// Every rotation step prints "STEP <step> <token>" so tests can read the
// order of steps from CloudWatch Logs. The environment variable FAIL_AT
// names a step that fails on purpose. Secret values are never printed.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
)

// event is either a rotation event (Step set) or a probe (Mode set).
type event struct {
	SecretID           string `json:"SecretId"`
	ClientRequestToken string `json:"ClientRequestToken"`
	Step               string `json:"Step"`

	Mode    string  `json:"mode"`
	Seconds float64 `json:"seconds"`
	Message string  `json:"message"`
	MB      int     `json:"mb"`
}

func handle(ctx context.Context, ev event) (any, error) {
	if ev.Step == "" {
		return probe(ctx, ev)
	}
	fmt.Printf("STEP %s %s\n", ev.Step, ev.ClientRequestToken)
	if os.Getenv("FAIL_AT") == ev.Step {
		return nil, fmt.Errorf("injected failure at %s", ev.Step)
	}
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, err
	}
	sm := secretsmanager.NewFromConfig(cfg)
	switch ev.Step {
	case "createSecret":
		err = createSecret(ctx, sm, ev)
	case "setSecret":
		// No target system: nothing to set.
	case "testSecret":
		_, err = sm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{
			SecretId: aws.String(ev.SecretID), VersionId: aws.String(ev.ClientRequestToken), VersionStage: aws.String("AWSPENDING"),
		})
	case "finishSecret":
		err = finishSecret(ctx, sm, ev)
	default:
		err = fmt.Errorf("unknown step %q", ev.Step)
	}
	if err != nil {
		fmt.Printf("STEP %s failed: %v\n", ev.Step, err)
		return nil, err
	}
	return nil, nil
}

func createSecret(ctx context.Context, sm *secretsmanager.Client, ev event) error {
	d, err := sm.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String(ev.SecretID)})
	if err != nil {
		return err
	}
	stages, ok := d.VersionIdsToStages[ev.ClientRequestToken]
	if !ok || !contains(stages, "AWSPENDING") {
		return fmt.Errorf("version %s is not staged as AWSPENDING", ev.ClientRequestToken)
	}
	if _, err := sm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(ev.SecretID), VersionStage: aws.String("AWSCURRENT")}); err != nil {
		return err
	}
	_, err = sm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{
		SecretId: aws.String(ev.SecretID), VersionId: aws.String(ev.ClientRequestToken), VersionStage: aws.String("AWSPENDING"),
	})
	if err == nil {
		return nil // already created by an earlier attempt
	}
	var nf *types.ResourceNotFoundException
	if !errors.As(err, &nf) {
		return err
	}
	pw, err := sm.GetRandomPassword(ctx, &secretsmanager.GetRandomPasswordInput{PasswordLength: aws.Int64(32)})
	if err != nil {
		return err
	}
	_, err = sm.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{
		SecretId: aws.String(ev.SecretID), ClientRequestToken: aws.String(ev.ClientRequestToken),
		SecretString: pw.RandomPassword, VersionStages: []string{"AWSPENDING"},
	})
	return err
}

func finishSecret(ctx context.Context, sm *secretsmanager.Client, ev event) error {
	d, err := sm.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String(ev.SecretID)})
	if err != nil {
		return err
	}
	current := ""
	for id, stages := range d.VersionIdsToStages {
		if contains(stages, "AWSCURRENT") {
			current = id
		}
	}
	if current == ev.ClientRequestToken {
		return nil
	}
	_, err = sm.UpdateSecretVersionStage(ctx, &secretsmanager.UpdateSecretVersionStageInput{
		SecretId: aws.String(ev.SecretID), VersionStage: aws.String("AWSCURRENT"),
		MoveToVersionId: aws.String(ev.ClientRequestToken), RemoveFromVersionId: aws.String(current),
	})
	return err
}

func probe(_ context.Context, ev event) (any, error) {
	switch ev.Mode {
	case "sleep":
		fmt.Printf("sleeping %.1fs\n", ev.Seconds)
		time.Sleep(time.Duration(ev.Seconds * float64(time.Second)))
		return map[string]string{"slept": "yes"}, nil
	case "fail":
		fmt.Println("failing on purpose")
		return nil, errors.New(ev.Message)
	case "alloc":
		// Touch mb MiB of memory and hold it briefly.
		buf := make([]byte, ev.MB<<20)
		for i := 0; i < len(buf); i += 4096 {
			buf[i] = 1
		}
		time.Sleep(500 * time.Millisecond)
		return map[string]int{"allocated": len(buf) >> 20}, nil
	case "exit":
		fmt.Println("exiting on purpose")
		os.Exit(3)
	case "env":
		// Report which variables are set (names and non-secret values only).
		out := map[string]string{}
		for _, kv := range os.Environ() {
			k, v, _ := strings.Cut(kv, "=")
			switch k {
			case "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN":
				v = fmt.Sprintf("set:%v", v != "")
			}
			out[k] = v
		}
		return out, nil
	}
	b, _ := json.Marshal(ev)
	fmt.Printf("echo %s\n", b)
	return ev, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func main() { lambda.Start(handle) }
