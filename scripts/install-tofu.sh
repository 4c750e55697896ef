#!/usr/bin/env bash
# Builds OpenTofu from its Go module at a pinned version and caches the binary
# under ~/.cache/rotator-tools. Prints the binary's path on stdout.
#
# `go install github.com/opentofu/opentofu/cmd/tofu@vX` refuses the module's
# replace directive, so the module is downloaded and built in place instead.
# A cached binary that reports the pinned version is reused (seconds).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=scripts/lib-tools.sh
source "$here/lib-tools.sh"

TOFU_VERSION="${TOFU_VERSION:-1.12.6}"
bin="$ROTATOR_TOOLS_DIR/tofu-$TOFU_VERSION"

if [[ -x $bin ]] && TF_CLI_CONFIG_FILE=/dev/null "$bin" version 2>/dev/null | grep -q "^OpenTofu v$TOFU_VERSION"; then
	log "using cached $bin"
	printf '%s\n' "$bin"
	exit 0
fi

log "building OpenTofu v$TOFU_VERSION from its Go module (takes several minutes once)"
mkdir -p "$ROTATOR_TOOLS_DIR"
src="$(module_dir "github.com/opentofu/opentofu@v$TOFU_VERSION")"

# The module cache is read-only; go build writes nothing there, but a copy is
# made if the build still fails in place (e.g. a tool wanting to write).
tmpbin="$bin.tmp.$$"
trap 'rm -f "$tmpbin"' EXIT
build() {
	CGO_ENABLED=0 go build -trimpath -buildvcs=false \
		-ldflags "-s -w -X github.com/opentofu/opentofu/version.dev=no" \
		-o "$tmpbin" ./cmd/tofu
}
if ! (cd "$src" && build); then
	log "in-place build failed; retrying from a writable copy"
	work="$(mktemp -d)"
	cp -r "$src/." "$work/"
	chmod -R u+w "$work"
	(cd "$work" && build)
	rm -rf "$work"
fi
mv -f "$tmpbin" "$bin"
TF_CLI_CONFIG_FILE=/dev/null "$bin" version >&2
printf '%s\n' "$bin"
