#!/bin/sh
# batch.sh: the batch engine (chat-send -r --parallel P) beside the official
# `openai` npm SDK running the same prompts through a P-wide promise pool
# (scripts/bench/sdk-batch.mjs), against the same fake provider in the same
# run.  Figures are printed, never asserted.
#   workload: N prompt records {"type":"prompt","id":i,"text":"question i"}
#     against tests/bin/fakeprov --echo, which answers each request after 100 ms
#     with up to 20 chunks 5 ms apart (one a character of "echo: question i",
#     so 175-185 ms a request, like a short reply from a real API) and
#     serves every connection in its own process, so P requests really are
#     in flight at once
#   ours: bin/chat-send -r --parallel P --no-log for each P, then once with
#     the history on at the largest P; each run starts with a new data folder
#     (history and the shared rate-limit state), so no run pays for another
#   peer: node sdk-batch.mjs -p P, streaming, one client
#   figures: wall time from fork to exit -> requests/s; peak RSS (ru_maxrss
#     from wait4); "ceiling" is P requests at a time, each taking the
#     server's time for it (the mean over the records), what a client with no
#     cost of its own would reach
#   checks: every output line must be a response record whose id is one of
#     1..N, each id once, with the reply the server echoes for that prompt
#     ("echo: question i"), exit status 0 and, with the history on, N
#     conversations in it; a run that fails a check prints n/a and why,
#     never a figure
# Knobs: BENCH_BATCH_N (records, default 400), BENCH_BATCH_P (default
# "1 8 32"), BENCH_BATCH_RUNS (runs of each, default 1; the median is shown).
# The SDK is installed once into ${CHAT_BENCH_DIR:-$HOME/.cache/chat-bench}
# (never in CI); without it the peer column says n/a.  Run by scripts/bench.sh
# (skip it there with BENCH_BATCH=0), or alone after make && make
# tests/bin/fakeprov.
set -u
cd "$(dirname "$0")/../.." || exit 1
N=${BENCH_BATCH_N:-400} PLIST=${BENCH_BATCH_P:-1 8 32} RUNS=${BENCH_BATCH_RUNS:-1}
DELAY_FIRST=100 CHUNKS=20 DELAY_CHUNK=5
SDK_DIR=${CHAT_BENCH_DIR:-${HOME:-/tmp}/.cache/chat-bench}
die() { echo "bench batch: $*" >&2; exit 1; }
for v in "$N" "$RUNS" $PLIST; do
	case $v in *[!0-9]* | '' | 0) die "BENCH_BATCH_N, BENCH_BATCH_P and BENCH_BATCH_RUNS must be numbers above 0" ;; esac
done
[ -n "$PLIST" ] || die "BENCH_BATCH_P names no parallelism"
for f in bin/chat-send bin/chat-history tests/bin/fakeprov; do
	[ -x "$f" ] || die "$f is not built (run: make && make tests/bin/fakeprov)"
done
command -v cc >/dev/null || die "no C compiler (cc) for the timing harness"

T=$(mktemp -d "${TMPDIR:-/tmp}/chat-bench-batch.XXXXXX") || exit 1
SRV=
trap '[ -n "$SRV" ] && { kill "$SRV" 2>/dev/null; wait "$SRV" 2>/dev/null; }; rm -rf "$T"' EXIT
trap 'exit 130' HUP INT TERM
cc -O2 -o "$T/firstbyte" scripts/bench/firstbyte.c || die "cannot build scripts/bench/firstbyte.c"

# Never the user's configuration, history or rate-limit state.
export XDG_CONFIG_HOME="$T/config" XDG_DATA_HOME="$T/data" OPENAI_API_KEY=sk-bench
unset CHAT_CONFIG CHAT_DB CHAT_RATE_DB CHAT_MODEL CHAT_MODELS OPENAI_ORG_ID OPENAI_PROJECT_ID 2>/dev/null

