#!/usr/bin/env bash
# Generates docs/ with tfplugindocs (pinned in go.mod's tool directive) from
# templates/ and examples/.
#
# tfplugindocs normally downloads Terraform to read the provider's schema;
# here the schema is read with the OpenTofu built by scripts/install-tofu.sh
# (through a dev_overrides CLI configuration) and handed to tfplugindocs
# with --providers-schema, so no download is needed. OpenTofu >= 1.11 also
# reports write-only attributes, which the docs mark as such.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

tofu="$(scripts/install-tofu.sh)"
work="$(mktemp -d -t rotator-docs.XXXXXX)"
trap 'rm -rf "$work"' EXIT

mkdir -p "$work/bin" "$work/ws"
go build -o "$work/bin/terraform-provider-rotator" .

# tfplugindocs looks the schema up under the short name or
# registry.terraform.io/hashicorp/<name>: use that address locally.
cat >"$work/cli.tfrc" <<EOT
provider_installation {
  dev_overrides {
    "registry.terraform.io/hashicorp/rotator" = "$work/bin"
  }
  direct {}
}
EOT
cat >"$work/ws/main.tf" <<'EOT'
terraform {
  required_providers {
    rotator = {
      source = "registry.terraform.io/hashicorp/rotator"
    }
  }
}
EOT
TF_CLI_CONFIG_FILE="$work/cli.tfrc" CHECKPOINT_DISABLE=1 \
	"$tofu" -chdir="$work/ws" providers schema -json >"$work/schema.json" 2>"$work/schema.err" || {
	cat "$work/schema.err" >&2
	exit 1
}

# OpenTofu has no actions: add the provider's action schemas itself.
go run ./scripts/actionschema "$work/schema.json"

go tool tfplugindocs generate --provider-name rotator --providers-schema "$work/schema.json"
go tool tfplugindocs validate --provider-name rotator --providers-schema "$work/schema.json"
