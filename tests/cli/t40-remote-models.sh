#!/bin/sh
# chat-send --models --remote [PROVIDER]: each provider's own model list
# (OpenAI's and the compatible servers' GET /models, Anthropic's and
# Gemini's, paged) beside the model table; failures one line each.
. "$(dirname "$0")/../lib.sh"
unset GROQ_API_KEY GROQ_BASE_URL OPENROUTER_API_KEY TOGETHER_API_KEY DEEPSEEK_API_KEY XAI_API_KEY MISTRAL_API_KEY \
	VLLM_BASE_URL CHAT_PROVIDERS

fake_start
export GROQ_BASE_URL="http://127.0.0.1:$PORT/groq/v1" GROQ_API_KEY=gq-key
run chat-send --models --remote
is "$st" 0 "every keyed provider answers: exit 0"
is "$(head -1 "$T/out" | tr -s ' ')" "PROVIDER MODEL NOTE" "a header line"
is "$(grep -c '^openai  *gpt-4o  *$' "$T/out")" 1 "a listed model the table prices: no note"
has "$T/out" "^openai  *gpt-new-model  *not in the table: no price known" "a listed model the table lacks"
has "$T/out" "^openai  *gpt-5  *in the table, no longer listed" "a table entry the provider no longer lists"
has "$T/out" "^anthropic  *claude-new-model  *not in the table" "Anthropic's list, read"
has "$T/out" "^anthropic  *claude-sonnet-4-5  *$" "... across its pages (the second page's model)"
has "$T/out" "^gemini  *gemini-new-model  *not in the table" "Gemini's list, read"
hasnt "$T/out" "text-embedding" "... only the models that generate content"
has "$T/out" "^groq  *gpt-new-model" "a named provider's list"
has "$T/err" "skipped, no key set up: openrouter, together" "providers without a key: skipped with a note"
has "$T/err" "skipped, local servers (name one to ask it): ollama, vllm" "local servers: skipped unless named"

is "$(jq -r '[.method, .path, .headers.authorization // .headers["x-api-key"] // .headers["x-goog-api-key"]] | join(" ")' "$T/log" | sort | tr '\n' '|')" \
"GET /groq/v1/models Bearer gq-key|GET /v1/models Bearer sk-test-key-123|GET /v1/models?limit=1000 sk-ant-test-456|GET /v1/models?limit=1000&after_id=claude-haiku-4-5 sk-ant-test-456|GET /v1beta/models?pageSize=1000 gm-test-789|GET /v1beta/models?pageSize=1000&pageToken=page2 gm-test-789|" \
	"each provider's list endpoint with its own key header, pages followed"
is "$(jq -r 'select(.path | startswith("/v1/models?")) | .headers["anthropic-version"]' "$T/log" | sort -u)" 2023-06-01 \
	"Anthropic's version header"

run chat-send --models --remote --json anthropic
is "$st" 0 "one provider named: exit 0"
is "$(jq -r .provider "$T/out" | sort -u)" anthropic "... only that provider"
is "$(jq -c 'select(.model == "claude-new-model") | [.listed, .in_table]' "$T/out")" '[true,false]' "a remote_model record: listed, not in the table"
is "$(jq -c 'select(.model == "claude-opus-4-1") | [.listed, .in_table]' "$T/out")" '[false,true]' "... and one no longer listed"

VLLM_BASE_URL="http://127.0.0.1:$PORT/v1" run chat-send --models --remote vllm
is "$st" 0 "a named local server is asked without a key"
has "$T/out" "^vllm  *gpt-4o-mini" "... and listed"

# a failing provider: one line, the others still listed
fake_start --error auth
run chat-send --models --remote openai
is "$st" 77 "the one provider named fails: its exit status"
is "$(grep -c . "$T/err")" 1 "... said in one line"
has "$T/err" "openai: cannot list its models" "... naming the provider"
fake_start --error server --then --text x --then --text x --then --text x --then --text x
GEMINI_BASE_URL=http://127.0.0.1:9/v1beta run chat-send --retries 0 --models --remote
is "$st" 1 "some providers fail: exit 1"
has "$T/err" "gemini: cannot list its models" "the unreachable one is named"
has "$T/out" "^anthropic  *claude-new-model" "the others are still listed"
run chat-send --models --remote nosuch
is "$st" 64 "an unknown provider: exit 64"
has "$T/err" "unknown provider 'nosuch'; known: openai, anthropic, gemini, ollama, openrouter" "... listing the known ones"
unset OPENAI_API_KEY ANTHROPIC_API_KEY GEMINI_API_KEY GROQ_API_KEY
run chat-send --models --remote
is "$st" 77 "no provider has a key: exit 77"
run chat-send --models --remote groq
is "$st" 77 "a named provider without a key: exit 77"
has "$T/err" "no API key for groq: set GROQ_API_KEY" "... saying where to set one"
run chat-send --remote hi
is "$st" 64 "--remote without --models: a usage error"
done_testing
