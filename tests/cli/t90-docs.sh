#!/bin/sh
# The documentation keeps up with the programs: every flag that --help lists
# is described in the man page and completed by the bash, zsh and fish
# completions; the man pages render without warnings; --help, --version and
# a bad flag behave as DESIGN.md and STYLE.md say.
. "$(dirname "$0")/../lib.sh"

PROGS="chat-stream chat-send"
VERSION=$(sed -n 's/^VERSION = *//p' "$ROOT/Makefile")

# The flags a program's --help lists, one a line: the option column of each
# line that starts with a dash, before the description.
help_flags() {
	"$ROOT/bin/$1" --help | sed -n 's/^  *\(-.*\)/\1/p' | sed 's/   *.*//' |
		tr ', ' '\n\n' | grep -E '^--?[[:alnum:]]' | sort -u
}

# The tag lines of a man page's OPTIONS section, with the roff escapes gone.
man_option_tags() {
	awk '/^\.SH/ { in_opts = ($2 == "OPTIONS") } in_opts && tag { print; tag = 0 }
	     in_opts && /^\.TP/ { tag = 1 }' "$1" |
		sed 's/\\-/-/g; s/\\f[BIRP]//g; s/\\%//g; s/\\&//g'
}

# has_flag FILE FLAG: FLAG appears as a word of its own (not inside a longer flag).
has_flag() {
	grep -qE -- "(^|[^[:alnum:]-])$2([^[:alnum:]-]|\$)" "$1"
}

# fish spells -x as "-s x" and --foo as "-l foo".
has_fish_flag() {
	case $2 in
	--*) grep -qE -- "(^|[[:space:]])-l ${2#--}([^[:alnum:]-]|\$)" "$1" ;;
	-*) grep -qE -- "(^|[[:space:]])-s ${2#-}([^[:alnum:]-]|\$)" "$1" ;;
	esac
}

for p in $PROGS; do
	help_flags "$p" > "$T/$p.flags"
	check "$p: --help lists options" test -s "$T/$p.flags"
	man_option_tags "$ROOT/man/$p.1" > "$T/$p.tags"
	while read -r f; do
		check "$p: $f is in man/$p.1 OPTIONS" has_flag "$T/$p.tags" "$f"
		check "$p: $f is in completions/chat.bash" has_flag "$ROOT/completions/chat.bash" "$f"
		check "$p: $f is in completions/_chat" has_flag "$ROOT/completions/_chat" "$f"
		check "$p: $f is in completions/chat.fish" has_fish_flag "$ROOT/completions/chat.fish" "$f"
	done < "$T/$p.flags"
	check "$p: man page names the program" grep -q "^\.TH $(echo "$p" | tr a-z A-Z) 1 " "$ROOT/man/$p.1"
done

