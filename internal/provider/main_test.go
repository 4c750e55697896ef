package provider_test

import (
	"os"
	"testing"

	"github.com/rotatorhq/terraform-provider-rotator/internal/acctest"
)

func TestMain(m *testing.M) {
	acctest.FixCLIConfig()
	os.Exit(m.Run())
}
