#!/usr/bin/env bash
# Builds Terraform from its Go module at a pinned version (default 1.5.7, the
# last MPL-2.0 release, used for the compatibility check) and caches it under
# ~/.cache/rotator-tools/terraform-VERSION/terraform. Prints the binary's path.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=scripts/lib-tools.sh
source "$here/lib-tools.sh"

TERRAFORM_VERSION="${TERRAFORM_VERSION:-1.5.7}"
dir="$ROTATOR_TOOLS_DIR/terraform-$TERRAFORM_VERSION"
bin="$dir/terraform"

if [[ -x $bin ]] && TF_CLI_CONFIG_FILE=/dev/null "$bin" version 2>/dev/null | grep -q "^Terraform v$TERRAFORM_VERSION"; then
	log "using cached $bin"
	printf '%s\n' "$bin"
	exit 0
fi

log "building Terraform v$TERRAFORM_VERSION from its Go module (takes several minutes once)"
mkdir -p "$dir"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
(
	cd "$tmp"
	CGO_ENABLED=0 GOBIN="$dir" GOFLAGS=-mod=mod \
		go install -trimpath -buildvcs=false -ldflags "-s -w" \
		"github.com/hashicorp/terraform@v$TERRAFORM_VERSION"
)
CHECKPOINT_DISABLE=1 TF_CLI_CONFIG_FILE=/dev/null "$bin" version >&2
printf '%s\n' "$bin"
