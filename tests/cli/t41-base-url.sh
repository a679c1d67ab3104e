#!/bin/sh
# Base URL variables mean what the providers' own SDKs mean: ANTHROPIC_BASE_URL
# is an origin (/v1/messages is added; a /v1 at its end is not doubled), the
# same in the config; GOOGLE_GEMINI_BASE_URL is an origin (/v1beta is added),
# used when GEMINI_BASE_URL (which holds the version path) is not set. Keys
# never show in -v output.
. "$(dirname "$0")/../lib.sh"
export CHAT_DB="$T/h.db" CHAT_BATCH_POLL=0.05
path_of() { jq -r '"\(.method) \(.path)"'; }

# --- Anthropic Messages: the origin, with and without /v1, and a slash
fake_start --text ok
origin="http://127.0.0.1:$PORT"
for base in "$origin" "$origin/" "$origin/v1" "$origin/v1/"; do
	ANTHROPIC_BASE_URL=$base run chat-send -m anthropic:claude-haiku-4-5 hi
	is "$st|$(cat "$T/out")|$(last_request | path_of)" "0|ok|POST /v1/messages" \
		"ANTHROPIC_BASE_URL=$base: POST /v1/messages"
done

# the config's base_url follows the same rule
mkdir -p "$HOME/.config/chat"
for base in "$origin" "$origin/v1"; do
	printf '[anthropic]\nbase_url = %s\n' "$base" > "$HOME/.config/chat/config"
	env -u ANTHROPIC_BASE_URL chat-send -m anthropic:claude-haiku-4-5 hi > "$T/out" 2> "$T/err"
	is "$?|$(last_request | path_of)" "0|POST /v1/messages" "[anthropic] base_url = $base: POST /v1/messages"
done
rm "$HOME/.config/chat/config"

# -v says where requests go, never with the key
ANTHROPIC_BASE_URL="$origin/v1/" run chat-send -v -m anthropic:claude-haiku-4-5 hi
has "$T/err" "anthropic model claude-haiku-4-5 at $origin" "-v: the Anthropic base is the origin"
hasnt "$T/err" "sk-ant-test-456" "-v: the Anthropic key is nowhere"

# --- Anthropic Message Batches: /v1/messages/batches in both forms
mkdir -p "$T/batches"
for v1 in "" /v1; do
	fake_start --batch-dir "$T/batches" --upload-polls 0
	printf '{"type":"prompt","id":1,"text":"q%s","model":"anthropic:claude-haiku-4-5"}\n' "$v1" > "$T/in"
	export ANTHROPIC_BASE_URL="http://127.0.0.1:$PORT$v1"
	IN=1 run chat-batch submit
	job=$(jq -r .job "$T/out")
	is "$st|$(last_request | path_of)" "0|POST /v1/messages/batches" "batches, base ...$PORT$v1: submit POSTs /v1/messages/batches"
	run chat-batch collect --wait "$job"
	is "$st|$(jq -r .text "$T/out")" "0|echo: q$v1" "batches, base ...$PORT$v1: the results collected"
	is "$(jq -r .path "$T/log" | grep -cv '^/v1/messages/batches/*')" 0 \
		"batches, base ...$PORT$v1: every request under /v1/messages/batches"
done

# --- Gemini: Google's SDK variable is an origin, ours wins over it
fake_start --text ok
origin="http://127.0.0.1:$PORT"
for base in "$origin" "$origin/"; do
	env -u GEMINI_BASE_URL GOOGLE_GEMINI_BASE_URL="$base" chat-send -m gemini:gemini-2.5-flash hi > "$T/out" 2> "$T/err"
	is "$?|$(cat "$T/out")|$(last_request | path_of)" \
		"0|ok|POST /v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse" \
		"GOOGLE_GEMINI_BASE_URL=$base: /v1beta/models/...:streamGenerateContent"
done
GOOGLE_GEMINI_BASE_URL=http://127.0.0.1:9 run chat-send -m gemini:gemini-2.5-flash hi
is "$st|$(cat "$T/out")|$(last_request | path_of)" \
	"0|ok|POST /v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse" \
	"GEMINI_BASE_URL wins over GOOGLE_GEMINI_BASE_URL (which points nowhere)"
printf '[gemini]\nbase_url = http://127.0.0.1:9/v1beta\n' > "$HOME/.config/chat/config"
env -u GEMINI_BASE_URL GOOGLE_GEMINI_BASE_URL="$origin" chat-send -m gemini:gemini-2.5-flash hi > "$T/out" 2> "$T/err"
is "$?|$(cat "$T/out")" "0|ok" "GOOGLE_GEMINI_BASE_URL wins over the config's base_url"
rm "$HOME/.config/chat/config"
env -u GEMINI_BASE_URL GOOGLE_GEMINI_BASE_URL="$origin" chat-send -v -m gemini:gemini-2.5-flash hi > "$T/out" 2> "$T/err"
has "$T/err" "gemini model gemini-2.5-flash at $origin/v1beta" "-v: the Gemini base is the origin plus /v1beta"
hasnt "$T/err" "gm-test-789" "-v: the Gemini key is nowhere"

# the Files API upload, whose URL is made from the base's origin and version
printf '\000\000\000\030ftypisom\000\000\002\000isomiso2' > "$T/v.mp4"
seq 1 30000 >> "$T/v.mp4"
fake_start --header 'retry-after-ms: 1'
env -u GEMINI_BASE_URL GOOGLE_GEMINI_BASE_URL="http://127.0.0.1:$PORT" chat-upload -v --max-bytes 10K "$T/v.mp4" \
	> "$T/out" 2> "$T/err"
is "$?|$(request 1 | path_of)" "0|POST /upload/v1beta/files" "GOOGLE_GEMINI_BASE_URL: a video goes to /upload/v1beta/files"
is "$(jq -r '.uri | test("^http://127.0.0.1:[0-9]+/v1beta/files/")' "$T/out")" true "... and the record's uri is under /v1beta/files/"
hasnt "$T/err" "gm-test-789" "... with the key nowhere in -v output"

done_testing
