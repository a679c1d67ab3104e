#!/bin/sh
# One family: every flag each program's --help lists is accepted by that
# program (never "unknown option"), every program has --help and --version,
# and a bad flag gets the same one-line error and exit 64 everywhere.
. "$(dirname "$0")/../lib.sh"

PROGS=$(sed -n 's/^PROGS = //p' "$ROOT/Makefile")
export CHAT_DB="$T/h.db" OPENAI_API_KEY=sk-test OPENAI_BASE_URL=http://127.0.0.1:9/v1

# FLAG and how many values it takes, from the help's option lines (packed
# "More options" lines too): "--model MODEL" takes one, "--arg NAME VALUE" two.
flags_with_arity() {
	"$ROOT/bin/$1" --help | sed -n 's/^  *\(-.*\)/\1/p' | sed 's/   .*//' | tr ',' '\n' |
		awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^--?[[:alnum:]]/) {
			n = 0; for (j = i + 1; j <= NF && $j !~ /^-/; j++) n++; print $i, n } }' | sort -u
}

for p in $PROGS; do
	flags_with_arity "$p" > "$T/$p.flags"
	check "$p: --help lists flags" test -s "$T/$p.flags"
	while read -r f arity; do
		set -- "$f"
		[ "$arity" -ge 1 ] && set -- "$@" 1
		[ "$arity" -ge 2 ] && set -- "$@" 1
		# --help after the flag: the flag is parsed first, then help ends the run
		(cd "$T" && "$ROOT/bin/$p" "$@" --help < /dev/null > "$T/flag.out" 2> "$T/flag.err")
		hasnt "$T/flag.err" "unknown option\|unrecognized option\|invalid option" "$p: $f is accepted"
	done < "$T/$p.flags"
	run "$p" --version
	is "$st|$(cat "$T/out")" "0|$p $(sed -n 's/^VERSION = *//p' "$ROOT/Makefile")" "$p: --version"
	# chat, its stdin not a terminal, hands its arguments to chat-send,
	# which parses them
	by=$p; [ "$p" = chat ] && by=chat-send
	run "$p" --no-such-flag
	is "$st" 64 "$p: an unknown flag exits 64"
	is "$(head -1 "$T/err")" "$by: unknown option: --no-such-flag" "$p: ... with the same one-line message"
	has "$T/err" "Try '$by --help'" "$p: ... and the same hint"
	# an unknown letter is named alone, wherever it stands in a cluster
	for w in -qZ -Zq; do
		run "$p" -v "$w"
		is "$st|$(head -1 "$T/err")" "64|$by: unknown option: -Z" "$p $w: the unknown letter is named"
	done
	run "$p" --quiet=1
	is "$st|$(head -1 "$T/err")" "64|$by: unknown option: --quiet=1" "$p: a value for a flag that takes none names the word"
done

# chat PROGRAM runs chat-PROGRAM, whatever stdin is; chat's own --help and
# --version are chat's even when stdin is not a terminal.
for prog in history cost key; do
	run chat "$prog" --version
	is "$st|$(cat "$T/out")" "0|chat-$prog $(sed -n 's/^VERSION = *//p' "$ROOT/Makefile")" "chat $prog runs chat-$prog"
done
run chat --help
is "$st|$(head -1 "$T/out")" "0|usage: chat [options]                 talk in a session (on a terminal)" \
	"chat --help is chat's, stdin not a terminal"

# An option of chat-send's is named by its spelling, not by its value.
run chat-stream --parallel 3 hello
is "$st|$(head -1 "$T/err")" "64|chat-stream: --parallel is for batches: use chat-send -r" "chat-stream --parallel 3: the flag is named"
run chat-stream -r
is "$st|$(head -1 "$T/err")" "64|chat-stream: -r does not read records" "chat-stream -r: refused"
run chat-stream --models
is "$st|$(head -1 "$T/err")" "64|chat-stream: --models: use chat-send --models" "chat-stream --models: refused"
# The numbers of every program's flags are refused in one wording.
run chat-split -n abc
is "$st|$(head -1 "$T/err")" "64|chat-split: --tokens: expected a whole number from 16 to 10000000, got 'abc'" \
	"chat-split -n: the wording of every whole-number flag"
run chat-image --count 11 x
is "$st|$(head -1 "$T/err")" "64|chat-image: --count: expected a whole number from 1 to 10, got '11'" "chat-image -n: the same"
run chat-batch --retries -1 list
is "$st|$(head -1 "$T/err")" "64|chat-batch: --retries: expected a whole number from 0 to 100, got '-1'" "chat-batch --retries: the same"
for p in chat-history chat-cost; do
	run "$p" --since 2026-13-01 list
	is "$st|$(head -1 "$T/err")" "64|$p: expected a date as YYYY-MM-DD: 2026-13-01" "$p --since: one wording for a bad date"
done
# chat-batch's commands and what each takes
run chat-batch cancel
is "$st|$(head -1 "$T/err")" "64|chat-batch: cancel needs a JOB" "chat-batch cancel: needs a JOB"
run chat-batch list --wait
is "$st|$(head -1 "$T/err")" "64|chat-batch: --wait goes with submit, status and collect" "chat-batch list --wait: refused"
run chat-batch status --force
is "$st|$(head -1 "$T/err")" "64|chat-batch: --force, --only-failed, -m, -s, --max-tokens and --temperature go with: submit" \
	"chat-batch status --force: refused"
run chat-batch list job1
is "$st|$(head -1 "$T/err")" "64|chat-batch: this command takes no JOBs: job1" "chat-batch list JOB: refused"
run chat-batch status --all-done
is "$st|$(head -1 "$T/err")" "64|chat-batch: --all-done goes with collect and no JOBs" "chat-batch status --all-done: refused"
run chat-batch frob
is "$st|$(head -1 "$T/err")" "64|chat-batch: unknown command: frob" "chat-batch: an unknown command"
# an unwritable stdout is exit 73 with one message, for a program that
# never talks to a provider as for one that does
run sh -c 'chat-history --db "$1" stats --json > /dev/full' sh "$T/none.db"
is "$st|$(wc -l < "$T/err")|$(cut -d: -f1-2 "$T/err")" "73|1|chat-history: cannot write output" \
	"chat-history: an unwritable stdout is 73, said once"
done_testing
