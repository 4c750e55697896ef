#!/usr/bin/env bash
# Fails when .ci/run does not run exactly the README's test command.
#
# The README holds the command in a marked block:
#
#   <!-- test-command:begin -->
#   ```sh
#   make test
#   ```
#   <!-- test-command:end -->
#
# and .ci/run runs it on exactly one line of the form `step test -- COMMAND`.
# The demo command block (demo-command:begin/end) is checked the same way
# against `step demo -- COMMAND`, and every `make TARGET` the two blocks name
# must be a target of the GNUmakefile.
#
# Usage: scripts/check-readme-ci.sh [README [CI_SCRIPT [MAKEFILE]]]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
readme="${1:-$root/README.md}"
ci="${2:-$root/.ci/run}"
makefile="${3:-$root/GNUmakefile}"

fail() {
	echo "check-readme-ci: $*" >&2
	exit 1
}

# block NAME prints the commands inside the README's NAME block: fences,
# blank lines and comment-only lines dropped, trailing comments stripped.
block() {
	awk -v begin="<!-- $1:begin -->" -v end="<!-- $1:end -->" '
		index($0, begin) { inside = 1; found = 1; next }
		index($0, end)   { inside = 0; next }
		inside && !/^[[:space:]]*```/ {
			sub(/[[:space:]]+#.*$/, ""); sub(/^[[:space:]]*#.*$/, "")
			sub(/^[[:space:]]*\$[[:space:]]+/, "")
			gsub(/^[[:space:]]+|[[:space:]]+$/, "")
			if ($0 != "") print
		}
		END { if (!found) exit 3 }
	' "$readme"
}

[[ -f $readme ]] || fail "no README at $readme"
[[ -f $ci ]] || fail "no CI script at $ci"

# check_same NAME: the README's NAME-command block holds exactly one
# command, and .ci/run runs exactly it on its one `step NAME -- ...` line.
check_same() {
	local name="$1" readme_cmds ci_cmds n
	readme_cmds="$(block "$name-command")" || fail "$readme has no <!-- $name-command:begin --> ... <!-- $name-command:end --> block"
	n=$(grep -c . <<<"$readme_cmds" || true)
	((n == 1)) || fail "the README's $name-command block must hold exactly one command, found $n: ${readme_cmds//$'\n'/; }"
	ci_cmds="$(sed -nE "s/^[[:space:]]*step[[:space:]]+${name}[[:space:]]+--[[:space:]]+(.*[^[:space:]])[[:space:]]*\$/\1/p" "$ci")"
	n=$(grep -c . <<<"$ci_cmds" || true)
	((n == 1)) || fail "$ci must run the $name command on exactly one 'step $name -- COMMAND' line, found $n"
	[[ $readme_cmds == "$ci_cmds" ]] || fail "README $name command '$readme_cmds' differs from .ci/run's '$ci_cmds'"
	printf '%s' "$readme_cmds"
}

test_cmds="$(check_same test)"
demo_cmds="$(check_same demo)"

# Every make target the README's two commands name must exist.
for name in test-command demo-command; do
	cmds="$(block "$name")" || fail "$readme has no <!-- $name:begin --> block"
	[[ -n $cmds ]] || fail "the README's $name block is empty"
	while read -r word target _; do
		[[ $word == make ]] || continue
		grep -qE "^${target}:" "$makefile" || fail "README runs 'make $target' but $makefile has no '$target' target"
	done <<<"$cmds"
done

echo "check-readme-ci: ok: README and .ci/run both run '$demo_cmds' and '$test_cmds'"
