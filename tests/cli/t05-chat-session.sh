#!/bin/sh
# chat's interactive session, driven through a pseudo-terminal by
# tests/bin/ptydrive: keys typed, the screen read. Streaming before the
# simulator has finished, ^C mid-reply keeping the partial reply, /switch
# carrying the other conversation's context, rendering, NO_COLOR, a
# 2,000-line bracketed paste, Tab completion, the /commands, and words on a
# terminal going to chat-stream.
. "$(dirname "$0")/../lib.sh"
PTY="$ROOT/tests/bin/ptydrive"
export TERM=xterm-256color
unset CHAT_IMAGES

# drive NAME [ptydrive options] -- COMMAND...: run the script $T/NAME.pty
# (written by the caller) against COMMAND on a terminal; the screen's text
# (escapes removed) in $T/NAME.screen, the raw bytes in $T/NAME.raw, the
# driver's status in $st and its complaints in $T/NAME.err.
drive() {
	_name=$1; shift
	"$PTY" -t 30 -o "$T/$_name.raw" "$@" < /dev/null > "$T/$_name.err" 2>&1
	st=$?
	[ $st = 0 ] || sed "s/^/#   /" "$T/$_name.err" | grep -v "^#   line [0-9]* of the paste" | head -n 40
}
latest() { chat-history list --json -n 1 | jq -r '.id'; }
requests() { [ -f "$T/log" ] && wc -l < "$T/log" | tr -d ' ' || echo 0; }
# the text of the last user message the simulator received
last_prompt() { tail -n 1 "$T/log" | jq -r '.body.messages[-1].content | if type == "array" then map(.text // empty) | join("") else . end'; }

# --- a reply streams before the simulator has finished sending it ---------
fake_start --text 'first line
second line' --chunks 2 --gate "$T/gate"
cat > "$T/stream.pty" <<PTY
expect_plain "Ctrl-D leaves."
send "hello there\r"
expect_plain "first line"
refute "second line"
run "touch $T/gate"
expect_plain "second line"
expect_plain "> "
send "\x04"
wait 0
PTY
drive stream "$T/stream.pty" -- chat
is "$st" 0 "the first line is on the screen while the simulator waits; then the rest"
is "$(last_prompt)" "hello there" "the typed line is the prompt"
run chat-history export "$(latest)"
is "$(jq -c '[select(.type=="message") | .role + ":" + .text]' "$T/out" | jq -sc add)" \
	'["user:hello there","assistant:first line\nsecond line"]' "the turn is in the history"
is "$(jq -r 'select(.type=="message" and .role=="assistant") | .status' "$T/out")" "complete" \
	"a complete reply is logged complete"

# --- ^C mid-reply: the partial reply kept, marked interrupted -------------
rm -f "$T/gate"
fake_start --text 'partial words
never sent yet' --chunks 2 --gate "$T/gate" --then --echo
cat > "$T/int.pty" <<PTY
expect_plain "Ctrl-D leaves."
send "tell me a long story\r"
expect_plain "partial words"
send "\x03"
expect_plain "[interrupted]"
expect_plain "> "
send "and then?\r"
expect_plain "echo: and then?"
expect_plain "> "
send "\x04"
wait 0
PTY
drive int "$T/int.pty" -- chat
is "$st" 0 "^C stops the reply, the session goes on, Ctrl-D leaves with 0"
run chat-history export "$(latest)"
is "$(jq -c 'select(.type=="message" and .role=="assistant") | [.status, .text]' "$T/out" | head -n 1)" \
	'["interrupted","partial words\n"]' "the partial reply is in the history, marked interrupted"
is "$(tail -n 1 "$T/log" | jq -c '[.body.messages[] | .role + ":" + .content]')" \
	'["user:tell me a long story","assistant:partial words\n\n\n[This reply was cut off before it was finished.]","user:and then?"]' \
	"the next turn carries the interrupted reply as context, marked as cut off"
hasnt "$T/int.raw" "never sent" "nothing after the interruption reached the screen"

# --- /switch right after an interrupted reply: the other context only -----
chat-send --conversation alpha 'alpha question' > /dev/null 2>&1
rm -f "$T/gate"
fake_start --text 'beta partial
the rest of it' --chunks 2 --gate "$T/gate" --then --echo
cat > "$T/switch.pty" <<PTY
expect_plain "Ctrl-D leaves."
send "beta question\r"
expect_plain "beta partial"
send "\x03"
expect_plain "[interrupted]"
send "/switch alpha\r"
expect_plain "Now in alpha"
send "follow-up\r"
expect_plain "echo: follow-up"
expect_plain "> "
send "\x04"
wait 0
PTY
drive switch "$T/switch.pty" -- chat
is "$st" 0 "/switch after ^C"
is "$(tail -n 1 "$T/log" | jq -r '[.body.messages[] | .role + ":" + .content] | join("|")')" \
	"user:alpha question|assistant:echo: alpha question|user:follow-up" \
	"the request after /switch carries alpha's context and nothing of the interrupted one"
