#!/bin/sh
# --save NAME: the options and prompt given become a template that -t NAME
# asks again, byte for byte; nothing is sent or logged; --force to replace;
# names checked; --templates says where each lives.
. "$(dirname "$0")/../lib.sh"

TPL="$XDG_CONFIG_HOME/chat/templates"
DB="$XDG_DATA_HOME/chat/history.db"
body() { request "$1" | jq -cS .body; }
requests() { if [ -f "$T/log" ]; then wc -l < "$T/log" | tr -d ' '; else echo 0; fi; }

S='{"type":"object","properties":{"kind":{"type":"string"}},"required":["kind"]}'
printf '%s' "$S" > "$T/schema.json"
SYS=$(printf 'You sort things.\n\n  Indented, with "quotes" and a \\ backslash.\nEND\n# not a comment')
P1=$(printf 'Classify: "disk full" = <<END\n\ncaf\303\251')

fake_start --text '{"kind":"disk"}'
# saving: nothing is sent, nothing is logged, stdin is not read
printf 'stdin must not be read\n' > "$T/in"
IN=1 run chat-send --save full -m gpt-4o -s "$SYS" --temperature 0.3 --max-tokens 77 --context 0 \
	--schema "$T/schema.json" -p lang French "$P1" 'and more'
is "$st" 0 "--save: exit 0"
is "$(cat "$T/out")" "" "--save: prints nothing"
is "$(requests)" 0 "--save: nothing is sent to the provider"
check "--save: nothing is logged (no history made)" test ! -e "$DB"
is "$(stat -c %a "$TPL/full")" 600 "--save: the template is private (0600), like the history of the same prompts"

# each kind of option is in the file
has "$TPL/full" "^model = gpt-4o$" "--save keeps -m"
has "$TPL/full" "^temperature = 0.3$" "--save keeps --temperature"
has "$TPL/full" "^max-tokens = 77$" "--save keeps --max-tokens"
has "$TPL/full" "^context = 0$" "--save keeps --context"
has "$TPL/full" "^param lang = French$" "--save keeps -p as a param"
has "$TPL/full" "^schema = {\"type\":\"object\"" "--save keeps the schema itself, not the file's name"
has "$TPL/full" "^system <<END1$" "--save keeps a multi-line -s, ended by a word no line holds"
has "$TPL/full" "^prompt <<END1$" "--save keeps the prompt words"

# -t asks exactly what the flags asked, even with the schema file gone
run chat-send -m gpt-4o -s "$SYS" --temperature 0.3 --max-tokens 77 --schema "$T/schema.json" "$P1" 'and more'
is "$st" 0 "the run with the flags"
rm "$T/schema.json"
run chat-send -t full
is "$st" 0 "the run with the template"
is "$(body 2)" "$(body 1)" "-t reproduces the request of the flags: model, system, prompt, schema, limits"
is "$(request 2 | jq -c '[.body.model, .body.temperature, .body.max_completion_tokens, (.body.response_format | type)]')" \
	'["gpt-4o",0.3,77,"object"]' "... which are all in it"
is "$(request 2 | jq -r '.body.messages[1].content')" "$P1 and more" \
	"... the prompt with newlines, quotes, = and << intact"

# --context: a continued conversation sends the same turns
run chat-send -c --context 0 'next'
run chat-send -t full -c 'next'
run chat-send -c 'next'
is "$(request 4 | jq -c '.body.messages | length'):$(request 3 | jq -c '.body.messages | length'):$(request 5 | jq -c '.body.messages | length')" \
	"2:2:8" "--context from the template sends the same earlier turns as the flag (none; all without it)"
is "$(request 4 | jq -r '.body.messages[-1].content')" next "... and prompt words replace the template's prompt"

# a template's prompt stands in for words; stdin is added after it
run chat-send --save fix -s 'You fix scripts.' 'Fix this:'
printf 'echo $1\n' > "$T/in"
IN=1 run chat-send -t fix
is "$(last_request | jq -r '.body.messages[1].content')" "$(printf 'Fix this:\n\necho $1\n')" \
	"the saved prompt, then a blank line, then stdin"

# chat-stream saves the same way
n0=$(requests)
run chat-stream --save streamed -m claude-haiku-4-5 --max-tokens 40 'Stream "this"'
is "$st:$(requests)" "0:$n0" "chat-stream --save: exit 0, nothing sent"
run chat-stream -m claude-haiku-4-5 --max-tokens 40 'Stream "this"'
run chat-stream -t streamed
is "$(body "$((n0 + 2))")" "$(body "$((n0 + 1))")" "chat-stream -t reproduces what chat-stream --save kept"
is "$(request "$((n0 + 2))" | jq -c '[.body.model, .body.max_tokens, .body.messages[0].content]')" \
	'["claude-haiku-4-5",40,"Stream \"this\""]' "... which is all in it"

