#!/bin/sh
# limits.sh: the records engine inside the shared rate limit. N prompt
# records through chat-send -r --parallel P with `rpm = R` in the config,
# against tests/bin/fakeprov, whose request log stamps each arrival. Figures
# are printed, never asserted:
#   wall time from start to exit, and the most requests the log shows in
#   any 10-second window beside what the bucket allows in one (a full
#   bucket of R, then R/6 more each 10 s)
#   the peer: the official SDKs keep no limit across processes, so the
#   figure to compare with is the bucket's own bound
# Knobs: BENCH_LIMITS_N (records, default 200), BENCH_LIMITS_RPM (120),
# BENCH_LIMITS_P (parallel, 8). Run by scripts/bench.sh (skip with
# BENCH_LIMITS=0), or alone after make && make tests/bin/fakeprov.
set -u
cd "$(dirname "$0")/../.." || exit 1
N=${BENCH_LIMITS_N:-200} RPM=${BENCH_LIMITS_RPM:-120} P=${BENCH_LIMITS_P:-8}
T=$(mktemp -d "${TMPDIR:-/tmp}/chat-limits.XXXXXX") || exit 1
trap 'kill "$SRV" 2>/dev/null; rm -rf "$T"' EXIT
tests/bin/fakeprov --port-file "$T/port" --log "$T/log" --idle 600 --text ok &
SRV=$!
while [ ! -s "$T/port" ]; do sleep 0.01; done
printf '[openai]\nrpm = %s\n' "$RPM" > "$T/config"
i=1
while [ "$i" -le "$N" ]; do printf '{"type":"prompt","id":%d,"text":"question %d"}\n' "$i" "$i"; i=$((i + 1)); done > "$T/in"
start=$(date +%s%N)
CHAT_CONFIG="$T/config" CHAT_DB="$T/h.db" OPENAI_BASE_URL="http://127.0.0.1:$(cat "$T/port")/v1" \
	OPENAI_API_KEY=sk-bench bin/chat-send -r --no-log --parallel "$P" < "$T/in" > "$T/out"
st=$?
end=$(date +%s%N)
answered=$(grep -c '"type":"response"' "$T/out")
# the busiest 10-second window in the log
busiest=$(jq -s '[.[].ms] | sort as $t | [range(0; $t | length) as $i
	| ($t[$i:] | map(select(. < $t[$i] + 10000)) | length)] | max' "$T/log")
allowed=$((RPM + RPM / 6))
printf '%-44s %s\n' "records, rpm, parallel" "$N, $RPM, $P"
printf '%-44s %s (exit %s)\n' "answered" "$answered of $N" "$st"
printf '%-44s %.1f s\n' "wall time" "$(echo "($end - $start) / 1000000000" | bc -l)"
printf '%-44s %s\n' "most requests in any 10 s window" "$busiest"
printf '%-44s %s\n' "the bucket's bound for 10 s (full + refill)" "$allowed"
