#!/bin/sh
# The named OpenAI-compatible providers of share/chat/providers and the
# config's [provider NAME] sections: each is NAME:model everywhere, sends
# OpenAI's chat completions to its own base URL with its own key and
# token-limit field, and replays the recordings of its service.
. "$(dirname "$0")/../lib.sh"
export CHAT_DB="$T/h.db" CHAT_RATE_DB="$T/rate.db"
unset OPENROUTER_API_KEY GROQ_API_KEY TOGETHER_API_KEY DEEPSEEK_API_KEY XAI_API_KEY MISTRAL_API_KEY \
	OPENROUTER_BASE_URL GROQ_BASE_URL TOGETHER_BASE_URL DEEPSEEK_BASE_URL XAI_BASE_URL MISTRAL_BASE_URL \
	VLLM_BASE_URL LLAMACPP_BASE_URL LMSTUDIO_BASE_URL CHAT_PROVIDERS

fake_start --text 'named ok'
URL="http://127.0.0.1:$PORT"
# name, key variable, the field the service reads for the token limit
for e in openrouter:OPENROUTER_API_KEY:max_tokens groq:GROQ_API_KEY:max_completion_tokens \
	together:TOGETHER_API_KEY:max_tokens deepseek:DEEPSEEK_API_KEY:max_tokens xai:XAI_API_KEY:max_tokens \
	mistral:MISTRAL_API_KEY:max_tokens; do
	p=${e%%:*} rest=${e#*:}; var=${rest%%:*} field=${rest#*:}
	base=$(echo "$p" | tr a-z A-Z)_BASE_URL
	rm -f "$CHAT_DB"
	env "$base=$URL/$p/v1" "$var=key-of-$p" chat-send --json --max-tokens 55 -m "$p:vendor/some-model" hi \
		> "$T/out" 2> "$T/err"
	is "$?" 0 "$p: exit 0"
	req=$(last_request)
	is "$(echo "$req" | jq -r .path)" "/$p/v1/chat/completions" "$p: POST \$$base/chat/completions"
	is "$(echo "$req" | jq -r .headers.authorization)" "Bearer key-of-$p" "$p: the key from $var"
	is "$(echo "$req" | jq -c "[.body.$field, .body.model, .body.stream]")" '[55,"vendor/some-model",true]' \
		"$p: the token limit in $field, the model after the prefix"
	other=$([ "$field" = max_tokens ] && echo max_completion_tokens || echo max_tokens)
	is "$(echo "$req" | jq -c ".body.$other")" null "$p: ... and not in $other"
	is "$(jq -r 'select(.type == "response") | [.provider, .model, .text] | join(" ")' "$T/out")" \
		"$p vendor/some-model named ok" "$p: the response record names the provider and the model"
	is "$(chat-history export | jq -r 'select(.role == "assistant") | [.provider, .model] | join(" ")')" \
		"$p vendor/some-model" \
		"$p: the history's provider and model"
	env "$base=$URL/$p/v1" chat-send -m "$p:m" hi > "$T/out" 2> "$T/err"
	is "$?" 77 "$p: no key: exit 77"
	has "$T/err" "no API key for $p: set $var, or key_file in the \[provider $p\] section" "$p: ... saying where to set one"
done

# a local server needs no key and gets no Authorization header
VLLM_BASE_URL="$URL/v1" run chat-send -m vllm:meta/llama hi
is "$st:$(cat "$T/out")" "0:named ok" "vllm: no key needed"
is "$(last_request | jq -r '.headers.authorization // "none"')" none "vllm: no Authorization header"

# the config: a new provider, and a shipped one's base URL and key file
mkdir -p "$XDG_CONFIG_HOME/chat"
printf 'sk-from-file\n' > "$T/key"; chmod 600 "$T/key"
cat > "$XDG_CONFIG_HOME/chat/config" <<CFG
[provider acme]
base_url = $URL/acme/v1
key_env = ACME_TOKEN
max_tokens_field = max_completion_tokens

[provider groq]
base_url = $URL/groq-from-config/v1
key_file = $T/key
CFG
ACME_TOKEN=tok-acme run chat-send --max-tokens 9 -m acme:a-model hi
is "$st:$(cat "$T/out")" "0:named ok" "a provider from the config alone"
is "$(last_request | jq -c '[.path, .headers.authorization, .body.max_completion_tokens]')" \
	'["/acme/v1/chat/completions","Bearer tok-acme",9]' "acme: its base_url, key_env and field"
run chat-send -m groq:llama hi
is "$st" 0 "groq from the config: exit 0"
is "$(last_request | jq -c '[.path, .headers.authorization]')" '["/groq-from-config/v1/chat/completions","Bearer sk-from-file"]' \
	"the config's base_url and key_file for a shipped provider"
GROQ_BASE_URL="$URL/env/v1" run chat-send -m groq:llama hi
is "$(last_request | jq -r .path)" /env/v1/chat/completions "GROQ_BASE_URL beats the config's base_url"

# fallbacks, records and chat-cost --count through a named provider
ACME_TOKEN=t run chat-send --json -m acme:one --fallback groq:two hi
is "$(jq -r 'select(.type == "response") | .provider' "$T/out")" acme "--fallback takes named providers"
printf '%s\n' '{"type":"prompt","id":"a","text":"hi","model":"acme:rec-model"}' > "$T/in"
ACME_TOKEN=t IN=1 run chat-send -r
is "$(jq -r 'select(.type == "response") | [.provider, .model] | join(" ")' "$T/out")" "acme rec-model" \
	"chat-send -r: a record's model names a named provider"
echo hello > "$T/text"
run chat-cost --count -m openrouter:gpt-4o-future "$T/text"
is "$st:$(cut -c1 "$T/out")" "0: " "chat-cost --count looks past a named provider's prefix: an exact count"
run chat-cost --count -m nosuch:gpt-4o-future "$T/text"
is "$(cut -c1 "$T/out")" "~" "... while an unknown prefix leaves an estimate"

# bad entries and unknown names
cp "$XDG_CONFIG_HOME/chat/config" "$T/good"
printf '[provider broken]\nkey_env = X\n' >> "$XDG_CONFIG_HOME/chat/config"
run chat-send -m acme:x hi
is "$st" 78 "a config provider without base_url: exit 78"
has "$T/err" "\[provider broken\] names no base_url" "... saying which"
cp "$T/good" "$XDG_CONFIG_HOME/chat/config"
printf '[x]\nbase_url = http://h\nbogus = 1\n' > "$T/providers"
CHAT_PROVIDERS="$T/providers" run chat-send -m x:y hi
is "$st" 78 "a bad provider table: exit 78"
has "$T/err" "provider table $T/providers: line 3: unknown key" "... naming its line"
run chat-send -m nosuch:model hi
is "$st" 64 "an unknown provider: exit 64"
has "$T/err" "unknown provider; known: openai, anthropic, gemini, ollama, openrouter, groq, .*, acme" \
	"... listing the known names, the config's too"

# the recordings of these services, replayed through the provider of that name
FIX=${CHAT_FIXTURES:-$ROOT/../shared/fixtures}/openai-compatible
if ls "$FIX"/*.sse > /dev/null 2>&1; then
	for sse in "$FIX"/*.sse; do
		fx=$(basename "$sse" .sse)
		case $fx in
		*openrouter*) p=openrouter ;; *deepseek*) p=deepseek ;; *xai*) p=xai ;; *groq*) p=groq ;;
		*together*) p=together ;; *mistral*) p=mistral ;; *) continue ;;
		esac
		exp=${sse%.sse}.expected.json
		jq -j .text "$exp" > "$T/want"
		want_st=$(jq -r 'if .error then "nonzero" else "0" end' "$exp")
		fake_start --replay "$sse"
		base=$(echo "$p" | tr a-z A-Z)_BASE_URL
		env "$base=http://127.0.0.1:$PORT/v1" "$(echo "$p" | tr a-z A-Z)_API_KEY=k" \
			chat-stream --retries 0 -m "$p:recorded" hi > "$T/out" 2> "$T/err"
		st=$?
		check "$fx via $p: chat-stream prints the recorded reply" cmp -s "$T/out" "$T/want"
		if [ "$want_st" = 0 ]; then is "$st" 0 "$fx via $p: exit 0"; else ok "$([ "$st" -ne 0 ]; echo $?)" "$fx via $p: an error exit"; fi
		[ "$want_st" = 0 ] || continue
		env "$base=http://127.0.0.1:$PORT/v1" "$(echo "$p" | tr a-z A-Z)_API_KEY=k" \
			chat-send --retries 0 --json -m "$p:recorded" hi > "$T/out" 2> "$T/err"
		is "$(jq -r 'select(.type == "response") | .provider' "$T/out")" "$p" "$fx via $p: the record names $p"
	done
else
	echo "# no recordings in $FIX"
fi
done_testing
