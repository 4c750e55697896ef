package provider

import (
	"errors"

	"github.com/rotatorhq/terraform-provider-rotator/internal/lambdabundle"
	"github.com/rotatorhq/terraform-provider-rotator/internal/stack"
)

var _ stack.CodeSource = EmbeddedCode{}

// EmbeddedCode serves the rotation function zips embedded in the binary:
// the provider's code source, and the tests' when the zips are built.
type EmbeddedCode struct{}

// Zip returns the deployment package of arch.
func (EmbeddedCode) Zip(arch string) ([]byte, error) { return lambdabundle.Zip(arch) }

// CodeSHA256 returns Lambda's CodeSha256 of the package of arch.
func (EmbeddedCode) CodeSHA256(arch string) (string, error) { return lambdabundle.CodeSHA256(arch) }

// isBundleMissing reports a provider built before `make bundle`.
func isBundleMissing(err error) bool { return errors.Is(err, lambdabundle.ErrNotBuilt) }
