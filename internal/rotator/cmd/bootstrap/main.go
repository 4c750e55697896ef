// Command bootstrap is the rotation function's Lambda entry point (the
// provided.al2023 runtime runs an executable named bootstrap). Build it
// with -tags lambda.norpc. It reads its configuration from the environment
// the provider sets and serves rotator.Handler.Handle.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/rotatorhq/terraform-provider-rotator/internal/rotator"
	"github.com/rotatorhq/terraform-provider-rotator/internal/rotator/config"
)

func main() {
	cfg, err := config.FromEnv(os.Getenv)
	if err != nil {
		fmt.Fprintln(os.Stderr, "rotator: invalid configuration:", err)
		os.Exit(1)
	}
	// LoadDefaultConfig honours AWS_ENDPOINT_URL (the local emulator).
	awsCfg, err := awsconfig.LoadDefaultConfig(context.Background())
	if err != nil {
		fmt.Fprintln(os.Stderr, "rotator: loading AWS configuration:", err)
		os.Exit(1)
	}
	h := rotator.New(cfg, secretsmanager.NewFromConfig(awsCfg))
	lambda.Start(h.Handle)
}
