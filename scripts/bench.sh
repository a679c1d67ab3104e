#!/bin/sh
# bench.sh: chat-stream beside its peers, all against the same local fake
# provider (tests/fakeprov) in the same run.  Figures are printed, never
# asserted.  Run by `make bench`, which builds bin/ and tests/fakeprov first.
#   1. first-token overhead: process start to first reply byte on stdout
#   2. streaming throughput: chunks/s and peak RSS over a long stream
# Peers (the official `openai` npm package, curl, curl|sed|jq) are optional:
# the SDK is installed once into ${CHAT_BENCH_DIR:-$HOME/.cache/chat-bench};
# a missing peer is reported and skipped.  Knobs: BENCH_RUNS (first-token
# runs, default 30), BENCH_CHUNKS (default 1000000), BENCH_TPUT_RUNS (3).
set -u
cd "$(dirname "$0")/.." || exit 1
RUNS=${BENCH_RUNS:-30} CHUNKS=${BENCH_CHUNKS:-1000000} TRUNS=${BENCH_TPUT_RUNS:-3}
SDK_DIR=${CHAT_BENCH_DIR:-${HOME:-/tmp}/.cache/chat-bench}
TEXT='Hello there, from the bench.'
BODY='{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}],"stream":true,"stream_options":{"include_usage":true}}'
JQF='select(.choices? and (.choices|length)>0) | .choices[0].delta.content // empty'
# Extract the deltas the way a shell user would: drop "data: ", skip [DONE].
# shellcheck disable=SC2016 # expanded by the sh -c that runs it
PIPE='curl -sN "$1" -H "content-type: application/json" -H "authorization: Bearer sk-bench" -d "$2" |
 sed -n "s/^data: {/{/p" | jq -rj --unbuffered "$3"'

T=$(mktemp -d "${TMPDIR:-/tmp}/chat-bench.XXXXXX") || exit 1
SRV=
stop_server() {
	[ -n "$SRV" ] && { kill "$SRV" 2>/dev/null; wait "$SRV" 2>/dev/null; }
	SRV=
}
trap 'stop_server; rm -rf "$T"' EXIT
trap 'exit 130' HUP INT TERM
die() { echo "bench: $*" >&2; exit 1; }

for f in bin/chat-stream tests/fakeprov; do
	[ -x "$f" ] || die "$f is not built (run: make && make tests/fakeprov)"
done
command -v cc >/dev/null || die "no C compiler (cc) for the timing harness"
cc -O2 -o "$T/firstbyte" scripts/bench/firstbyte.c || die "cannot build scripts/bench/firstbyte.c"

# Our program must not read the user's config or write to their history.
export XDG_CONFIG_HOME="$T/config" XDG_DATA_HOME="$T/data" OPENAI_API_KEY=sk-bench
unset CHAT_CONFIG CHAT_DB OPENAI_ORG_ID OPENAI_PROJECT_ID 2>/dev/null

start_server() {    # fakeprov reply options
	rm -f "$T/port"
	tests/fakeprov --port-file "$T/port" --idle 60 "$@" 2>>"$T/fakeprov.log" &
	SRV=$!
	i=0
	while [ ! -s "$T/port" ]; do
		i=$((i + 1))
		if [ $i -gt 200 ] || ! kill -0 "$SRV" 2>/dev/null; then
			die "fakeprov did not start: $(cat "$T/fakeprov.log")"
		fi
		sleep 0.05
	done
	OPENAI_BASE_URL="http://127.0.0.1:$(cat "$T/port")/v1"
	export OPENAI_BASE_URL
	URL=$OPENAI_BASE_URL/chat/completions
}

# --- peers ------------------------------------------------------------------
HAVE_SDK='' HAVE_CURL='' HAVE_JQ='' SDK_VER=''
if ! command -v node >/dev/null; then
	echo "peer: openai SDK unavailable (node not found)"
elif [ ! -f "$SDK_DIR/node_modules/openai/package.json" ] && ! command -v npm >/dev/null; then
	echo "peer: openai SDK unavailable (npm not found)"
elif [ ! -f "$SDK_DIR/node_modules/openai/package.json" ] && ! { mkdir -p "$SDK_DIR" &&
	npm install --prefix "$SDK_DIR" --no-audit --no-fund --loglevel=error openai >"$T/npm.log" 2>&1; }; then
	echo "peer: openai SDK unavailable (npm install failed: $(grep -m1 -i err "$T/npm.log" || tail -n1 "$T/npm.log"))"
else
	# The bare `import 'openai'` resolves from the script's own folder.
	cp scripts/bench/sdk-openai.mjs "$SDK_DIR/sdk-openai.mjs" && HAVE_SDK=1
	SDK_VER=$(node -p "require(process.argv[1]).version" "$SDK_DIR/node_modules/openai/package.json" 2>/dev/null)
fi
if command -v curl >/dev/null; then HAVE_CURL=1; else echo "peer: curl unavailable (not found)"; fi
if ! command -v jq >/dev/null; then echo "peer: jq unavailable (not found)"
elif [ -n "$HAVE_CURL" ]; then HAVE_JQ=1; fi
SDK=$SDK_DIR/sdk-openai.mjs

echo "machine: $(uname -sm), $(nproc) CPUs, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -n1)"
v() { if command -v "$1" >/dev/null; then "$@" 2>&1 | head -n1; else echo n/a; fi; }
echo "versions: $(v bin/chat-stream --version); node $(v node --version); openai ${SDK_VER:-n/a};" \
	"curl $(v curl --version | cut -d' ' -f2); jq $(v jq --version | sed 's/^jq-//'); $(v cc --version)"

