#!/bin/sh
# bench.sh: chat-stream beside its peers, all against the same local fake
# provider (tests/bin/fakeprov) in the same run.  Figures are printed, never
# asserted.  Run by `make bench`, which builds bin/ and tests/bin/fakeprov first.
#   1. first-token overhead: process start to first reply byte on stdout
#   2. streaming throughput: chunks/s and peak RSS over a long stream
# Both are measured for each provider's wire format (OpenAI, Anthropic,
# Gemini) beside that provider's official npm SDK (openai, @anthropic-ai/sdk,
# @google/genai); the OpenAI format also beside curl and curl|sed|jq.  A
# table by format ends the run, then the decode beside its floor: the
# same stream's body, captured once with curl, split into its events and
# given to libjq's jv_parse_sized alone (the floor: no program can decode
# with libjq faster), beside the same body fed through chat-stream's decode
# path without the network (scripts/bench/jqfloor.c), and the ratios.  Peers are optional: the SDKs are installed
# once into ${CHAT_BENCH_DIR:-$HOME/.cache/chat-bench} (never in CI); a
# missing peer is reported and skipped.  Knobs: BENCH_PROVIDERS (default
# "openai anthropic gemini"), BENCH_RUNS (first-token runs, default 30),
# BENCH_FT_ROUNDS and BENCH_FT_RUNS (15 and 20: the first-byte ratios to curl,
# the tools taking turns),
# BENCH_CHUNKS (default 1000000), BENCH_TPUT_RUNS (3), BENCH_INSTR (1: the
# decode's ratio to its floor also in instructions, under callgrind, over
# BENCH_INSTR_EVENTS events, default 2000), BENCH_HISTORY (1),
# BENCH_TOKENS (1: scripts/bench/tokens.sh, the tokenizer beside tiktoken),
# BENCH_BATCH (1: scripts/bench/batch.sh, chat-send --parallel beside the
# openai SDK over 400 prompt records; its own knobs are in its header),
# BENCH_STREAM_MEM (1: scripts/bench/streammem.sh, peak RSS on a 200,000-chunk
# prose reply with the history on beside --no-log, against the target of
# at most 4 MB more; its own knobs are in its header),
# BENCH_LIMITS (1: scripts/bench/limits.sh, 200 records under rpm = 120),
# BENCH_CROWD ("400 1000": scripts/bench/crowd.sh, processes at one instant),
# BENCH_IMAGES (1: scripts/bench/images.sh, a 12 MP HEIC and a 4000x3000
# WebP to a 2048-px JPEG beside vipsthumbnail; BENCH_IMAGE_RUNS, default 5),
# BENCH_JPEG (1: scripts/bench/jpeg.sh, a 24 MP JPEG, baseline and
# progressive, to a 2048-px JPEG beside vipsthumbnail and sharp, with peak
# memory and PSNR; BENCH_JPEG_RUNS, default 5),
# BENCH_RENDER (1: scripts/bench/render.sh, the Markdown renderer on a 10 MB
# reply beside cat and any Markdown tool installed, and chat-stream --render
# beside --raw), BENCH_SESSION (1: scripts/bench/session.sh, Enter in
# chat's session to the first rendered word, beside chat-stream and curl).
set -u
cd "$(dirname "$0")/.." || exit 1
RUNS=${BENCH_RUNS:-30} CHUNKS=${BENCH_CHUNKS:-1000000} TRUNS=${BENCH_TPUT_RUNS:-3}
PROVIDERS=${BENCH_PROVIDERS:-openai anthropic gemini}
SDK_DIR=${CHAT_BENCH_DIR:-${HOME:-/tmp}/.cache/chat-bench}
TEXT='Hello there, from the bench.'
BODY='{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}],"stream":true,"stream_options":{"include_usage":true}}'
JQF='select(.choices? and (.choices|length)>0) | .choices[0].delta.content // empty'
# Extract the deltas the way a shell user would: drop "data: ", skip [DONE].
# shellcheck disable=SC2016 # expanded by the sh -c that runs it
PIPE='curl -sN "$1" -H "content-type: application/json" -H "authorization: Bearer sk-bench" -d "$2" |
 sed -n "s/^data: {/{/p" | jq -rj --unbuffered "$3"'

