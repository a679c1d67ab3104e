#!/bin/sh
# streammem.sh: what the history costs in memory on a long streamed reply.
# chat-stream against the fake provider sending a BENCH_MEM_MB (default
# 1.2) MB prose reply in BENCH_MEM_CHUNKS (default 200,000) events, stdout
# to /dev/null: peak RSS with the history on (a fresh history each run,
# the reply indexed for search) beside the same run with --no-log, and the
# difference against its target (history on at most 4 MB above --no-log).
# Peak RSS is the largest of BENCH_MEM_RUNS runs (default 3).  Figures are
# printed, never asserted.  Run by scripts/bench.sh, or alone after make
# and make tests/bin/fakeprov.
set -u
cd "$(dirname "$0")/../.." || exit 1
CHUNKS=${BENCH_MEM_CHUNKS:-200000} RUNS=${BENCH_MEM_RUNS:-3} MB=${BENCH_MEM_MB:-1.2}
die() { echo "bench streammem: $*" >&2; exit 1; }
# shellcheck source=scripts/bench/peer.sh
. scripts/bench/peer.sh
for v in "$CHUNKS" "$RUNS"; do
	case $v in *[!0-9]* | '' | 0) die "BENCH_MEM_CHUNKS and BENCH_MEM_RUNS must be numbers above 0" ;; esac
done
case $MB in *[!0-9.]* | '' | .) die "BENCH_MEM_MB must be a number" ;; esac
for f in bin/chat-stream tests/bin/fakeprov; do
	[ -x "$f" ] || die "$f is not built (run: make && make tests/bin/fakeprov)"
done
command -v cc >/dev/null || die "no C compiler (cc) for the harness"
T=$(mktemp -d "${TMPDIR:-/tmp}/chat-bench-mem.XXXXXX") || exit 1
SRV=
trap '[ -n "$SRV" ] && kill "$SRV" 2>/dev/null; rm -rf "$T"' EXIT
trap 'exit 130' HUP INT TERM
cc -O2 -o "$T/firstbyte" scripts/bench/firstbyte.c || die "cannot build scripts/bench/firstbyte.c"

# --- the reply: sentences of plain prose, numbered so the index has many
# distinct words, as a long answer has, repeated to size -----------------------
awk -v want="$MB" 'BEGIN {
	n = split("The history keeps every reply it prints, with the prompt that asked for it.|" \
		"A long answer arrives a few words at a time and is written once it ends.|" \
		"Search finds a word in any message, however old the conversation is.|" \
		"Memory should stay flat while the words stream past on the terminal.|" \
		"When the reader goes away, what arrived so far is kept and marked as cut off.|" \
		"Each section names its chapter, paragraph and line for the index to find.", s, "|")
	want *= 1000000
	for (b = 0; b < want; i++) {
		t = s[i % n + 1] " Chapter c" int(i / 40) " paragraph p" i % 977 " line l" i ".\n"
		if (i % 7 == 6) t = t "\n"
		printf "%s", t; b += length(t)
	} }' >"$T/reply.txt"
BYTES=$(wc -c <"$T/reply.txt")

fake_up --text-file "$T/reply.txt" --chunks "$CHUNKS"
export OPENAI_BASE_URL OPENAI_API_KEY=sk-bench XDG_CONFIG_HOME="$T/config" XDG_DATA_HOME="$T/data"
unset CHAT_CONFIG CHAT_DB CHAT_MODEL 2>/dev/null

mb() { awk -v k="$1" 'BEGIN { printf "%.1f MB", k / 1024 }'; }
row() { printf '  %-28s %s\n' "$1" "$2"; }
# peak NAME COMMAND...: RSS, the largest peak (KiB) of RUNS runs, each
# with a history of its own; empty on failure
peak() {
	name=$1; shift
	fails=1 rss_kb=''
	# shellcheck disable=SC2016 # expanded by the sh -c
	"$T/firstbyte" -d -n "$RUNS" -w 0 -- sh -c 'rm -f "$0" "$0-wal" "$0-shm" "$0.lock"; exec "$@"' \
		"$T/h.db" "$@" >"$T/m" 2>"$T/$name.err" && eval "$(cat "$T/m")"
	RSS=$rss_kb
	[ "$fails" = 0 ] && return 0
	echo "  $name: $(tail -n2 "$T/$name.err" | tr '\n' ' ')" >&2
	RSS=''
	return 1
}

echo "memory: chat-stream, a $(awk -v b="$BYTES" 'BEGIN { printf "%.2f", b / 1e6 }') MB prose reply" \
	"in $CHUNKS events, stdout to /dev/null (largest peak RSS of $RUNS runs)"
on='' off=''
peak on bin/chat-stream --db "$T/h.db" hi && on=$RSS
row 'history on' "${on:+$(mb "$on")}"
peak off bin/chat-stream --no-log hi && off=$RSS
row '--no-log' "${off:+$(mb "$off")}"
if [ -n "$on" ] && [ -n "$off" ]; then
	row 'history on - --no-log' "$(awk -v d=$((on - off)) 'BEGIN { printf "%+.1f MB (target <= +4.0 MB: %s)", d / 1024, d <= 4096 ? "met" : "missed" }')"
else
	row 'history on - --no-log' n/a
fi
