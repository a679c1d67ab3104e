# Helpers for the CLI tests (sourced). Each test file gets its own temporary
# HOME, no keys from the caller's environment, and a fake provider on loopback.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
T=$(mktemp -d "${TMPDIR:-/tmp}/chat-cli.XXXXXX")
export HOME="$T/home" XDG_CONFIG_HOME="$T/home/.config" XDG_DATA_HOME="$T/home/.local/share"
mkdir -p "$HOME"
unset OPENAI_API_KEY ANTHROPIC_API_KEY GEMINI_API_KEY GOOGLE_API_KEY OPENAI_BASE_URL OLLAMA_BASE_URL \
	ANTHROPIC_BASE_URL GEMINI_BASE_URL GOOGLE_GEMINI_BASE_URL CHAT_CONFIG CHAT_MODEL CHAT_DB NO_COLOR
export CHAT_NOW=1764000000 LC_ALL=C
# a suite run against another history (t37 runs some against PostgreSQL)
[ -n "${TEST_CHAT_DB:-}" ] && export CHAT_DB="$TEST_CHAT_DB"
# no local Ollama server unless a test starts one
export OLLAMA_HOST=127.0.0.1:9
PATH="$ROOT/bin:$PATH"
WRAP=${TEST_WRAP:-}
n=0 failed=0 fake_pid=
trap 'fake_stop; rm -rf "$T"' EXIT

ok() { # condition-status name
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=$((failed + 1)); fi
}
check() { # name, then a command that must succeed
	name=$1; shift
	if "$@"; then ok 0 "$name"; else ok 1 "$name"; fi
}
is() { # got want name
	if [ "$1" = "$2" ]; then ok 0 "$3"; else
		ok 1 "$3"
		printf '#   got:  %s\n#   want: %s\n' "$(printf %s "$1" | head -c 600)" "$(printf %s "$2" | head -c 600)"
	fi
}
has() { # file pattern name: grep -q
	if grep -q -- "$2" "$1"; then ok 0 "$3"; else ok 1 "$3"; sed 's/^/#   /' "$1" | head -5; fi
}
hasnt() {
	if grep -q -- "$2" "$1"; then ok 1 "$3"; sed 's/^/#   /' "$1" | head -5; else ok 0 "$3"; fi
}

# run PROG ARGS... : stdout in $T/out, stderr in $T/err, status in $st.
# Stdin is $T/in when IN is set to 1, else /dev/null.
run() {
	if [ "${IN:-0}" = 1 ]; then
		$WRAP "$@" < "$T/in" > "$T/out" 2> "$T/err"
	else
		$WRAP "$@" < /dev/null > "$T/out" 2> "$T/err"
	fi
	st=$?
}

# fake_start [REPLY OPTIONS...]: a fresh fake provider for the next requests.
fake_start() {
	fake_stop
	rm -rf "$T/port" "$T/log" "$T/uploads"
	mkdir -p "$T/uploads"   # the fake's Gemini Files API keeps sessions and bytes here
	"$ROOT/tests/bin/fakeprov" --port-file "$T/port" --log "$T/log" --idle 60 --upload-dir "$T/uploads" "$@" &
	fake_pid=$!
	_w=0
	while [ ! -s "$T/port" ] && [ $_w -lt 500 ]; do sleep 0.01; _w=$((_w + 1)); done
	PORT=$(cat "$T/port")
	export OPENAI_BASE_URL="http://127.0.0.1:$PORT/v1" OPENAI_API_KEY=sk-test-key-123 \
		ANTHROPIC_BASE_URL="http://127.0.0.1:$PORT/v1" ANTHROPIC_API_KEY=sk-ant-test-456 \
		GEMINI_BASE_URL="http://127.0.0.1:$PORT/v1beta" GEMINI_API_KEY=gm-test-789
}
fake_stop() {
	if [ -n "$fake_pid" ]; then kill "$fake_pid" 2>/dev/null; wait "$fake_pid" 2>/dev/null; fake_pid=; fi
}
# The body of the Nth request the fake provider received (1-based), as JSON.
request() { sed -n "${1}p" "$T/log"; }
last_request() { tail -n 1 "$T/log"; }

done_testing() {
	echo "1..$n"
	[ "$failed" -eq 0 ]
}
