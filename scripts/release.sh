#!/usr/bin/env bash
# Builds a release snapshot with GoReleaser, exactly as .goreleaser.yml
# describes a real release, into dist/: one zip per platform, the
# SHA256SUMS and the registry manifest. Signing is skipped (no key here) and
# nothing is published.
#
#   scripts/release.sh                      # linux_amd64 and linux_arm64
#   RELEASE_TARGETS=all scripts/release.sh  # every platform of a release
#
# RELEASE_TARGETS lists the targets to build (os_arch, space-separated), or
# "all". The config keeps every platform; this script writes a copy that keeps
# only the named lines of its `targets:` list, and fails when a name is not
# in that list. ROTATOR_SNAPSHOT_VERSION is the version the snapshot carries
# (default 0.1.0, which a `version = "~> 0.1"` constraint selects; Terraform
# and OpenTofu constraints never select a pre-release).
#
# GoReleaser is pinned in its own module, tools/goreleaser/go.mod: it depends
# on a newer aws-sdk-go-v2 and hundreds of other modules, which would change
# the provider's own go.mod and go.sum. `go tool -modfile` runs it from the
# repository root (its build hooks and `go build` then use the provider's
# go.mod as usual).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

targets="${RELEASE_TARGETS:-linux_amd64 linux_arm64}"
export ROTATOR_SNAPSHOT_VERSION="${ROTATOR_SNAPSHOT_VERSION:-0.1.0}"
config=.goreleaser.yml

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

if [[ $targets != all ]]; then
	# Every name must be a line of the list, so a typo cannot build nothing.
	listed="$(sed -nE '/^    targets:/,/^    [a-z]/{s/^      - ([a-z0-9_]+)$/\1/p}' "$config")"
	for t in $targets; do
		grep -qx "$t" <<<"$listed" || {
			echo "release.sh: $t is not in the targets list of $config: $(tr '\n' ' ' <<<"$listed")" >&2
			exit 1
		}
	done
	awk -v keep=" $targets " '
		/^    targets:/ { inside = 1; print; next }
		inside && /^      - / {
			t = $2
			if (index(keep, " " t " ")) print
			next
		}
		{ inside = 0; print }
	' "$config" >"$tmp/goreleaser.yml"
	config="$tmp/goreleaser.yml"
fi

echo "release.sh: GoReleaser snapshot $ROTATOR_SNAPSHOT_VERSION for: $targets" >&2
go tool -modfile=tools/goreleaser/go.mod goreleaser release \
	--snapshot --clean --skip=sign --config "$config"