# pinfo PROVIDER: its model, official SDK package, peer row name, streaming
# request path under the server's root, and a request body for curl.
pinfo() {
	case $1 in
	openai) MODEL=gpt-4o-mini PKG=openai PEER=openai-node
		RPATH=/v1/chat/completions RBODY=$BODY ;;
	anthropic) MODEL=claude-sonnet-4-5 PKG=@anthropic-ai/sdk PEER=anthropic-node RPATH=/v1/messages
		RBODY='{"model":"claude-sonnet-4-5","max_tokens":1024,"messages":[{"role":"user","content":"hi"}],"stream":true}' ;;
	gemini) MODEL=gemini-2.5-flash PKG=@google/genai PEER=genai-node
		RPATH='/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse'
		RBODY='{"contents":[{"role":"user","parts":[{"text":"hi"}]}]}' ;;
	*) return 1 ;;
	esac
}

T=$(mktemp -d "${TMPDIR:-/tmp}/chat-bench.XXXXXX") || exit 1
SRV=
stop_server() {
	[ -n "$SRV" ] && { kill "$SRV" 2>/dev/null; wait "$SRV" 2>/dev/null; }
	SRV=
}
trap 'stop_server; rm -rf "$T"' EXIT
trap 'exit 130' HUP INT TERM
die() { echo "bench: $*" >&2; exit 1; }

for p in $PROVIDERS; do pinfo "$p" || die "unknown provider '$p' in BENCH_PROVIDERS"; done
for f in bin/chat-stream tests/bin/fakeprov; do
	[ -x "$f" ] || die "$f is not built (run: make && make tests/bin/fakeprov)"
done
command -v cc >/dev/null || die "no C compiler (cc) for the timing harness"
cc -O2 -o "$T/firstbyte" scripts/bench/firstbyte.c || die "cannot build scripts/bench/firstbyte.c"
# the floor's driver is optional: without lib/libchat.a (or libjq's headers) its section says n/a
JQFLOOR=
[ -f lib/libchat.a ] && cc -O2 -D_GNU_SOURCE -Ilib -o "$T/jqfloor" scripts/bench/jqfloor.c lib/libchat.a \
	-ljq -lcurl -lsqlite3 -lm -pthread 2>"$T/jqfloor.cc" && JQFLOOR=$T/jqfloor

# Our program must not read the user's config or write to their history.
# the long streams' bodies pass the default 64 MiB cap on a reply: allow the most
MAX_REPLY_MB=256
export CHAT_MAX_REPLY_MB=$MAX_REPLY_MB
export XDG_CONFIG_HOME="$T/config" XDG_DATA_HOME="$T/data" OPENAI_API_KEY=sk-bench \
	ANTHROPIC_API_KEY=sk-ant-bench GEMINI_API_KEY=gm-bench
unset CHAT_CONFIG CHAT_DB CHAT_MODEL OPENAI_ORG_ID OPENAI_PROJECT_ID GOOGLE_API_KEY 2>/dev/null
# The shared rate limits stay on (each run still takes from them, as a
# user's does), but with a token budget no stream here can spend: the
# default (Anthropic's 450k a minute) made every run after a
# 1,000,000-chunk reply wait out the minute, which read as a slow run.
mkdir -p "$T/config/chat"
printf '[%s]\ntpm = 1000000000\n' openai anthropic gemini >"$T/config/chat/config"

start_server() {    # fakeprov reply options
	rm -f "$T/port"
	tests/bin/fakeprov --port-file "$T/port" --idle 60 "$@" 2>>"$T/fakeprov.log" &
	SRV=$!
	i=0
	while [ ! -s "$T/port" ]; do
		i=$((i + 1))
		if [ $i -gt 200 ] || ! kill -0 "$SRV" 2>/dev/null; then
			die "fakeprov did not start: $(cat "$T/fakeprov.log")"
		fi
		sleep 0.05
	done
	ROOT="http://127.0.0.1:$(cat "$T/port")"
	OPENAI_BASE_URL=$ROOT/v1 ANTHROPIC_BASE_URL=$ROOT/v1 GEMINI_BASE_URL=$ROOT/v1beta
	export OPENAI_BASE_URL ANTHROPIC_BASE_URL GEMINI_BASE_URL
	URL=$OPENAI_BASE_URL/chat/completions
}

