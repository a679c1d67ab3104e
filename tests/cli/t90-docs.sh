#!/bin/sh
# The documentation keeps up with the programs: every flag that --help lists
# is described in the man page and completed by the bash, zsh and fish
# completions; every command a program takes (chat-history list, show, ...)
# is in the man page's COMMANDS section and in the completions; the man pages
# render without warnings; --help, --version and a bad flag behave as
# DESIGN.md and STYLE.md say. chat, the front door, lists the programs it
# runs and its session's /commands in its man page, and its completions hand
# "chat PROGRAM ..." over to the program's.
. "$(dirname "$0")/../lib.sh"

PROGS="chat chat-stream chat-send chat-history chat-upload chat-cost chat-batch chat-image chat-split chat-key"
# the programs that take a command word first
CMD_PROGS="chat-history chat-batch chat-key"
VERSION=$(sed -n 's/^VERSION = *//p' "$ROOT/Makefile")

# The flags a program's --help lists, one a line: the option column of each
# line that starts with a dash, before the description.
help_flags() {
	"$ROOT/bin/$1" --help < /dev/null | sed -n 's/^  *\(-.*\)/\1/p' | sed 's/   *.*//' |
		tr ', ' '\n\n' | grep -E '^--?[[:alnum:]]' | sort -u
}

# The commands a program's --help lists, one a line: the first word of each
# line indented by two spaces that is a lower-case word alone or followed by
# a space (options start with a dash, examples with the program's name).
help_commands() {
	"$ROOT/bin/$1" --help < /dev/null | sed -n 's/^  \([a-z][a-z]*\)\( .*\)\{0,1\}$/\1/p' | sort -u
}

# The exit statuses a program's --help lists, one a line.
help_exits() {
	"$ROOT/bin/$1" --help < /dev/null | sed -n '/^Exit status:/,/^$/p' | tr -c '0-9\n' ' ' |
		tr ' ' '\n' | grep -v '^$' | sort -un
}

# The tag lines of a man page section (OPTIONS by default), with the roff
# escapes gone.
man_option_tags() {
	awk -v sect="${2:-OPTIONS}" '/^\.SH/ { in_opts = ($2 == sect) } in_opts && tag { print; tag = 0 }
	     in_opts && /^\.TP/ { tag = 1 }' "$1" |
		sed 's/\\-/-/g; s/\\f[BIRP]//g; s/\\%//g; s/\\&//g'
}

# has_command TAGS CMD: a tag line names CMD as its first word.
has_command() {
	sed 's/^\.[A-Z]* *//; s/^"//' "$1" | grep -qE -- "^$2([^[:alnum:]-]|\$)"
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

# Every command --help lists is in the man page's COMMANDS section and in
# each completion file.
for p in $CMD_PROGS; do
	help_commands "$p" > "$T/$p.cmds"
	check "$p: --help lists commands" test -s "$T/$p.cmds"
	man_option_tags "$ROOT/man/$p.1" COMMANDS > "$T/$p.cmdtags"
	while read -r c; do
		check "$p: $c is in man/$p.1 COMMANDS" has_command "$T/$p.cmdtags" "$c"
		check "$p: $c is in completions/chat.bash" has_flag "$ROOT/completions/chat.bash" "$c"
		check "$p: $c is in completions/_chat" grep -qE "^ *'$c:" "$ROOT/completions/_chat"
		check "$p: $c is in completions/chat.fish" grep -qE -- "-a $c( |\$)" "$ROOT/completions/chat.fish"
	done < "$T/$p.cmds"
	# and the man page documents no command the program lacks
	sed 's/^\.[A-Z]* *//; s/^"//; s/[^a-z].*//' "$T/$p.cmdtags" | sort -u > "$T/$p.mancmds"
	is "$(cat "$T/$p.mancmds")" "$(cat "$T/$p.cmds")" "$p: man page COMMANDS are exactly the --help commands"
done

# The programs chat's --help lists under "Programs:" are exactly the tags of
# man/chat.1's PROGRAMS section, and each is a program of the suite; the
# session's /commands, the rows of lib/repl/repl_cmds.c's table, are exactly
# the tags of its COMMANDS section.
"$ROOT/bin/chat" --help < /dev/null | sed -n '/^Programs:/,/^$/s/^  \([a-z][a-z]*\) .*/\1/p' | sort -u > "$T/chat.progs"
check "chat: --help lists the programs" test "$(wc -l < "$T/chat.progs")" -ge 9
man_option_tags "$ROOT/man/chat.1" PROGRAMS | sed 's/^\.[A-Z]* *//; s/[^a-z].*//' | sort -u > "$T/chat.manprogs"
is "$(cat "$T/chat.manprogs")" "$(cat "$T/chat.progs")" "chat: man page PROGRAMS are exactly the --help programs"
while read -r prog; do
	case " $PROGS " in
	*" chat-$prog "*) ok 0 "chat: $prog is chat-$prog, a program of the suite" ;;
	*) ok 1 "chat: $prog is chat-$prog, a program of the suite" ;;
	esac