is "$(chat-history show --json alpha | jq -r 'select(.type=="message") | .text' | tail -n 1)" "echo: follow-up" \
	"the turn went to alpha"

# --- a 2,000-line bracketed paste arrives as one prompt --------------------
fake_start --echo
awk 'BEGIN { for (i = 1; i <= 2000; i++) printf "line %d of the paste\n", i }' > "$T/paste.txt"
before=$(requests)
cat > "$T/paste.pty" <<PTY
expect_plain "Ctrl-D leaves."
send "Count these: "
paste $T/paste.txt
expect_plain "[paste #1: 2000 lines, "
send " Thanks.\r"
expect_plain "Thanks."
expect_plain "> "
send "\x04"
wait 0
PTY
drive paste "$T/paste.pty" -- chat
is "$st" 0 "a 2,000-line paste"
is "$(($(requests) - before))" 1 "the paste made one request"
{ printf 'Count these: '; cat "$T/paste.txt"; printf ' Thanks.'; } > "$T/paste.want"
tail -n 1 "$T/log" | jq -j '.body.messages[-1].content' > "$T/paste.got"
check "the paste and the typed words are one prompt, byte for byte" cmp -s "$T/paste.got" "$T/paste.want"

# --- a block of several lines, and ^C at the prompt clearing the line -----
before=$(requests)
cat > "$T/block.pty" <<PTY
expect_plain "Ctrl-D leaves."
send "this line is dropped\x03"
expect_plain "> "
send "\"\"\"\r"
expect_plain "... "
send "first of two\r"
send "second of two\r"
send "\"\"\"\r"
expect_plain "echo: first of two"
expect_plain "> "
send "/frobnicate now\r"
expect_plain "unknown command /frobnicate"
send "//etc is a folder\r"
expect_plain "echo: /etc is a folder"
expect_plain "> "
send "\x04"
wait 0
PTY
drive block "$T/block.pty" -- chat
is "$st" 0 "a block, ^C at the prompt, an unknown command"
is "$(($(requests) - before))" 2 "two requests: the block and the // line; the cleared line and the unknown command sent nothing"
is "$(sed -n "$((before + 1))p" "$T/log" | jq -r '.body.messages[-1].content')" "first of two
second of two" "the block is one prompt of two lines"
is "$(tail -n 1 "$T/log" | jq -r '.body.messages[-1].content')" "/etc is a folder" "// sends a leading slash"

# --- Tab completion, /model, /system, /new, /rename, /list ------------------
cat > "$T/tab.pty" <<PTY
expect_plain "Ctrl-D leaves."
send "/mo\t"
expect_plain "/model "
send "gpt-4.1-n\t"
expect_plain "gpt-4.1-nano "
send "\r"
expect_plain "Now with gpt-4.1-nano"
send "/model claude-haiku-4-5\r"
expect_plain "Now with claude-haiku-4-5"
send "/system Answer in French.\r"
expect_plain "system prompt is set"
send "/new gamma\r"
expect_plain "A new conversation, gamma"
send "bonjour\r"
expect_plain "echo: bonjour"
send "/rename delta\r"
expect_plain "Renamed to delta"
send "/sw\t"
expect_plain "/switch "
send "al\t"
expect_plain "alpha "
send "\x03"
send "/list\r"
expect_plain "delta"
send "/history\r"
expect_plain "bonjour"
expect_plain "> "
send "\x04"
wait 0
PTY
drive tab "$T/tab.pty" -- chat
is "$st" 0 "Tab completes commands, models and conversations"
tail -n 1 "$T/log" > "$T/req"
is "$(jq -r '.path' "$T/req")" "/v1/messages" "/model claude-haiku-4-5: the next turn goes to Anthropic"
is "$(jq -r '.body.system' "$T/req")" "Answer in French." "/system: the next turn has the system prompt"
is "$(jq -r '.body.messages | length' "$T/req")" 1 "/new: the next turn starts afresh"
is "$(chat-history show --json delta | jq -r 'select(.type=="conversation") | .name')" "delta" \
	"/new gamma, then /rename delta: the history has it so"

