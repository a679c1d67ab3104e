#!/bin/sh
# chat-image: both providers' requests, files written whole (decodable, named
# from the prompt, never replacing a file, never half written), edits,
# refusals and errors, records, the history and its cost.
. "$(dirname "$0")/../lib.sh"
mk() { "$ROOT/tests/bin/mkimage" "$@"; }
field() { jq -r "$1" "$T/out"; }
magic() { od -An -tx1 -N3 "$1" | tr -d ' '; }
# decodes FILE: libpng/libjpeg-turbo read all of it (chat-upload's decoder)
decodes() { chat-upload "$1" > /dev/null 2>&1; }
sha() { sha256sum < "$1" | cut -d' ' -f1; }
# nothing but NAMES in DIR: no temporary file left behind
only() { is "$(ls -A "$1" | tr '\n' ' ')" "$2" "$3"; }
export CHAT_DB="$T/h.db"
mkdir -p "$T/w"
cd "$T/w" || exit 1

# gpt-image-1: one request, base64 only, files named from the prompt
fake_start
run chat-image 'a lighthouse at dawn, watercolour'
is "$st" 0 "gpt-image-1: exit 0"
f=$(cat "$T/out")
is "$(wc -l < "$T/out" | tr -d ' ')" 1 "one path on stdout"
is "$f" "a-lighthouse-at-dawn-watercolour-$(sha "$f" | cut -c1-8).png" \
	"named: the prompt's words, dashes, the first 8 hex of its SHA-256, .png"
is "$(magic "$f")" 89504e "the file is a PNG"
check "... that decodes in full" decodes "$f"
is "$(request 1 | jq -c '[.method, .path, .headers.authorization]')" '["POST","/v1/images/generations","Bearer sk-test-key-123"]' \
	"POST /v1/images/generations with the key as a bearer token"
is "$(request 1 | jq -c .body)" '{"model":"gpt-image-1","prompt":"a lighthouse at dawn, watercolour","n":1}' \
	"gpt-image-1's body: model, prompt, n; no response_format (it always answers in base64)"
is "$(request 1 | jq -r '.headers["content-type"]')" application/json "... sent as JSON"

fake_start
run chat-image -n 2 --dir "$T/out1/sub" --size 1536x1024 --quality high 'Two  SHIPS!'
is "$st" 0 "-n 2: exit 0"
is "$(wc -l < "$T/log" | tr -d ' ')" 1 "gpt-image-1 -n 2: one request..."
is "$(request 1 | jq -c '.body | [.n, .size, .quality]')" '[2,"1536x1024","high"]' "... asking for n 2, with size and quality"
is "$(wc -l < "$T/out" | tr -d ' ')" 2 "two paths, one a line"
a=$(sed -n 1p "$T/out") b=$(sed -n 2p "$T/out")
check "--dir: made as needed, and the files are in it" test -f "$a" -a -f "$b"
case $a in "$T/out1/sub/two-ships-"*.png) ok 0 "--dir DIR/slug-hash.png (slug: lower case, dashes)" ;; *) ok 1 "--dir naming: $a" ;; esac
check "the two images differ" test "$(sha "$a")" != "$(sha "$b")"
check "both decode" sh -c "chat-upload '$a' > /dev/null && chat-upload '$b' > /dev/null"
only "$T/out1/sub" "$(basename "$a") $(basename "$b") " "no temporary files left in the directory"

# --json: one image record per file
fake_start
run chat-image --json --dir "$T/j" --size 1536x1024 'a wide one'
is "$(field '[.type, .mime, .width, .height] | map(tostring) | join(" ")')" "image image/png 24 16" \
	"--json: type, mime, width and height (the fake draws 1/64 of 1536x1024)"
p=$(field .path)
is "$(field .bytes)" "$(wc -c < "$p" | tr -d ' ')" "bytes is the file's size"
is "$(field .sha256)" "$(sha "$p")" "sha256 is the file's"
is "$(field 'has("revised_prompt")')" false "no revised_prompt when the provider gives none"

