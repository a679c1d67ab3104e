#!/bin/sh
# Runs every test: the C unit tests, then the CLI tests against the fake
# provider. Each speaks TAP; the last line is "N passed, N failed".
# TEST_WRAP="valgrind -q --error-exitcode=99" runs the programs under a tool.
cd "$(dirname "$0")/.." || exit 70
pass=0 fail=0
tmp=$(mktemp -d "${TMPDIR:-/tmp}/chat-tests.XXXXXX") || exit 70
trap 'rm -rf "$tmp"' EXIT INT TERM

count() { # name, TAP file, exit status
	p=$(grep -c '^ok' "$2")
	f=$(grep -c '^not ok' "$2")
	if [ "$3" -gt 128 ] || { [ "$3" -ne 0 ] && [ "$f" -eq 0 ]; }; then
		echo "not ok - $1 exited with status $3"
		f=$((f + 1))
	fi
	grep -A6 '^not ok' "$2" | sed "s|^|$1: |"
	pass=$((pass + p))
	fail=$((fail + f))
	printf '%-36s %4d passed, %d failed\n' "$1" "$p" "$f"
}

for t in tests/unit/test_*; do
	case $t in *.c|*.o|*.d) continue ;; esac
	[ -x "$t" ] || continue
	$TEST_WRAP "$t" > "$tmp/out" 2>&1
	count "$(basename "$t")" "$tmp/out" $?
done
for t in tests/cli/t*.sh; do
	[ -f "$t" ] || continue
	sh "$t" > "$tmp/out" 2>&1
	count "$(basename "$t" .sh)" "$tmp/out" $?
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
