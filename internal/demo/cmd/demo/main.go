// Command demo is `make demo`: it builds the provider and its rotation
// function, applies examples/demo with OpenTofu against the local AWS
// emulator, rotates the secrets (on demand, then on schedule by moving the
// emulator clock) and prints what happened, without any secret value.
//
//	go run ./internal/demo/cmd/demo [-keep] [-tofu PATH] [-no-postgres]
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
	flag.BoolVar(&o.Keep, "keep", false, "keep the work dir (state, OpenTofu log, build log) after a successful run")
	flag.StringVar(&o.Tofu, "tofu", "", "OpenTofu binary (default: build and cache it with scripts/install-tofu.sh)")
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
