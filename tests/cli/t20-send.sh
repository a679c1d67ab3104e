#!/bin/sh
# chat-send: whole replies, prompt assembly, records in and out, bad input.
. "$(dirname "$0")/../lib.sh"

fake_start --text 'The answer.' --chunks 3
run chat-send what is it
is "$(cat "$T/out")" "The answer." "prints the complete reply"
is "$(tail -c 1 "$T/out" | od -An -c | tr -d ' ')" '\n' "... followed by a newline"
is "$(request 1 | jq -r '.body.messages[0].content')" "what is it" "argument words joined by spaces"

printf 'line one\nline two\n' > "$T/in"
IN=1 run chat-send summarise this
is "$(request 2 | jq -r '.body.messages[0].content')" "$(printf 'summarise this\n\nline one\nline two\n')" \
	"argv first, a blank line, then stdin"
IN=1 run chat-send
is "$(request 3 | jq -r '.body.messages[0].content')" "$(printf 'line one\nline two\n')" "stdin alone is the prompt"

fake_start --text 'ok'
run chat-send --json -m openai:gpt-4.1 hi
is "$(jq -r '[.type,.provider,.model,.text,.finish]|join("|")' "$T/out")" "response|openai|gpt-4.1|ok|stop" \
	"--json: one response record; provider:model names the provider"
is "$(wc -l < "$T/out" | tr -d ' ')" 1 "--json: exactly one line"
is "$(request 1 | jq -r .body.model)" "gpt-4.1" "the provider prefix is not sent as part of the model"

# records
cat > "$T/in" <<'R'
{"type":"prompt","id":"a1","text":"first"}
{"type":"prompt","id":"a2","text":"second","system":"S","model":"gpt-4o"}
not json at all
{"type":"prompt","id":"a4"}
{"type":"attachment","id":"a5","mime":"image/png"}
{"type":"prompt","id":7,"text":"last, with no newline"}
R
printf %s "$(cat "$T/in")" > "$T/in2" && mv "$T/in2" "$T/in"
fake_start --text 'fine'
IN=1 run chat-send -r
is "$st" 1 "records: exit 1 when some failed"
is "$(jq -r '[.type, (.id|tostring)] | join(":")' "$T/out" | tr '\n' ' ')" \
	"response:a1 response:a2 error:null error:a4 error:a5 response:7 " "records: one result per line, ids carried, in order"
is "$(sed -n 3p "$T/out" | jq -r '[.code,.message]|join("|")')" "bad_input|line 3: invalid JSON: Invalid numeric literal at line 1, column 4 (while parsing 'not json at all')" \
	"records: a bad line gives an error record naming the line"
has "$T/err" "^chat-send: line 3: invalid JSON" "records: ... and a one-line message on stderr"
is "$(sed -n 2p "$T/log" | jq -c '[.body.model,.body.messages[0]]')" '["gpt-4o",{"role":"system","content":"S"}]' \
	"records: per-record model and system"
is "$(wc -l < "$T/log" | tr -d ' ')" 3 "records: only valid prompts reach the provider"

printf '{"type":"prompt","id":"x","text":"auto"}\n' > "$T/in"
IN=1 run chat-send
is "$(jq -r .type "$T/out")" response "stdin starting with a record is read as records without -r"
IN=1 run chat-send --text
is "$(last_request | jq -r '.body.messages[0].content')" '{"type":"prompt","id":"x","text":"auto"}' "--text sends it as plain text"
IN=1 run chat-send -r --text
is "$st" 64 "-r with --text is a usage error"

fake_start --error auth
printf '{"type":"prompt","id":"p","text":"x"}\n' > "$T/in"
IN=1 run chat-send -r
is "$(jq -r '[.id,.code,.status]|join(",")' "$T/out")" "p,auth,401" "records: provider errors become error records"
is "$st" 77 "records: a refused key is the same for every record: its own exit status, 77"

# bad input and configuration
unset OPENAI_API_KEY ANTHROPIC_API_KEY GEMINI_API_KEY
run chat-send hi
is "$st" 77 "no key: exit 77"
has "$T/err" "OPENAI_API_KEY" "no key: the message names OPENAI_API_KEY"
export OPENAI_API_KEY=sk-test-key-123
run chat-send
is "$st" 64 "no prompt and empty stdin: exit 64"
has "$T/err" "no prompt" "no prompt: said so"
run chat-send --frobnicate hi
is "$st" 64 "unknown flag: exit 64"
has "$T/err" "Try 'chat-send --help'" "unknown flag: a usage hint"
run chat-send --temperature 7 hi
is "$st" 64 "temperature out of range: exit 64"
run chat-send -m mystery-model hi
is "$st" 64 "an unknown model: exit 64"
has "$T/err" "unknown model 'mystery-model'" "an unknown model is named"
printf 'abc\000def' > "$T/in"
IN=1 run chat-send hi
is "$st" 65 "binary stdin: exit 65"

# key files and config
unset OPENAI_API_KEY
mkdir -p "$HOME/.config/chat"
printf 'sk-from-file\n' > "$HOME/keyfile"
chmod 644 "$HOME/keyfile"
printf '[openai]\nkey_file = ~/keyfile\n' > "$HOME/.config/chat/config"
run chat-send hi
is "$st" 77 "a key file readable by others: exit 77"
has "$T/err" "chmod 600" "... with a chmod hint"
chmod 600 "$HOME/keyfile"
fake_start --text 'keyed'
unset OPENAI_API_KEY
run chat-send hi
is "$(cat "$T/out")" keyed "a 0600 key file works"
is "$(request 1 | jq -r .headers.authorization)" "Bearer sk-from-file" "... and its key is sent"
printf 'model = gpt-4o\n[openai]\nkey_file = ~/keyfile\nbase_url = %s\n' "$OPENAI_BASE_URL" > "$HOME/.config/chat/config"
unset OPENAI_BASE_URL
run chat-send hi
is "$(request 2 | jq -r .body.model)" gpt-4o "the config's model and base_url are used"
printf 'this is not a config\n' > "$T/badcfg"
CHAT_CONFIG="$T/badcfg" run chat-send hi
is "$st" 78 "a broken config: exit 78"
CHAT_CONFIG="$T/nonexistent" run chat-send hi
is "$st" 78 "a named config that is missing: exit 78"

# -v traces HTTP with the key redacted
export OPENAI_API_KEY=sk-secret-value-999
run chat-send -v hi
has "$T/err" "Authorization: \[redacted\]" "-v: the Authorization header is redacted"
hasnt "$T/err" "sk-secret-value-999" "-v: the key appears nowhere"
has "$T/err" "< HTTP/1.1 200" "-v: the response is traced"

done_testing