# The completions offer exactly the flags --help lists, program by program.
if command -v bash > /dev/null 2>&1; then
	for p in $PROGS; do
		bash -c '. "$1/completions/chat.bash"
			COMP_LINE="$2 -"; COMP_POINT=${#COMP_LINE}; COMP_WORDS=("$2" -); COMP_CWORD=1
			_chat_complete "$2" - "$2" && printf "%s\n" "${COMPREPLY[@]}"' sh "$ROOT" "$p" |
			sort -u > "$T/$p.bash"
		is "$(cat "$T/$p.bash")" "$(cat "$T/$p.flags")" "$p: bash completes exactly the --help flags"
	done
	out=$(bash -c '. "$1/completions/chat.bash"; complete -p chat-stream chat-send' sh "$ROOT" 2>&1)
	is "$out" "complete -F _chat_complete chat-stream
complete -F _chat_complete chat-send" "bash: completion registered for each program"
else
	ok 0 "# SKIP bash missing"
fi
if command -v zsh > /dev/null 2>&1; then
	check "zsh: completions/_chat parses" zsh -n "$ROOT/completions/_chat"
else
	ok 0 "# SKIP zsh missing"
fi
if command -v fish > /dev/null 2>&1; then
	check "fish: completions/chat.fish parses" fish -n "$ROOT/completions/chat.fish"
	# installed once per program, as the Makefile does; fish loads it by name
	mkdir -p "$T/fish"
	for p in $PROGS; do
		cp "$ROOT/completions/chat.fish" "$T/fish/$p.fish"
	done
	for p in $PROGS; do
		fish -c 'set fish_complete_path $argv[1] $fish_complete_path; complete -C "$argv[2] -"' \
			"$T/fish" "$p" 2>&1 | cut -f1 | sort -u > "$T/$p.fish"
		is "$(cat "$T/$p.fish")" "$(cat "$T/$p.flags")" "$p: fish completes exactly the --help flags"
	done
else
	ok 0 "# SKIP fish missing"
fi

# Man pages render cleanly.
for m in chat-stream.1 chat-send.1 chat.5 chat.7; do
	check "man/$m exists" test -s "$ROOT/man/$m"
	if command -v groff > /dev/null 2>&1; then
		out=$(groff -man -ww -z "$ROOT/man/$m" 2>&1)
		is "$out" "" "man/$m: groff -man -ww -z is silent"
	else
		ok 0 "# SKIP groff missing"
	fi
	if command -v man > /dev/null 2>&1; then
		MANWIDTH=80 MANPAGER=cat man -l "$ROOT/man/$m" > "$T/man.out" 2> "$T/man.err"
		ok $? "man/$m: man -l formats it"
		is "$(cat "$T/man.err")" "" "man/$m: man -l prints no warnings"
	else
		ok 0 "# SKIP man missing"
	fi
done

# Every exit status of DESIGN.md is a tag of each program's EXIT STATUS section.
for p in $PROGS; do
	awk '/^\.SH/ { on = ($0 ~ /EXIT STATUS/) } on && tag { print; tag = 0 } on && /^\.TP/ { tag = 1 }' \
		"$ROOT/man/$p.1" | tr -c '0-9\n' ' ' > "$T/exit"
	for code in 0 1 64 65 66 69 70 73 75 77 78 130 141 143; do
		check "$p: EXIT STATUS lists $code" grep -qw "$code" "$T/exit"
	done
done

# chat(7) gives each error code with the exit status lib/chaterr.c maps it to.
sed -n 's/.*\[ERR_[A-Z_]*\] = { "\([a-z_]*\)", \([A-Z_0-9]*\),.*/\1 \2/p' "$ROOT/lib/chaterr.c" |
	grep -v '^none ' > "$T/codes"
check "lib/chaterr.c: error codes found" test -s "$T/codes"
sed 's/\\%//g' "$ROOT/man/chat.7" > "$T/chat.7"
while read -r name status; do
	case $status in
	EXIT_*) status=$(sed -n "s/.*$status = \([0-9]*\),.*/\1/p" "$ROOT/lib/diag.h") ;;
	esac
	check "chat.7: $name maps to $status" grep -qF ".BR $name \" ($status)\"" "$T/chat.7"
done < "$T/codes"

# --help, --version and a bad flag.
for p in $PROGS; do
	run "$p" --help
	is "$st" 0 "$p --help exits 0"
	check "$p --help fits 40 lines" test "$(wc -l < "$T/out")" -le 40
	is "$(awk 'length > 80' "$T/out")" "" "$p --help lines fit 80 columns"
	is "$(cat "$T/err")" "" "$p --help writes nothing on stderr"

	run "$p" --version
	is "$st" 0 "$p --version exits 0"
	is "$(cat "$T/out")" "$p $VERSION" "$p --version prints name and version"

	run "$p" --no-such-flag
	is "$st" 64 "$p: an unknown flag exits 64"
	has "$T/err" "Try '$p --help'" "$p: an unknown flag points to --help"
	is "$(cat "$T/out")" "" "$p: an unknown flag writes nothing on stdout"
	run "$p" -Z
	is "$st" 64 "$p: an unknown short flag exits 64"
	has "$T/err" "Try '$p --help'" "$p: an unknown short flag points to --help"
done

done_testing
