// Command awsemu runs the local AWS emulator (package awsemu) as a
// standalone server for the demo and manual use:
//
//	go run ./internal/awsemu/cmd/awsemu --addr 127.0.0.1:4566 [--state FILE] [--region us-east-1] [--iam-propagation-delay 0s]
//
// It prints the endpoint URL on stdout and stops cleanly on SIGINT or
// SIGTERM (saving the state when --state is given). Point the AWS CLI or an
// SDK at it with AWS_ENDPOINT_URL and any access key (e.g. test/test).
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/rotatorhq/terraform-provider-rotator/internal/awsemu"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "awsemu:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("awsemu", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:4566", "listen address (loopback only)")
	state := fs.String("state", "", "JSON file that persists the emulator state across runs")
	region := fs.String("region", "us-east-1", "emulated region")
	account := fs.String("account-id", "123456789012", "emulated account ID")
	workDir := fs.String("work-dir", "", "scratch directory for unpacked functions (default: a temporary directory)")
	delay := fs.Duration("iam-propagation-delay", 0, "how long a new or changed IAM role stays not assumable by Lambda")
	syncRotation := fs.Bool("sync-rotation", false, "run a rotation before RotateSecret answers (default: in the background, as AWS does)")
	rotationAttempts := fs.Int("rotation-attempts", 0, "how many times a failing rotation runs in all (0: the default, 3)")
	rotationBackoff := fs.Duration("rotation-backoff", 0, "emulator-clock wait before retrying a failed rotation, doubling (0: the default, 2s; negative: none)")
	deleteBlocked := fs.Int("force-delete-blocked-calls", 0, "CreateSecret calls that still see a force-deleted name as scheduled for deletion (0: the default, 2; negative: none)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	// Catch the signals before printing the URL: a caller may stop the
	// emulator as soon as it has read the URL.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	srv, err := awsemu.Start(awsemu.Options{
		Addr: *addr, StateFile: *state, Region: *region, AccountID: *account,
		WorkDir: *workDir, IAMPropagationDelay: *delay,
		SecretsManager: awsemu.SecretsManagerOptions{
			SyncRotation: *syncRotation, RotationAttempts: *rotationAttempts,
			RotationBackoff: *rotationBackoff, ForceDeleteBlockedCalls: *deleteBlocked,
		},
	})
	if err != nil {
		return err
	}
	fmt.Println(srv.URL())
	fmt.Fprintf(os.Stderr, "awsemu: listening; use it with:\n  export AWS_ENDPOINT_URL=%s AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_REGION=%s\nadmin endpoints under %s/_emu/ (see go doc ./internal/awsemu); stop with Ctrl-C\n", srv.URL(), srv.Region(), srv.URL())
	<-ctx.Done()
	return srv.Close()
}