# a reply of several MB (a full-size image in base64) is read whole
fake_start --image-scale 1
run chat-image --json --dir "$T/big" --size 1536x1024 'full size'
is "$st:$(field '"\(.width)x\(.height)"')" "0:1536x1024" "a full-size image: read whole, written"
check "... a reply of more than a MiB" test "$(field .bytes)" -gt 1048576

# names: never replace a file, unless --force
fake_start
run chat-image --dir "$T/n" 'same picture'
first=$(cat "$T/out")
printf 'keep me\n' > "$first"
fake_start      # the fake draws the same image again for the same first request
run chat-image --dir "$T/n" 'same picture'
is "$st" 73 "--dir: the name exists: exit 73"
has "$T/err" "exists (--force replaces it)" "... saying so"
is "$(cat "$first")" "keep me" "... and the file is left alone"
only "$T/n" "$(basename "$first") " "... with no temporary file left"
fake_start
run chat-image --force --dir "$T/n" 'same picture'
is "$st:$(magic "$first")" "0:89504e" "--force replaces it"

fake_start
run chat-image -o "$T/one.png" 'just one'
is "$(cat "$T/out")" "$T/one.png" "-o FILE: that name exactly"
run chat-image -o "$T/one.png" 'again'
is "$st" 73 "-o: an existing file is not replaced"
run chat-image -o "$T/one.png" --force 'again'
is "$st" 0 "-o --force replaces it"
run chat-image -o "$T/many.png" -n 3 'three of them'
is "$(tr '\n' ' ' < "$T/out")" "$T/many-1.png $T/many-2.png $T/many-3.png " "-o with -n 3: FILE-1.png, FILE-2.png, FILE-3.png"
run chat-image -o "$T/noext" -n 2 'two of them'
is "$(tr '\n' ' ' < "$T/out")" "$T/noext-1 $T/noext-2 " "-o without an extension: FILE-1, FILE-2"
run chat-image -o "$T/missing/x.png" 'nowhere'
is "$st" 73 "-o into a directory that does not exist: exit 73"
printf 'x' > "$T/afile"
run chat-image --dir "$T/afile" 'nowhere'
is "$st" 73 "--dir naming a file: exit 73"

# formats
fake_start
run chat-image --json --format jpeg --dir "$T/f" 'as jpeg'
is "$(request 1 | jq -r .body.output_format)" jpeg "--format jpeg: gpt-image-1 is asked for output_format jpeg"
is "$(field '[.mime, (.path | sub(".*\\."; ""))] | join(" ")')" "image/jpeg jpg" "... and the file is a .jpg"
is "$(magic "$(field .path)")" ffd8ff "... holding a JPEG"
run chat-image -o "$T/by-name.jpg" 'named jpeg'
is "$(request 2 | jq -r .body.output_format):$(magic "$T/by-name.jpg")" "jpeg:ffd8ff" "-o x.jpg asks for JPEG"
run chat-image -o "$T/x.png" --format jpeg 'mixed'
is "$st" 64 "-o x.png with --format jpeg: usage error"

# dall-e-3: n must be 1, so -n 2 is two requests; b64_json; style; revised prompts
fake_start
run chat-image --json -m dall-e-3 -n 2 --size 1792x1024 --quality hd --style natural --format jpeg --dir "$T/d3" 'a harbour'
is "$st" 0 "dall-e-3 -n 2: exit 0"
is "$(wc -l < "$T/log" | tr -d ' ')" 2 "... as two requests"
is "$(request 2 | jq -c .body)" \
	'{"model":"dall-e-3","prompt":"a harbour","n":1,"size":"1792x1024","quality":"hd","style":"natural","response_format":"b64_json"}' \
	"dall-e-3's body: n 1, size, quality, style, response_format b64_json, no output_format"
is "$(jq -r .revised_prompt "$T/out" | sort -u)" "A detailed rendering of: a harbour" "the revised prompt is in each record"
is "$(jq -r '"\(.mime) \(.width)x\(.height)"' "$T/out" | sort -u)" "image/jpeg 28x16" \
	"--format jpeg with dall-e-3 (PNG only): converted here"
