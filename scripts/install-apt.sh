#!/usr/bin/env bash
# Installs the Debian packages the tests need (throwaway database servers, the
# AWS CLI, and qemu for arm64 Lambda bundles). Skips apt entirely when every
# package is already installed, which keeps repeated CI runs fast.
set -euo pipefail

# make runs the README commands; the rest are used by the tests.
packages=(make postgresql mariadb-server awscli qemu-user-static)

missing=()
for p in "${packages[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing+=("$p")
	fi
done

if ((${#missing[@]} == 0)); then
	echo "install-apt.sh: all present: ${packages[*]}" >&2
	exit 0
fi

sudo=()
if [[ $(id -u) != 0 ]]; then
	sudo=(sudo)
fi

echo "install-apt.sh: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
# The services may be refused a start (policy-rc.d) or start and stay idle:
# either is fine, the tests start their own throwaway servers.
"${sudo[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
