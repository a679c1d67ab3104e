#!/bin/sh
# tests/bin/ptydrive, the pseudo-terminal driver the interactive tests type
# through: echo and expect, escape sequences stripped for expect_plain,
# regexes, refute, a terminal answering queries, a file pasted intact, ^C
# and other signals, exit statuses, window sizes, a gate released by run,
# and every failure reported with its script line and the program killed.
. "$(dirname "$0")/../lib.sh"
PD="$ROOT/tests/bin/ptydrive"

# drive SCRIPT-TEXT [ptydrive options] -- COMMAND...: the script from the
# first argument; status in $st, stdout and stderr in $T/out and $T/err.
drive() {
	printf '%s\n' "$1" > "$T/script"
	shift
	opts=
	while [ "$1" != -- ]; do opts="$opts $1"; shift; done
	shift
	# shellcheck disable=SC2086
	$WRAP "$PD" $opts "$T/script" -- "$@" < /dev/null > "$T/out" 2> "$T/err"
	st=$?
}

# cat: what is typed is echoed, then written back once the line ends
drive 'send hello there\r
expect hello there\r\n
expect hello there\r\n
eof
wait 0' -- cat
is "$st" 0 "cat echoes the line, then prints it; EOF ends it with status 0"

# an expect that moves past the first copy cannot find it twice
drive 'send "once\r"
expect once
expect once
expect once' -t 2 -- cat
is "$st" 1 "the mark moves past each match: a third copy is not there"
has "$T/err" 'script:4: expect "once": not seen within 2s' "the failure names the script line and the text"

# raw expect sees escape sequences; expect_plain sees the text without them
drive 'expect "\e[?62;4c"
expect_plain "hello world"
expect_plain "blue"
refute "62;4c"
wait 0' -- sh -c 'printf "\033[?62;4c"; printf "hel\033[1mlo\033[0m \033]0;a title\007wo\033[38;5;196mr\033[0mld\r\n\033Pq#0;2;0;0;0\033\\\\\033_Gi=1;AAAA\033\\\\\033(Bblue\n"'
is "$st" 0 "expect_plain matches across colours, OSC, DCS, APC and ESC ( B; raw expect sees the bytes"

# refute fails when the text is there
drive 'expect "ready\r\nready"
expect_plain ready
refute ready
' -- sh -c 'echo ready; echo ready'
is "$st" 1 "refute fails when the text follows the mark"
has "$T/err" 'script:3: refute "ready": it is there' "refute says what was there"

drive 'expect_plain one
refute one
refute "tw o"
expect_plain two' -- sh -c 'echo one; echo two'
is "$st" 0 "refute passes for text only before the mark, or nowhere"

# expect_re on the plain stream, and dump writes it
drive 'expect_re "^answer: [0-9]+ tokens$"
expect_re "cost \$0\.[0-9]{2}"
dump '"$T/dump"'
wait 0' -- sh -c 'printf "answer: \033[32m42\033[0m tokens\r\ncost \$0.07\n"'
is "$st" 0 "expect_re matches the plain stream, line by line"
is "$(cat "$T/dump")" "$(printf 'answer: 42 tokens\ncost $0.07')" "dump writes the output without escapes and CRs"