# --- the peer: installed once, never by CI ----------------------------------
. scripts/bench/peer.sh
SDK=
if npm_peer openai && cp scripts/bench/sdk-batch.mjs "$SDK_DIR/" 2>"$T/cp.log"; then
	SDK=$SDK_DIR/sdk-batch.mjs VER=$(npm_version openai)
else
	echo "peer: openai SDK unavailable (${why:-$(cat "$T/cp.log")})"
fi

# --- the workload and the server --------------------------------------------
awk -v n="$N" 'BEGIN { for (i = 1; i <= n; i++) printf "{\"type\":\"prompt\",\"id\":%d,\"text\":\"question %d\"}\n", i, i }' >"$T/in"
# the server's mean time for one request: the reply is cut into at most one
# chunk a character
PER_MS=$(awk -v n="$N" -v f="$DELAY_FIRST" -v c="$CHUNKS" -v d="$DELAY_CHUNK" 'BEGIN {
	for (i = 1; i <= n; i++) { k = length("echo: question " i); if (k > c) k = c; t += f + (k - 1) * d }
	printf "%.1f", t / n }')
tests/bin/fakeprov --port-file "$T/port" --idle 120 --echo --delay-first "$DELAY_FIRST" --chunks "$CHUNKS" \
	--delay-chunk "$DELAY_CHUNK" 2>>"$T/fakeprov.log" &
SRV=$!
i=0
while [ ! -s "$T/port" ]; do
	i=$((i + 1))
	if [ $i -gt 200 ] || ! kill -0 "$SRV" 2>/dev/null; then die "fakeprov did not start: $(cat "$T/fakeprov.log")"; fi
	sleep 0.05
done
OPENAI_BASE_URL="http://127.0.0.1:$(cat "$T/port")/v1"
export OPENAI_BASE_URL

