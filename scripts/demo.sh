#!/bin/sh
# make demo: stream a reply. With OPENAI_API_KEY set it asks OpenAI; without
# one it starts the bundled simulator on loopback and streams from that.
cd "$(dirname "$0")/.." || exit 70
PATH="$PWD/bin:$PATH"
say() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }
[ -t 1 ] && [ -z "${NO_COLOR:-}" ] || say() { printf '\n$ %s\n' "$*"; }

if [ -z "${OPENAI_API_KEY:-}" ]; then
	tmp=$(mktemp -d) || exit 70
	trap 'kill "$sim" 2>/dev/null; rm -rf "$tmp"' EXIT INT TERM
	cat > "$tmp/reply" <<'TXT'
A pipe connects the output of one program to the input of the next, so small
tools that each do one job combine into something larger. The shell starts
every program in the pipeline at once; data flows as soon as it is written.
TXT
	tests/fakeprov --port-file "$tmp/port" --idle 30 --text-file "$tmp/reply" --delay-first 150 \
		--delay-chunk 25 --then --text "Three: SIGINT, SIGTERM and SIGPIPE." &
	sim=$!
	i=0
	while [ ! -s "$tmp/port" ] && [ $i -lt 300 ]; do sleep 0.01; i=$((i + 1)); done
	export OPENAI_BASE_URL="http://127.0.0.1:$(cat "$tmp/port")/v1" OPENAI_API_KEY=sk-demo
	echo "No OPENAI_API_KEY set: streaming from the bundled simulator at $OPENAI_BASE_URL"
fi
say chat-stream "'What is a Unix pipe? One paragraph.'"
chat-stream 'What is a Unix pipe? One paragraph.' || exit
say chat-send --json "'Name three Unix signals.'" "| jq -r .text"
if command -v jq >/dev/null 2>&1; then
	chat-send --json 'Name three Unix signals.' | jq -r .text
else
	chat-send 'Name three Unix signals.'
fi
