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
	run "$p" --no-such-flag
	is "$st" 64 "$p: an unknown flag exits 64"
	is "$(head -1 "$T/err")" "$p: unknown option: --no-such-flag" "$p: ... with the same one-line message"
	has "$T/err" "Try '$p --help'" "$p: ... and the same hint"
done
done_testing
