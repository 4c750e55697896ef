// Command demo is `make demo`: it builds the provider and its rotation
// function, applies examples/demo with Terraform or OpenTofu (the one on the
// PATH when it is 1.11 or later, else OpenTofu built from its Go module;
// the report says which) against the local AWS
// emulator, rotates the secrets (on demand, then on schedule by moving the
// emulator clock) and prints what happened, without any secret value.
//
//	go run ./internal/demo/cmd/demo [-keep] [-cli PATH] [-no-postgres]
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/rotatorhq/terraform-provider-rotator/internal/demo"
)

func main() {
	var o demo.Options
	flag.BoolVar(&o.Keep, "keep", false, "keep the work dir (state, CLI log, build log) after a successful run")
	flag.StringVar(&o.CLI, "cli", "", "Terraform or OpenTofu binary, 1.11 or later (default: scripts/find-cli.sh picks a terraform or tofu on the PATH, else builds OpenTofu)")
	flag.StringVar(&o.Example, "example", "", "configuration to apply (default examples/demo)")
	flag.BoolVar(&o.NoPostgres, "no-postgres", false, "skip the PostgreSQL single-user secret")
	flag.BoolVar(&o.SkipBundle, "skip-bundle", false, "do not rebuild the rotation function zips")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := demo.Run(ctx, o); err != nil {
		fmt.Fprintln(os.Stderr, "demo failed:", err)
		stop()
		os.Exit(1)
	}
}