check "... and the JPEGs decode" decodes "$(sed -n 1p "$T/out" | jq -r .path)"

# Gemini image models: generateContent with the IMAGE modality
fake_start --text 'Here is your lighthouse.'
run chat-image --json -m gemini-2.5-flash-image --size 16:9 --dir "$T/g" 'a lighthouse'
is "$st" 0 "Gemini: exit 0"
is "$(request 1 | jq -r .path)" "/v1beta/models/gemini-2.5-flash-image:generateContent" "POST .../models/MODEL:generateContent"
is "$(request 1 | jq -c .body)" \
	'{"contents":[{"role":"user","parts":[{"text":"a lighthouse"}]}],"generationConfig":{"responseModalities":["TEXT","IMAGE"],"imageConfig":{"aspectRatio":"16:9"}}}' \
	"Gemini's body: the prompt, responseModalities TEXT and IMAGE, the aspect ratio"
is "$(request 1 | jq -r '.headers["x-goog-api-key"]')" gm-test-789 "the key in x-goog-api-key..."
hasnt "$T/log" "key=" "... never in the URL"
is "$(field '"\(.mime) \(.width)x\(.height)"')" "image/png 21x12" "the inlineData image, written (16:9 is 1344x768)"
check "... and it decodes" decodes "$(field .path)"
run chat-image -m gemini-2.5-flash-image --size 1536x1024 --dir "$T/g" 'wide'
is "$(request 2 | jq -r .body.generationConfig.imageConfig.aspectRatio)" 3:2 "--size WxH becomes its aspect ratio"
run chat-image -m gemini-2.5-flash-image -n 2 --dir "$T/g" 'two'
is "$(wc -l < "$T/log" | tr -d ' '):$(wc -l < "$T/out" | tr -d ' ')" "4:2" "Gemini -n 2: one request per image"

# edits: --image goes through chat-upload's code
mk jpeg 60 40 6 "$T/photo.jpg"
chat-upload "$T/photo.jpg" > "$T/att"
fake_start
run chat-image --image "$T/photo.jpg" -o "$T/night.png" 'the same street at night'
is "$st" 0 "gpt-image-1 --image: exit 0"
is "$(request 1 | jq -r .path)" "/v1/images/edits" "an edit goes to /v1/images/edits"
is "$(request 1 | jq -r '.headers["content-type"]' | cut -d';' -f1)" multipart/form-data "... as multipart/form-data"
is "$(request 1 | jq -c '.body | [.model, .prompt, .n, .output_format]')" '["gpt-image-1","the same street at night","1","png"]' \
	"... with the model, prompt and n fields"
is "$(request 1 | jq -r '.body["image[]"] | "\(.content_type) \(.sha256)"')" "image/jpeg $(jq -r .sha256 "$T/att")" \
	"... and the image as an image[] file part: upright, stripped, exactly as chat-upload makes it"
check "the edited image is written" decodes "$T/night.png"
run chat-image -m gemini-2.5-flash-image --image "$T/photo.jpg" -o "$T/gnight.png" 'at night'
is "$(request 2 | jq -c '.body.contents[0].parts | map(keys[0])')" '["inline_data","text"]' \
	"Gemini edit: an inline_data part, then the text"
is "$(request 2 | jq -r '.body.contents[0].parts[0].inline_data | "\(.mime_type) \(.data)"')" \
	"$(jq -r '"\(.mime) \(.data)"' "$T/att")" "... holding chat-upload's image"
run chat-image -m dall-e-3 --image "$T/photo.jpg" 'edit'
is "$st" 65 "dall-e-3 cannot edit: exit 65"
has "$T/err" "dall-e-3 cannot edit images (--image); models that can: gpt-image-1, gpt-image-1-mini, dall-e-2," \
	"... naming the models that can"
