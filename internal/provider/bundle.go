package provider

import (
	"errors"

	"github.com/rotatorhq/terraform-provider-rotator/internal/lambdabundle"
	"github.com/rotatorhq/terraform-provider-rotator/internal/stack"
)

var _ stack.CodeSource = bundleSource{}

// bundleSource serves the rotation function zips embedded in the provider.
type bundleSource struct{}

func (bundleSource) Zip(arch string) ([]byte, error) { return lambdabundle.Zip(arch) }

func (bundleSource) CodeSHA256(arch string) (string, error) { return lambdabundle.CodeSHA256(arch) }

// isBundleMissing reports a provider built before `make bundle`.
func isBundleMissing(err error) bool { return errors.Is(err, lambdabundle.ErrNotBuilt) }