# --- /retry, /save, /copy, /cost ---------------------------------------------
before=$(requests)
cat > "$T/cmds.pty" <<PTY
expect_plain "Ctrl-D leaves."
send "/retry\r"
expect_plain "Nothing to ask again yet"
send "say it twice\r"
expect_plain "echo: say it twice"
send "/retry\r"
expect_plain "echo: say it twice"
send "/save $T/saved.txt\r"
expect_plain "Saved the last reply"
send "/copy\r"
expect_plain "Copied the last reply"
send "/cost\r"
expect_plain "This conversation: \$"
expect_plain "Today (UTC): \$"
send "/quit\r"
wait 0
PTY
drive cmds "$T/cmds.pty" -- chat
is "$st" 0 "/retry, /save, /copy, /cost, /quit"
is "$(($(requests) - before))" 2 "/retry asked once more"
is "$(tail -n 1 "$T/log" | jq -r '.body.messages[-1].content')" "say it twice" "/retry sent the last prompt"
is "$(cat "$T/saved.txt")" "echo: say it twice" "/save wrote the last reply"
b64=$(printf 'echo: say it twice' | base64 | tr -d '\n')
check "/copy put the reply on the clipboard by OSC 52" grep -q "]52;c;$b64" "$T/cmds.raw"

# --- the input history: kept, private, and a leading space keeps a line out
hist="$HOME/.local/state/chat/input_history"
# libedit keeps each line vis(3)-encoded: a space is \040
check "the input history is kept" grep -q 'say.040it.040twice' "$hist"
is "$(stat -c %a "$hist")" 600 "the input history is the user's alone"
cat > "$T/hist.pty" <<PTY
expect_plain "Ctrl-D leaves."
send " a secret prompt\r"
expect_plain "echo: a secret prompt"
send "\e[A"
expect_plain "/quit"
send "\x03"
send "\x04"
wait 0
PTY
drive hist "$T/hist.pty" -- chat
is "$st" 0 "Up brings back the last line of an earlier session"
check "a line that starts with a space stays out of it" sh -c "! grep -q 'secret' '$hist'"

# --- --no-log: the turns are context for each other, and nothing is kept --
fake_start --echo
mkdir -p "$T/tmp"
before=$(chat-history list --json -n 0 | wc -l)
cat > "$T/nolog.pty" <<PTY
expect_plain "Ctrl-D leaves."
send "first unlogged\r"
expect_plain "echo: first unlogged"
send "second unlogged\r"
expect_plain "echo: second unlogged"
expect_plain "> "
send "\x04"
wait 0
PTY
TMPDIR="$T/tmp" drive nolog "$T/nolog.pty" -- chat --no-log
is "$st" 0 "a --no-log session"
is "$(tail -n 1 "$T/log" | jq -c '[.body.messages[].content]')" \
	'["first unlogged","echo: first unlogged","second unlogged"]' "--no-log: the second turn carries the first as context"
is "$(chat-history list --json -n 0 | wc -l)" "$before" "--no-log: the history gains nothing"
is "$(ls -A "$T/tmp")" "" "--no-log: its scratch history is gone when the session ends"

# --- ~/.editrc is read, and "bind -v" there keeps the session's own keys --
printf 'bind -v\n' > "$HOME/.editrc"
cat > "$T/vi.pty" <<PTY
expect_plain "Ctrl-D leaves."
send "/hel\t"
expect_plain "/help "
send "\r"
expect_plain "Ctrl-C stops a reply"
send "\x04"
wait 0
PTY
drive vi "$T/vi.pty" -- chat
is "$st" 0 "vi keys from ~/.editrc, and Tab still completes"
rm -f "$HOME/.editrc"

# --- NO_COLOR: rendered, but no colour escape at all ------------------------
fake_start --text '# Title
Some **bold** and `code`.
' --chunks 3
cat > "$T/nocolor.pty" <<PTY
expect_plain "Ctrl-D leaves."
send "render\r"
expect_plain "Title"
expect_plain "> "
send "\x04"
wait 0
PTY
NO_COLOR=1 drive nocolor "$T/nocolor.pty" -- chat
is "$st" 0 "a session with NO_COLOR"
check "NO_COLOR: no SGR sequence anywhere" sh -c "! grep -q \"\$(printf '\\033')\\[[0-9;]*m\" '$T/nocolor.raw'"
check "NO_COLOR: the Markdown is still rendered (no ** left)" sh -c "! grep -q '\*\*bold' '$T/nocolor.raw'"
drive color "$T/nocolor.pty" -- chat
check "with colour: the heading is drawn bold" grep -q "$(printf '\033')\[1m" "$T/color.raw"
drive raw "$T/nocolor.pty" -- chat --raw
check "--raw: the reply as sent" grep -q 'Some \*\*bold\*\* and `code`' "$T/raw.raw"

