#!/bin/sh
# -x, --extract-all, --extract-lang: only the reply's fenced code goes to
# stdout, line by line as it arrives; the history keeps the whole reply.
. "$(dirname "$0")/../lib.sh"

reply='Here is the filter:
```jq
.items[] | .name
```
And a shell line:
~~~ sh
ls -l
~~~
That is all.'

fake_start --text "$reply" --chunks 9
run chat-send -x 'a jq filter'
is "$st" 0 "-x: exit 0"
is "$(cat "$T/out")" ".items[] | .name" "-x: only the first code block"
is "$(wc -l < "$T/out" | tr -d ' ')" 1 "-x: nothing else, no fence lines"
echo '{"items":[{"name":"a"},{"name":"b"}]}' > "$T/data.json"
chat-send -x 'a jq filter' | jq -r -f /dev/stdin "$T/data.json" > "$T/jq.out"
is "$(tr '\n' ' ' < "$T/jq.out")" "a b " "-x pipes into jq -f /dev/stdin"

run chat-stream --extract-all 'both'
is "$st" 0 "--extract-all: exit 0"
is "$(cat "$T/out")" "$(printf '.items[] | .name\n\nls -l')" "--extract-all: every block, a blank line between"

run chat-send --extract-lang SH 'the shell line'
is "$(cat "$T/out")" "ls -l" "--extract-lang: the first block in that language, matched without case"

# the history holds the whole reply, fences and words
last_reply() { chat-history export | jq -rs 'map(select(.type == "message" and .role == "assistant")) | last | .text'; }
is "$(last_reply)" "$reply" "the history keeps the whole reply"

run chat-send --extract-lang python 'none of those'
is "$st" 65 "no block in that language: exit 65"
is "$(wc -c < "$T/out" | tr -d ' ')" 0 "... and nothing on stdout"
has "$T/err" "no python code block in the reply" "... saying so on stderr"
is "$(last_reply)" "$reply" "... while the whole reply is still logged"

fake_start --text 'Just words, no code.'
run chat-stream -x 'no code'
is "$st" 65 "no block at all: exit 65"
has "$T/err" "no code block in the reply" "... saying so"
is "$(wc -c < "$T/out" | tr -d ' ')" 0 "... with nothing on stdout"

fake_start --text "$(printf 'Start:\n```python\nprint(1)\nprint(2)')" --chunks 5
run chat-send -x 'cut short'
is "$st" 0 "an unclosed block: exit 0"
is "$(cat "$T/out")" "$(printf 'print(1)\nprint(2)')" "an unclosed block runs to the end of the reply"
is "$(tail -c 1 "$T/out" | od -An -c | tr -d ' ')" '\n' "... and its last line ends with a newline"

fake_start --text "$reply"
run chat-send --json --extract-all 'records'
is "$(jq -c .code "$T/out")" '[".items[] | .name\n","ls -l\n"]' "--json --extract-all: the blocks as the record's code array"
is "$(jq -r .text "$T/out" | tail -n 1)" "That is all." "... beside the whole text"
run chat-stream --json -x 'records'
is "$(tail -n 1 "$T/out" | jq -c .code)" '".items[] | .name\n"' "chat-stream --json -x: the response record's code"
printf '%s\n' '{"type":"prompt","id":"p1","text":"a"}' > "$T/in"
IN=1 run chat-send -r --extract-lang rust
is "$st" 0 "-r: a reply without the block is no failure"
is "$(jq -c '[.id,.code]' "$T/out")" '["p1",null]' "-r --extract-lang: code is null when there is none"

run chat-send -x --schema '{"type":"object"}' hi
is "$st" 64 "-x with --schema: a usage error"
run chat-send --extract-lang '' hi
is "$st" 64 "--extract-lang with no language: a usage error"

# streamed: the block reaches stdout, and stdout ends, while the reply is
# still coming (its second half is held back for 20 s)
head='```
echo one
```
'
fake_start --text "${head}That runs the code." --chunks 2 --delay-chunk 20000
mkfifo "$T/fifo"
chat-send -x 'stream it' > "$T/fifo" 2> "$T/err" &
pid=$!
cat "$T/fifo" > "$T/early"
kill -0 "$pid" 2>/dev/null
ok $? "-x: stdout ends once the block is out, before the reply has finished"
is "$(cat "$T/early")" "echo one" "... with the block's text"
kill "$pid" 2>/dev/null
wait "$pid" 2>/dev/null

fake_start --text "$(printf '```\nline one\nline two\n```\nend of it\n')" --chunks 2 --delay-chunk 20000
rm -f "$T/fifo" && mkfifo "$T/fifo"
chat-stream --extract-all 'lines' > "$T/fifo" 2> "$T/err" &
pid=$!
exec 3< "$T/fifo"
read -r first <&3
kill -0 "$pid" 2>/dev/null
ok $? "--extract-all: a complete line goes out before the reply has finished"
is "$first" "line one" "... the block's first line"
exec 3<&-
kill "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
fake_stop

done_testing