# --- peers ------------------------------------------------------------------
. scripts/bench/peer.sh
# sdk_peer PROVIDER: install its official SDK once (never in CI) and copy its
# script beside node_modules, where the bare import resolves; on success sets
# SDK_<provider> (the script) and VER_<provider>.
sdk_peer() {
	pinfo "$1"
	npm_peer "$PKG" && ! cp "scripts/bench/sdk-$1.mjs" "$SDK_DIR/" 2>"$T/cp.log" && why=$(cat "$T/cp.log")
	if [ -n "$why" ]; then echo "peer: $PKG SDK unavailable ($why)"; return 1; fi
	eval "SDK_$1=\$SDK_DIR/sdk-$1.mjs"
	eval "VER_$1=\$(npm_version \"\$PKG\")"
}
for p in $PROVIDERS; do sdk_peer "$p"; done
HAVE_CURL='' HAVE_JQ=''
if command -v curl >/dev/null; then HAVE_CURL=1; else echo "peer: curl unavailable (not found)"; fi
if ! command -v jq >/dev/null; then echo "peer: jq unavailable (not found)"
elif [ -n "$HAVE_CURL" ]; then HAVE_JQ=1; fi
get() { eval "printf %s \"\${$1:-}\""; }    # get VAR: the value of a computed name

echo "machine: $(uname -sm), $(nproc) CPUs, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -n1)"
v() { if command -v "$1" >/dev/null; then "$@" 2>&1 | head -n1; else echo n/a; fi; }
vers=
for p in $PROVIDERS; do pinfo "$p"; vers="$vers $PKG $(get "VER_$p" | grep . || echo n/a);"; done
echo "versions: $(v bin/chat-stream --version); node $(v node --version);$vers" \
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
# keep KEY: the last measure's figures as KEY_ft (first-token median, ms),
# KEY_ms (total median, ms) and KEY_rss (KiB), for the table by format
# (KEY ALL: the run had fewer chunks than ALL; its time is scaled to ALL)
keep() {
	ms=$total_med
	[ -n "${2:-}" ] && [ "$2" != "$CHUNKS" ] && ms=$(awk -v t="$ms" -v a="$2" -v n="$CHUNKS" 'BEGIN { print t * a / n }')
	eval "${1}_ft=$first_med ${1}_ms=$ms ${1}_rss=$rss_kb"
}
mb() { awk -v k="$1" 'BEGIN { printf "%.1f MB", k / 1024 }'; }
rate() {    # chunks, ms -> "1,234,567" chunks/s
	awk -v n="$1" -v ms="$2" 'BEGIN { s = sprintf("%.0f", n * 1000 / ms); r = "";
		while (length(s) > 3) { r = "," substr(s, length(s) - 2) r; s = substr(s, 1, length(s) - 3) }
		print s r }'
}
secs() { awk -v ms="$1" 'BEGIN { printf "%.2f", ms / 1000 }'; }
row() { printf '  %-22s %s\n' "$1" "$2"; }
ft_head() { echo "first-token overhead: process start to first reply byte, instant server (median / p90 ms, $RUNS runs)"; }
tp_head() { echo "throughput: $(rate "$CHUNKS" 1000) chunks of 1 byte$1, stdout to /dev/null (median of $TRUNS runs; peak RSS)"; }
ft() {    # NAME COMMAND...
	name=$1
	if smoke "$@" && shift && measure "$name" -n "$RUNS" -w 3 -- "$@"; then
		row "$name" "$(printf '%7.2f / %7.2f   exit after %.2f ms, peak RSS %s' \
			"$first_med" "$first_p90" "$total_med" "$(mb "$rss_kb")")"
		return 0
	fi
	row "$name" "n/a"; return 1
}
tp() {    # NAME COMMAND...
	name=$1; shift
	if measure "$name" -d -n "$TRUNS" -w 0 -- "$@"; then
		row "$name" "$(printf '%12s chunks/s  %8s   (%s s, slowest %s s)' "$(rate "$CHUNKS" "$total_med")" \
			"$(mb "$rss_kb")" "$(secs "$total_med")" "$(secs "$total_max")")"
		return 0
	fi
	row "$name" "n/a"; return 1
}

