#!/bin/sh
# make demo: a tour of the suite — a streamed reply, a continued
# conversation, an image attached, the history and the cost. With
# OPENAI_API_KEY set it asks OpenAI; without one it starts the bundled
# simulator on loopback, so it works offline. The demo keeps its own history
# in a temporary folder and leaves yours alone.
cd "$(dirname "$0")/.." || exit 70
PATH="$PWD/bin:$PATH"
say() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }
[ -t 1 ] && [ -z "${NO_COLOR:-}" ] || say() { printf '\n$ %s\n' "$*"; }

tmp=$(mktemp -d) || exit 70
sim=
trap '[ -n "$sim" ] && kill "$sim" 2>/dev/null; rm -rf "$tmp"' EXIT INT TERM
export CHAT_DB="$tmp/history.db"
if [ -z "${OPENAI_API_KEY:-}" ]; then
	cat > "$tmp/reply" <<'TXT'
A pipe connects the output of one program to the input of the next, so small
tools that each do one job combine into something larger. The shell starts
every program in the pipeline at once; data flows as soon as it is written.
TXT
	tests/bin/fakeprov --port-file "$tmp/port" --idle 30 --usage \
		--text-file "$tmp/reply" --delay-first 150 --delay-chunk 25 \
		--then --text "SIGPIPE: the reader went away, so a writer stops instead of writing into the void." \
		--then --text "A small test picture, wider than it is tall, in smooth gradients of colour." &
	sim=$!
	i=0
	while [ ! -s "$tmp/port" ] && [ $i -lt 300 ]; do sleep 0.01; i=$((i + 1)); done
	export OPENAI_BASE_URL="http://127.0.0.1:$(cat "$tmp/port")/v1" OPENAI_API_KEY=sk-demo
	echo "No OPENAI_API_KEY set: talking to the bundled simulator at $OPENAI_BASE_URL"
fi

say chat-stream "'What is a Unix pipe? One paragraph.'"
chat-stream 'What is a Unix pipe? One paragraph.' || exit

say chat-send -c "'And which signal does a closed pipe send?'"
chat-send -c 'And which signal does a closed pipe send?' || exit

tests/bin/mkimage png 320 200 opaque "$tmp/picture.png" 2>/dev/null || exit 70
say chat-send -a picture.png "'Describe this picture in one sentence.'"
chat-send -a "$tmp/picture.png" 'Describe this picture in one sentence.' || exit

say chat-history list
chat-history list
first=$(chat-history names | tail -1)
say chat-history show "$first"
chat-history show "$first"

say chat-cost --history --by model
chat-cost --history --by model
