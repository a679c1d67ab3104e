#!/bin/sh
# A local Ollama server: the default when no cloud key is set and no model is
# chosen (probed once at $OLLAMA_HOST/api/tags), and ollama:MODEL by name.
# Ollama speaks the OpenAI Chat Completions protocol under /v1, with
# max_tokens and no key.
. "$(dirname "$0")/../lib.sh"
export CHAT_DB="$T/h.db"

# fake_start exports a key for each cloud provider; here there are none
# unless a test sets one.
ollama_start() {
	fake_start "$@"
	unset OPENAI_API_KEY ANTHROPIC_API_KEY GEMINI_API_KEY GOOGLE_API_KEY
	export OLLAMA_HOST="127.0.0.1:$PORT"
}
# The requests the fake provider got, one "METHOD PATH" a line.
requests() { jq -r '.method + " " + .path' "$T/log"; }

# --- the fake provider lists models like Ollama
if command -v curl > /dev/null 2>&1; then
	ollama_start
	tags=$(curl -s "http://$OLLAMA_HOST/api/tags")
	is "$(echo "$tags" | jq -r '[.models[].name] | join(",")')" "llama3.2:latest,qwen3:8b" \
		"fakeprov: GET /api/tags lists two models"
	is "$(echo "$tags" | jq -r '.models[0] | keys_unsorted | join(",")')" "name,model,modified_at,size,digest,details" \
		"fakeprov: ... with Ollama's members, in its order"
	is "$(echo "$tags" | jq -r '.models[0].details | [.format, .family, .parameter_size] | join(",")')" "gguf,llama,3.2B" \
		"fakeprov: ... and its details"
	is "$(requests)" "GET /api/tags" "fakeprov: the request is logged"
	ollama_start --ollama-models 'mistral:7b,phi3'
	is "$(curl -s "http://$OLLAMA_HOST/api/tags" | jq -r '[.models[].model] | join(",")')" "mistral:7b,phi3" \
		"fakeprov: --ollama-models names the models"
	ollama_start --ollama-models ''
	is "$(curl -s "http://$OLLAMA_HOST/api/tags" | jq -c .)" '{"models":[]}' "fakeprov: --ollama-models '' lists none"
else
	ok 0 "# SKIP curl missing"
fi

# --- no cloud key, no model chosen: the local server and its first model
ollama_start --text 'local reply'
run chat-send --max-tokens 33 hi
is "$st:$(cat "$T/out")" "0:local reply" "no key: the reply comes from the local Ollama server"
is "$(requests | tr '\n' ';')" "GET /api/tags;POST /v1/chat/completions;" \
	"... after one probe of /api/tags, POST /v1/chat/completions on OLLAMA_HOST"
req=$(last_request)
is "$(echo "$req" | jq -r .body.model)" "llama3.2:latest" "... with the first model it lists"
is "$(echo "$req" | jq -c '[.body.max_tokens, .body.max_completion_tokens]')" '[33,null]' \
	"... --max-tokens sent as max_tokens, not max_completion_tokens"
is "$(echo "$req" | jq -r '.headers.authorization // "none"')" none "... and no Authorization header"
is "$(cat "$T/err")" "" "... and nothing on stderr"

ollama_start --text 'x'
run chat-send --json hi
is "$(jq -r '[.provider, (.cost_usd | tostring)] | join(",")' "$T/out")" "ollama,null" \
	"the response record names ollama; cost_usd is null for a model with no prices"
is "$(last_request | jq -r '.body | has("max_tokens") or has("max_completion_tokens")')" false \
	"without --max-tokens no limit is sent"

ollama_start --text 'x'
run chat-send -v hi
has "$T/err" "Ollama.*llama3.2:latest" "-v says the Ollama server is used, with its model"
has "$T/err" "127.0.0.1:$PORT" "... and where it is"

ollama_start --ollama-models 'mistral:7b,phi3' --text 'x'
run chat-send hi
is "$(last_request | jq -r .body.model)" "mistral:7b" "the first model the server lists is used"

printf '[ollama]\nmodel = x\n' > "$T/cfg"
ollama_start --text 'x'
CHAT_CONFIG="$T/cfg" run chat-send hi
is "$st:$(last_request | jq -r .body.model)" "0:x" "[ollama] model in the config wins over the list"

ollama_start --ollama-models '' --text 'x'
CHAT_CONFIG="$T/cfg" run chat-send hi
is "$st:$(last_request | jq -r .body.model)" "0:x" "... even when the server lists no models"