# ft_beside_curl: the first-byte ratios to curl, the figure the targets are
# set in. A row above is 30 runs of one tool, then the next tool's: on a VM
# whose speed drifts by a third within a minute that compares moments, not
# tools. Here the three take turns, FT_ROUNDS rounds of FT_RUNS runs each,
# in an order that turns from round to round, and each round gives its own
# ratios; the medians of those are printed.
ft_beside_curl() {
	rounds=${BENCH_FT_ROUNDS:-15} n=${BENCH_FT_RUNS:-20} i=0
	: >"$T/ftr"
	while [ $i -lt "$rounds" ]; do
		i=$((i + 1))
		# the order turns round by round: the tool measured just after
		# curl came out 5-6% slower here, whichever it was
		for k in $(case $((i % 3)) in 0) echo c h n ;; 1) echo h n c ;; *) echo n c h ;; esac); do
			case $k in
			c) measure fc -n "$n" -w 2 -- curl -sN "$URL" -H 'content-type: application/json' -d "$BODY" ||
				return 0
			   c=$first_med ;;
			h) measure fh -n "$n" -w 2 -- bin/chat-stream hi || return 0
			   h=$first_med ;;
			n) measure fn -n "$n" -w 2 -- bin/chat-stream --no-log hi || return 0
			   l=$first_med ;;
			esac
		done
		echo "$c $h $l" >>"$T/ftr"
	done
	awk -v r="$rounds" -v n="$n" '
		{ c[NR] = $1; h[NR] = $2 / $1; l[NR] = $3 / $1 }
		function med(a, k,   i, j, t) {
			for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
			return k % 2 ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2
		}
		END { printf "  beside curl, taking turns (%d rounds of %d): history on %.2fx, --no-log %.2fx" \
			" (medians of the rounds; curl %.2f ms)\n", r, n, med(h, NR), med(l, NR), med(c, NR) }' "$T/ftr"
}

# --- the OpenAI format, beside the SDK, curl and curl|sed|jq ----------------
openai_bench() {
	SDK=$(get SDK_openai)
	echo
	ft_head
	start_server --text "$TEXT"
	ft chat-stream bin/chat-stream hi && OURS_FT=$first_med
	ft 'chat-stream --no-log' bin/chat-stream --no-log hi && keep ours_openai    # without the history write
	if [ -n "$SDK" ]; then ft openai-node node "$SDK" hi && SDK_FT=$first_med && keep sdk_openai
	else row openai-node n/a; fi
	[ -n "$HAVE_CURL" ] &&    # baseline: first byte of the raw SSE body
		measure curl -n "$RUNS" -w 3 -- curl -sN "$URL" -H 'content-type: application/json' -d "$BODY" &&
		row 'curl (raw SSE)' "$(printf '%7.2f / %7.2f   exit after %.2f ms, peak RSS %s' \
			"$first_med" "$first_p90" "$total_med" "$(mb "$rss_kb")")"
	if [ -n "$HAVE_JQ" ]; then ft 'curl|sed|jq' sh -c "$PIPE" sh "$URL" "$BODY" "$JQF"; else row 'curl|sed|jq' n/a; fi
	[ -n "$HAVE_CURL" ] && ft_beside_curl
	stop_server

	echo
	tp_head ''
	start_server --repeat "$CHUNKS" --text x
	tp chat-stream bin/chat-stream hi && OURS_TP=$(rate "$CHUNKS" "$total_med") OURS_MS=$total_med OURS_RSS=$rss_kb
	tp 'chat-stream --json' bin/chat-stream --json hi
	if [ -n "$SDK" ]; then
		tp openai-node node "$SDK" hi && SDK_TP=$(rate "$CHUNKS" "$total_med") SDK_MS=$total_med && keep tp_sdk_openai
	else row openai-node n/a; fi
	if [ -n "$HAVE_JQ" ]; then tp 'curl|sed|jq' sh -c "$PIPE" sh "$URL" "$BODY" "$JQF"; else row 'curl|sed|jq' n/a; fi
	[ -n "$HAVE_CURL" ] && tp 'curl (raw SSE)' curl -sN "$URL" -H 'content-type: application/json' -d "$BODY"
	capture openai
	# for the table by format, like the other formats: without the history write
	measure 'chat-stream --no-log' -d -n "$TRUNS" -w 0 -- bin/chat-stream --no-log hi && keep tp_ours_openai
	stop_server
}

