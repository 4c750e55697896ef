// Command examplecheck applies every example under examples/ against the
// local AWS emulator with each given CLI: plan, apply, an empty re-plan and
// destroy. Examples that set a write-only argument are skipped for CLIs
// older than 1.11 (Terraform 1.5.7). `make tf-compat` runs it with OpenTofu
// and Terraform 1.5.7.
//
//	go run ./internal/demo/cmd/examplecheck -cli tofu=PATH -cli terraform=PATH [DIR...]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/rotatorhq/terraform-provider-rotator/internal/demo"
)

type cliFlags []demo.ExampleCLI

func (c *cliFlags) String() string { return fmt.Sprint(*c) }

func (c *cliFlags) Set(v string) error {
	name, path, ok := strings.Cut(v, "=")
	if !ok || name == "" || path == "" {
		return errors.New("want NAME=PATH, e.g. tofu=/root/.cache/rotator-tools/tofu-1.12.6")
	}
	*c = append(*c, demo.ExampleCLI{Name: name, Path: path})
	return nil
}

func main() {
	var clis cliFlags
	flag.Var(&clis, "cli", "NAME=PATH of a Terraform or OpenTofu binary (repeatable)")
	flag.Parse()
	if len(clis) == 0 {
		fmt.Fprintln(os.Stderr, "examplecheck: give at least one -cli NAME=PATH")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, clis, flag.Args()); err != nil {
		fmt.Fprintln(os.Stderr, "examplecheck:", err)
		stop()
		os.Exit(1)
	}
}

func run(ctx context.Context, clis []demo.ExampleCLI, args []string) error {
	wd, err := os.Getwd()
	if err != nil {
		return err
	}
	root, err := demo.FindRepoRoot(wd)
	if err != nil {
		return err
	}
	var dirs []string
	for _, a := range args {
		abs, err := filepath.Abs(a)
		if err != nil {
			return err
		}
		dirs = append(dirs, abs)
	}
	results, err := demo.CheckExamples(ctx, demo.ExampleOptions{RepoRoot: root, Dirs: dirs, CLIs: clis})
	if err != nil {
		return err
	}
	line, ok := demo.SummarizeExamples(results)
	fmt.Println(line)
	if !ok {
		return errors.New("some examples failed")
	}
	return nil
}