# --- helpers ----------------------------------------------------------------
# measure NAME HARNESS-OPTIONS -- COMMAND...: sets the harness's key=value
# figures (runs fails first_med first_p90 total_med total_max rss_kb ...)
measure() {
	name=$1; shift
	runs=0 fails=1 first_med=-1 first_p90=-1 total_med=0 total_max=0 rss_kb=0
	"$T/firstbyte" "$@" >"$T/m" 2>"$T/$name.err" && eval "$(cat "$T/m")"
	[ "$fails" = 0 ] && return 0
	echo "  $name: $fails of $runs runs failed: $(tail -n2 "$T/$name.err" | tr '\n' ' ')" >&2
	return 1
}
# smoke NAME COMMAND...: the command must print exactly $TEXT
smoke() {
	name=$1; shift
	out=$("$@" </dev/null 2>"$T/$name.err") && [ "$out" = "$TEXT" ] && return 0
	echo "  $name: skipped, wrong output '$out' $(tail -n2 "$T/$name.err" | tr '\n' ' ')" >&2
	return 1
}
mb() { awk -v k="$1" 'BEGIN { printf "%.1f MB", k / 1024 }'; }
rate() {    # chunks, ms -> "1,234,567" chunks/s
	awk -v n="$1" -v ms="$2" 'BEGIN { s = sprintf("%.0f", n * 1000 / ms); r = "";
		while (length(s) > 3) { r = "," substr(s, length(s) - 2) r; s = substr(s, 1, length(s) - 3) }
		print s r }'
}
secs() { awk -v ms="$1" 'BEGIN { printf "%.2f", ms / 1000 }'; }
row() { printf '  %-22s %s\n' "$1" "$2"; }

# --- 1. first-token overhead ------------------------------------------------
echo
echo "first-token overhead: process start to first reply byte, instant server (median / p90 ms, $RUNS runs)"
start_server --text "$TEXT"
ft() {    # NAME COMMAND...
	name=$1
	if smoke "$@" && shift && measure "$name" -n "$RUNS" -w 3 -- "$@"; then
		row "$name" "$(printf '%7.2f / %7.2f   exit after %.2f ms, peak RSS %s' \
			"$first_med" "$first_p90" "$total_med" "$(mb "$rss_kb")")"
		return 0
	fi
	row "$name" "n/a"; return 1
}
ft chat-stream bin/chat-stream hi && OURS_FT=$first_med
ft 'chat-stream --no-log' bin/chat-stream --no-log hi    # without the history write
if [ -n "$HAVE_SDK" ]; then ft openai-node node "$SDK" hi && SDK_FT=$first_med; else row openai-node n/a; fi
[ -n "$HAVE_CURL" ] &&    # baseline: first byte of the raw SSE body
	measure curl -n "$RUNS" -w 3 -- curl -sN "$URL" -H 'content-type: application/json' -d "$BODY" &&
	row 'curl (raw SSE)' "$(printf '%7.2f / %7.2f   exit after %.2f ms, peak RSS %s' \
		"$first_med" "$first_p90" "$total_med" "$(mb "$rss_kb")")"
if [ -n "$HAVE_JQ" ]; then ft 'curl|sed|jq' sh -c "$PIPE" sh "$URL" "$BODY" "$JQF"; else row 'curl|sed|jq' n/a; fi
stop_server

# --- 2. throughput ----------------------------------------------------------
echo
echo "throughput: $(rate "$CHUNKS" 1000) chunks of 1 byte, stdout to /dev/null (median of $TRUNS runs; peak RSS)"
start_server --repeat "$CHUNKS" --text x
tp() {    # NAME COMMAND...
	name=$1; shift
	if measure "$name" -d -n "$TRUNS" -w 0 -- "$@"; then
		row "$name" "$(printf '%12s chunks/s  %8s   (%s s, slowest %s s)' "$(rate "$CHUNKS" "$total_med")" \
			"$(mb "$rss_kb")" "$(secs "$total_med")" "$(secs "$total_max")")"
		return 0
	fi
	row "$name" "n/a"; return 1
}
tp chat-stream bin/chat-stream hi && OURS_TP=$(rate "$CHUNKS" "$total_med") OURS_MS=$total_med OURS_RSS=$rss_kb
tp 'chat-stream --json' bin/chat-stream --json hi
if [ -n "$HAVE_SDK" ]; then tp openai-node node "$SDK" hi && SDK_TP=$(rate "$CHUNKS" "$total_med") SDK_MS=$total_med
else row openai-node n/a; fi
if [ -n "$HAVE_JQ" ]; then tp 'curl|sed|jq' sh -c "$PIPE" sh "$URL" "$BODY" "$JQF"; else row 'curl|sed|jq' n/a; fi
[ -n "$HAVE_CURL" ] && tp 'curl (raw SSE)' curl -sN "$URL" -H 'content-type: application/json' -d "$BODY"
stop_server

# --- summary against the targets (information only) -------------------------
echo
echo "targets (not asserted):"
[ -n "${OURS_FT:-}" ] && row "first token <= 5 ms" "chat-stream median $OURS_FT ms${SDK_FT:+ (openai-node $SDK_FT ms)}"
[ -n "${OURS_TP:-}" ] && [ -n "${SDK_TP:-}" ] &&
	row "throughput >= 3x SDK" \
	    "$(awk -v a="$SDK_MS" -v b="$OURS_MS" 'BEGIN { printf "%.2fx", a / b }'): chat-stream $OURS_TP vs openai-node $SDK_TP chunks/s"
[ -n "${OURS_RSS:-}" ] && row "peak RSS < 10 MB" "chat-stream $(mb "$OURS_RSS")"

# the history at a million messages (skip with BENCH_HISTORY=0)
if [ "${BENCH_HISTORY:-1}" != 0 ]; then
	echo
	sh scripts/bench/history.sh
fi
exit 0
