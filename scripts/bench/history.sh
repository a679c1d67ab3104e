#!/bin/sh
# history.sh: chat-history on a large history.  Figures are printed, never
# asserted; everything lives in a temporary folder removed at the end (about
# 1.3 GB at the default size, under $TMPDIR).
#   1. import: a generated export of 1,000,000 messages in 50,000
#      conversations read by `chat-history import < file` (one run); the
#      import rate and the database's size
#   2. queries: list, show (a 200-message conversation), search (a word in
#      0.1% of the messages: the first page of 20, then all hits) and stats,
#      as median / p90 / max wall ms with stdout to /dev/null; `--version`
#      first, as the floor of process start and exit under every row
#   3. peer: `grep -c` for the same word over a plain file of every text
#   4. PostgreSQL (when Debian's server binaries are installed; skip with
#      BENCH_HISTORY_PG=0): a throwaway server on a Unix socket, the same
#      export imported, the same queries; then the cost of one logged
#      exchange (chat-send against the local fake provider, logged minus
#      --no-log) on each backend
# Knobs: BENCH_HISTORY_CONVS (conversations, default 50000, at least 1000),
# BENCH_HISTORY_RUNS (timed runs of each query, default 20, after 2 warm-ups).
# Run as `sh scripts/bench/history.sh` (scripts/bench.sh does); needs
# bin/chat-history built, cc and awk; jq, if there, for one check.  Progress
# goes to stderr, the table to stdout.
# shellcheck disable=SC2046,SC2015 # the harness's figures are split on purpose
set -u
cd "$(dirname "$0")/../.." || exit 1
C=${BENCH_HISTORY_CONVS:-50000} RUNS=${BENCH_HISTORY_RUNS:-20} WARM=2
RARE=zanzibarquartz
die() { echo "bench history: $*" >&2; exit 1; }
case $C in *[!0-9]* | '') die "BENCH_HISTORY_CONVS must be a number" ;; esac
case $RUNS in *[!0-9]* | '' | 0) die "BENCH_HISTORY_RUNS must be a number above 0" ;; esac
[ "$C" -ge 1000 ] || die "BENCH_HISTORY_CONVS must be at least 1000"
[ -x bin/chat-history ] || die "bin/chat-history is not built (run: make)"
command -v cc >/dev/null || die "no C compiler (cc) for the timing harness"

T=$(mktemp -d "${TMPDIR:-/tmp}/chat-bench-history.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT
trap 'exit 130' HUP INT TERM
# Never the user's history or configuration.
export XDG_CONFIG_HOME="$T/config" XDG_DATA_HOME="$T/data" CHAT_DB="$T/bench.db" NO_COLOR=1
unset CHAT_CONFIG CHAT_DB_TIMEOUT CHAT_NOW 2>/dev/null
DB=$T/bench.db H=bin/chat-history

# --- timing harness ---------------------------------------------------------
# tm RUNS WARMUPS STDIN STDOUT COMMAND...: fork/exec, CLOCK_MONOTONIC from
# fork to reaping; prints "median p90 max failures" in ms.
cat >"$T/tm.c" <<'CEOF'
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec * 1e3 + t.tv_nsec / 1e6; }
static int cmp(const void *a, const void *b) { double x = *(const double *)a, y = *(const double *)b; return (x > y) - (x < y); }
int main(int argc, char **argv)
{
	if (argc < 6) return fprintf(stderr, "usage: tm RUNS WARMUPS STDIN STDOUT COMMAND...\n"), 64;
	int runs = atoi(argv[1]), warm = atoi(argv[2]), fails = 0;
	double *v = calloc(runs > 0 ? runs : 1, sizeof *v);
	for (int r = 0; r < warm + runs; r++) {
		double t0 = now();
		pid_t pid = fork();
		if (pid == 0) {
			int in = open(argv[3], O_RDONLY), out = open(argv[4], O_WRONLY | O_CREAT | O_TRUNC, 0600);
			if (in < 0 || out < 0) { perror("tm: open"); _exit(126); }
			dup2(in, 0); dup2(out, 1);
			execvp(argv[5], argv + 5);
			perror(argv[5]);
			_exit(127);
		}
		int st;
		if (pid < 0 || waitpid(pid, &st, 0) < 0) return perror("tm"), 70;
		double ms = now() - t0;
		if (r < warm) continue;
		v[r - warm] = ms;
		fails += !WIFEXITED(st) || WEXITSTATUS(st);
	}
	qsort(v, runs, sizeof *v, cmp);
	int p90 = (90 * runs + 99) / 100;  /* nearest rank */
	printf("%.2f %.2f %.2f %d\n", v[(runs - 1) / 2], v[p90 - 1], v[runs - 1], fails);
	return 0;
}
CEOF
cc -O2 -o "$T/tm" "$T/tm.c" || die "cannot build the timing harness"

