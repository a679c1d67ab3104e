#!/bin/sh
# session.sh: from a key to the reply's first rendered word, on a terminal,
# against an instant local server (tests/bin/fakeprov), so the figures are
# the suite's own overhead. Printed, never asserted.
#   1. chat's session: Enter pressed at its prompt -> the reply's first word
#      rendered on the screen (history on, as a user runs it), median of
#      BENCH_TURNS (default 30) turns in one session.
#   2. beside it in the same run: chat-stream --render and --raw started
#      afresh on a terminal -> the same word on the screen, and curl -N on
#      the same server (the floor for a process that only fetches).
# Run by scripts/bench.sh, or alone after make and make tests/bin/fakeprov.
set -u
cd "$(dirname "$0")/../.." || exit 1
TURNS=${BENCH_TURNS:-30}
die() { echo "bench session: $*" >&2; exit 1; }
for f in bin/chat bin/chat-stream tests/bin/fakeprov; do
	[ -x "$f" ] || die "$f is not built (run: make && make tests/bin/fakeprov)"
done
T=$(mktemp -d "${TMPDIR:-/tmp}/chat-bench-session.XXXXXX") || exit 1
SRV=
trap '[ -n "$SRV" ] && kill "$SRV" 2>/dev/null; rm -rf "$T"' EXIT
trap 'exit 130' HUP INT TERM
cc -O2 -o "$T/keypress" scripts/bench/keypress.c -lutil || die "cannot build scripts/bench/keypress.c"
tests/bin/fakeprov --port-file "$T/port" --idle 120 --text 'Benchmarkword and then the rest of a short reply.
A second line.
' --chunks 4 2>/dev/null &
SRV=$!
i=0
while [ ! -s "$T/port" ] && [ $i -lt 500 ]; do sleep 0.01; i=$((i + 1)); done
[ -s "$T/port" ] || die "the fake provider did not start"
export OPENAI_BASE_URL="http://127.0.0.1:$(cat "$T/port")/v1" OPENAI_API_KEY=sk-bench \
	HOME="$T/home" XDG_CONFIG_HOME="$T/home/.config" XDG_DATA_HOME="$T/home/.local/share" \
	XDG_STATE_HOME="$T/home/.local/state" NO_COLOR=1 TERM=xterm-256color
unset CHAT_CONFIG CHAT_DB CHAT_MODEL 2>/dev/null
mkdir -p "$T/home"
PATH="$PWD/bin:$PATH"

row() { # label, then keypress arguments
	label=$1; shift
	out=$("$T/keypress" "$@" 2>&1) || { printf '  %-44s failed: %s\n' "$label" "$out"; return; }
	eval "$out"
	printf '  %-44s %7.2f ms median, %7.2f p90 (%s runs)\n' "$label" "$med" "$p90" "$runs"
}
echo "key -> first rendered word on a terminal, instant local server:"
row "chat session, Enter -> word (history on)" session -n "$TURNS" Benchmarkword -- chat
row "chat session, --no-log" session -n "$TURNS" Benchmarkword -- chat --no-log
row "chat-stream --render, start -> word" spawn -n "$TURNS" Benchmarkword -- chat-stream --render hi
row "chat-stream --raw, start -> word" spawn -n "$TURNS" Benchmarkword -- chat-stream --raw hi
if command -v curl >/dev/null 2>&1; then
	row "curl -N, start -> word (the floor)" spawn -n "$TURNS" Benchmarkword -- curl -sN \
		"$OPENAI_BASE_URL/chat/completions" -H 'content-type: application/json' \
		-H 'authorization: Bearer sk-bench' \
		-d '{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}],"stream":true}'
fi