done < "$T/chat.progs"
sed -n 's/^	{ "\([a-z][a-z]*\)", .*/\1/p' "$ROOT/lib/repl/repl_cmds.c" | sort -u > "$T/chat.slash"
check "chat: the session's /commands are found" test "$(wc -l < "$T/chat.slash")" -ge 10
man_option_tags "$ROOT/man/chat.1" COMMANDS | sed 's/^\.[A-Z]* *//; s/^"//' | sed -n 's|^/\([a-z][a-z]*\).*|\1|p' |
	sort -u > "$T/chat.manslash"
is "$(cat "$T/chat.manslash")" "$(cat "$T/chat.slash")" "chat: man page COMMANDS are exactly the session's /commands"
# each program is completed as chat's first word: zsh and fish list them in
# chat's own functions
zsh_progs=$(awk '$0 == "_chat_front_programs() {" { on = 1 } on && /^}/ { on = 0 } on' "$ROOT/completions/_chat" |
	sed -n "s/^ *'\([a-z]*\):.*/\1/p" | sort -u)
is "$zsh_progs" "$(cat "$T/chat.progs")" "chat: completions/_chat offers exactly the programs"
fish_progs=$(awk 'index($0, "function __chat_front_complete") == 1 { on = 1 } on && /^end/ { on = 0 } on' \
	"$ROOT/completions/chat.fish" | sed -n 's/.*complete $first -a \([a-z]*\) .*/\1/p' | sort -u)
is "$fish_progs" "$(cat "$T/chat.progs")" "chat: completions/chat.fish offers exactly the programs"
bash_progs=$(bash -c '. "$1/completions/chat.bash"; printf "%s\n" $_chat_front_programs' sh "$ROOT" | sort -u)
is "$bash_progs" "$(cat "$T/chat.progs")" "chat: completions/chat.bash offers exactly the programs"

# A small history with two named conversations, for the completions of
# conversation names (chat-history names, with --db).
printf '%s\n' \
	'{"type":"conversation","id":"aaaa00000001","name":"alpha","title":"a","created":"2026-01-01T00:00:00Z","updated":"2026-01-01T00:00:00Z"}' \
	'{"type":"conversation","id":"bbbb00000002","name":"beta","title":"b","created":"2026-01-02T00:00:00Z","updated":"2026-01-02T00:00:00Z"}' \
	'{"type":"conversation","id":"cccc00000003","name":null,"title":"c","created":"2026-01-03T00:00:00Z","updated":"2026-01-03T00:00:00Z"}' |
	chat-history --db "$T/names.db" import -q
is "$(chat-history --db "$T/names.db" names | sort | tr '\n' ' ')" "alpha beta cccc00000003 " "chat-history names: names, else ids"

