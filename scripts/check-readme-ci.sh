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
# against the GNUmakefile: every `make TARGET` named must be a real target.
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

test_cmds="$(block test-command)" || fail "$readme has no <!-- test-command:begin --> ... <!-- test-command:end --> block"
n=$(grep -c . <<<"$test_cmds" || true)
((n == 1)) || fail "the README's test-command block must hold exactly one command, found $n: ${test_cmds//$'\n'/; }"

ci_cmds="$(sed -nE 's/^[[:space:]]*step[[:space:]]+test[[:space:]]+--[[:space:]]+(.*[^[:space:]])[[:space:]]*$/\1/p' "$ci")"
n=$(grep -c . <<<"$ci_cmds" || true)
((n == 1)) || fail "$ci must run the test command on exactly one 'step test -- COMMAND' line, found $n"

if [[ $test_cmds != "$ci_cmds" ]]; then
	fail "README test command '$test_cmds' differs from .ci/run's '$ci_cmds'"
fi

# Every make target the README's two commands name must exist.
for name in test-command demo-command; do
	cmds="$(block "$name")" || fail "$readme has no <!-- $name:begin --> block"
	[[ -n $cmds ]] || fail "the README's $name block is empty"
	while read -r word target _; do
		[[ $word == make ]] || continue
		grep -qE "^${target}:" "$makefile" || fail "README runs 'make $target' but $makefile has no '$target' target"
	done <<<"$cmds"
done

echo "check-readme-ci: ok: README and .ci/run both run '$test_cmds'"
