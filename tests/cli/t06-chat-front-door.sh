#!/bin/sh
# chat as a front door, the way git runs its commands: "chat PROGRAM ..."
# runs chat-PROGRAM (the one beside chat first, then the PATH's), text on
# stdin that is not a terminal makes it chat-send, and --help lists the
# programs. (The interactive session is t05-chat-session.)
. "$(dirname "$0")/../lib.sh"

run chat --help
is "$st" 0 "--help exits 0"
for p in stream send history upload cost image batch split key; do
	has "$T/out" "^  $p " "--help lists the program $p"
done
check "--help fits a screen" test "$(wc -l < "$T/out")" -le 40

# chat PROGRAM ARGS is chat-PROGRAM ARGS, byte for byte
for p in send stream history upload cost image batch split key; do
	chat "$p" --help > "$T/via" 2>&1
	"chat-$p" --help > "$T/direct" 2>&1
	check "chat $p --help is chat-$p --help" cmp -s "$T/via" "$T/direct"
done
chat history --db "$T/none.db" stats > "$T/via" 2>&1; s1=$?
chat-history --db "$T/none.db" stats > "$T/direct" 2>&1; s2=$?
is "$s1 $(cat "$T/via")" "$s2 $(cat "$T/direct")" "chat history stats: chat-history's output and status"
run chat key --frobnicate
is "$st" 64 "a program's usage error is its own (64)"
has "$T/err" "chat-key" "and its message names chat-key"

fake_start --echo
# text on stdin, not a terminal: chat-send with the same arguments
printf 'what is 2+2?\n' > "$T/in"
IN=1 run chat -s 'Be brief.' 'Answer:'
is "$st" 0 "stdin text: exit 0"
is "$(cat "$T/out")" "echo: Answer:

what is 2+2?" "stdin text: chat-send's reply, words then stdin"
check "stdin text: the system prompt went along" sh -c "last_request() { tail -n 1 '$T/log'; }; last_request | jq -e '.body.messages[0].content == \"Be brief.\"' > /dev/null"
printf '{"type":"prompt","id":"a","text":"one"}\n{"type":"prompt","id":"b","text":"two"}\n' > "$T/in"
IN=1 run chat --json
is "$st" 0 "records on stdin: exit 0"
is "$(jq -r '.id + " " + .text' "$T/out" | sort | tr '\n' '|')" "a echo: one|b echo: two|" \
	"records on stdin: chat-send's response records"
# words with stdin not a terminal are chat-send's too (chat-send reads the words)
run chat 'just words'
is "$(cat "$T/out")" "echo: just words" "words, stdin /dev/null: the reply"
is "$(chat-history list | wc -l)" 4 "every turn is in the history like any other"

# the program beside chat comes first, then the PATH's
mkdir -p "$T/beside" "$T/onpath"
cp "$ROOT/bin/chat" "$T/beside/chat"
printf '#!/bin/sh\necho "beside: $*"\n' > "$T/beside/chat-cost"
printf '#!/bin/sh\necho "on path: $*"\n' > "$T/onpath/chat-cost"
printf '#!/bin/sh\necho "on path: $*"\n' > "$T/onpath/chat-split"
chmod +x "$T/beside/chat-cost" "$T/onpath/chat-cost" "$T/onpath/chat-split"
is "$(PATH="$T/onpath:$PATH" "$T/beside/chat" cost --history 2>&1)" "beside: --history" \
	"chat-cost beside chat runs before the PATH's"
is "$(PATH="$T/onpath:$PATH" "$T/beside/chat" split -n 5 2>&1)" "on path: -n 5" \
	"a program not beside chat is found on the PATH"
PATH="$T/beside" "$T/beside/chat" batch list > "$T/out" 2> "$T/err"
is "$?" 127 "a program found nowhere: exit 127"
has "$T/err" "^chat: cannot run chat-batch: " "and one line saying so"

done_testing
