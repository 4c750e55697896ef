// Command terraform-provider-rotator is the Terraform/OpenTofu provider for
// rotated AWS Secrets Manager secrets with a built-in rotation function.
package main

import (
	"flag"
	"log"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"

	"github.com/rotatorhq/terraform-provider-rotator/internal/provider"
)

// version is set by the release build with -ldflags "-X main.version=…".
var version = "dev"

func main() {
	var debug bool
	flag.BoolVar(&debug, "debug", false, "run the provider with support for debuggers like delve")
	flag.Parse()

	// providerserver.Serve, with the server of provider.NewProtocol6Server
	// (per-RPC contexts the framework cannot keep alive; see there).
	var opts []tf6server.ServeOpt
	if debug {
		opts = append(opts, tf6server.WithManagedDebug())
	}
	err := tf6server.Serve("registry.terraform.io/rotatorhq/rotator", provider.NewProtocol6Server(provider.New(version)()), opts...)
	if err != nil {
		log.Fatal(err.Error())
	}
}