# --- the Anthropic and Gemini formats, beside their SDKs --------------------
provider_bench() {    # PROVIDER
	pinfo "$1"; SDK=$(get "SDK_$1")
	echo
	ver=$(get "VER_$1")
	echo "$1 format: chat-stream -m $1:$MODEL beside $PKG ${ver:-(unavailable)}"
	ft_head
	start_server --text "$TEXT"
	ft chat-stream bin/chat-stream -m "$1:$MODEL" hi
	ft 'chat-stream --no-log' bin/chat-stream --no-log -m "$1:$MODEL" hi && keep "ours_$1"
	if [ -n "$SDK" ]; then ft "$PEER" node "$SDK" hi && keep "sdk_$1"; else row "$PEER" n/a; fi
	stop_server

	start_server --repeat "$CHUNKS" --text x
	# the size of an event on the wire, from one curl of the whole stream
	per='' all=$CHUNKS
	if [ -n "$HAVE_CURL" ]; then
		bytes=$(curl -sN "$ROOT$RPATH" -H 'content-type: application/json' -d "$RBODY" | wc -c)
		per=$(awk -v b="$bytes" -v n="$CHUNKS" 'BEGIN { printf " (%.0f bytes of SSE each)", b / n }')
		# a reply may be 256 MiB at most: a longer stream is cut to what fits
		if [ "$bytes" -gt $((MAX_REPLY_MB << 20)) ]; then
			CHUNKS=$(awk -v b="$bytes" -v n="$CHUNKS" -v m=$((MAX_REPLY_MB << 20)) \
				'BEGIN { printf "%d", n * (m * 0.98 / b) }')
			stop_server
			start_server --repeat "$CHUNKS" --text x
		fi
	fi
	tp_head "$per"
	tp 'chat-stream --no-log' bin/chat-stream --no-log -m "$1:$MODEL" hi && keep "tp_ours_$1" "$all"
	if [ -n "$SDK" ]; then tp "$PEER" node "$SDK" hi && keep "tp_sdk_$1" "$all"; else row "$PEER" n/a; fi
	[ -n "$HAVE_CURL" ] && tp 'curl (raw SSE)' curl -sN "$ROOT$RPATH" -H 'content-type: application/json' -d "$RBODY"
	capture "$1"
	stop_server
	CHUNKS=$all
}

# capture PROVIDER: the throughput stream's body as the server sends it,
# measured against the floor at once (figures in $T/floor.PROVIDER)
capture() {
	pinfo "$1"
	[ -n "$HAVE_CURL" ] && [ -n "$JQFLOOR" ] || return 0
	curl -sN "$ROOT$RPATH" -H 'content-type: application/json' -d "$RBODY" >"$T/body.$1" &&
		"$JQFLOOR" -p "$1" -n "$TRUNS" "$T/body.$1" >"$T/floor.$1" 2>&1 || : >"$T/floor.$1"
	instructions "$1"
	rm -f "$T/body.$1"
}