# The completions offer exactly the flags --help lists, program by program.
# bash_complete LINE: what bash offers for the word at the end of LINE.
bash_complete() {
	bash -c '. "$1/completions/chat.bash"
		COMP_LINE=$2; COMP_POINT=${#COMP_LINE}
		read -ra COMP_WORDS <<< "$COMP_LINE"
		case $COMP_LINE in *" ") COMP_WORDS+=("") ;; esac
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		_chat_complete "${COMP_WORDS[0]}" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}" &&
			printf "%s\n" "${COMPREPLY[@]}"' sh "$ROOT" "$1" | grep -v '^$' | sort -u
}
if command -v bash > /dev/null 2>&1; then
	for p in $PROGS; do
		bash_complete "$p -" > "$T/$p.bash"
		is "$(cat "$T/$p.bash")" "$(cat "$T/$p.flags")" "$p: bash completes exactly the --help flags"
	done
	out=$(bash -c '. "$1/completions/chat.bash"; complete -p chat chat-stream chat-send chat-history chat-upload chat-cost chat-batch chat-image chat-split chat-key' sh "$ROOT" 2>&1)
	is "$out" "complete -F _chat_complete chat
complete -F _chat_complete chat-stream
complete -F _chat_complete chat-send
complete -F _chat_complete chat-history
complete -F _chat_complete chat-upload
complete -F _chat_complete chat-cost
complete -F _chat_complete chat-batch
complete -F _chat_complete chat-image
complete -F _chat_complete chat-split
complete -F _chat_complete chat-key" "bash: completion registered for each program"
	for p in $CMD_PROGS; do
		is "$(bash_complete "$p ")" "$(cat "$T/$p.cmds")" "$p: bash completes exactly the --help commands"
		db="--db $T/names.db"; [ "$p" = chat-key ] && db=--json # it takes no option with a value
		is "$(bash_complete "$p -q $db ")" "$(cat "$T/$p.cmds")" "$p: bash: an option's value is not the command"
	done
	is "$(bash_complete "chat-history --db $T/names.db show " | tr '\n' ' ')" "alpha beta cccc00000003 " \
		"chat-history: bash completes conversations after show, from --db"
	# chat: a program first, then that program's completion
	is "$(bash_complete "chat ")" "$(cat "$T/chat.progs")" "chat: bash completes exactly the programs as the first word"
	is "$(bash_complete "chat h")" "history" "chat: bash completes a program's name"
	is "$(bash_complete "chat send -")" "$(cat "$T/chat-send.flags")" "chat send: bash completes exactly chat-send's flags"
	is "$(bash_complete "chat stream -")" "$(cat "$T/chat-stream.flags")" "chat stream: bash completes exactly chat-stream's flags"
	is "$(bash_complete "chat history ")" "$(cat "$T/chat-history.cmds")" "chat history: bash completes chat-history's commands"
	is "$(bash_complete "chat history --db $T/names.db show " | tr '\n' ' ')" "alpha beta cccc00000003 " \
		"chat history: bash completes conversations after show"
	is "$(bash_complete "chat key set o" | tr '\n' ' ')" "ollama openai openrouter " "chat key: bash completes providers"
	is "$(bash_complete "$ROOT/bin/chat cost --period " | tr '\n' ' ')" "day month " \
		"chat cost: bash completes chat-cost's values, chat named by its path"
	check "chat: bash completes models after -m" sh -c "printf '%s\n' \"\$1\" | grep -qx gpt-4o" sh "$(bash_complete "chat -m gpt-4")"
	is "$(bash_complete "chat -q hist")" "" "chat: bash offers no program after an option (the words are a prompt)"
	is "$(bash_complete "chat-history rm --db=$T/names.db alpha b")" "beta" \
		"chat-history: bash completes more conversations after rm, from --db="
	is "$(bash_complete "chat-history --db $T/names.db rename alpha ")" "" \
		"chat-history: bash completes no conversation for rename's new name"
	is "$(bash_complete "chat-key set o" | tr '\n' ' ')" "ollama openai openrouter " \
		"chat-key: bash completes providers after set, the named ones too"
	is "$(bash_complete "chat-key -q list openai g" | tr '\n' ' ')" "gemini groq " \
		"chat-key: bash completes more providers after list"
	is "$(bash_complete "chat-key rm openai ")" "" "chat-key: bash completes one provider for rm"
	bash_complete "chat-history --db $T/na" > "$T/dbfiles"
	check "chat-history: bash completes files after --db" grep -qx "$T/names.db" "$T/dbfiles"
	for p in chat-send chat-stream; do
		bash_complete "$p -a $T/na" > "$T/attfiles"
		check "$p: bash completes files after -a" grep -qx "$T/names.db" "$T/attfiles"
	done
	bash_complete "chat-upload $T/na" > "$T/upfiles"
	check "chat-upload: bash completes files as arguments" grep -qx "$T/names.db" "$T/upfiles"
	is "$(bash_complete "chat-upload --quality " | tr '\n' ' ')" "high low medium " "chat-upload: bash completes --quality"
	is "$(bash_complete "chat-upload --flatten=" | tr '\n' ' ')" "black white " "chat-upload: bash completes --flatten="
	check "chat-upload: bash completes models after -m" sh -c "printf '%s\n' \"\$1\" | grep -qx gpt-4o" sh "$(bash_complete "chat-upload -m gpt-4")"
	is "$(bash_complete "chat-cost --by " | tr '\n' ' ')" "conversation day kind model month provider " "chat-cost: bash completes --by"
	is "$(bash_complete "chat-cost --by=day,mo" | tr '\n' ' ')" "day,model day,month " \
		"chat-cost: bash completes the next --by grouping after a comma"
	is "$(bash_complete "chat-cost --period " | tr '\n' ' ')" "day month " "chat-cost: bash completes --period"
	is "$(bash_complete "chat-cost --encoding " | tr '\n' ' ')" "cl100k_base o200k_base " "chat-cost: bash completes --encoding"
	bash_complete "chat-cost $T/na" > "$T/costfiles"
	check "chat-cost: bash completes files as arguments" grep -qx "$T/names.db" "$T/costfiles"
	is "$(bash_complete "chat-image --format " | tr '\n' ' ')" "jpeg png " "chat-image: bash completes --format"
	is "$(bash_complete "chat-image --quality " | tr '\n' ' ')" "auto hd high low medium standard " \
		"chat-image: bash completes --quality"
	check "chat-image: bash completes --size" sh -c "printf '%s\n' \"\$1\" | grep -qx 1536x1024" sh \
		"$(bash_complete "chat-image --size 15")"
	bash_complete "chat-image --image $T/na" > "$T/imgfiles"
	check "chat-image: bash completes files after --image" grep -qx "$T/names.db" "$T/imgfiles"
	mkdir -p "$T/nadir"
	is "$(bash_complete "chat-image --dir $T/nad")" "$T/nadir" "chat-image: bash completes directories after --dir"
	check "chat-send: bash completes models after --fallback" sh -c "printf '%s\n' \"\$1\" | grep -qx claude-haiku-4-5" sh \
		"$(bash_complete "chat-send --fallback claude-h")"
	# saved templates come from the templates folder, editors' backups left out
	mkdir -p "$XDG_CONFIG_HOME/chat/templates"
	for t in triage translate summary 'summary~'; do
		printf 'description = %s\n' "$t" > "$XDG_CONFIG_HOME/chat/templates/$t"
	done
	is "$(bash_complete "chat-send -t " | tr '\n' ' ')" "summary translate triage " \
		"chat-send: bash completes template names after -t"
	is "$(bash_complete "chat-stream --template=tr" | tr '\n' ' ')" "translate triage " \
		"chat-stream: bash completes template names after --template="
	is "$(bash_complete "chat-send -p level ")" "" "chat-send: bash offers nothing for the VALUE of -p NAME VALUE"
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
	fish_complete() {
		fish -c 'set fish_complete_path $argv[1] $fish_complete_path; complete -C "$argv[2]"' \
			"$T/fish" "$1" 2>&1 | cut -f1 | sort -u
	}
	is "$(fish_complete "chat ")" "$(cat "$T/chat.progs")" "chat: fish completes exactly the programs as the first word"
	is "$(fish_complete "chat send -")" "$(cat "$T/chat-send.flags")" "chat send: fish completes exactly chat-send's flags"
	is "$(fish_complete "chat history --db $T/names.db show " | tr '\n' ' ')" "alpha beta cccc00000003 " \
		"chat history: fish completes conversations after show"
	for p in $CMD_PROGS; do
		is "$(fish_complete "$p ")" "$(cat "$T/$p.cmds")" "$p: fish completes exactly the --help commands"
		db="--db $T/names.db"; [ "$p" = chat-key ] && db=--json
		is "$(fish_complete "$p -q $db ")" "$(cat "$T/$p.cmds")" "$p: fish: an option's value is not the command"
	done
	is "$(fish_complete "chat-history --db $T/names.db show " | tr '\n' ' ')" "alpha beta cccc00000003 " \
		"chat-history: fish completes conversations after show, from --db"
	is "$(fish_complete "chat-history rm --db=$T/names.db alpha b")" "beta" \
		"chat-history: fish completes more conversations after rm, from --db="
	is "$(fish_complete "chat-history --db $T/names.db rename alpha ")" "" \
		"chat-history: fish completes no conversation for rename's new name"
	is "$(fish_complete "chat-upload --quality ")" "high