is "$(wc -l < "$T/log" | tr -d ' ')" 2 "... before any request"
# dall-e-2 edits take a square PNG with transparency under 4 MB (the fake
# refuses anything else, as the service does): made here, padded, not cropped
fake_start
run chat-image -m dall-e-2 --image "$T/photo.jpg" -o "$T/d2.png" 'the same street, wider'
is "$st" 0 "dall-e-2 --image a 60x40 JPEG: exit 0"
is "$(request 1 | jq -c '.body.image | [.content_type, .png]')" '["image/png",{"width":60,"height":60,"color":"RGBA"}]' \
	"... sent as a 60x60 RGBA PNG"
is "$(request 1 | jq -c '.body | [.model, .response_format, has("image[]")]')" '["dall-e-2","b64_json",false]' \
	"... in the image field (not image[]), asking for base64"
has "$T/err" "padded from 40x60 to a square (sent as 60x60) with transparent borders" "... saying it was padded, and why"
check "... and the edit is written" decodes "$T/d2.png"
mk png 50 50 opaque "$T/sq.png"
run chat-image -m dall-e-2 --image "$T/sq.png" -o "$T/d2sq.png" 'an opaque square'
is "$st:$(request 2 | jq -c '.body.image.png')" '0:{"width":50,"height":50,"color":"RGBA"}' \
	"a square opaque PNG: sent as RGBA"
has "$T/err" "has no transparent pixels, and dall-e-2 paints only those" "... with a note that nothing is left to paint"
mk png 50 50 alpha "$T/sqa.png"
run chat-image -m dall-e-2 --image "$T/sqa.png" -o "$T/d2sqa.png" 'a transparent square'
is "$st:$(wc -c < "$T/err" | tr -d ' ')" "0:0" "a square PNG with transparency: no note"
mk jpeg 1500 1000 1 "$T/wide.jpg"
run chat-image -q -m dall-e-2 --image "$T/wide.jpg" -o "$T/d2w.png" 'a wide photo'
is "$st:$(request 4 | jq -c '.body.image.png | [.width, .height]'):$(wc -c < "$T/err" | tr -d ' ')" "0:[1024,1024]:0" \
	"a large photo: shrunk to dall-e-2's 1024, then padded (-q: no note)"
"$ROOT/tests/bin/mkimage" png 1024 1024 noise "$T/noise.png"
run chat-image -m dall-e-2 --image "$T/noise.png" -o "$T/d2n.png" 'noise'
is "$st:$(request 5 | jq -c '.body.image | [.png.width, .bytes < 4000000]')" "0:[768,true]" \
	"an image whose PNG would weigh 4 MB or more at 1024: shrunk by a quarter until it is under"
printf 'hello\n' > "$T/t.txt"
run chat-image -m dall-e-2 --image "$T/t.txt" 'edit'
is "$st:$(wc -l < "$T/log" | tr -d ' ')" "65:5" "dall-e-2 --image: not an image: exit 65, nothing sent"
# the fake's own checks, as the service makes them
d2() { # FILE TYPE: a dall-e-2 edit of FILE sent as TYPE; the status, then the message
	curl -s -o "$T/body" -w '%{http_code}' -F model=dall-e-2 -F prompt=x -F "image=@$1;type=$2" \
		"http://127.0.0.1:$PORT/v1/images/edits"
	printf ' %s' "$(jq -r .error.message "$T/body")"
}
is "$(d2 "$T/photo.jpg" image/jpeg)" "400 Invalid file 'image': unsupported mimetype ('image/jpeg'). Supported file formats are 'image/png'." \
	"the fake refuses a dall-e-2 edit of a JPEG"
mk png 60 40 alpha "$T/wide.png"
is "$(d2 "$T/wide.png" image/png)" "400 Uploaded image must be square." "... of a PNG that is not square"
is "$(d2 "$T/one.png" image/png)" "400 Invalid input image - format must be in ['RGBA', 'LA', 'L'], got RGB." \
	"... of an RGB PNG"
cp "$T/sqa.png" "$T/heavy.png"
head -c 4200000 /dev/zero >> "$T/heavy.png"
is "$(d2 "$T/heavy.png" image/png)" "400 Uploaded image must be a PNG and less than 4 MB." "... of a PNG of 4 MB or more"
is "$(d2 "$T/sqa.png" image/png | cut -d' ' -f1)" 200 "... and takes a square RGBA PNG under 4 MB"