# --- helpers ----------------------------------------------------------------
commas() { awk -v n="$1" 'BEGIN { s = sprintf("%.0f", n); r = "";
	while (length(s) > 3) { r = "," substr(s, length(s) - 2) r; s = substr(s, 1, length(s) - 3) }
	print s r }'; }
mb() { awk -v b="$1" 'BEGIN { printf "%.0f MB", b / 1048576 }'; }
bytes() { if [ -f "$1" ]; then wc -c <"$1" | tr -d ' '; else echo 0; fi; }
# q NAME TARGET COMMAND...: time it, print a row, leave the median in $MED;
# stdout goes to $OUT (default /dev/null)
q() {
	name=$1 target=$2; shift 2
	set -- $("$T/tm" "$RUNS" "$WARM" /dev/null "${OUT:-/dev/null}" "$@" 2>"$T/q.err") && [ $# -eq 4 ] ||
		{ printf '  %-16s n/a (%s)\n' "$name" "$(tail -n1 "$T/q.err")"; MED=; return 1; }
	MED=$1
	verdict=$(awk -v m="$1" -v t="$target" 'BEGIN { if (t != "") print (m < t ? "met" : "MISSED") }')
	printf '  %-16s %8.2f ms  (p90 %.2f, max %.2f)%s%s\n' "$name" "$1" "$2" "$3" \
		"${target:+   target < $target ms $verdict}" "$([ "$4" = 0 ] || echo "   [$4 of the runs failed]")"
}

# --- 1. generate and import --------------------------------------------------
# Export records as `chat-history export` writes them (the round trip below
# checks that byte for byte): C conversations of 20 messages, user and
# assistant in turn, seq 1..20, except conversation C/2, which holds 200, and
# 180 others, which hold 19, so there are exactly 20*C messages.  Texts are
# 100-300 bytes of sentences over a Zipf-distributed list of 4,000 words
# (30 English stop words, then pseudo-words); RARE is in every message whose
# running number n has n % 1000 == 499, so in exactly 0.1% of them.  Ids are
# 12 hex digits from a 48-bit Feistel permutation of a counter (unique, in
# random order, as real ids are); one conversation in 10 has a name; times
# spread over 2025.  Every text also goes, as plain lines, to text.txt.
cat >"$T/gen.awk" <<'AEOF'
function mkword(   n, w, i) {
	n = 1 + int(rand() * rand() * 3.5)
	w = ""
	for (i = 0; i < n; i++) {
		w = w ON[1 + int(rand() * NON)] VO[1 + int(rand() * NVO)]
		if (rand() < 0.3) w = w CO[1 + int(rand() * NCO)]
	}
	return w
}
function hid(x,   L, R, i, t, u) {
	L = int(x / M); R = x - L * M
	for (i = 1; i <= 4; i++) {
		t = (R * 40503 + K[i]) % M
		t = (t + int(t / 4099) * 977) % M
		u = (L + t) % M; L = R; R = u
	}
	return sprintf("%06x%06x", L, R)
}
# RFC 3339 UTC with milliseconds from Unix ms (days to civil date: H. Hinnant)
function ts(ms,   s, day, sod, z, era, doe, yoe, y, doy, mp, d, m) {
	s = int(ms / 1000); day = int(s / 86400); sod = s - day * 86400
	if (day != lastday) {
		z = day + 719468; era = int(z / 146097); doe = z - era * 146097
		yoe = int((doe - int(doe / 1460) + int(doe / 36524) - int(doe / 146096)) / 365)
		y = yoe + era * 400; doy = doe - (365 * yoe + int(yoe / 4) - int(yoe / 100))
		mp = int((5 * doy + 2) / 153); d = doy - int((153 * mp + 2) / 5) + 1
		m = mp < 10 ? mp + 3 : mp - 9
		ymd = sprintf("%04d-%02d-%02d", y + (m <= 2), m, d); lastday = day
	}
	return sprintf("%sT%02d:%02d:%02d.%03dZ", ymd, int(sod / 3600), int(sod % 3600 / 60), sod % 60, ms - s * 1000)
}
# sentences until at least `target` bytes; RARE as word number `rarepos` (-1: none)
function text(target, ask, paras, rarepos,   s, k, sl, w, cap) {
	s = ""; cap = 1; sl = 0
	for (k = 0; length(s) < target || sl == 0; k++) {
		if (k == rarepos) w = RARE
		else {
			w = W[Z[int(rand() * 65536)]]
			if (cap) w = toupper(substr(w, 1, 1)) substr(w, 2)
		}
		s = s (cap || k == 0 ? "" : " ") w
		cap = 0; sl++
		if (sl >= 4 && (rand() < 0.12 || length(s) >= target)) {
			s = s (ask && rand() < 0.4 ? "?" : ".")
			if (length(s) >= target) break
			if (paras && rand() < 0.1) { s = s "\\n\\n"; npara++ } else s = s " "
			cap = 1; sl = 0
		} else if (rand() < 0.06) s = s ","
	}
	return s
}
BEGIN {
	srand(20260101)
	M = 16777216; K[1] = 9176; K[2] = 12345671; K[3] = 777001; K[4] = 4242424
	NON = split("b c d f g h j k l m n p r s t v w z br ch cl cr dr fl gr kr pl pr qu sh sk sl sp st th tr", ON)
	NVO = split("a e i o u a e i o ai ea ee io ou oa", VO)
	NCO = split("n r s l t m x nd rt st ck ng", CO)
	NW = split("the of and to a in is it that for you with on as this be are or can not by from at we an if use when but your", W)
	for (i = 1; i <= NW; i++) seen[W[i]] = 1
	while (NW < 4000) { w = mkword(); if (!(w in seen) && length(w) > 1) { seen[w] = 1; W[++NW] = w } }
	for (i = 1; i <= NW; i++) Hn += 1 / i
	i = 1; cum = 1 / Hn
	for (j = 0; j < 65536; j++) {    # Zipf (s = 1) as a lookup table
		while (cum < (j + 0.5) / 65536 && i < NW) { i++; cum += 1 / (i * Hn) }
		Z[j] = i
	}
	NM = split("gpt-4o-mini gpt-4o-mini gpt-4o-mini gpt-4o gpt-4o gpt-4.1", MODELS)
	LONG = int(C / 2); step = int((C - 1) / 181); nshort = 0
	base = 1735689600000    # 2025-01-01T00:00:00Z
	span = 365 * 86400000 / C
	n = 0
	for (c = 0; c < C; c++) {
		cnt = 20
		if (c == LONG) cnt = 200
		else if (c % step == step - 1 && nshort < 180) { cnt = 19; nshort++ }
		cid = hid(c)
		model = MODELS[1 + int(rand() * NM)]
		t = base + int(c * span + rand() * span * 0.9)
		intok = 0
		for (q = 1; q <= cnt; q++) {
			ask = q % 2
			rp = n % 1000 == 499 ? int(rand() * 8) : -1
			npara = 0
			tx = ask ? text(100 + int(rand() * 120), 1, 0, rp) : text(150 + int(rand() * 151), 0, 1, rp)
			tk = int(length(tx) / 4) + 1
			if (ask) {
				if (q > 1) t += 20000 + int(rand() * 580000)
				if (q == 1) { title = substr(tx, 1, 95); created = ts(t) }
				rec[q] = sprintf("{\"type\":\"message\",\"id\":\"%s\",\"conversation\":\"%s\",\"seq\":%d,\"role\":\"user\",\"text\":\"%s\",\"status\":\"complete\",\"finish\":null,\"provider\":null,\"model\":null,\"usage\":null,\"cost_usd\":null,\"ttft_ms\":null,\"ms\":null,\"request_id\":null,\"created\":\"%s\"}", hid(M * 7 + n), cid, q, tx, ts(t))
			} else {
				ttft = 200 + int(rand() * 700); dur = ttft + tk * (8 + int(rand() * 10))
				t += dur
				rec[q] = sprintf("{\"type\":\"message\",\"id\":\"%s\",\"conversation\":\"%s\",\"seq\":%d,\"role\":\"assistant\",\"text\":\"%s\",\"status\":\"complete\",\"finish\":\"stop\",\"provider\":\"openai\",\"model\":\"%s\",\"usage\":{\"input\":%d,\"output\":%d,\"cached\":%d,\"reasoning\":0},\"cost_usd\":null,\"ttft_ms\":%d,\"ms\":%d,\"request_id\":null,\"created\":\"%s\"}", hid(M * 7 + n), cid, q, tx, model, intok + 12, tk, q > 2 ? int(intok / 2) : 0, ttft, dur, ts(t))
			}
			intok += tk
			if (npara) gsub(/\\n/, "\n", tx)
			print tx > TXT
			n++
		}
		name = c % 10 == 3 ? "\"" W[31 + c % (NW - 30)] "-" c "\"" : "null"
		sysp = c % 20 == 7 ? "\"Answer briefly; say when you are not sure.\"" : "null"
		conv = sprintf("{\"type\":\"conversation\",\"id\":\"%s\",\"name\":%s,\"title\":\"%s\",\"system\":%s,\"created\":\"%s\",\"updated\":\"%s\"}", cid, name, title, sysp, created, ts(t))
		print conv
		for (q = 1; q <= cnt; q++) print rec[q]
		if (c == LONG) {
			print conv > LONGF
			for (q = 1; q <= cnt; q++) print rec[q] > LONGF
			print cid > (LONGF ".id")
		}
	}
}
AEOF
echo "machine: $(uname -sm), $(nproc 2>/dev/null || echo ?) CPUs; $($H --version 2>&1 | head -n1);" \
	"SQLite $(sqlite3 --version 2>/dev/null | cut -d' ' -f1 || echo ?) (CLI)"
NMSG=$((C * 20)) NRARE=$((C * 20 / 1000))
secs() { awk -v ms="$1" 'BEGIN { printf "%.1f", ms / 1000 }'; }
echo "history: generating $(commas "$NMSG") messages..." >&2
# the generator's own time, for the record (not a figure of chat-history)
set -- $("$T/tm" 1 0 /dev/null "$T/export.ndjson" awk -v C="$C" -v RARE="$RARE" -v TXT="$T/text.txt" \
	-v LONGF="$T/long.ndjson" -f "$T/gen.awk") && [ "${4:-1}" = 0 ] || die "generating the export failed"
GEN_MS=$1
[ -s "$T/long.ndjson.id" ] || die "the generator wrote no 200-message conversation"
LONG_ID=$(cat "$T/long.ndjson.id")

# the generator's 490 MB still being written back would land in the
# import's time: on disk first
sync "$T/export.ndjson" 2>/dev/null || sync
echo "history: importing..." >&2
set -- $("$T/tm" 1 0 "$T/export.ndjson" /dev/null $H --db "$DB" -q import 2>"$T/import.err")
[ "${4:-1}" = 0 ] || die "import failed: $(tail -n3 "$T/import.err")"
IMPORT_MS=$1
RATE=$(awk -v n="$NMSG" -v ms="$IMPORT_MS" 'BEGIN { printf "%.0f", n * 1000 / ms }')
DBSIZE=$(bytes "$DB") WALSIZE=$(bytes "$DB-wal")
echo
echo "history: $(commas "$NMSG") messages in $(commas "$C") conversations, $(mb "$DBSIZE")" \
	"$([ "$WALSIZE" -gt 0 ] && echo "(+ $(mb "$WALSIZE") WAL) ")(export $(mb "$(bytes "$T/export.ndjson")")," \
	"generated in $(secs "$GEN_MS") s)"
printf '  %-16s %8s msg/s  (%s s, one run of import < file)   target > 50,000 %s\n' import "$(commas "$RATE")" \
	"$(secs "$IMPORT_MS")" "$([ "$RATE" -gt 50000 ] && echo met || echo MISSED)"

# --- checks (reported, not fatal) -------------------------------------------
# the generated records must be what export writes back, byte for byte
$H --db "$DB" export "$LONG_ID" >"$T/long.out" 2>"$T/check.err"
cmp -s "$T/long.out" "$T/long.ndjson" ||
	echo "  warning: export of $LONG_ID differs from the generated records: $(diff "$T/long.ndjson" "$T/long.out" | sed -n 2p | cut -c1-160)"
got=$($H --db "$DB" stats --json 2>/dev/null | jq -r '"\(.conversations) \(.messages)"' 2>/dev/null) &&
	[ "$got" != "$C $NMSG" ] && echo "  warning: stats counts $got conversations and messages, not $C $NMSG"
HITS=$($H --db "$DB" search -n 0 "$RARE" | wc -l | tr -d ' ')
GREP_HITS=$(grep -c "$RARE" "$T/text.txt")
[ "$HITS" = "$NRARE" ] && [ "$GREP_HITS" = "$NRARE" ] ||
	echo "  warning: $RARE: search finds $HITS, grep -c $GREP_HITS, generated $NRARE"
n=$($H --db "$DB" show "$LONG_ID" | grep -c '^--- ')
[ "$n" = 200 ] || echo "  warning: show $LONG_ID printed $n messages, not 200"
n=$($H --db "$DB" list | wc -l | tr -d ' ')
[ "$n" = 20 ] || echo "  warning: list printed $n lines, not 20"

# --- 2. queries ---------------------------------------------------------------
echo
echo "queries: median (p90, max) wall ms of $RUNS runs after $WARM warm-ups, stdout to /dev/null"
q "(--version)" '' $H --version    # process start and exit: the floor under every row
q list 20 $H --db "$DB" list
q "show (200 msgs)" 20 $H --db "$DB" show "$LONG_ID"
q search 20 $H --db "$DB" search "$RARE" && SEARCH_MS=$MED
q "search -n 0" 20 $H --db "$DB" search -n 0 "$RARE" && SEARCH_ALL_MS=$MED
q stats '' $H --db "$DB" stats

# --- 3. peer ------------------------------------------------------------------
echo
echo "peer: grep -c $RARE over every message's text as plain lines ($(mb "$(bytes "$T/text.txt")"), in the page cache)"
# to a file: GNU grep stops at the first match when its stdout is /dev/null
OUT=$T/grep.out
q "grep -c" '' grep -c "$RARE" "$T/text.txt" && GREP_MS=$MED
OUT=
[ -n "${GREP_MS:-}" ] && [ -n "${SEARCH_MS:-}" ] &&
	printf '  %-16s %8.2f ms (first 20 hits), %.2f ms (all %s)   vs grep -c %.2f ms\n' \
		search "$SEARCH_MS" "${SEARCH_ALL_MS:-0}" "$(commas "$HITS")" "$GREP_MS"

# --- 4. PostgreSQL --------------------------------------------------------------
. tests/pgserver.sh
if [ "${BENCH_HISTORY_PG:-1}" = 0 ] || ! pg_have; then
	echo
	echo "postgresql: skipped (BENCH_HISTORY_PG=0, or no server binaries: apt-get install postgresql)"
	exit 0
fi
pg_start || die "cannot start a PostgreSQL server (see $T/pg/log)"
trap 'pg_stop; rm -rf "$T"' EXIT
PGDB=$(pg_db bench) || die "cannot create the database"
echo
echo "postgresql: $("$PGBIN/postgres" --version), a Unix socket, fsync off (a throwaway server)"
echo "history: importing into PostgreSQL..." >&2
set -- $("$T/tm" 1 0 "$T/export.ndjson" /dev/null $H --db "$PGDB" -q import 2>"$T/import.err")
[ "${4:-1}" = 0 ] || die "PostgreSQL import failed: $(tail -n3 "$T/import.err")"
RATE=$(awk -v n="$NMSG" -v ms="$1" 'BEGIN { printf "%.0f", n * 1000 / ms }')
printf '  %-16s %8s msg/s  (%s s, one run of import < file)   target > 20,000 %s\n' import "$(commas "$RATE")" \
	"$(secs "$1")" "$([ "$RATE" -gt 20000 ] && echo met || echo MISSED)"
$H --db "$PGDB" export "$LONG_ID" | cmp -s - "$T/long.ndjson" ||
	echo "  warning: PostgreSQL's export of $LONG_ID differs from the generated records"
n=$($H --db "$PGDB" search -n 0 "$RARE" | wc -l | tr -d ' ')
[ "$n" = "$NRARE" ] || echo "  warning: $RARE: PostgreSQL's search finds $n, generated $NRARE"
q list 20 $H --db "$PGDB" list
q "show (200 msgs)" 20 $H --db "$PGDB" show "$LONG_ID"
q search 20 $H --db "$PGDB" search "$RARE"
q "search -n 0" 20 $H --db "$PGDB" search -n 0 "$RARE"
q stats '' $H --db "$PGDB" stats

# one logged exchange on each backend: chat-send against the fake provider
echo
echo "one exchange: chat-send to the local fake provider, logged and with --no-log (median ms)"
rm -f "$T/port"
tests/bin/fakeprov --port-file "$T/port" --idle 600 --text 'a short reply' > /dev/null 2>&1 &
FAKE=$!
trap 'kill $FAKE 2>/dev/null; pg_stop; rm -rf "$T"' EXIT
w=0
while [ ! -s "$T/port" ] && [ $w -lt 500 ]; do sleep 0.01; w=$((w + 1)); done
export OPENAI_BASE_URL="http://127.0.0.1:$(cat "$T/port")/v1" OPENAI_API_KEY=sk-bench
XPG=$(pg_db exchanges)
for b in sqlite postgresql; do
	[ $b = sqlite ] && X=$T/exchanges.db || X=$XPG
	q "$b --no-log" '' bin/chat-send --db "$X" --no-log 'a question' && NOLOG=$MED
	q "$b logged" '' bin/chat-send --db "$X" 'a question' && [ -n "${NOLOG:-}" ] &&
		printf '  %-16s %8.2f ms per exchange\n' "$b: the log" "$(awk -v a="$MED" -v b="$NOLOG" 'BEGIN { print a - b }')"
done
exit 0
