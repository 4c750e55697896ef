// Command build writes the rotation function's reproducible Lambda zips
// (bootstrap-arm64.zip and bootstrap-x86_64.zip) for the provider to
// embed:
//
//	go run ./internal/lambdabundle/cmd/build -out internal/lambdabundle/dist
//
// It runs `go build` in the current directory's module and prints each
// zip's size and CodeSha256.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/rotatorhq/terraform-provider-rotator/internal/lambdabundle"
)

func main() {
	out := flag.String("out", "internal/lambdabundle/dist", "directory to write the zips to")
	flag.Parse()
	if err := lambdabundle.Build(context.Background(), ".", *out); err != nil {
		fmt.Fprintln(os.Stderr, "build:", err)
		os.Exit(1)
	}
	for _, arch := range lambdabundle.Architectures() {
		p := filepath.Join(*out, lambdabundle.ZipName(arch))
		b, err := os.ReadFile(p)
		if err != nil {
			fmt.Fprintln(os.Stderr, "build:", err)
			os.Exit(1)
		}
		fmt.Printf("%s\t%d bytes\tCodeSha256 %s\n", p, len(b), lambdabundle.SHA256(b))
	}
}
