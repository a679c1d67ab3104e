#!/bin/sh
# The same behaviour whichever provider answers: OpenAI, Anthropic, Gemini.
. "$(dirname "$0")/../lib.sh"
export CHAT_DB="$T/h.db"

printf 'h\303\251llo \360\237\230\200 w\303\266rld \346\227\245\346\234\254' > "$T/text"
for m in openai:gpt-4o-mini anthropic:claude-sonnet-4-5 gemini:gemini-2.5-flash; do
	p=${m%%:*}
	fake_start --text-file "$T/text" --chunks 6 --split-writes 3
	run chat-stream -m "$m" hi
	check "$p: multi-byte text split across reads arrives byte-exact" cmp -s "$T/out" "$T/text"
	is "$st" 0 "$p: exit 0"
	run chat-send --json -m "$m" -s 'Be brief.' --max-tokens 77 --temperature 0.5 hi
	is "$(jq -r '[.provider, .finish, (.usage.output > 0 | tostring)] | join(",")' "$T/out")" "$p,stop,true" \
		"$p: a response record with provider, finish and usage"
	check "$p: cost_usd from the model table" sh -c "jq -e '.cost_usd > 0' '$T/out' > /dev/null"

	fake_start --text 'abc def ghi' --chunks 3 --mid-error 1
	run chat-stream -m "$m" hi
	is "$st:$(cat "$T/out")" "69:abc " "$p: an error mid-stream keeps what arrived, exit 69"
	has "$T/err" "error in the reply stream" "$p: ... and says so"

	fake_start --text 'abc def ghi' --chunks 3 --drop-after 1
	run chat-stream -m "$m" hi
	is "$st:$(cat "$T/out")" "69:abc " "$p: a dropped connection keeps what arrived, exit 69"

	fake_start --text 'abc def ghi' --chunks 3 --malformed-after 1
	run chat-stream -m "$m" hi
	is "$st" 69 "$p: a malformed event: exit 69"
	has "$T/err" "malformed" "$p: ... and says so"

	for e in auth:77 rate_limit:75 server:69 context_length:65 bad_request:65; do
		fake_start --error "${e%%:*}" --retry-after 30
		# the 30 s pause a 429 leaves in the shared limits stays with this run
		CHAT_RATE_DB="$T/rate-$p-${e%%:*}.db" run chat-send --retries 0 -m "$m" hi
		is "$st" "${e##*:}" "$p: HTTP error ${e%%:*}: exit ${e##*:}"
	done
	fake_start --error unavailable --header 'retry-after-ms: 5' --then --text 'second try'
	run chat-send -m "$m" hi
	is "$(cat "$T/out")" "second try" "$p: an overloaded server is retried"

	fake_start --text 'x' --finish length
	run chat-send --json -m "$m" hi
	is "$(jq -r .finish "$T/out")" length "$p: a reply cut by the token limit finishes with length"
done

# what each provider was sent
fake_start --text ok
chat-send -m anthropic:claude-sonnet-4-5 -s 'Be brief.' --temperature 0.5 'first' > /dev/null
is "$(last_request | jq -c .body.temperature)" 0.5 "anthropic: temperature"
chat-send -c -m anthropic:claude-sonnet-4-5 'second' > /dev/null
req=$(last_request)
is "$(echo "$req" | jq -r .path)" /v1/messages "anthropic: POST /v1/messages"
is "$(echo "$req" | jq -r '[.headers["x-api-key"], .headers["anthropic-version"]] | join(" ")')" \
	"sk-ant-test-456 2023-06-01" "anthropic: x-api-key and anthropic-version headers"
is "$(echo "$req" | jq -r '.headers.authorization // "none"')" none "anthropic: no Authorization header"
is "$(echo "$req" | jq -c '[.body.system, .body.max_tokens, .body.stream]')" '["Be brief.",8192,true]' \
	"anthropic: system at the top level, a default max_tokens, stream"
is "$(echo "$req" | jq -c '.body.messages')" \
	'[{"role":"user","content":"first"},{"role":"assistant","content":"ok"},{"role":"user","content":"second"}]' \
	"anthropic: the conversation as alternating messages"