low
medium" "chat-upload: fish completes --quality"
	check "chat-upload: fish completes files as arguments" sh -c 'printf "%s\n" "$1" | grep -qx "$2"' sh \
		"$(fish_complete "chat-upload $T/na")" "$T/names.db"
	check "chat-send: fish completes files after -a" sh -c 'printf "%s\n" "$1" | grep -qx "$2"' sh \
		"$(fish_complete "chat-send -a $T/na")" "$T/names.db"
	is "$(fish_complete "chat-cost --by day,mo" | tr '\n' ' ')" "day,model day,month " \
		"chat-cost: fish completes the next --by grouping after a comma"
	is "$(fish_complete "chat-cost --period " | tr '\n' ' ')" "day month " "chat-cost: fish completes --period"
	check "chat-cost: fish completes files as arguments" sh -c 'printf "%s\n" "$1" | grep -qx "$2"' sh \
		"$(fish_complete "chat-cost $T/na")" "$T/names.db"
	mkdir -p "$XDG_CONFIG_HOME/chat/templates"
	printf 'description = x\n' > "$XDG_CONFIG_HOME/chat/templates/triage"
	printf 'description = x\n' > "$XDG_CONFIG_HOME/chat/templates/triage~"
	is "$(fish_complete "chat-send -t tri")" "triage" "chat-send: fish completes template names after -t"
	is "$(fish_complete "chat-image --format " | tr '\n' ' ')" "jpeg png " "chat-image: fish completes --format"
	check "chat-image: fish completes files after --image" sh -c 'printf "%s\n" "$1" | grep -qx "$2"' sh \
		"$(fish_complete "chat-image --image $T/na")" "$T/names.db"
