#!/bin/sh
# --dry-run (chat-send, chat-send -r, chat-stream, chat-image, chat-batch
# submit): each request is printed as a request record that matches what a
# real run sends the fake provider (method, path, body), keys only as
# [redacted]; nothing reaches the fake, no history is made, exit 0; with
# --max-cost the worst case comes too.
. "$(dirname "$0")/../lib.sh"
export CHAT_DB="$T/h.db" CHAT_RATE_DB="$T/rate.db"
field() { jq -r "$1" "$T/out"; }
jqe() { jq -e "$1" "$T/out" > /dev/null; }
# the path of a printed URL, as the fake logs it
path_of() { sed 's|^[a-z]*://[^/]*||'; }
# KEY appears nowhere in the output or the messages
no_key() { hasnt "$T/out" "$1" "$2: the key is not printed"; hasnt "$T/err" "$1" "$2: ... nor said"; }
# nothing was sent and nothing kept
nothing_sent() {
	is "$(cat "$T/log" 2>/dev/null | wc -l | tr -d ' ')" 0 "$1: the fake provider got nothing"
	check "$1: no history" test ! -e "$CHAT_DB"
	check "$1: no rate-limit file" test ! -e "$CHAT_RATE_DB"
}
# the dry run's record (line N of out) against the fake's logged request M
same_as_sent() { # N M name
	is "$(sed -n "${1}p" "$T/out" | jq -c '[.method, (.url | sub("^[a-z]+://[^/]*"; "")), .body]')" \
		"$(request "$2" | jq -c '[.method, .path, .body]')" "$3: method, URL and body as a real run sends them"
}

# chat-send: one request record, then the same flags for real
fake_start --text 'real'
run chat-send --dry-run -m gpt-4o -s 'be brief' --max-tokens 50 'hello there'
is "$st" 0 "chat-send --dry-run: exit 0"
is "$(wc -l < "$T/out" | tr -d ' ')" 1 "... one record"
is "$(field '[.type, .method, .headers.Authorization] | join(" ")')" "request POST Bearer [redacted]" \
	"... a request record, the key redacted"
no_key sk-test-key-123 "chat-send --dry-run"
nothing_sent "chat-send --dry-run"
cp "$T/out" "$T/dry"
run chat-send --no-log -m gpt-4o -s 'be brief' --max-tokens 50 'hello there'
cp "$T/dry" "$T/out"
rm -f "$CHAT_RATE_DB"  # the real run's
same_as_sent 1 1 "chat-send --dry-run"

# a key that no variable registers (a key file) is redacted all the same
printf 'sk-only-in-a-file-42\n' > "$HOME/keyfile"
chmod 600 "$HOME/keyfile"
mkdir -p "$HOME/.config/chat"
printf '[openai]\nkey_file = ~/keyfile\n' > "$HOME/.config/chat/config"
(unset OPENAI_API_KEY; run chat-send --dry-run hi; echo "$st" > "$T/st")
is "$(cat "$T/st"):$(field .headers.Authorization)" "0:Bearer [redacted]" "a key from a key file: redacted"
no_key sk-only-in-a-file-42 "a key file"
rm "$HOME/.config/chat/config"

# the password of a base URL goes too
fake_start --text 'x'
(OPENAI_BASE_URL="http://user:pa55w0rd-long@127.0.0.1:$PORT/v1" run chat-send --dry-run hi)
hasnt "$T/out" "pa55w0rd-long" "a base URL's password is not printed"
has "$T/out" 'user:\[redacted\]@' "... it is shown as [redacted]"

# --max-cost: the worst case the guard priced
run chat-send --dry-run --max-cost 1 -m gpt-4o-mini 'hello'
is "$st" 0 "--dry-run --max-cost: exit 0"
check "... the worst case in dollars" jqe '.worst_cost_usd > 0 and .worst_cost_usd < 1'
check "... and the reply held to what it priced" jqe '.body.max_completion_tokens > 0'
run chat-send --dry-run -m gpt-4o-mini 'hello'
is "$(field 'has("worst_cost_usd")')" false "without --max-cost: no worst case"
run chat-send --dry-run --max-cost 0.0000001 -m gpt-4o-mini 'hello'
is "$st" 3 "over --max-cost: refused (exit 3), as a real run would be"
nothing_sent "chat-send --dry-run --max-cost"