ollama_start --text 'x'
printf '{"type":"prompt","id":1,"text":"a"}\n{"type":"prompt","id":2,"text":"b"}\n{"type":"prompt","id":3,"text":"c"}\n' > "$T/in"
IN=1 run chat-send -r
is "$st:$(jq -s -r 'map(.provider) | join(",")' "$T/out")" "0:ollama,ollama,ollama" "record mode: every record goes to Ollama"
is "$(requests | grep -c '^GET /api/tags')" 1 "... after a single probe"

# --- anything chosen, or any cloud key: no probe
ollama_start --text 'x'
export OPENAI_API_KEY=sk-test-key-123
run chat-send hi
is "$st" 0 "with OPENAI_API_KEY set: exit 0"
hasnt "$T/log" '"GET"' "... no probe of /api/tags"
req=$(last_request)
is "$(echo "$req" | jq -r '[.path, .body.model] | join(" ")')" "/v1/chat/completions gpt-4o-mini" \
	"... openai is used, with the default model"
is "$(echo "$req" | jq -r .headers.authorization)" "Bearer sk-test-key-123" "... with its key"
unset OPENAI_API_KEY

ollama_start --text 'x'
ANTHROPIC_API_KEY=sk-ant-test-456 run chat-send -m gpt-4o-mini hi
hasnt "$T/log" '"GET"' "a model named on the command line: no probe"
ollama_start --text 'x'
ANTHROPIC_API_KEY=sk-ant-test-456 run chat-send hi
hasnt "$T/log" '"GET"' "with only ANTHROPIC_API_KEY set: no probe"
ollama_start --text 'x'
(umask 077 && echo sk-from-file > "$T/openai.key")
printf '[openai]\nkey_file = %s\n' "$T/openai.key" > "$T/cfg"
CHAT_CONFIG="$T/cfg" run chat-send hi
is "$st:$(last_request | jq -r .headers.authorization)" "0:Bearer sk-from-file" "a key_file for a cloud provider: openai is used"
hasnt "$T/log" '"GET"' "... no probe"
ollama_start --text 'x'
CHAT_MODEL=gemini-2.5-flash GEMINI_API_KEY=gm-test-789 run chat-send hi
is "$st:$(last_request | jq -r .path)" "0:/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse" \
	"CHAT_MODEL chooses the model: no probe"

ollama_start --text 'from mistral'
run chat-send -m ollama:mistral hi
is "$st:$(cat "$T/out")" "0:from mistral" "-m ollama:mistral: exit 0 and the reply"
is "$(requests | tr '\n' ';')" "POST /v1/chat/completions;" "... sent to OLLAMA_HOST, no probe"
is "$(last_request | jq -r .body.model)" mistral "... with the model after the colon"

ollama_start --text 'x'
OLLAMA_API_KEY=ol-secret run chat-send -m ollama:mistral hi
is "$(last_request | jq -r .headers.authorization)" "Bearer ol-secret" "OLLAMA_API_KEY, when set, is sent"

ollama_start --text 'x'
OLLAMA_BASE_URL="http://127.0.0.1:$PORT/v1" OLLAMA_HOST=127.0.0.1:9 run chat-send -m ollama:mistral hi
is "$st:$(last_request | jq -r .path)" "0:/v1/chat/completions" "OLLAMA_BASE_URL names the server"

printf '[aliases]\nlocal = ollama:qwen3:8b\n' > "$T/cfg"
ollama_start --text 'x'
CHAT_CONFIG="$T/cfg" run chat-send -m local hi
is "$st:$(last_request | jq -r .body.model)" "0:qwen3:8b" "an alias can name an Ollama model with a tag"

# --- no server, no key
ollama_start
export OLLAMA_HOST=127.0.0.1:9
run chat-send hi
is "$st" 77 "no Ollama server and no key: exit 77"
has "$T/err" "OPENAI_API_KEY" "... naming OPENAI_API_KEY"
hasnt "$T/log" "api/tags" "... (the probe went to OLLAMA_HOST only)"

ollama_start --ollama-models ''
run chat-send hi
is "$st" 77 "a server with no models and no key: exit 77"
has "$T/err" "OPENAI_API_KEY" "... naming OPENAI_API_KEY"

ollama_start --status 500
run chat-send hi
is "$st" 77 "a server whose /api/tags fails is not used: exit 77"

# the probe gives up after 300 ms: had it waited for this answer, sent 5 s
# later, the server would have been used (how long it took is not measured)
ollama_start --delay-first 5000
run chat-send hi
is "$st" 77 "a server that does not answer the probe in time is not used: exit 77"
hasnt "$T/log" "chat/completions" "... and the prompt never goes to it"

done_testing