# --- TERM=dumb: no escape sequence at all, the Markdown still rendered ----
fake_start --text '# Title
Some **bold** words.
' --chunks 2
cat > "$T/dumb.pty" <<PTY
expect_plain "Ctrl-D leaves."
send "render\r"
expect_plain "Some bold words."
expect_plain "> "
send "\x04"
wait 0
PTY
TERM=dumb drive dumb "$T/dumb.pty" -- chat
is "$st" 0 "a session on a dumb terminal"
check "TERM=dumb: not one escape sequence (no colour, no indicator, no paste mode)" \
	sh -c "! grep -q \"\$(printf '\\033')\" '$T/dumb.raw'"

# --- the waiting indicator: on stderr before the first token, then cleared --
rm -f "$T/gate"
fake_start --text 'late answer' --chunks 1 --gate-first "$T/gate"
cat > "$T/wait.pty" <<PTY
expect_plain "Ctrl-D leaves."
send "slow one\r"
expect "\r| "
run "touch $T/gate"
expect "\r\e[K"
expect_plain "late answer"
expect_plain "> "
send "\x04"
wait 0
PTY
drive wait "$T/wait.pty" -- chat
is "$st" 0 "an indicator turns before the first token and is cleared when text starts"
rm -f "$T/gate"
cat > "$T/wait2.pty" <<PTY
expect_plain "Ctrl-D leaves."
send "slow one\r"
run "touch $T/gate"
expect_plain "late answer"
expect_plain "> "
send "\x04"
wait 0
PTY
drive wait2 "$T/wait2.pty" -- sh -c "chat 2> '$T/wait2.stderr'"
is "$st" 0 "stderr not a terminal"
is "$(wc -c < "$T/wait2.stderr" | tr -d ' ')" 0 "no indicator where stderr is not a terminal"

# --- the front door on a terminal: words are chat-stream's -----------------
fake_start --echo
cat > "$T/words.pty" <<PTY
expect_plain "echo: one shot"
wait 0
PTY
drive words "$T/words.pty" -- chat one shot
is "$st" 0 "chat WORDS on a terminal: the reply, exit 0"
hasnt "$T/words.raw" "Ctrl-D leaves" "no session for a prompt given as words"
cat > "$T/refuse.pty" <<PTY
expect_plain "is for one prompt, not a session"
wait 64
PTY
drive refuse "$T/refuse.pty" -- chat --json
is "$st" 0 "a one-prompt flag in a session: usage error 64"