# instructions PROVIDER: the same ratio counted in instructions, which this
# VM's drifting speed does not move: one pass of the floor and one of the
# one-thread decode over about the stream's first INSTR_EVENTS events (the
# body cut by bytes; a last event cut short is not one), each the
# difference between callgrind's counts for two passes and for one (so the
# set-up cancels out). Figures in $T/instr.PROVIDER; skipped without valgrind.
INSTR_EVENTS=${BENCH_INSTR_EVENTS:-2000}
instructions() {
	: >"$T/instr.$1"
	[ "${BENCH_INSTR:-1}" != 0 ] && command -v valgrind >/dev/null || return 0
	all=$(sed -n 's/^events=\([0-9]*\) .*/\1/p' "$T/floor.$1")
	[ -n "$all" ] && [ "$all" -gt 0 ] || return 0
	head -c "$(($(wc -c <"$T/body.$1") / all * INSTR_EVENTS))" "$T/body.$1" >"$T/small.$1"
	for o in floor decode1; do
		for n in 1 2; do
			valgrind --tool=callgrind --callgrind-out-file=/dev/null "$JQFLOOR" -p "$1" -n $n -o $o \
				"$T/small.$1" >"$T/instr.out" 2>"$T/instr.err"
			sed -n "s/.*Collected : \([0-9]*\).*/${o}_$n=\1/p" "$T/instr.err"
			sed -n 's/^events=\([0-9]*\) .*/events=\1/p' "$T/instr.out"
		done
	done >"$T/instr.$1"
	rm -f "$T/small.$1" "$T/instr.out" "$T/instr.err"
}

# --- the decode beside its floor --------------------------------------------
# floor: jv_parse_sized on each event's data, nothing else; kept: the same
# with one parser kept from event to event (lib/jxparse); decode: the body
# through lib/sse, the provider's decoder and emit, one write per 16 KiB read
# to /dev/null, on one thread (both in that thread's CPU time, as the
# machine may be shared) and as shipped (two threads, wall time); then
# chat-stream end to end against the server and the SDK, from the runs above.
floor_table() {
	echo
	echo "decode beside its floor: the throughput streams' events, no network (median of $TRUNS)"
	printf '  %-10s %-11s %-11s %-11s %-7s %-7s %-15s %-13s %s\n' format 'floor ev/s' 'kept ev/s' 'decode ev/s' \
		ratio 'vs kept' '2 threads ev/s' 'chat-stream' 'vs SDK'
	for p in $PROVIDERS; do
		f=n/a d=n/a r=n/a d2=n/a k=n/a rk=n/a
		if grep -q '^events=' "$T/floor.$p" 2>/dev/null; then
			eval "$(tr ' ' '\n' <"$T/floor.$p" |
				grep -E '^(floor_eps|kept_eps|decode_eps|decode1_eps|ratio1|ratio1_kept)=[0-9.]+$')"
			f=$(rate "$floor_eps" 1000) d=$(rate "$decode1_eps" 1000) r=$ratio1 d2=$(rate "$decode_eps" 1000)
			k=$(rate "$kept_eps" 1000) rk=$ratio1_kept
		elif [ -s "$T/floor.$p" ]; then
			echo "  $p: $(tail -n1 "$T/floor.$p")" >&2
		fi
		a=$(get "tp_sdk_${p}_ms") b=$(get "tp_ours_${p}_ms") ratio=n/a
		[ -n "$a" ] && [ -n "$b" ] && ratio=$(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.2fx", a / b }')
		printf '  %-10s %-11s %-11s %-11s %-7s %-7s %-15s %-13s %s\n' "$p" "$f" "$k" "$d" "$r" "$rk" "$d2" \
			"$(fig "tp_ours_${p}_ms")" "$ratio"
	done
	echo "  (targets, not asserted: decode >= 0.85 of the floor; chat-stream >= 6x the SDK;"
	echo "   kept: the parse alone with one parser kept between events, as the decode parses)"
	for p in $PROVIDERS; do
		[ -s "$T/instr.$p" ] || continue
		eval "$(cat "$T/instr.$p")"
		awk -v p="$p" -v n="$events" -v f1="$floor_1" -v f2="$floor_2" -v d1="$decode1_1" -v d2="$decode1_2" \
			'BEGIN { f = f2 - f1; d = d2 - d1; if (f > 0 && d > 0)
				printf "  %-10s by instructions (callgrind, %d events): floor %.0f, decode %.0f a event: %.3f\n",
					p, n, f / n, d / n, f / d }'
	done
}