run chat-image --image "$T/nope.jpg" 'edit'
is "$st" 66 "--image: a missing file: exit 66"
printf 'hello\n' > "$T/t.txt"
run chat-image --image "$T/t.txt" 'edit'
is "$st" 65 "--image: not an image: exit 65"

# broken replies never reach the disk
for kind in text truncated; do
	fake_start --image-garbage $kind
	run chat-image --json --dir "$T/bad-$kind" 'garbage'
	is "$st" 69 "--image-garbage $kind: exit 69"
	is "$(field '[.type, .code] | join(" ")')" "error bad_output" "... an error record, bad_output"
	check "... and no file, not even a temporary one" test ! -e "$T/bad-$kind" -o -z "$(ls -A "$T/bad-$kind" 2>/dev/null)"
done
has "$T/err" "broken PNG" "a truncated PNG is found out by decoding it"
fake_start --image-garbage text
run chat-image --json -n 2 --dir "$T/half" 'one good one bad'
is "$st" 1 "one image of two is garbage: exit 1"
is "$(jq -r .type "$T/out" | sort | tr '\n' ' ')" "error image " "... an error record and an image record"
is "$(ls -A "$T/half" | wc -l | tr -d ' ')" 1 "... and the good one written"

fake_start --drop-after 0
run chat-image --retries 0 --dir "$T/drop" 'dropped'
is "$st" 69 "the server drops the connection mid-body: exit 69"
has "$T/err" "connection dropped mid-reply" "... saying so"
check "... and nothing is written" test ! -e "$T/drop" -o -z "$(ls -A "$T/drop" 2>/dev/null)"
fake_start --drop-after 0 --then
run chat-image --dir "$T/drop" 'dropped, then fine'
is "$st:$(wc -l < "$T/log" | tr -d ' ')" "0:2" "a drop is retried"
only "$T/drop" "$(basename "$(cat "$T/out")") " "... and only the whole file is there"

# refusals and errors: error records and exit statuses
fake_start --refuse
run chat-image --json 'something forbidden'
is "$st" 65 "gpt-image-1 refuses (moderation_blocked): exit 65"
is "$(field '[.code, .status, .retryable] | map(tostring) | join(" ")')" "bad_request 400 false" "... a bad_request error record"
has "$T/out" "refused the prompt (moderation_blocked)" "... saying the provider refused the prompt"
run chat-image -m dall-e-3 'something forbidden'
is "$st" 65 "dall-e-3 refuses (content_policy_violation): exit 65"
has "$T/err" "refused the prompt (content_policy_violation)" "... saying so"
fake_start --blocked safety
run chat-image --json -m gemini-2.5-flash-image 'something forbidden'
is "$st:$(field .code)" "65:bad_request" "Gemini blocks the prompt (promptFeedback): exit 65"
has "$T/out" "blocked (SAFETY)" "... naming the reason"
fake_start --refuse
run chat-image -m gemini-2.5-flash-image 'something forbidden'
is "$st" 65 "Gemini stops with IMAGE_SAFETY: exit 65"
has "$T/err" "IMAGE_SAFETY" "... naming the reason"
fake_start --finish no_image --text 'I would rather not draw that.'
run chat-image --json -m gemini-2.5-flash-image 'something'
is "$st:$(field .code)" "69:bad_output" "Gemini answers with text and no image: exit 69, bad_output"
has "$T/out" "it said: I would rather not draw that." "... passing on what the model said"