# --- helpers ----------------------------------------------------------------
# check FILE: "ok" when FILE holds exactly the N right response records,
# else what is wrong with it
check() {
	awk -v n="$N" '
	function bad(why) { nbad++; if (first == "") first = "line " NR ": " why ": " substr($0, 1, 100) }
	{
		if ($0 !~ /[{,]"type":"response"[,}]/) { bad("not a response record"); next }
		if (!match($0, /[{,]"id":[0-9]+[,}]/)) { bad("no numeric id"); next }
		id = substr($0, RSTART + 6, RLENGTH - 7) + 0
		if (id < 1 || id > n) { bad("id out of range"); next }
		if (id in seen) { bad("id seen before"); next }
		seen[id] = 1
		if (index($0, "\"text\":\"echo: question " id "\"") == 0) { bad("not the reply to its prompt"); next }
		ok++
	}
	END {
		if (ok == n && NR == n) { print "ok"; exit }
		printf "%d right response records of %d, in %d lines", ok, n, NR
		if (first != "") printf "; first wrong %s", first
		print ""
	}' "$1"
}
# run NAME COMMAND...: RUNS timed runs with stdin $T/in and stdout to a file,
# each checked; sets MS (median wall ms) and RSS (largest peak, KiB) and
# returns 0, or prints why and returns 1.  HISTORY=1: also count the
# conversations the run left in the history.
run() {
	name=$1; shift
	: >"$T/times"; RSS=0 r=0
	while [ $r -lt "$RUNS" ]; do
		r=$((r + 1))
		XDG_DATA_HOME=$T/data-$name-$r
		export XDG_DATA_HOME
		fails=1 total_med=0 rss_kb=0
		# shellcheck disable=SC2016 # expanded by the sh -c that runs it
		"$T/firstbyte" -d -n 1 -w 0 -- sh -c 'in=$1 out=$2; shift 2; exec "$@" <"$in" >"$out"' \
			sh "$T/in" "$T/out" "$@" >"$T/m" 2>"$T/err" && eval "$(cat "$T/m")"
		if [ "$fails" != 0 ]; then
			echo "  $name: failed (exit status not 0): $(grep -v '^$' "$T/err" | tail -n2 | tr '\n' ' ')" >&2
			return 1
		fi
		c=$(check "$T/out")
		if [ "$c" != ok ]; then echo "  $name: wrong output: $c" >&2; return 1; fi
		if [ "${HISTORY:-0}" = 1 ]; then
			got=$(bin/chat-history --db "$XDG_DATA_HOME/chat/history.db" stats --json 2>&1 |
				sed -n 's/.*"conversations":\([0-9]*\).*/\1/p')
			if [ "$got" != "$N" ]; then
				echo "  $name: the history holds ${got:-no} conversations, not $N" >&2
				return 1
			fi
		fi
		echo "$total_med" >>"$T/times"
		[ "$rss_kb" -gt "$RSS" ] && RSS=$rss_kb
		rm -rf "$XDG_DATA_HOME"
	done
	MS=$(sort -n "$T/times" | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
	return 0
}
rps() { awk -v n="$N" -v ms="$1" 'BEGIN { printf "%.1f", n * 1000 / ms }'; }
secs() { awk -v ms="$1" 'BEGIN { printf "%.1f", ms / 1000 }'; }
mb() { awk -v k="$1" 'BEGIN { printf "%.1f MB", k / 1024 }'; }
row() { printf '  %-16s %-9s %-21s %-21s %-7s %s\n' "$@"; }

echo "batch: $N prompt records, chat-send -r --parallel P beside openai-node ${VER:-(unavailable)}" \
	"(a P-wide promise pool, streaming), same server, same run"
echo "server: fakeprov --echo, each reply after $DELAY_FIRST ms in up to $CHUNKS chunks $DELAY_CHUNK ms apart" \
	"($PER_MS ms a request on average), a process per connection; $RUNS run(s) of each, wall time from start to exit"
row P ceiling 'chat-send req/s' 'openai-node req/s' ratio 'peak RSS: chat-send / openai-node'
PMAX=0
for p in $PLIST; do
	[ "$p" -gt "$PMAX" ] && PMAX=$p
	ceil=$(awk -v p="$p" -v ms="$PER_MS" -v n="$N" 'BEGIN { if (p > n) p = n; printf "%.1f", p * 1000 / ms }')
	ours=n/a oms='' orss=n/a peer=n/a pms='' prss=n/a ratio=n/a
	if run "chat-send-p$p" bin/chat-send -r --parallel "$p" --no-log; then
		oms=$MS ours="$(rps "$MS") ($(secs "$MS") s)" orss=$(mb "$RSS")
	fi
	if [ -n "$SDK" ] && run "openai-node-p$p" node "$SDK" -p "$p"; then
		pms=$MS peer="$(rps "$MS") ($(secs "$MS") s)" prss=$(mb "$RSS")
	fi
	eval "SDK_MS_$p=\$pms"
	[ -n "$oms" ] && [ -n "$pms" ] && ratio=$(awk -v a="$pms" -v b="$oms" 'BEGIN { printf "%.2fx", a / b }')
	row "$p" "$ceil" "$ours" "$peer" "$ratio" "$orss / $prss"
done
# the history on: every prompt and reply written and synced to the shared store
ours=n/a orss=n/a ratio=n/a
if HISTORY=1 run "chat-send-log-p$PMAX" bin/chat-send -r --parallel "$PMAX"; then
	ours="$(rps "$MS") ($(secs "$MS") s)" orss=$(mb "$RSS")
	pms=$(eval "printf %s \"\${SDK_MS_$PMAX:-}\"")
	[ -n "$pms" ] && ratio=$(awk -v a="$pms" -v b="$MS" 'BEGIN { printf "%.2fx", a / b }')
fi
row "$PMAX, history on" "" "$ours" '(keeps none)' "$ratio" "$orss"
echo "  ratio: openai-node's time / chat-send's (above 1: chat-send is faster); the history row against" \
	"openai-node at P=$PMAX"
exit 0