else
	ok 0 "# SKIP fish missing"
fi

# What each program parses against what the user is shown. chat-send and
# chat-stream parse with lib/cliopts.c's table, which tests/bin/clitable
# prints ("--name -x needs WORD"; chat-send has the rows that need nothing,
# records or models, chat-stream those that need nothing or render); chat-batch with a table of its own, the others with getopt_long
# arrays, read here from their sources. Each flag parsed is in --help (a
# shared row with its value's word), and each completion offers exactly the
# flags parsed: none missing, none that nobody parses.
parsed_flags() { # PROG: "--long -x takes" a line ("-" for no letter; takes 1 or 0)
	case $1 in
	chat-send) "$ROOT/tests/bin/clitable" | awk '$3 != "render" { print $1, $2, ($4 != "-") }' ;;
	chat-stream | chat) "$ROOT/tests/bin/clitable" | awk '$3 == "-" || $3 == "render" { print $1, $2, ($4 != "-") }' ;;
	*)
		grep -oE '\{ "[a-z-]+", (no|required)_argument, NULL, [^}]+\}' "$ROOT/cmd/$1.c" |
			sed -E "s/^\{ \"([a-z-]+)\", (no|required)_argument, NULL, ('(.)'|[A-Z_]+) \}/--\1 -\4 \2/" |
			sed 's/ - / - /; s/ no$/ 0/; s/ required$/ 1/'
		grep -oE '\{ \.name = "[a-z-]+"[^}]*\}' "$ROOT/cmd/$1.c" |
			sed -E "s/^\{ \.name = \"([a-z-]+)\"(, \.letter = '(.)')?(.*)\}/--\1 -\3 \4/" |
			awk '{ print $1, $2, (index($0, ".arg =") > 0) }'
		;;
	esac | sed 's/ -  */ - /; s/ -$/ - /' | awk '{ print $1, ($2 == "" ? "-" : $2), $3 }'
}
bash_flags() { # PROG: from _chat_options, "SPELLINGS=KIND" entries
	bash -c '. "$1/completions/chat.bash"; _chat_options "$2"' sh "$ROOT" "$1" | tr ' \t' '\n\n' |
		sed -n 's/=.*//p' | tr '|' '\n' | grep -v '^$' | sort -u
}
zsh_flags() { # PROG: the specs of its function; chat-send and chat-stream share _chat()
	case $1 in
	chat) awk '$0 == "_chat_front() {" { on = 1 } on && /^}/ { on = 0 } on' "$ROOT/completions/_chat" ;;
	chat-send | chat-stream)
		other=chat-send; [ "$1" = chat-send ] && other=chat-stream
		awk -v other="    $other)" '/^_chat\(\) \{/ { on = 1 } on && /^\}/ { on = 0 }
			on && $0 == other { skip = 1 } skip && /;;/ { skip = 0; next } on && !skip' "$ROOT/completions/_chat" ;;
	*) awk -v f="_chat_${1#chat-}() {" '$0 == f { on = 1 } on && /^\}/ { on = 0 } on' "$ROOT/completions/_chat" ;;
	esac | grep -E "^ *['\"]" | sed "s/'([^)]*)/'/g; s/\[.*\]//" |
		grep -oE "(^|[{,'\" *])--?[[:alnum:]][[:alnum:]-]*" | sed "s/^[{,'\" *]//" | sort -u
}
fish_flags() { # PROG: its function; chat-send and chat-stream share __chat_complete_for
	case $1 in
	chat) awk 'index($0, "function __chat_front_complete") == 1 { on = 1 } on && /^end/ { on = 0 } on' \
		"$ROOT/completions/chat.fish" ;;
	chat-send | chat-stream)
		awk -v prog="$1" '/# the options every program shares/ { on = 1; mine = 1 } on && /^end/ { on = 0 }
			on && /^ *switch / { mine = 0 } on && /^ *case / { mine = ($2 == prog) } on && /^ +end$/ { mine = 1 }
			on && mine' "$ROOT/completions/chat.fish" ;;
	*) awk -v f="function __chat_${1#chat-}_complete" 'index($0, f) == 1 { on = 1 } on && /^end/ { on = 0 } on' \
		"$ROOT/completions/chat.fish" ;;
	esac | grep 'complete -c' | sed "s/ -[da] '[^']*'//g; s/ -d \"[^\"]*\"//g" |
		awk '{ for (i = 1; i < NF; i++) if ($i == "-s") print "-" $(i + 1); else if ($i == "-l") print "--" $(i + 1) }' |
		sort -u
}
"$ROOT/tests/bin/clitable" > "$T/table"
check "clitable: the table has rows" test "$(wc -l < "$T/table")" -gt 30
for p in $PROGS; do
	parsed_flags "$p" > "$T/$p.parsed"
	check "$p: the flags it parses are found" test "$(wc -l < "$T/$p.parsed")" -gt 4
	"$ROOT/bin/$p" --help < /dev/null > "$T/$p.help"
	awk '{ print $1; if ($2 != "-") print $2 }' "$T/$p.parsed" | sort -u > "$T/$p.pflags"
	if [ "$p" = chat ]; then
		# chat parses chat-stream's table, to hand a prompt's options on, and
		# lists (and completes) the ones a session is about
		is "$(comm -23 "$T/chat.flags" "$T/chat.pflags")" "" "chat: each flag --help lists is parsed"
		awk 'NR == FNR { shown[$1] = 1; next } shown[$1]' "$T/chat.flags" "$T/chat.parsed" > "$T/chat.shown"
		mv "$T/chat.shown" "$T/chat.parsed"
		cp "$T/chat.flags" "$T/chat.pflags"
	else
		is "$(cat "$T/$p.flags")" "$(cat "$T/$p.pflags")" "$p: --help lists exactly the flags it parses"
	fi
	while read -r long short takes; do
		[ "$short" = - ] || check "$p: $short, $long is in --help" grep -qF -- "$short, $long" "$T/$p.help"
	done < "$T/$p.parsed"
	if command -v bash > /dev/null 2>&1; then
		is "$(bash_flags "$p")" "$(cat "$T/$p.pflags")" "$p: completions/chat.bash offers exactly the flags it parses"
		# a flag that takes no value is "=flag" there, one that does is not
		bash -c '. "$1/completions/chat.bash"; _chat_options "$2"' sh "$ROOT" "$p" | tr ' \t' '\n\n' |
			awk -F= 'NF == 2 { n = split($1, sp, "|"); for (i = 1; i <= n; i++) print sp[i], $2 }' > "$T/$p.kinds"
		bad=$(awk 'NR == FNR { k[$1] = $2; next } ($3 == 0) != (k[$1] == "flag") { print $1 }' "$T/$p.kinds" "$T/$p.parsed")
		is "$bad" "" "$p: chat.bash completes a value exactly for the flags that take one"
	fi
	is "$(zsh_flags "$p")" "$(cat "$T/$p.pflags")" "$p: completions/_chat offers exactly the flags it parses"
	is "$(fish_flags "$p")" "$(cat "$T/$p.pflags")" "$p: completions/chat.fish offers exactly the flags it parses"