fake_start --status 429 --retry-after 0.01
run chat-image --json --retries 1 'limited'
is "$st" 75 "rate limited through the retries: exit 75"
is "$(wc -l < "$T/log" | tr -d ' ')" 2 "... after one retry (--retries 1)"
is "$(field '[.code, .retryable] | map(tostring) | join(" ")')" "rate_limited true" "... a rate_limited error record"
fake_start --status 429 --retry-after 0.01 --then
run chat-image --dir "$T/rl" 'limited once'
is "$st" 0 "a 429, then success: exit 0"
fake_start --status 500 --header 'retry-after-ms: 5'
run chat-image --retries 1 'down'
is "$st:$(wc -l < "$T/log" | tr -d ' ')" "69:2" "5xx through the retries: exit 69"
fake_start --status 503 --header 'x-should-retry: false' --then
run chat-image --dir "$T/told" 'told not to'
is "$st:$(wc -l < "$T/log" | tr -d ' ')" "69:1" "x-should-retry: false: a 503 is not retried"
fake_start --error bad_request --header 'x-should-retry: true' --header 'retry-after-ms: 1' --then
run chat-image --dir "$T/told" 'told to'
is "$st:$(wc -l < "$T/log" | tr -d ' ')" "0:2" "x-should-retry: true: a 400 is retried"
fake_start --error quota
run chat-image 'no money'
is "$st:$(wc -l < "$T/log" | tr -d ' ')" "75:1" "insufficient_quota: exit 75, not retried"
fake_start --error auth
run chat-image 'bad key'
is "$st" 77 "auth: exit 77"
fake_start --error auth
run chat-image -m gemini-2.5-flash-image 'bad key'
is "$st" 77 "Gemini API_KEY_INVALID: exit 77"

# the history: the prompt, the images (by content), the cost
rm -f "$CHAT_DB"
fake_start
run chat-image -n 2 --dir "$T/h" 'for the history'
q() { sqlite3 "$CHAT_DB" "$1"; }
is "$(q "select role || '|' || status || '|' || coalesce(finish, '') from messages order by seq" | tr '\n' ' ')" \
	"user|complete| assistant|complete|stop " "history: the prompt and the result"
is "$(q "select text from messages where role = 'user'")" "for the history" "... the prompt as the user turn"
is "$(q "select text from messages where role = 'assistant'")" "2 images: $(tr '\n' ' ' < "$T/out" | sed 's/ $//')" \
	"... the images' paths as the reply"
is "$(q "select m.mime || ' ' || m.sha256 from message_media mm join media m on m.sha256 = mm.sha256 order by mm.ord" | tr '\n' ' ')" \
	"image/png $(sha "$(sed -n 1p "$T/out")") image/png $(sha "$(sed -n 2p "$T/out")") " \
	"... the images stored by content and linked to the reply, in order"
is "$(q "select cost_usd || ' ' || model || ' ' || provider from messages where role = 'assistant'")" "0.084495 gpt-image-1 openai" \
	"... cost: the tokens the reply reports at gpt-image-1's prices (3 text in at \$5/M, 2112 image out at \$40/M)"
is "$(q "select output_tokens from messages where role = 'assistant'")" 2112 "... and the usage the provider reported"
chat-history export --media > "$T/export"
is "$(jq -r 'select(.role == "assistant") | .attachments[1].data' "$T/export" | base64 -d | sha256sum | cut -d' ' -f1)" \
	"$(sha "$(sed -n 2p "$T/out")")" "chat-history export --media gives the images back"
fake_start
run chat-image -m dall-e-3 -n 2 --dir "$T/h" 'dall-e'
run chat-image --image "$T/photo.jpg" --dir "$T/h" 'an edit'
is "$(q "select count(*) from message_media mm join messages m on m.rid = mm.message where m.role = 'user'")" 1 \
	"an edit's input image is stored with the prompt"
fake_start --refuse
run chat-image 'refused'
is "$(q "select status || ' ' || finish || ' ' || coalesce(cost_usd, 'null') from messages where role = 'assistant' order by rowid desc limit 1")" \
	"error filtered 0.0" "a refusal is logged as filtered, costing nothing"
n0=$(q "select count(*) from messages")
fake_start
run chat-image --no-log --dir "$T/h" 'not logged'
is "$(q "select count(*) from messages")" "$n0" "--no-log: nothing logged"
run chat-cost --history --json
is "$(jq -c 'select(.group.model == "gpt-image-1" or .group.model == "dall-e-3") | [.group.model, .usd]' "$T/out" | tr '\n' ' ')" \
	'["dall-e-3",0.08] ["gpt-image-1",0.12868] ' "chat-cost --history counts the images' cost"