# replacing needs --force; without it the old template stays (73, as chat-image's --force)
cp "$TPL/full" "$T/full.before"
run chat-send --save full -m gpt-4.1 'other'
is "$st" 73 "--save over an existing template: exit 73"
has "$T/err" "template 'full' exists.*--force replaces it" "... saying so, and how to replace it"
check "... and the old one is intact" cmp -s "$T/full.before" "$TPL/full"
chmod 644 "$TPL/full"
run chat-send --save full --force -m gpt-4.1 'other'
is "$st" 0 "--save --force replaces it"
is "$(cat "$TPL/full")" "$(printf 'model = gpt-4.1\nprompt = other')" "... with only what was given"
is "$(stat -c %a "$TPL/full")" 644 "... keeping the mode its owner gave it"
run chat-send --force 'hi'
is "$st" 64 "--force without --save: usage error"

# -t with --save: the template filled in by the command line, its description kept
printf 'description = the triage\nmodel = gpt-4o\nmax-tokens = 60\n' > "$TPL/triage"
run chat-send -t triage -m gpt-4.1 --save triage2
is "$(cat "$TPL/triage2")" "$(printf 'description = the triage\nmodel = gpt-4.1\nmax-tokens = 60')" \
	"-t and --save: the template with the command line's changes"

# bad names: 64, nothing written
for name in ../x .hidden a/b -x 'bak~' "$(printf 'new\nline')" \
	"$(printf '%0128d' 0)"; do
	run chat-send --save "$name" hi
	is "$st" 64 "--save refuses the name '$(printf %s "$name" | tr '\n' '?' | head -c 20)'"
done
is "$(ls "$TPL" | tr '\n' ' ')" "fix full streamed triage triage2 " "... and writes nothing"

# what a template cannot hold is refused, not changed
run chat-send --save trailing -s "$(printf 'a space at the end \nx')" hi
is "$st" 65 "a line ending in a space: exit 65"
has "$T/err" "the system prompt ends its line 1 with a space" "... naming the value and the line"
run chat-send --save typed --argjson n 3 hi
is "$st" 64 "--argjson that is not a string: usage error (params are strings)"
run chat-send --save both --prompt-jq .q hi
is "$st" 64 "--prompt-jq with prompt words: usage error, as for a run"
check "... nothing written" test ! -e "$TPL/trailing" -a ! -e "$TPL/typed" -a ! -e "$TPL/both"

# --json: the record of what was saved
run chat-send --json --save rec -s x
is "$(jq -c '[.type, .name, .path == $p, .description]' --arg p "$TPL/rec" "$T/out")" \
	'["template","rec",true,null]' "--save --json: a template record"

# --templates: plain lines as before, -v adds the file, --json records
run chat-send --templates
is "$(grep '^triage2' "$T/out")" "$(printf 'triage2\tthe triage')" "--templates: name and description, as before"
run chat-send --templates -v
is "$(grep '^triage2' "$T/out")" "$(printf 'triage2\tthe triage\t%s' "$TPL/triage2")" "--templates -v: and where it lives"
printf 'nonsense\n' > "$TPL/broken"
run chat-stream --templates --json
is "$(jq -sc 'map(select(.name == "triage2" or .name == "broken")) | map([.type, .name, .path, .description, (.broken | type)])' "$T/out")" \
	"[[\"template\",\"broken\",\"$TPL/broken\",null,\"string\"],[\"template\",\"triage2\",\"$TPL/triage2\",\"the triage\",\"null\"]]" \
	"--templates --json: a record each, with its path, a broken one saying why"

# odd characters, round trip through chat-stream
ODD=$(printf '\n  leading blank line, then: \t tab, "q" '"'"'s'"'"' \\n, $HOME, `x`, END, END1, <<, =, #\n\n\342\202\254 \360\237\230\200')
n0=$(requests)
run chat-stream -s "$ODD" "$ODD"
run chat-stream --save odd -s "$ODD" "$ODD"
run chat-stream -t odd
is "$(body "$((n0 + 2))")" "$(body "$((n0 + 1))")" "odd characters come back byte for byte"
is "$(request "$((n0 + 2))" | jq -r '.body.messages[0].content')" "$ODD" "... the system prompt too"

done_testing