# answer: the driver plays a terminal that replies to queries
cat > "$T/query.sh" << 'EOF'
stty raw -echo
printf '\033[c'
r=$(dd bs=1 count=8 2>/dev/null)
printf 'DA=%s\n' "$r" | tr '\033' E
printf 'x\033[>'
printf '0qy'
r=$(dd bs=1 count=14 2>/dev/null)
printf 'XTVERSION=%s\n' "$r" | tr '\033' E
printf 'x\033[c'
r=$(dd bs=1 count=8 2>/dev/null)
printf 'again=%s\n' "$r" | tr '\033' E
EOF
drive 'answer \e[c \e[?62;4c
answer "\e[>0q" "\eP>|term 1.0\e\\"
expect_plain DA=E[?62;4c
expect_plain XTVERSION=EP>|term 1.0E\
expect_plain again=E[?62;4c
wait 0' -- sh "$T/query.sh"
is "$st" 0 "answer replies to each query once, even one split across writes"

drive 'expect_plain "DA="' -t 1 -- sh "$T/query.sh"
is "$st" 1 "without an answer the query goes unanswered"

# paste: 2000 lines arrive intact inside bracketed-paste markers
awk 'BEGIN { for (i = 1; i <= 2000; i++) printf "line %d: some words, a tab\there, and UTF-8 café\n", i }' > "$T/big.txt"
size=$(($(wc -c < "$T/big.txt") + 12))
drive 'expect ready
paste '"$T/big.txt"'
wait 0' -- sh -c "stty raw -echo; echo ready; head -c $size > '$T/got'"
is "$st" 0 "paste: a 2000-line file sent while the program reads"
{ printf '\033[200~'; cat "$T/big.txt"; printf '\033[201~'; } > "$T/want"
check "the program read the file intact between ESC[200~ and ESC[201~" cmp -s "$T/want" "$T/got"

drive 'expect ready
sendfile '"$T/big.txt"'
wait 0' -- sh -c "stty raw -echo; echo ready; head -c $((size - 12)) > '$T/got'"
check "sendfile: the bytes alone" cmp -s "$T/big.txt" "$T/got"

# through cat in cooked mode: its copy flows back while the file is written.
# (Without -echo: under a flood the kernel drops echo it has no room for.)
drive 'expect ready
sendfile '"$T/big.txt"'
eof
wait 0' -o "$T/transcript" -- sh -c 'stty -echo; echo ready; exec cat'
is "$st" 0 "sendfile into cat: its output is read while writing, nothing blocks"
is "$(wc -c < "$T/transcript")" "$((size - 12 + 2000 + 7))" "every line copied, each ending in CR LF"

# exit statuses
drive 'wait 3' -- sh -c 'exit 3'
is "$st" 0 "wait 3: the program's exit status"
drive 'wait 0' -- sh -c 'exit 3'
is "$st" 1 "wait fails on another status"
has "$T/err" "script:1: wait: the program's status was 3, not 0" "and says which"
drive 'wait' -- sh -c 'exit 5'
is "$st" 0 "wait without a status takes any"

# ^C is a terminal's interrupt: SIGINT, status 128+2
drive 'expect started
send "\x03"
wait 130' -- sh -c 'echo started; exec sleep 100'
is "$st" 0 "^C kills sleep with SIGINT: status 130"

drive 'expect started
signal TERM
wait 143' -- sh -c 'echo started; exec sleep 100'
is "$st" 0 "signal TERM: status 143"

# window size: 80x24 unless -s, resize sends SIGWINCH
drive 'expect_plain "24 80"' -- stty size
is "$st" 0 "the window is 80x24 by default"
drive 'expect_plain "50 132"' -s 132x50 -- stty size
is "$st" 0 "-s 132x50"
drive 'expect ready
resize 100x30
expect_plain "30 100"
wait 0' -- sh -c 'sleep 100 & p=$!; trap "stty size; kill \$p; exit 0" WINCH; echo ready; wait $p'
is "$st" 0 "resize: the program gets SIGWINCH and the new size"
drive 'expect ready
resize 80x24
expect_plain "winch 24 80"
wait 0' -- sh -c 'sleep 100 & p=$!; trap "echo winch \$(stty size); kill \$p; exit 0" WINCH; echo ready; wait $p'
is "$st" 0 "resize to the same size: SIGWINCH all the same"

# TERM: xterm-256color unless the environment has one
( unset TERM; drive 'expect_plain term=xterm-256color' -- sh -c 'echo term=$TERM'; exit $st )
is "$?" 0 "TERM=xterm-256color by default"
( export TERM=vt100; drive 'expect_plain term=vt100' -- sh -c 'echo term=$TERM'; exit $st )
is "$?" 0 "a TERM in the environment is kept"

# run: a shell command while the program's output is still read; here it
# opens the gate the program waits at
mkfifo "$T/gate"
drive 'expect waiting
run "echo go > '"$T/gate"'"
expect_plain released go
wait 0' -- sh -c "echo waiting; read x < '$T/gate'; echo released \$x"
is "$st" 0 "run opens a gate the program waits on"
drive 'run "exit 4"' -- cat
is "$st" 1 "run fails when the command does"
has "$T/err" "script:1: run: 'exit 4' failed with status 4" "and says so"

# failures: the timeout, the program ending first; the program is killed
drive '# a comment, then a blank line

expect never' -t 0.3 -- sh -c "echo \$\$ > '$T/pid'; echo some output; exec sleep 100"
is "$st" 1 "expect fails when the timeout passes"
has "$T/err" 'script:3: expect "never": not seen within 0.3s' "the failure names the line, the text and the timeout"
has "$T/err" '^some output' "the end of the output is shown"
check "the program is killed" sh -c "! kill -0 $(cat "$T/pid") 2>/dev/null"

drive 'expect_plain never' -- sh -c 'echo bye'
is "$st" 1 "expect fails when the program ends without the text"
has "$T/err" 'expect_plain "never": not seen before the program' "and says the program ended"

drive 'expect_plain c
bogus' -- printf 'a\001b\tc\n'
is "$st" 1 "an unknown command fails"
has "$T/err" "script:2: unknown command 'bogus'" "naming it"
has "$T/err" 'a\\x01b\\tc\\n$' "control bytes in the shown output are made visible"

drive 'send "unclosed' -- cat
is "$st" 1 "an unclosed quote fails"

# the end of the script hangs up a program still running
drive 'expect started' -- sh -c "echo \$\$ > '$T/pid'; echo started; exec sleep 100"
is "$st" 0 "a script that ends with the program running succeeds"
check "and the program is gone" sh -c "! kill -0 $(cat "$T/pid") 2>/dev/null"

# the transcript: raw bytes, escapes and all
drive 'expect done
wait 0' -o "$T/transcript" -- printf 'a\033[31mred\033[0m done\n'
is "$(cat "$T/transcript")" "$(printf 'a\033[31mred\033[0m done\r')" "-o writes the raw output"

# usage
"$PD" "$T/script" cat > /dev/null 2>&1
is "$?" 2 "no -- : usage, status 2"
"$PD" -s 80 "$T/script" -- cat > /dev/null 2>&1
is "$?" 2 "a bad size: status 2"

done_testing