# what each image costs: gpt-image by the tokens of its reply, dall-e by size and quality
fake_start
run chat-image --json -n 2 --quality high --size 1536x1024 --dir "$T/c1" 'two costly ones'
is "$(jq -r .cost_usd "$T/out" | sort -u)" 0.2483275 \
	"gpt-image-1: each image record has half of its reply's cost (3 text + 2 x 6208 image tokens)"
run chat-image --json --image "$T/photo.jpg" --dir "$T/c1" 'an edit'
is "$(field .cost_usd)" 0.044185 "... an edit's input image tokens at \$10/M (1 text, 194 image, 1056 out)"
run chat-image --json -m gpt-image-1-mini --dir "$T/c1" 'a cheap one'
is "$(field .cost_usd)" 0.008452 "gpt-image-1-mini: at its own token prices (\$2/M text in, \$8/M image out)"
run chat-image --json -m dall-e-3 -n 2 --size 1792x1024 --quality hd --dir "$T/c1" 'wide hd'
is "$(jq -r .cost_usd "$T/out" | sort -u)" 0.12 "dall-e-3 hd 1792x1024: \$0.12 an image"
run chat-image --json -m dall-e-3 --size 1024x1792 --dir "$T/c1" 'tall'
is "$(field .cost_usd)" 0.08 "dall-e-3 standard 1024x1792: \$0.08"
run chat-image --json -m dall-e-3 --quality hd --dir "$T/c1" 'square hd'
is "$(field .cost_usd)" 0.08 "dall-e-3 hd 1024x1024: \$0.08"
run chat-image --json -m dall-e-2 -n 3 --size 512x512 --dir "$T/c1" 'small ones'
is "$(jq -r .cost_usd "$T/out" | sort -u)" 0.018 "dall-e-2 512x512: \$0.018 an image"
is "$(q "select cost_usd from messages where role = 'assistant' order by rowid desc limit 1")" 0.054 \
	"... and the history has the three: \$0.054"
run chat-image --json -m dall-e-2 --size 256x256 --dir "$T/c1" 'tiny'
is "$(field .cost_usd)" 0.016 "dall-e-2 256x256: \$0.016"
run chat-image --json -m dall-e-2 --dir "$T/c1" 'default size'
is "$(field .cost_usd)" 0.02 "dall-e-2 1024x1024 (its default): \$0.02"

# --max-cost: the worst case, before any request
fake_start
run chat-image --json --max-cost 0.05 -n 2 'too dear'
is "$st:$(field .code)" "3:budget" "--max-cost below the worst case: exit 3, a budget record"
has "$T/out" "could cost up to \$0.4992 at gpt-image-1's token prices (6240 image tokens each at most)" \
	"... gpt-image-1 with no size or quality: the most tokens any size and quality may take"