chat-send -m gemini:gemini-2.5-flash -s 'Be brief.' --max-tokens 50 'first' > /dev/null
chat-send -c -m gemini:gemini-2.5-flash 'second' > /dev/null
req=$(last_request)
is "$(echo "$req" | jq -r .path)" "/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse" \
	"gemini: streamGenerateContent?alt=sse with the model in the path"
is "$(echo "$req" | jq -r '.headers["x-goog-api-key"]')" gm-test-789 "gemini: the key in x-goog-api-key"
check "gemini: never in the URL" sh -c "! echo '$req' | jq -r .path | grep -q key="
is "$(echo "$req" | jq -c '.body.systemInstruction')" '{"parts":[{"text":"Be brief."}]}' "gemini: systemInstruction"
is "$(echo "$req" | jq -c '[.body.contents[] | .role + ":" + .parts[0].text]')" '["user:first","model:ok","user:second"]' \
	"gemini: contents with roles user and model"

# Gemini specifics
fake_start --blocked SAFETY
run chat-send --json -m gemini:gemini-2.5-flash hi
is "$(jq -r .finish "$T/out")" filtered "gemini: a blocked prompt finishes as filtered"
fake_start --error quota
run chat-send -m gemini:gemini-2.5-flash hi
is "$st" 75 "gemini: a daily quota: exit 75"
is "$(wc -l < "$T/log" | tr -d ' ')" 1 "gemini: ... and not retried"
fake_start --error rate_limit --retry-after 0.01 --then --text 'after the wait'
run chat-send -m gemini:gemini-2.5-flash hi
is "$(cat "$T/out")" "after the wait" "gemini: a per-minute limit is retried after RetryInfo's delay"
fake_start --error rate_limit --retry-after 300 --then --text 'too late'
run chat-send -m gemini:gemini-2.5-flash hi
is "$st:$(wc -l < "$T/log" | tr -d ' ')" "75:1" "gemini: a RetryInfo delay over two minutes is not waited, as a header's is not"

# Anthropic specifics
fake_start --error overloaded --header 'retry-after-ms: 5' --then --text 'fine now'
run chat-send -m anthropic:claude-sonnet-4-5 hi
is "$(cat "$T/out")" "fine now" "anthropic: 529 overloaded is retried"
fake_start --text 'a b c' --chunks 3 --mid-error 1
run chat-send --json -m anthropic:claude-sonnet-4-5 hi
is "$(tail -1 "$T/out" | jq -r '[.code, .retryable] | join(",")')" "server,false" \
	"anthropic: overloaded_error after the 200 is an error record, not retried"

# attachments: encoded the way each provider wants, refused when the model cannot take them
printf '{"type":"attachment","mime":"image/png","data":"iVBORw0KGgo=","width":1,"height":1,"bytes":8,"sha256":"ab","source":"a.png"}\n' > "$T/in"
fake_start --text 'seen'
IN=1 run chat-send -m openai:gpt-4o 'describe'
is "$(last_request | jq -c '.body.messages[-1].content')" \
	'[{"type":"text","text":"describe"},{"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0KGgo=","detail":"auto"}}]' \
	"openai: the image as a data URL after the text"
IN=1 run chat-send -m anthropic:claude-sonnet-4-5 'describe'
is "$(last_request | jq -c '.body.messages[-1].content')" \
	'[{"type":"image","source":{"type":"base64","media_type":"image/png","data":"iVBORw0KGgo="}},{"type":"text","text":"describe"}]' \
	"anthropic: a base64 image block before the text"
IN=1 run chat-stream -m gemini:gemini-2.5-flash 'describe'
is "$(last_request | jq -c '.body.contents[-1].parts')" \
	'[{"inline_data":{"mime_type":"image/png","data":"iVBORw0KGgo="}},{"text":"describe"}]' "gemini: inline_data before the text"
nreq=$(wc -l < "$T/log")
IN=1 run chat-send -m gpt-3.5-turbo 'describe'
is "$st" 65 "a model that cannot take images: exit 65"
has "$T/err" "gpt-3.5-turbo cannot take image input; models that can: .*gpt-4o" "... naming models that can"
is "$(wc -l < "$T/log")" "$nreq" "... before any request"
printf '{"type":"attachment","mime":"video/mp4","uri":"https://generativelanguage.googleapis.com/v1beta/files/abc"}\n' > "$T/in"
IN=1 run chat-send -m claude-haiku-4-5 'what happens'
is "$st" 65 "video to a model that takes none: exit 65"
has "$T/err" "models that can: .*gemini-2.5-flash" "... naming Gemini models"
IN=1 run chat-send -m gemini-2.5-flash 'what happens'
is "$(last_request | jq -c '.body.contents[-1].parts[0]')" \
	'{"file_data":{"mime_type":"video/mp4","file_uri":"https://generativelanguage.googleapis.com/v1beta/files/abc"}}' \
	"gemini: video by Files API uri as file_data"