# chat-send -r: one request record per prompt record, with its id
printf '%s\n' '{"type":"prompt","id":1,"text":"one"}' '{"type":"prompt","id":"b","text":"two","model":"anthropic:claude-3-5-haiku-latest"}' \
	'{"type":"prompt","id":3,"text":"three","model":"gemini:gemini-2.0-flash"}' > "$T/in"
IN=1 run chat-send -r --dry-run --parallel 2 --ordered
is "$st" 0 "chat-send -r --dry-run: exit 0"
is "$(jq -r '[.type, (.id | tostring)] | join(":")' "$T/out" | tr '\n' ' ')" "request:1 request:b request:3 " \
	"... one request record per prompt record, with its id"
is "$(jq -r '.headers | (.Authorization // .["x-api-key"] // .["x-goog-api-key"])' "$T/out" | sort -u | tr '\n' ' ')" \
	"Bearer [redacted] [redacted] " "... every provider's key redacted"
no_key sk-ant-test-456 "chat-send -r --dry-run"
no_key gm-test-789 "chat-send -r --dry-run"
nothing_sent "chat-send -r --dry-run"
cp "$T/out" "$T/dry"
fake_start --text 'real'
IN=1 run chat-send -r --no-log --ordered
cp "$T/dry" "$T/out"
rm -f "$CHAT_RATE_DB"  # the real run's
same_as_sent 1 1 "-r, OpenAI"
for i in 1 2 3; do request "$i"; done | jq -c 'select(.path | test("messages$"))' > "$T/log.a"
is "$(sed -n 2p "$T/out" | jq -c .body)" "$(jq -c .body "$T/log.a")" "-r, Anthropic: the body as sent"
: > "$T/log"

# chat-stream: the same request, never the Ollama probe (nothing listens)
run chat-stream --dry-run -m anthropic:claude-3-5-haiku-latest 'stream this'
is "$st" 0 "chat-stream --dry-run: exit 0"
is "$(field '.headers["x-api-key"]')" "[redacted]" "... Anthropic's key redacted"
nothing_sent "chat-stream --dry-run"
cp "$T/out" "$T/dry"
run chat-stream --no-log -m anthropic:claude-3-5-haiku-latest 'stream this'
cp "$T/dry" "$T/out"
rm -f "$CHAT_RATE_DB"  # the real run's
same_as_sent 1 1 "chat-stream --dry-run"
: > "$T/log"

# -c reads the conversation (read-only) and writes nothing back
fake_start --text 'first answer'
run chat-send 'first question'
rm -f "$CHAT_RATE_DB"
: > "$T/log"
before=$(sha256sum < "$CHAT_DB")
run chat-send --dry-run -c 'second question'
is "$(field '[.body.messages[].content] | join("|")')" "first question|first answer|second question" \
	"-c --dry-run: the conversation so far is in the request"
is "$(sha256sum < "$CHAT_DB")" "$before" "... and the history is unchanged"
is "$(wc -l < "$T/log" | tr -d ' ')" 0 "... and nothing was sent"
rm -f "$CHAT_DB"

# a video for the Gemini Files API: what would be uploaded is said, not uploaded
printf '\000\000\000\030ftypisom\000\000\002\000isomiso2' > "$T/big.mp4"
seq 1 2800000 >> "$T/big.mp4"
size=$(wc -c < "$T/big.mp4" | tr -d ' ')
run chat-send --dry-run -m gemini:gemini-2.0-flash -a "$T/big.mp4" 'what happens?'
is "$st" 0 "a large video, --dry-run: exit 0"
is "$(sed -n 1p "$T/out" | jq -r '[(.url | sub("^[a-z]+://[^/]*"; "")), .headers["X-Goog-Upload-Command"], .upload.bytes] | map(tostring) | join(" ")')" \
	"/upload/v1beta/files start $size" "... the upload's opening request, and how many bytes would follow"