done
# the shared rows are in --help with their value's word (--model MODEL)
for p in chat-send chat-stream; do
	while read -r long short needs word; do
		[ "$p" = chat-stream ] && [ "$needs" != - ] && [ "$needs" != render ] && continue
		[ "$p" = chat-send ] && [ "$needs" = render ] && continue
		if [ "$word" = - ]; then
			check "$p: $long is in --help" grep -qE -- "(^|[ ,])$long(,|\$| )" "$T/$p.help"
		else
			check "$p: $long $word is in --help" grep -qF -- "$long $word" "$T/$p.help"
		fi
	done < "$T/table"
done
# ... and the check can fail: a completion that offers a flag nobody parses
sed 's/--wait-limit=flag/--wait-limit=flag --no-such=flag/' "$ROOT/completions/chat.bash" > "$T/bad.bash"
bad=$(bash -c '. "$1"; _chat_options chat-stream' sh "$T/bad.bash" | tr ' \t' '\n\n' | sed -n 's/=.*//p' |
	tr '|' '\n' | grep -v '^$' | sort -u)
check "a completion's extra flag is noticed" test "$bad" != "$(cat "$T/chat-stream.pflags")"

# Man pages render cleanly.
for m in chat.1 chat-stream.1 chat-send.1 chat-history.1 chat-upload.1 chat-cost.1 chat-batch.1 chat-image.1 chat-split.1 chat-key.1 \
	chat.5 chat.7; do
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

