#!/bin/sh
# tokens.sh: lib/tokenizer beside tiktoken (the npm package: OpenAI's Rust
# core built to WASM) on the same text in the same run, for o200k_base and
# cl100k_base.  Figures are printed, never asserted.
#   1. throughput: counting a few MB of mixed text (the project's prose and C,
#      the reference vectors' texts in many scripts and random strings), the
#      median of BENCH_TOK_RUNS counts in one process after loading, MB/s;
#      the token counts of both must agree (said beside the figure)
#   2. cold start: a new process that loads the encoding and counts a short
#      prompt, median / p90 wall ms (BENCH_TOK_COLD runs, tiktoken 10)
# Our side is scripts/bench/tokcount.c built against lib/libchat.a, the
# peer's scripts/bench/tokcount.mjs.  tiktoken is installed once into
# ${CHAT_BENCH_DIR:-$HOME/.cache/chat-bench} (never in CI); when it is
# missing its column says n/a.  Knobs: BENCH_TOK_MB (text size, default 4),
# BENCH_TOK_RUNS (5), BENCH_TOK_COLD (30).  Run by scripts/bench.sh, or alone
# after make.
set -u
cd "$(dirname "$0")/../.." || exit 1
MB=${BENCH_TOK_MB:-4} RUNS=${BENCH_TOK_RUNS:-5} COLD=${BENCH_TOK_COLD:-30}
SDK_DIR=${CHAT_BENCH_DIR:-${HOME:-/tmp}/.cache/chat-bench}
PROMPT='Summarise the attached report in three bullet points, please.'
die() { echo "bench tokens: $*" >&2; exit 1; }
for v in "$MB" "$RUNS" "$COLD"; do
	case $v in *[!0-9]* | '' | 0) die "BENCH_TOK_MB, BENCH_TOK_RUNS and BENCH_TOK_COLD must be numbers above 0" ;; esac
done
for f in lib/libchat.a share/chat/o200k_base.bin share/chat/cl100k_base.bin; do
	[ -f "$f" ] || die "$f is not built (run: make)"
done
command -v cc >/dev/null || die "no C compiler (cc) for the drivers"
T=$(mktemp -d "${TMPDIR:-/tmp}/chat-bench-tokens.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT
trap 'exit 130' HUP INT TERM
cc -O2 -D_GNU_SOURCE -Ilib -o "$T/tokcount" scripts/bench/tokcount.c lib/libchat.a -pthread ||
	die "cannot build scripts/bench/tokcount.c"
cc -O2 -o "$T/firstbyte" scripts/bench/firstbyte.c || die "cannot build scripts/bench/firstbyte.c"
CHAT_DATA=$PWD/share/chat CHAT_BENCH_DIR=$SDK_DIR
export CHAT_DATA CHAT_BENCH_DIR

# --- the peer: installed once, never by CI ----------------------------------
. scripts/bench/peer.sh
PEER=
if npm_peer tiktoken; then
	PEER="tiktoken $(npm_version tiktoken)"
else
	echo "peer: tiktoken unavailable ($why)"
fi

# --- the text: prose, code and many scripts, repeated to size ---------------
{
	cat README.md man/* lib/*.c lib/*.h cmd/*.c
	# the vectors' texts (those that are UTF-8), decoded by jq if it is here
	command -v jq >/dev/null &&
		jq -r 'select(.b64 and .decoded == null) | .b64 | @base64d' tests/data/tokenizer-vectors.jsonl
} >"$T/one" 2>/dev/null
: >"$T/text"
while [ "$(wc -c <"$T/text")" -lt $((MB * 1000000)) ]; do cat "$T/one" >>"$T/text"; done
BYTES=$(wc -c <"$T/text")

# fig FILE KEY: a key=value figure from a driver's -t line, or nothing
fig() { sed -n "s/.*[[:space:]]$2=\([^[:space:]]*\).*/\1/p; s/^$2=\([^[:space:]]*\).*/\1/p" "$1" 2>/dev/null | head -n1; }
num() {    # 1234567 -> 1,234,567
	awk -v s="$1" 'BEGIN { r = ""; while (length(s) > 3) { r = "," substr(s, length(s) - 2) r; s = substr(s, 1, length(s) - 3) }
		print s r }'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a > 0 && b > 0) printf "%.1fx", a / b; else print "n/a" }'; }
row() { printf '  %-13s %-20s %-20s %-8s %s\n' "$@"; }

echo "tokens: lib/tokenizer beside ${PEER:-tiktoken (unavailable)} (npm; OpenAI's Rust core in WASM), same text, same run"
echo "throughput: counting $(awk -v b="$BYTES" 'BEGIN { printf "%.1f", b / 1e6 }') MB of mixed text" \
	"(prose, C, many scripts, random strings); median of $RUNS counts in one process, after loading"
row encoding chat tiktoken ratio tokens
for e in o200k_base cl100k_base; do
	"$T/tokcount" -e "$e" -n "$RUNS" -t "$T/text" >/dev/null 2>"$T/ours.$e" || echo "  $e: $(cat "$T/ours.$e")" >&2
	ours=$(fig "$T/ours.$e" mb_s) on=$(fig "$T/ours.$e" tokens) peer='' pn=''
	if [ -n "$PEER" ]; then
		node scripts/bench/tokcount.mjs -e "$e" -n "$RUNS" -t "$T/text" >/dev/null 2>"$T/peer.$e" ||
			echo "  $e: tiktoken: $(tail -n2 "$T/peer.$e")" >&2
		peer=$(fig "$T/peer.$e" mb_s) pn=$(fig "$T/peer.$e" tokens)
	fi
	same=''
	[ -n "$pn" ] && if [ "$pn" = "$on" ]; then same=' (same count)'; else same=" (tiktoken: $(num "$pn") DIFFERS)"; fi
	row "$e" "${ours:-n/a} MB/s" "${peer:-n/a}${peer:+ MB/s}" "$(ratio "${ours:-0}" "${peer:-0}")" "$(num "${on:-0}")$same"
done

echo "cold start: a new process loads the encoding and counts a ${#PROMPT}-byte prompt;" \
	"median / p90 wall ms ($COLD runs; tiktoken $((COLD < 10 ? COLD : 10)))"
row encoding chat tiktoken ratio 'peak RSS: chat / tiktoken'
cold() {    # RUNS COMMAND...: "median / p90" ms, or n/a; the harness's line stays in $T/m
	fails=1 total_med=0 total_p90=0
	n=$1; shift
	"$T/firstbyte" -n "$n" -w 2 -- "$@" >"$T/m" 2>"$T/m.err" && eval "$(cat "$T/m")"
	if [ "$fails" = 0 ]; then echo "$total_med / $total_p90"; else echo n/a; fi
}
rss() { awk -v k="$(sed -n 's/.*rss_kb=\([0-9]*\).*/\1/p' "$T/m")" 'BEGIN { printf "%.1f MB", k / 1024 }'; }
for e in o200k_base cl100k_base; do
	a=$(cold "$COLD" "$T/tokcount" -e "$e" -p "$PROMPT") ar=$(rss)
	b=n/a br=n/a
	if [ -n "$PEER" ]; then
		b=$(cold $((COLD < 10 ? COLD : 10)) node scripts/bench/tokcount.mjs -e "$e" -p "$PROMPT") br=$(rss)
	fi
	row "$e" "$a" "$b" "$(ratio "${b%% *}" "${a%% *}")" "$ar / $br"
done
exit 0
