#!/bin/sh
# crowd.sh: N chat-send processes released at the same instant (a FIFO
# barrier) into one history and one rate-limit file, against
# tests/bin/fakeprov --echo. Figures are printed, never asserted: wall time from
# the release to the last exit, the exit statuses, the messages the history
# kept (of 2 N), and whether SQLite finds the file sound.
# Knobs: BENCH_CROWD (the sizes, default "400 1000"). Run by scripts/bench.sh
# (skip with BENCH_CROWD=0), or alone after make && make tests/bin/fakeprov.
set -u
cd "$(dirname "$0")/../.." || exit 1
SIZES=${BENCH_CROWD:-400 1000}
T=$(mktemp -d "${TMPDIR:-/tmp}/chat-crowd.XXXXXX") || exit 1
SRV=
trap '[ -n "$SRV" ] && kill "$SRV" 2>/dev/null; rm -rf "$T"' EXIT
tests/bin/fakeprov --port-file "$T/port" --idle 900 --echo &
SRV=$!
while [ ! -s "$T/port" ]; do sleep 0.01; done
export OPENAI_BASE_URL="http://127.0.0.1:$(cat "$T/port")/v1" OPENAI_API_KEY=sk-bench
printf '%-10s %10s  %-22s %s\n' processes wall exits "messages kept, integrity"
for n in $SIZES; do
	d="$T/$n"
	mkdir -p "$d/out"
	mkfifo "$d/gate"
	pids= i=1
	while [ "$i" -le "$n" ]; do
		(read -r _ < "$d/gate"; CHAT_DB="$d/h.db" bin/chat-send "question $i" > /dev/null 2> "$d/out/$i.err"
		 echo $? > "$d/out/$i.st") &
		pids="$pids $!"
		i=$((i + 1))
	done
	sleep 1
	start=$(date +%s%N)
	echo go > "$d/gate"
	# shellcheck disable=SC2086
	wait $pids
	end=$(date +%s%N)
	exits=$(cat "$d"/out/*.st | sort | uniq -c | awk '{printf "%s%d x %s", (NR > 1 ? ", " : ""), $1, $2}')
	kept=$(sqlite3 "$d/h.db" 'select count(*) from messages' 2>/dev/null)
	ok=$(sqlite3 "$d/h.db" 'pragma integrity_check' 2>/dev/null)
	printf '%-10s %9.1fs  %-22s %s of %s, %s\n' "$n" "$(echo "($end - $start) / 1000000000" | bc -l)" "$exits" \
		"${kept:-0}" $((n * 2)) "${ok:-unreadable}"
done
