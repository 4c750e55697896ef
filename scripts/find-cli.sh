#!/usr/bin/env bash
# Chooses the Terraform or OpenTofu CLI that `make demo` and the acceptance
# tests drive, so that a machine which already has one builds nothing.
#
#   scripts/find-cli.sh                   path of the CLI to use:
#                                           $ROTATOR_CLI when set, else
#                                           terraform on the PATH, else
#                                           tofu on the PATH (each only when
#                                           its version is supported), else
#                                           OpenTofu built from its Go module
#                                           (scripts/install-tofu.sh)
#   scripts/find-cli.sh --tofu            OpenTofu: tofu on the PATH when
#                                           supported, else the built one
#   scripts/find-cli.sh --path-terraform  terraform on the PATH when
#                                           supported, else nothing (exit 0)
#   scripts/find-cli.sh --env [MODE]      the chosen CLI (MODE: --tofu or
#                                           --path-terraform) as `export`
#                                           lines for terraform-plugin-testing
#                                           (TF_ACC_TERRAFORM_PATH, and
#                                           TF_ACC_PROVIDER_HOST: OpenTofu
#                                           resolves `rotatorhq/rotator` under
#                                           registry.opentofu.org, Terraform
#                                           under registry.terraform.io)
#
# Supported here means 1.11 or later: the demo and the acceptance tests use
# write-only arguments, which need Terraform or OpenTofu 1.11 (the provider
# itself supports Terraform >= 1.5 and OpenTofu >= 1.6; see the README).
# The reason for the choice goes to stderr; stdout carries only the result.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=scripts/lib-tools.sh
source "$here/lib-tools.sh"

# MIN_MINOR: the first 1.x with write-only arguments (internal/demo's
# writeOnlyMinVersion says the same for the example check).
MIN_MINOR=11

# cli_version PATH prints "Terraform v1.11.4" or "OpenTofu v1.12.6".
cli_version() {
	CHECKPOINT_DISABLE=1 TF_CLI_CONFIG_FILE=/dev/null "$1" version 2>/dev/null |
		grep -m1 -E '^(Terraform|OpenTofu) v[0-9]+\.[0-9]+' || true
}

# supported PATH: exit 0 when the CLI at PATH is 1.11 or later.
supported() {
	local v major minor
	v="$(cli_version "$1")"
	[[ $v =~ v([0-9]+)\.([0-9]+) ]] || return 1
	major=${BASH_REMATCH[1]} minor=${BASH_REMATCH[2]}
	((major > 1 || (major == 1 && minor >= MIN_MINOR)))
}

# on_path NAME prints NAME's path when it is on the PATH and supported.
on_path() {
	local bin
	# type -P: an executable file on the PATH only, never a function or alias.
	bin="$(type -P "$1")" || {
		log "no $1 on the PATH"
		return 0
	}
	if supported "$bin"; then
		log "using $(cli_version "$bin") from the PATH ($bin)"
		printf '%s\n' "$bin"
	else
		log "$bin is $(cli_version "$bin" | grep . || echo 'not a Terraform/OpenTofu CLI'); need 1.$MIN_MINOR or later, so it is not used"
	fi
}

pick_tofu() {
	local bin
	bin="$(on_path tofu)"
	if [[ -z $bin ]]; then
		bin="$("$here/install-tofu.sh")"
	fi
	printf '%s\n' "$bin"
}

pick_any() {
	local bin
	if [[ -n ${ROTATOR_CLI:-} ]]; then
		bin="$(type -P "$ROTATOR_CLI" || true)"
		[[ -n $bin ]] && supported "$bin" || {
			log "ROTATOR_CLI=$ROTATOR_CLI is not a Terraform or OpenTofu 1.$MIN_MINOR or later"
			return 1
		}
		log "using $(cli_version "$bin") from ROTATOR_CLI ($bin)"
		printf '%s\n' "$bin"
		return 0
	fi
	bin="$(on_path terraform)"
	[[ -n $bin ]] || bin="$(on_path tofu)"
	[[ -n $bin ]] || bin="$(pick_tofu)"
	printf '%s\n' "$bin"
}

env_lines() {
	local bin host
	case "${1:-}" in
	--tofu) bin="$(pick_tofu)" ;;
	--path-terraform) bin="$(on_path terraform)" ;;
	"") bin="$(pick_any)" ;;
	*)
		log "unknown mode $1"
		return 2
		;;
	esac
	[[ -n $bin ]] || return 0
	case "$(cli_version "$bin")" in
	OpenTofu*) host=registry.opentofu.org ;;
	*) host=registry.terraform.io ;;
	esac
	printf 'export TF_ACC_TERRAFORM_PATH=%q TF_ACC_PROVIDER_HOST=%q\n' "$bin" "$host"
}

case "${1:-}" in
"") pick_any ;;
--tofu) pick_tofu ;;
--path-terraform) on_path terraform ;;
--env) env_lines "${2:-}" ;;
*)
	echo "usage: $0 [--tofu | --path-terraform | --env [--tofu | --path-terraform]]" >&2
	exit 2
	;;
esac