# Every exit status of DESIGN.md is a tag of each program's EXIT STATUS
# section, 3 too for the programs that take --max-cost; chat-history,
# chat-upload, chat-cost, chat-split and chat-key, which never talk to a
# provider, list the ones their --help gives, and 70 (and 78, for
# chat-upload's -m; 141 for chat-split, whose output is often cut short by
# a reader; 130 and 143 for chat-key, whose prompt a signal may end).
for p in $PROGS; do
	awk '/^\.SH/ { on = ($0 ~ /EXIT STATUS/) } on && tag { print; tag = 0 } on && /^\.TP/ { tag = 1 }' \
		"$ROOT/man/$p.1" | tr -c '0-9\n' ' ' > "$T/exit"
	case $p in
	chat-history | chat-cost) codes="$(help_exits "$p") 70" ;;
	chat-split) codes="$(help_exits "$p") 70 141" ;;
	chat-batch) codes="$(help_exits "$p") 70 130 141 143" ;;
	chat-upload) codes="$(help_exits "$p") 70 78" ;;
	chat-key) codes="$(help_exits "$p") 70 130 143" ;;
	chat) codes="0 1 3 64 65 66 69 70 73 75 77 78 126 127 130 141 143" ;; # and those of the programs it runs
	*) codes="0 1 3 64 65 66 69 70 73 75 77 78 130 141 143" ;;
	esac
	for code in $codes; do
		check "$p: EXIT STATUS lists $code" grep -qw "$code" "$T/exit"
	done
	for code in $(help_exits "$p"); do
		check "$p: --help's exit status $code is in EXIT STATUS" grep -qw "$code" "$T/exit"
	done
