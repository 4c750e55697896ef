#!/usr/bin/env bash
# Shared helpers for the scripts that build and cache the Terraform/OpenTofu
# CLIs. Sourced, not executed.

# ROTATOR_TOOLS_DIR is where built CLIs are cached, so that later runs take
# seconds instead of minutes.
ROTATOR_TOOLS_DIR="${ROTATOR_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/rotator-tools}"

# log prints a progress line on stderr; stdout carries only the binary path.
log() { printf '%s: %s\n' "$(basename "$0")" "$*" >&2; }

# module_dir downloads a Go module through the module proxy (no-op when it is
# already in the module cache) and prints its directory. It runs outside any
# module so that it never touches this repository's go.mod or go.sum.
module_dir() {
	local mod="$1" tmp dir
	tmp="$(mktemp -d)"
	(cd "$tmp" && GOFLAGS=-mod=mod go mod download "$mod" >&2)
	rmdir "$tmp"
	# Module paths here are all lower case, so no case-encoding is needed.
	dir="$(go env GOMODCACHE)/$mod"
	if [[ ! -d $dir ]]; then
		log "module $mod was downloaded but $dir does not exist"
		return 1
	fi
	printf '%s\n' "$dir"
}