# --- the renderer in a session: awkward chunks give what a whole reply gives
cat > "$T/md.txt" <<'MD'
# A heading
Text with **bold**, *emphasis*, `code` and a [link](https://example.com/x).

- one
- two
  - nested

> quoted **words**

| name | n |
|:-----|--:|
| a    | 1 |

```sh
printf '%s\n' "copy me"
```
MD
fake_start --text-file "$T/md.txt" --chunks 1
cat > "$T/whole.pty" <<PTY
expect_plain "copy me"
wait 0
PTY
drive whole "$T/whole.pty" -- chat-stream --render 'show markdown'
is "$st" 0 "chat-stream --render: the reply whole"
fake_start --text-file "$T/md.txt" --chunks 97
cat > "$T/pieces.pty" <<PTY
expect_plain "Ctrl-D leaves."
send "show markdown\r"
expect_plain "copy me"
expect_plain "> "
send "\x04"
wait 0
PTY
drive pieces "$T/pieces.pty" -- chat
is "$st" 0 "the session: the reply in 97 pieces"
# the rendered reply: from the heading to the end of the code block
rendered() { awk '/A heading/ { p = 1 } p { print } /copy me/ { getline; print; exit }' "$1"; }
rendered "$T/whole.raw" > "$T/whole.md"
# the session's first line also holds the prompt's end and the cleared indicator
rendered "$T/pieces.raw" | sed '1s/^.*\x1b\[K//' > "$T/pieces.md"
check "the session renders 97 awkward pieces exactly as chat-stream renders the whole" cmp -s "$T/whole.md" "$T/pieces.md"
cmp -s "$T/whole.md" "$T/pieces.md" || diff "$T/whole.md" "$T/pieces.md" | cat -v | sed 's/^/#   /' | head -n 20
check "rendered: the heading is bold" grep -q "$(printf '\033')\[1m" "$T/pieces.md"
check "rendered: no ** left of the emphasis" sh -c "! grep -q '\*\*bold' '$T/pieces.md'"
check "rendered: the code line is byte for byte, no escape in it" grep -q "^printf '%s\\\\n' \"copy me\"$(printf '\r')\$" "$T/pieces.md"
check "rendered: the code block names its language" grep -q 'sh' "$T/pieces.md"

# --- the same turn through chat and chat-send is logged alike --------------
fake_start --text 'same answer' --usage
chat-send --conversation viasend 'same question' > /dev/null
cat > "$T/log.pty" <<PTY
expect_plain "Ctrl-D leaves."
send "same question\r"
expect_plain "same answer"
expect_plain "> "
send "\x04"
wait 0
PTY
drive logged "$T/log.pty" -- chat --conversation viachat
is "$st" 0 "a session turn in a named conversation"
strip='select(.type == "message") | del(.id, .conversation, .created, .ms, .ttft_ms, .request_id)'
chat-history export viasend | jq -c "$strip" > "$T/viasend"
chat-history export viachat | jq -c "$strip" > "$T/viachat"
check "its messages are chat-send's, field for field (ids and times aside)" cmp -s "$T/viasend" "$T/viachat"
check "with usage and cost recorded" grep -q '"usage"' "$T/viachat"

# --- images: inline where the terminal answers that it can, else the path --
fake_start --echo
cat > "$T/img.pty" <<PTY
answer "\e[c" "\e[?62;4;22c"
expect_plain "Ctrl-D leaves."
send "/image a red square\r"
expect_plain ".png"
expect "\eP"
expect_plain "> "
send "/attach $T/pic.png\r"
expect_plain "Attached"
expect "\eP"
expect_plain "> "
send "\x04"
wait 0
PTY
"$ROOT/tests/bin/mkimage" png 64 48 gradient "$T/pic.png"
(cd "$T" && drive img "$T/img.pty" -- chat)
is "$st" 0 "a terminal that answers sixel: /image and /attach show the pictures as sixel"
check "the generated image was written as chat-image writes it" sh -c "ls '$T'/a-red-square*.png > /dev/null"
cat > "$T/noimg.pty" <<PTY
answer "\e[c" "\e[?62;22c"
expect_plain "Ctrl-D leaves."
send "/image a blue circle\r"
expect_plain ".png"
expect_plain "> "
send "\x04"
wait 0
PTY
(cd "$T" && drive noimg "$T/noimg.pty" -- chat)
is "$st" 0 "a terminal without images: the path only"
hasnt "$T/noimg.raw" "$(printf '\033')P" "and no sixel"
hasnt "$T/noimg.raw" "a=T" "nor kitty graphics"
cat > "$T/kitty.pty" <<PTY
expect_plain "Ctrl-D leaves."
send "/attach $T/pic.png\r"
expect "\e_G"
expect_plain "> "
send "\x04"
wait 0
PTY
CHAT_IMAGES=kitty drive kitty "$T/kitty.pty" -- chat
is "$st" 0 "CHAT_IMAGES=kitty: kitty graphics without asking"
hasnt "$T/kitty.raw" "$(printf '\033')\[c" "and the terminal was not asked"

# --- /file and -f: text files in fenced blocks for the next prompt -------
printf 'int x;\n' > "$T/f.c"
printf 'bin\0ary' > "$T/f.bin"
fake_start --echo
cat > "$T/file.pty" <<PTY
expect_plain "Ctrl-D leaves."
send "/file $T/f.bin\r"
expect_plain "is not text: attach it with -a"
send "/file $T/f.c\r"
expect_plain "sent with the next prompt."
send "look\r"
expect_plain "echo: look"
expect_plain "> "
send "again\r"
expect_plain "echo: again"
expect_plain "> "
send "\x04"
wait 0
PTY
drive file "$T/file.pty" -- chat
is "$st" 0 "/file: a binary file refused with a hint, a text file added"
is "$(request 1 | jq -r '.body.messages[-1].content')" "$(printf 'look\n\n%s/f.c:\n```c\nint x;\n```\n' "$T")" \
	"/file: its block follows the next prompt's words"
is "$(last_prompt)" "again" "/file: ... and goes with that prompt only"
fake_start --echo
cat > "$T/fopt.pty" <<PTY
expect_plain "Ctrl-D leaves."
send "first\r"
expect_plain "echo: first"
expect_plain "> "
send "\x04"
wait 0
PTY
drive fopt "$T/fopt.pty" -- chat -f "$T/f.c"
is "$(last_prompt)" "$(printf 'first\n\n%s/f.c:\n```c\nint x;\n```\n' "$T")" "chat -f: the file goes with the first prompt"

done_testing
