#!/bin/sh
# Runs every test: the C unit tests, then the CLI tests against the fake
# provider. Each speaks TAP; the last line is "N passed, N failed".
# TEST_WRAP="valgrind -q --error-exitcode=99" runs the programs under a tool.
#
# The tests are independent (each CLI suite has its own temporary HOME and
# history, and its own fake provider on a port the kernel picks), so up to
# CHECK_JOBS of them run at once: by default twice the CPUs and at least 4,
# as the suites mostly wait on the fake provider, or just the CPUs under
# TEST_WRAP, where the programs mostly compute. CHECK_JOBS=1 runs them one
# after another. Each test's output goes to a file of its own and is reported
# in the order above, whichever finishes first.
#
# The tests run as background jobs, so SIGINT and SIGQUIT are ignored in
# them, as they already are in the programs a suite starts with &: every
# program sets its own handlers.
cd "$(dirname "$0")/.." || exit 70

# Tests that run alone, before the others start:
#   t95-install runs `make install`, which depends on `all`: in a tree that
#   changed since it was built it would relink bin/* and lib/libchat.a under
#   the suites running those programs. Run first, it leaves them all the
#   same programs to test.
alone="t95-install"

if [ -n "${CHECK_JOBS:-}" ]; then
	jobs=$CHECK_JOBS
else
	cpus=$(getconf _NPROCESSORS_ONLN 2>/dev/null || nproc 2>/dev/null)
	case $cpus in '' | *[!0-9]*) cpus=2 ;; esac
	if [ -n "${TEST_WRAP:-}" ]; then
		jobs=$cpus
	else
		jobs=$((cpus * 2))
		[ "$jobs" -ge 4 ] || jobs=4
	fi
fi
case $jobs in '' | *[!0-9]*) jobs=0 ;; esac
if [ "$jobs" -lt 1 ]; then
	echo "tests/run.sh: CHECK_JOBS must be a whole number of at least 1, not '$CHECK_JOBS'" >&2
	exit 64
fi

pass=0 fail=0 total=0
tmp=$(mktemp -d "${TMPDIR:-/tmp}/chat-tests.XXXXXX") || exit 70
cleanup() {
	# a job still running (no status yet) passes the TERM on to its test
	i=1
	while [ $i -le $total ]; do
		[ -f "$tmp/$i.status" ] || eval "[ -z \"\${pid_$i:-}\" ] || kill \$pid_$i 2>/dev/null"
		i=$((i + 1))
	done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

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

# The tests in the order they are reported: $tmp/N.name, and $tmp/N.run, the
# program itself (a unit test) or the script to run with sh (a CLI suite).
add() { # name program
	total=$((total + 1))
	printf '%s\n' "$1" > "$tmp/$total.name"
	printf '%s\n' "$2" > "$tmp/$total.run"
}
for t in tests/unit/test_*; do
	case $t in *.c|*.o|*.d) continue ;; esac
	[ -x "$t" ] || continue
	add "$(basename "$t")" "$t"
done
for t in tests/cli/t*.sh; do
	[ -f "$t" ] || continue
	add "$(basename "$t" .sh)" "$t"
done
[ "$jobs" -le "$total" ] || jobs=$total

# launch N: runs test N in the background; $tmp/N.status appears when it has
# finished, and then a token goes back to the pool on fd 3 (when open). The
# test is a job of the job's own, so that a TERM to the job (from cleanup)
# reaches it.
launch() {
	(
		trap 'kill $c 2>/dev/null; exit 143' TERM
		t=$(cat "$tmp/$1.run")
		case $t in
		*.sh) sh "$t" > "$tmp/$1.out" 2>&1 3>&- & ;;
		*) $TEST_WRAP "$t" > "$tmp/$1.out" 2>&1 3>&- & ;;
		esac
		c=$!
		wait $c 2>/dev/null
		echo $? > "$tmp/$1.st" && mv "$tmp/$1.st" "$tmp/$1.status"
		{ echo >&3; } 2>/dev/null
	) &
	eval "pid_$1=$!"
}

# report [wait]: every test not yet reported whose predecessors all are, as
# far as they have finished (or waiting for each to finish).
next=1
report() {
	while [ "$next" -le "$total" ]; do
		if [ ! -f "$tmp/$next.status" ]; then
			[ "${1:-}" = wait ] || return 0
			eval "wait \$pid_$next"
		fi
		st=$(cat "$tmp/$next.status" 2>/dev/null)
		count "$(cat "$tmp/$next.name")" "$tmp/$next.out" "${st:-70}"
		next=$((next + 1))
	done
}

i=1
while [ $i -le "$total" ]; do
	case " $alone " in *" $(cat "$tmp/$i.name") "*)
		launch $i 3>&-
		wait ;;
	esac
	i=$((i + 1))
done

# A pool of $jobs tokens in a pipe: a test starts when it gets one and puts
# it back when it has finished.
mkfifo "$tmp/pool" && exec 3<> "$tmp/pool" || exit 70
i=0
while [ $i -lt "$jobs" ]; do echo; i=$((i + 1)); done >&3
i=1
while [ $i -le "$total" ]; do
	if [ ! -f "$tmp/$i.status" ]; then
		read -r _ <&3
		launch $i
		report
	fi
	i=$((i + 1))
done
report wait
exec 3>&-
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