done

# chat(7) gives each error code with the exit status lib/errcode.c maps it to.
sed -n 's/.*\[ERR_[A-Z_]*\] = { "\([a-z_]*\)", \([A-Z_0-9]*\),.*/\1 \2/p' "$ROOT/lib/errcode.c" |
	grep -v '^none ' > "$T/codes"
check "lib/errcode.c: error codes found" test -s "$T/codes"
sed 's/\\%//g' "$ROOT/man/chat.7" > "$T/chat.7"
while read -r name status; do
	case $status in
	EXIT_*) status=$(sed -n "s/.*$status = \([0-9]*\),.*/\1/p" "$ROOT/lib/errcode.h") ;;
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

	# chat, its stdin not a terminal, hands its arguments to chat-send
	hint=$p; [ "$p" = chat ] && hint=chat-send
	run "$p" --no-such-flag
	is "$st" 64 "$p: an unknown flag exits 64"
	has "$T/err" "Try '$hint --help'" "$p: an unknown flag points to --help"
	is "$(cat "$T/out")" "" "$p: an unknown flag writes nothing on stdout"
	run "$p" -Z
	is "$st" 64 "$p: an unknown short flag exits 64"
	has "$T/err" "Try '$hint --help'" "$p: an unknown short flag points to --help"
done
 
# The layering rule (README: Source layout): each include names a folder the
# including folder may reach, and history, tokens and cost reach neither
# libcurl, the network code nor the providers through any header.
CC=${CC:-cc} CFLAGS_EXTRA="$(pkg-config --cflags libcurl libjq 2>/dev/null)" sh "$ROOT/scripts/layers.sh" >"$T/layers" 2>&1
is "$?" 0 "every include keeps the layering rule"
[ -s "$T/layers" ] && sed 's/^/# /' "$T/layers"
# ... and the check can fail: a history header that reaches the network
mkdir -p "$T/tree" && tar -C "$ROOT" -cf - --exclude="*.[oda]" lib scripts/layers.sh | tar -C "$T/tree" -xf -
echo '#include "net/http.h"' >> "$T/tree/lib/history/spool.h"
CC=${CC:-cc} sh "$T/tree/scripts/layers.sh" >"$T/layers" 2>&1
is "$?" 1 "a history header that includes the network code breaks the rule"
has "$T/layers" 'lib/history/spool.h: includes "net/http.h"' "... and is named"
has "$T/layers" 'lib/history/spool.c: reaches' "... with the file it reaches it from"
rm -rf "$T/tree"

done_testing