printf '{"type":"attachment","mime":"image/png"}\n' > "$T/in"
IN=1 run chat-send -m gpt-4o 'describe'
is "$st" 65 "an attachment without data: exit 65"
has "$T/err" "line 1: an attachment needs" "... naming the line"
printf '{"type":"prompt","id":"p1","text":"look","attachments":[{"type":"attachment","mime":"image/jpeg","data":"/9j/4AAQ"}]}\n{"type":"prompt","id":"p2","text":"look","model":"gpt-3.5-turbo","attachments":[{"type":"attachment","mime":"image/jpeg","data":"/9j/4AAQ"}]}\n' > "$T/in"
IN=1 run chat-send -r -m claude-sonnet-4-5
is "$(jq -r '[.id, .type] | join(":")' "$T/out" | tr '\n' ' ')" "p1:response p2:error " "prompt records carry attachments; a mismatched one is an error record"
is "$(last_request | jq -r '.body.messages[-1].content[0].source.media_type')" image/jpeg "... sent as an image block"

# routing and keys
fake_start --text 'routed'
run chat-send -m claude-3-opus-20240229 hi
is "$(last_request | jq -r .path)" /v1/messages "a claude- name outside the table goes to Anthropic"
run chat-send -m gemini-1.5-pro hi
check "a gemini- name outside the table goes to Gemini" sh -c "tail -n 1 '$T/log' | grep -q 'gemini-1.5-pro:streamGenerateContent'"
printf '[model gpt-oss]\nprovider = ollama\n[model llama3.2:latest]\nprovider = ollama\n[model odd]\nprovider = nosuch\n' > "$T/route.cfg"
OLLAMA_BASE_URL="$OPENAI_BASE_URL" CHAT_CONFIG="$T/route.cfg" run chat-send -m gpt-oss hi
is "$(last_request | jq -r '[.path, .body.model] | join(" ")')" "/v1/chat/completions gpt-oss" "the table beats the name's prefix"
is "$(last_request | jq -r '.body.max_completion_tokens // "none"')" none "... (sent the Ollama way)"
OLLAMA_BASE_URL="$OPENAI_BASE_URL" CHAT_CONFIG="$T/route.cfg" run chat-send -m llama3.2:latest hi
is "$(last_request | jq -r .body.model)" llama3.2:latest "a table name with a colon is not read as provider:model"
CHAT_CONFIG="$T/route.cfg" run chat-send -m odd hi
is "$st" 78 "a table entry naming an unknown provider: exit 78"
has "$T/err" "unknown provider 'nosuch'" "... naming it"
env -u OPENAI_API_KEY -u GEMINI_API_KEY chat-send --json hi > "$T/out" 2>/dev/null
is "$(jq -r .provider "$T/out")" anthropic "with only an Anthropic key, the default model is Anthropic's"

run chat-send -m no-such-model hi
is "$st" 64 "an unknown model: exit 64"
has "$T/err" "chat-send --models" "... pointing at the model table"
unset ANTHROPIC_API_KEY
run chat-send -m claude-haiku-4-5 hi
is "$st" 77 "a provider with no key: exit 77"
has "$T/err" "ANTHROPIC_API_KEY" "... naming its variable"
is "$(chat-send --models --json | jq -r 'select(.name=="claude-haiku-4-5").provider')" anthropic "--models --json lists the table"
printf '[model my-local]\nprovider = ollama\ncontext = 8192\n[aliases]\nfast = gpt-4o-mini\n' > "$T/cfg"
is "$(CHAT_CONFIG="$T/cfg" chat-send --models --json | jq -r 'select(.name=="my-local").context')" 8192 \
	"the config adds models"
fake_start --text 'aliased'
CHAT_CONFIG="$T/cfg" run chat-send -m fast hi
is "$(last_request | jq -r .body.model)" gpt-4o-mini "the config's aliases name models"

done_testing