is "$(sed -n 2p "$T/out" | jq -r '.body.contents[0].parts[] | select(.file_data) | .file_data.mime_type')" "video/mp4" \
	"... then the request naming the file"
no_key gm-test-789 "a video --dry-run"
nothing_sent "a video --dry-run"
is "$(ls -A "$T/uploads")" "" "... and nothing reached the Files API"

# chat-image: the Images API request, per request where the model makes one at a time
mkdir -p "$T/w" && cd "$T/w" || exit 1
run chat-image --dry-run --max-cost 5 -n 2 'a red kite'
is "$st" 0 "chat-image --dry-run: exit 0"
is "$(field '[.method, (.url | sub("^[a-z]+://[^/]*"; "")), .body.n] | map(tostring) | join(" ")')" \
	"POST /v1/images/generations 2" "... the generations request for both images"
check "... with the worst case" jqe '.worst_cost_usd > 0'
no_key sk-test-key-123 "chat-image --dry-run"
nothing_sent "chat-image --dry-run"
is "$(ls -A "$T/w")" "" "... and no image file"
cp "$T/out" "$T/dry"
fake_start
run chat-image --no-log -n 2 'a red kite'
cp "$T/dry" "$T/out"
rm -f "$CHAT_RATE_DB"  # the real run's
same_as_sent 1 1 "chat-image --dry-run"
rm -f "$T"/w/*
: > "$T/log"
run chat-image --dry-run -m dall-e-3 -n 2 --max-cost 5 'a red kite'
is "$(jq -r .body.n "$T/out" | tr '\n' ' ')" "1 1 " "dall-e-3 -n 2: two request records, one image each"
nothing_sent "chat-image -m dall-e-3 --dry-run"
cd "$T" || exit 1

# chat-batch submit: the upload and the create, nothing kept
B="$T/batches"
mkdir -p "$B"
fake_start --batch-dir "$B" --upload-polls 0
printf '%s\n' '{"type":"prompt","id":1,"text":"q1"}' '{"type":"prompt","id":2,"text":"q2","model":"anthropic:claude-3-5-haiku-latest"}' > "$T/in"
IN=1 run chat-batch submit --dry-run
is "$st" 0 "chat-batch submit --dry-run: exit 0"
is "$(jq -r '[.method, (.url | sub("^[a-z]+://[^/]*"; ""))] | join(" ")' "$T/out" | tr '\n' ',')" \
	"POST /v1/files,POST /v1/batches,POST /v1/messages/batches," "... the file upload and the batch creates"
has "$T/out" 'custom_id.*content.*q1' "... the upload carries the JSONL input"
no_key sk-test-key-123 "chat-batch --dry-run"
no_key sk-ant-test-456 "chat-batch --dry-run"
nothing_sent "chat-batch submit --dry-run"
is "$(jq -r 'select(.type != "request")' "$T/out")" "" "... and no job record"
cp "$T/out" "$T/dry"
IN=1 run chat-batch submit
cp "$T/dry" "$T/out"
rm -f "$CHAT_RATE_DB"  # the real run's
is "$(sed -n 2p "$T/out" | jq -c '.body | del(.metadata, .input_file_id)')" \
	"$(jq -c 'select(.path == "/v1/batches") | .body | del(.metadata, .input_file_id)' "$T/log")" \
	"OpenAI's create: the body as sent, but for the ids the provider and the job give"
is "$(sed -n 3p "$T/out" | jq -c '[.body.requests[].params]')" \
	"$(jq -c 'select(.path == "/v1/messages/batches" and .method == "POST") | [.body.requests[].params]' "$T/log")" \
	"Anthropic's create: the requests as sent"
IN=1 run chat-batch status --dry-run
is "$st" 64 "--dry-run goes with submit only"

done_testing