# --- the table by format ----------------------------------------------------
# fig KEY: a kept figure (first-token ms, chunks/s or MB by KEY's suffix), or n/a
fig() {
	x=$(get "$1")
	case $1 in
	*_ft) [ -n "$x" ] && x=$(printf %.2f "$x") ;;
	*_ms) [ -n "$x" ] && x=$(rate "$CHUNKS" "$x") ;; *_rss) [ -n "$x" ] && x=$(mb "$x") ;;
	esac
	echo "${x:-n/a}"
}
trow() { printf '  %-10s %-18s %-25s %-7s %s\n' "$@"; }
format_table() {
	echo
	echo "by format: chat-stream --no-log / the provider's official SDK"
	trow format 'first token ms' 'chunks/s' ratio 'peak RSS at throughput'
	for p in $PROVIDERS; do
		a=$(get "tp_sdk_${p}_ms") b=$(get "tp_ours_${p}_ms") ratio=n/a
		[ -n "$a" ] && [ -n "$b" ] && ratio=$(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.2fx", a / b }')
		trow "$p" "$(fig "ours_${p}_ft") / $(fig "sdk_${p}_ft")" \
			"$(fig "tp_ours_${p}_ms") / $(fig "tp_sdk_${p}_ms")" "$ratio" \
			"$(fig "tp_ours_${p}_rss") / $(fig "tp_sdk_${p}_rss")"
	done
}

for p in $PROVIDERS; do
	if [ "$p" = openai ]; then openai_bench; else provider_bench "$p"; fi
done

# --- summary against the targets (information only) -------------------------
echo
echo "targets (not asserted):"
[ -n "${OURS_FT:-}" ] && row "first token <= 5 ms" "chat-stream median $OURS_FT ms${SDK_FT:+ (openai-node $SDK_FT ms)}"
[ -n "${OURS_TP:-}" ] && [ -n "${SDK_TP:-}" ] &&
	row "throughput >= 3x SDK" \
	    "$(awk -v a="$SDK_MS" -v b="$OURS_MS" 'BEGIN { printf "%.2fx", a / b }'): chat-stream $OURS_TP vs openai-node $SDK_TP chunks/s"
[ -n "${OURS_RSS:-}" ] && row "peak RSS < 10 MB" "chat-stream $(mb "$OURS_RSS")"
format_table
[ -n "$JQFLOOR" ] && floor_table

# the history's memory on a long prose reply, beside --no-log (skip with BENCH_STREAM_MEM=0)
if [ "${BENCH_STREAM_MEM:-1}" != 0 ]; then
	echo
	sh scripts/bench/streammem.sh
fi

# batch throughput, chat-send --parallel beside the openai SDK (skip with BENCH_BATCH=0)
if [ "${BENCH_BATCH:-1}" != 0 ]; then
	echo
	sh scripts/bench/batch.sh
fi

# the records engine inside a shared rate limit (skip with BENCH_LIMITS=0)
if [ "${BENCH_LIMITS:-1}" != 0 ]; then
	echo
	sh scripts/bench/limits.sh
fi

# hundreds of processes at once into one history and limiter (skip with BENCH_CROWD=0)
if [ "${BENCH_CROWD:-1}" != 0 ]; then
	echo
	sh scripts/bench/crowd.sh
fi

# the history at a million messages (skip with BENCH_HISTORY=0)
if [ "${BENCH_HISTORY:-1}" != 0 ]; then
	echo
	sh scripts/bench/history.sh
fi

# HEIC and WebP to a 2048-px JPEG beside vipsthumbnail (skip with BENCH_IMAGES=0)
if [ "${BENCH_IMAGES:-1}" != 0 ]; then
	echo
	sh scripts/bench/images.sh
fi

# chat's session: a key to the first rendered word (skip with BENCH_SESSION=0)
if [ "${BENCH_SESSION:-1}" != 0 ]; then
	echo
	sh scripts/bench/session.sh
fi

# a 24 MP JPEG to a 2048-px JPEG beside vipsthumbnail and sharp (skip with BENCH_JPEG=0)
if [ "${BENCH_JPEG:-1}" != 0 ]; then
	echo
	sh scripts/bench/jpeg.sh
fi

# the Markdown renderer on a long reply (skip with BENCH_RENDER=0)
if [ "${BENCH_RENDER:-1}" != 0 ]; then
	echo
	sh scripts/bench/render.sh
fi

# token counting beside tiktoken (skip with BENCH_TOKENS=0)
if [ "${BENCH_TOKENS:-1}" != 0 ]; then
	echo
	sh scripts/bench/tokens.sh
fi
exit 0
