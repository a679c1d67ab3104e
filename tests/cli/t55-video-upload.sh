#!/bin/sh
# Video too large to go inline: streamed to the Gemini Files API with the
# resumable protocol (start, upload, upload-finalize; query and resume after
# a failure), polled until ACTIVE, and sent to the model as file_data by uri.
. "$(dirname "$0")/../lib.sh"
field() { jq -r "$1" "$T/out"; }
# one line per request the fake got: "method command offset bytes"
requests() { jq -r '[.method, .headers["x-goog-upload-command"] // "-", .headers["x-goog-upload-offset"] // "-", .body_bytes // "-"] | join(" ")' "$T/log"; }
received() { cat "$T"/uploads/*.bin | sha256sum | cut -d' ' -f1; }
fast="retry-after-ms: 1"   # the fake asks for 1 ms between retries and polls: no waiting

# A video-like file over 20 MB: a real MP4 ftyp box, then bytes that differ
# from place to place (so a chunk sent twice or out of order would show).
printf '\000\000\000\030ftypisom\000\000\002\000isomiso2' > "$T/big.mp4"
seq 1 2800000 >> "$T/big.mp4"
size=$(wc -c < "$T/big.mp4" | tr -d ' ')
sum=$(sha256sum < "$T/big.mp4" | cut -d' ' -f1)
check "the test video is over 20 MB" test "$size" -gt 20971520
MiB8=8388608

fake_start --header "$fast"
run chat-upload "$T/big.mp4"
is "$st" 0 "a 21 MB video: exit 0"
is "$(field '[.type, .mime, (.data == null), (.uri | test("^http://127.0.0.1:[0-9]+/v1beta/files/[a-z0-9]+$"))] | map(tostring) | join(" ")')" \
	"attachment video/mp4 true true" "... the record has the file's uri instead of data"
is "$(field '[.bytes, .sha256, .source, .original.bytes, .width, .height] | map(tostring) | join(" ")')" \
	"$size $sum $T/big.mp4 $size null null" "... with its size, SHA-256 and source"
is "$(field '"\(.file) \(.expires)"')" "files/$(field '.uri | sub(".*/"; "")') 2025-11-26T16:00:00.412817Z" \
	"... the Files API name and when it expires (48 hours on)"
is "$(received)" "$sum" "the bytes that arrived are the file's (SHA-256)"
is "$(requests | tr '\n' ',')" "POST start - 35,POST upload 0 $MiB8,POST upload $MiB8 $MiB8,POST upload, finalize $((2 * MiB8)) $((size - 2 * MiB8)),GET - - -,GET - - -," \
	"8 MiB chunks at rising offsets, the last with finalize, then polls until ACTIVE"
is "$(request 1 | jq -r '[.path, .headers["x-goog-upload-protocol"], .headers["x-goog-upload-header-content-length"], .headers["x-goog-upload-header-content-type"], .headers["content-type"], .body.file.display_name] | join(" ")')" \
	"/upload/v1beta/files resumable $size video/mp4 application/json big.mp4" "start: the resumable protocol's headers and a display name"
is "$(request 1 | jq -r '.headers["x-goog-api-key"]')" "gm-test-789" "... the key in x-goog-api-key"
is "$(jq -r 'select(.headers["x-goog-upload-command"] != "start") | .path' "$T/log" | grep -c 'upload_id=')" 3 \
	"chunks go to the session URL the start's x-goog-upload-url gave"
is "$(request 5 | jq -r '.path')" "$(field '.file | "/v1beta/" + .')" "the poll asks for the file by its name"
hasnt "$T/log" "key=" "the key is never in a URL"
is "$(cat "$T/err")" "" "nothing on stderr when it is not a terminal (no progress bar)"

# -v traces every request with the key hidden
run chat-upload -v "$T/big.mp4"
is "$st" 0 "-v: exit 0"
has "$T/err" "X-Goog-Upload-Command: upload, finalize" "-v traces the upload's requests"
has "$T/err" "x-goog-api-key: \[redacted\]" "... with the key redacted"
hasnt "$T/err" "gm-test-789" "... and the key nowhere"
has "$T/err" "uploaded as files/" "... and says where the video went"

# a progress bar on a terminal, none with -q
if command -v script > /dev/null 2>&1 && script -qec true /dev/null > /dev/null 2>&1; then
	fake_start --header "$fast"
	script -qec "chat-upload '$T/big.mp4' > '$T/out'" "$T/tty" > /dev/null 2>&1
	check "on a terminal: a progress bar on stderr" grep -q '100%.*of 21.3 MB' "$T/tty"
	check "... drawn over itself with CR" grep -q "$(printf '\r')" "$T/tty"
	is "$(field .mime)" video/mp4 "... and the record still on stdout"
	script -qec "chat-upload -q '$T/big.mp4' > '$T/out'" "$T/tty" > /dev/null 2>&1
	check "-q: no progress bar" sh -c "! grep -q '%' '$T/tty'"
else
	ok 0 "# SKIP script(1) cannot make a terminal here"
fi

# a connection that drops in the middle of a chunk: ask, resume from there
fake_start --header "$fast" --then --header "$fast" --then --upload-drop-after 100000 --then --header "$fast"
run chat-upload "$T/big.mp4"
is "$st:$(field .mime)" "0:video/mp4" "a connection dropped mid-chunk: the upload still succeeds"
is "$(requests | sed -n '3,5p' | tr '\n' ',')" "POST upload $MiB8 100000,POST query - 0,POST upload $((MiB8 + 100000)) $MiB8," \
	"... after the drop it asks (query) and goes on from the byte the service acknowledged"
acked=$((MiB8 + 100000))
is "$(jq -r 'select(.n > 4 and .headers["x-goog-upload-offset"]) | .headers["x-goog-upload-offset"] | tonumber | select(. < '"$acked"')' "$T/log")" "" \
	"... no byte before the acknowledged offset is sent again"
is "$(jq -s 'map(select(.headers["x-goog-upload-command"] // "" | test("upload")) | .body_bytes) | add' "$T/log")" "$size" \
	"... so the bytes sent add up to the file exactly once"
is "$(received)" "$sum" "... and what arrived is the file"

# 503 on a chunk: retried after the query
fake_start --header "$fast" --then --error unavailable --header "$fast" --then --header "$fast"
run chat-upload "$T/big.mp4"
is "$st" 0 "503 on a chunk: retried, exit 0"
is "$(requests | sed -n '2,4p' | tr '\n' ',')" "POST upload 0 $MiB8,POST query - 0,POST upload 0 $MiB8," \
	"... the chunk the 503 refused is sent again from the offset the query gives"
is "$(received)" "$sum" "... and what arrived is the file"

# the session expires halfway: a new one, from the start, once
fake_start --header "$fast" --then --header "$fast" --then --upload-expire --header "$fast" --then --header "$fast"
run chat-upload "$T/big.mp4"
is "$st:$(field .mime)" "0:video/mp4" "an expired session (404): a new session, exit 0"
is "$(requests | sed -n '3,5p' | tr '\n' ',')" "POST upload $MiB8 $MiB8,POST start - 35,POST upload 0 $MiB8," \
	"... started afresh from byte 0"
is "$(requests | grep -c start)" 2 "... just once"
is "$(received)" "$sum" "... and what arrived is the file"
fake_start --header "$fast" --then --upload-expire --header "$fast"
run chat-upload "$T/big.mp4"
is "$st:$(wc -c < "$T/out" | tr -d ' ')" "69:0" "a session lost twice: exit 69, no record"
is "$(requests | grep -c start)" 2 "... after one new session, not more"

# processing
fake_start --header "$fast" --upload-polls 3
run chat-upload "$T/big.mp4"
is "$st:$(requests | grep -c '^GET')" "0:4" "PROCESSING for three polls: polled until ACTIVE"
fake_start --header "$fast" --upload-failed
run chat-upload "$T/big.mp4"
is "$st:$(wc -c < "$T/out" | tr -d ' ')" "65:0" "processing FAILED: exit 65, no record"
is "$(wc -l < "$T/err" | tr -d ' ')" 1 "... one line on stderr"
has "$T/err" "^chat-upload: $T/big.mp4: .*could not process the file: The video file could not be processed" "... with the service's reason"
fake_start --upload-polls 1000
CHAT_UPLOAD_WAIT=1 run chat-upload "$T/big.mp4"
is "$st:$(wc -c < "$T/out" | tr -d ' ')" "75:0" "still PROCESSING after CHAT_UPLOAD_WAIT seconds: exit 75, no record"
has "$T/err" "still PROCESSING after 1 s" "... saying so"

# failures: one line, the documented status, no record
fake_start --error auth
run chat-upload "$T/big.mp4"
is "$st:$(wc -c < "$T/out" | tr -d ' '):$(wc -l < "$T/log" | tr -d ' ')" "77:0:1" "a key the service refuses: exit 77, no record, no retry"
is "$(wc -l < "$T/err" | tr -d ' ')" 1 "... one line on stderr"
has "$T/err" "API key not valid" "... with the service's reason"
fake_start --header "$fast" --then --error unavailable --header "$fast"
run chat-upload "$T/big.mp4"
is "$st:$(wc -c < "$T/out" | tr -d ' ')" "69:0" "503 on every try: exit 69 after a bounded number of tries, no record"
is "$(requests | grep -vc start)" 6 "... six tries in a row without progress (the chunk, then queries)"
fake_start --header "$fast" --then --error rate_limit --header "$fast"
run chat-upload "$T/big.mp4"
is "$st:$(wc -c < "$T/out" | tr -d ' ')" "75:0" "429 on every try: exit 75, no record"
printf '\000\000\000\030ftypisom\000\000\002\000isomiso2tiny' > "$T/small.mp4"
fake_start --header "$fast" --then --error unavailable --header "$fast"
run chat-upload "$T/big.mp4" "$T/small.mp4"
is "$st:$(field .mime):$(field '.data != null')" "69:video/mp4:true" "a failed upload does not stop the other files"
GEMINI_API_KEY= run chat-upload "$T/big.mp4"
is "$st:$(wc -c < "$T/out" | tr -d ' ')" "77:0" "no Gemini key: exit 77, no record"
has "$T/err" "needs a key: set GEMINI_API_KEY or GOOGLE_API_KEY" "... naming where a key can come from"
fake_start
run chat-upload -m gpt-4o "$T/big.mp4"
is "$st:$(wc -c < "$T/log" | tr -d ' ')" "65:0" "-m with a model that is not Gemini's: exit 65, nothing uploaded"
has "$T/err" "gpt-4o cannot take video input" "... saying why (its inputs lack video)"
cp "$T/big.mp4" "$T/in"
IN=1 run chat-upload -
is "$(field .mime):$(field '.uri != null')" "video/mp4:true" "a large video on stdin from a file is uploaded too"
run sh -c "cat '$T/big.mp4' | chat-upload -"
is "$st" 65 "... but from a pipe it is refused (a resumable upload needs the file)"
has "$T/err" "give its file name" "... saying what to do"

# small chunks: CHAT_UPLOAD_CHUNK, rounded to the service's granularity
head -c 700000 "$T/big.mp4" > "$T/mid.mp4"
fake_start --header "$fast" --upload-granularity 262144
CHAT_UPLOAD_CHUNK=300K run chat-upload --max-bytes 100K "$T/mid.mp4"
is "$st" 0 "--max-bytes lowers the inline limit: a 700 kB video is uploaded"
is "$(requests | grep upload | cut -d' ' -f2- | tr '\n' ',')" "upload 0 262144,upload 262144 262144,upload, finalize 524288 175712," \
	"CHAT_UPLOAD_CHUNK=300K is rounded down to the 256 KiB the service asks for"
is "$(received)" "$(sha256sum < "$T/mid.mp4" | cut -d' ' -f1)" "... and what arrived is the file"
run chat-upload "$T/small.mp4"
is "$(field '[.mime, (.data != null), (.uri == null)] | map(tostring) | join(" ")')" "video/mp4 true true" \
	"a small video still goes inline, as data"

# the record into chat-send and chat-stream: Gemini gets file_data by uri
fake_start --header "$fast" --text 'a video of numbers'
run chat-send -m gemini-2.5-flash -a "$T/big.mp4" describe
is "$st:$(cat "$T/out")" "0:a video of numbers" "chat-send -a big.mp4 -m gemini-2.5-flash: uploaded, then asked"
uri=$(jq -r 'select(.method == "GET") | .path' "$T/log" | tail -1 | sed "s|^|http://127.0.0.1:$PORT|")
is "$(last_request | jq -c '.body.contents[-1].parts')" \
	"[{\"file_data\":{\"mime_type\":\"video/mp4\",\"file_uri\":\"$uri\"}},{\"text\":\"describe\"}]" \
	"... the prompt names the video as file_data with its uri"
is "$(received)" "$sum" "... whose bytes arrived whole"
chat-upload "$T/big.mp4" > "$T/in"
IN=1 run chat-stream -m gemini-2.5-flash describe
is "$(last_request | jq -r '.body.contents[-1].parts[0].file_data | .mime_type + " " + .file_uri')" \
	"video/mp4 $(jq -r .uri "$T/in")" "chat-upload | chat-stream: the record's uri goes as file_data"
IN=1 run chat-send -m claude-sonnet-4-5 describe
is "$st" 65 "a uri video to a model that takes no video: exit 65"
has "$T/err" "cannot take video input" "... the usual refusal"
n0=$(wc -l < "$T/log")
IN=1 run chat-send -m openai:gpt-9-unlisted describe
is "$st:$(wc -l < "$T/log" | tr -d ' ')" "65:$n0" "... and for a model the table lacks, the provider refuses before any request"
has "$T/err" "can go only to a Gemini model" "... saying the uri is Gemini's"
run chat-send -m gpt-4o -a "$T/big.mp4" describe
is "$st:$(wc -l < "$T/log" | tr -d ' ')" "65:$n0" "chat-send -a big.mp4 with a model that is not Gemini's: exit 65, nothing uploaded"
has "$T/err" "gpt-4o is not a Gemini model" "... saying why"
fake_start --header "$fast" --upload-failed
run chat-send -m gemini-2.5-flash -a "$T/big.mp4" describe
is "$st:$(jq -r 'select(.path | test("GenerateContent"))' "$T/log" | wc -l | tr -d ' ')" "65:0" \
	"chat-send -a: an upload that fails stops it before any prompt is sent"

# the retries are those of every other request: x-should-retry is obeyed
# either way, and --retries N allows N failures in a row without progress
# (six tries, the upload's own, when it is not given)
fake_start --header "$fast" --then --error unavailable --header "$fast" --header 'x-should-retry: false' --then --header "$fast"
run chat-upload "$T/big.mp4"
is "$st:$(requests | grep -vc start)" "69:1" "x-should-retry: false: a chunk's 503 is not retried"
fake_start --header "$fast" --then --error bad_request --header "$fast" --header 'x-should-retry: true' --then --header "$fast"
run chat-upload "$T/big.mp4"
is "$st:$(requests | sed -n '2,4p' | tr '\n' ',')" "0:POST upload 0 $MiB8,POST query - 0,POST upload 0 $MiB8," \
	"x-should-retry: true: a chunk's 400 is retried after the query"
is "$(received)" "$sum" "... and what arrived is the file"
for r in 0 1; do
	fake_start --header "$fast" --then --error unavailable --header "$fast"
	run chat-send --retries $r -m gemini-2.5-flash -a "$T/big.mp4" describe
	is "$st:$(requests | grep -vc start)" "69:$((r + 1))" "chat-send --retries $r -a: the upload gives up after $((r + 1)) tries in a row"
done
fake_start --header "$fast" --then --error unavailable --header "$fast"
run chat-send -m gemini-2.5-flash -a "$T/big.mp4" describe
is "$st:$(requests | grep -vc start)" "69:6" "... and six without --retries, as chat-upload"
fake_start --header "$fast" --then --error unavailable --header "$fast" --then --header "$fast" --then --header "$fast" \
	--then --error unavailable --header "$fast" --then --header "$fast" --text 'seen'
run chat-send --retries 1 -m gemini-2.5-flash -a "$T/big.mp4" describe
is "$st:$(cat "$T/out"):$(requests | sed -n '2,6p' | cut -d' ' -f2 | tr '\n' ' ')" "0:seen:upload query upload upload query " \
	"... counted from the last progress: two failures with a chunk sent between them are one each"

done_testing