is "$(wc -l < "$T/log" | tr -d ' ')" 0 "... and no request"
run chat-image --max-cost 0.45 -n 2 --quality high --size 1536x1024 'still too dear'
has "$T/err" "could cost up to \$0.4967" "--size and --quality set the worst case (2 x 6208 tokens at \$40/M)"
run chat-image --max-cost 0.05 -n 2 --quality low --size 1024x1024 --dir "$T/mc" 'affordable'
is "$st" 0 "--max-cost above the worst case: made"
run chat-image --max-cost 0.2 -n 2 -m dall-e-3 --quality hd --size 1792x1024 'dear dall-e'
is "$st" 3 "dall-e-3: by its size and quality..."
has "$T/err" "refused: 2 images at \$0.12 could cost \$0.24, over --max-cost \$0.2" "... 2 hd wide images at \$0.12"
run chat-image --max-cost 0.25 -n 2 -m dall-e-3 --quality hd --size 1792x1024 --dir "$T/mc" 'dear dall-e'
is "$st" 0 "... under a higher --max-cost: made"
run chat-image --max-cost 0.05 -n 3 -m dall-e-2 --size 256x256 --dir "$T/mc" 'cheap dall-e'
is "$st" 0 "dall-e-2: 3 at \$0.016 are under \$0.05"
run chat-image --max-cost 1 -m openai:gpt-image-9 'unknown'
is "$st" 3 "a gpt-image model the table lacks: --max-cost cannot be kept, exit 3"
has "$T/err" "no known token prices for openai:gpt-image-9 (in_usd, out_usd)" "... saying which prices are missing"
printf '[model dall-e-3]\nimage_usd = 1024x1024=0.05,hd/1024x1024=0.09\n' > "$T/cfg"
CHAT_CONFIG="$T/cfg" run chat-image --max-cost 1 -m dall-e-3 --size 1792x1024 'unpriced size'
is "$st" 3 "a size the config's price list lacks: --max-cost cannot be kept, exit 3"
has "$T/err" "no known price per image for dall-e-3 at 1792x1024, so --max-cost" "... naming the size"
is "$(wc -l < "$T/log" | tr -d ' ')" 4 "... and nothing sent for the refused ones"
CHAT_CONFIG="$T/cfg" run chat-image --json --max-cost 1 -m dall-e-3 --quality hd --dir "$T/mc" 'priced by the config'
is "$(field .cost_usd)" 0.09 "the config's image_usd list replaces the table's"
CHAT_CONFIG="$T/cfg" run chat-send --models --json
is "$(jq -c 'select(.name == "dall-e-3") | .usd_per_image' "$T/out")" '{"1024x1024":0.05,"hd/1024x1024":0.09}' \
	"chat-send --models --json: a price list as an object"
printf '[model dall-e-3]\nimage_usd = 1024x1024=cheap\n' > "$T/cfg"
CHAT_CONFIG="$T/cfg" run chat-image -m dall-e-3 'bad price'
is "$st" 78 "a malformed image_usd list: a configuration error"
has "$T/err" "image_usd = 1024x1024=cheap is not a number (or a list such as" "... saying what it takes"

# usage errors, before any request
fake_start
for args in "" "-n 0 x" "-n 11 x" "--size 1792x1024 x" "--quality hd x" "--style vivid x" "--format webp x" \
	"-o a.png --dir d x" "-m gpt-4o x" "-m claude-haiku-4-5 x" "-m gemini-2.5-flash-image --quality high x" \
	"-m gemini-2.5-flash-image --size 7x3 x" "--bogus x"; do
	# shellcheck disable=SC2086
	run chat-image $args
	is "$st" 64 "usage error: chat-image $args"
done
has "$T/err" "Try 'chat-image --help'" "a usage error points to --help"
run chat-image --size 1792x1024 x
has "$T/err" "1024x1024 1536x1024 1024x1536 auto" "a size the model does not take: the message names those it does"
run chat-image -m gpt-4o x
has "$T/err" "gpt-4o makes no images; image models: gpt-image-1, gpt-image-1-mini, dall-e-3, dall-e-2, gemini-2.5-flash-image" \
	"a model that makes no images: the message names those that do"
awk 'BEGIN { for (i = 0; i < 4100; i++) printf "a" }' > "$T/long"
cp "$T/long" "$T/in"
IN=1 run chat-image -m dall-e-3
is "$st" 65 "a prompt longer than dall-e-3 takes: exit 65"
is "$(wc -l < "$T/log" | tr -d ' ')" 0 "no request for any of these"
unset OPENAI_API_KEY GEMINI_API_KEY
run chat-image x
is "$st" 77 "no key: exit 77"
has "$T/err" "OPENAI_API_KEY" "... naming the variable (gpt-image-1 is the default)"
export GEMINI_API_KEY=gm-test-789
run chat-image --json --dir "$T/dflt" 'which model'
is "$(last_request | jq -r .path)" "/v1beta/models/gemini-2.5-flash-image:generateContent" \
	"with only a Gemini key, the default is gemini-2.5-flash-image"
export OPENAI_API_KEY=sk-secret-value-999
run chat-image -v --dir "$T/v" 'traced'
has "$T/err" "Authorization: \[redacted\]" "-v: the key is redacted"
hasnt "$T/err" "sk-secret-value-999" "-v: the key appears nowhere"

done_testing
