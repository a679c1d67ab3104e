#!/bin/sh
# chat-upload and -a: images made ready for a model, refused cleanly when bad.
. "$(dirname "$0")/../lib.sh"
mk() { "$ROOT/tests/bin/mkimage" "$@"; }
field() { jq -r "$1" "$T/out"; }

mk jpeg 40 20 6 "$T/o6.jpg"
run chat-upload "$T/o6.jpg"
is "$st" 0 "a JPEG: exit 0"
is "$(field '[.type, .mime, .width, .height, .original.width, .original.height] | map(tostring) | join(" ")')" \
	"attachment image/jpeg 20 40 20 40" "EXIF orientation 6 is applied: 40x20 stored, 20x40 upright (original is given upright too)"
jq -r .data "$T/out" | base64 -d > "$T/o6.out.jpg"
is "$(field .bytes)" "$(wc -c < "$T/o6.out.jpg" | tr -d ' ')" "bytes is the size of the encoded data"
is "$(field .sha256)" "$(sha256sum < "$T/o6.out.jpg" | cut -d' ' -f1)" "sha256 is the encoded data's"
check "the output has no EXIF, GPS or comment left" sh -c "! grep -aq -e Exif -e secret-comment '$T/o6.out.jpg'"

mk png 30 20 alpha "$T/a.png"
run chat-upload "$T/a.png"
is "$(field .mime)" image/png "real transparency is kept as PNG"
jq -r .data "$T/out" | base64 -d > "$T/a.out.png"
check "... without the PNG's text chunks" sh -c "! grep -aq secret-comment '$T/a.out.png'"
run chat-upload --flatten white "$T/a.png"
is "$(field .mime)" image/jpeg "--flatten puts it on a background as JPEG"
mk png 30 20 opaque "$T/b.png"
run chat-upload "$T/b.png"
is "$(field .mime)" image/jpeg "an opaque PNG becomes JPEG"

mk jpeg 400 200 1 "$T/big.jpg"
run chat-upload --max-side 100 "$T/big.jpg"
is "$(field '"\(.width)x\(.height)"')" 100x50 "--max-side shrinks the longest side"
run chat-upload --max-side 1000 "$T/big.jpg"
is "$(field '"\(.width)x\(.height)"')" 400x200 "never upscale"
mk jpeg 2000 1000 1 "$T/huge.jpg"
run chat-upload -m claude-sonnet-4-5 "$T/huge.jpg"
is "$(field '"\(.width)x\(.height)"')" 1568x784 "-m uses the model's largest side (Claude 1568)"
run chat-upload -o "$T/small.jpg" --max-side 50 "$T/big.jpg"
is "$(wc -c < "$T/out" | tr -d ' ')" 0 "-o writes the file, not a record"
check "... a JPEG" sh -c "head -c 3 '$T/small.jpg' | od -An -tx1 | grep -q 'ff d8 ff'"

# bad input: one clear line, exit 65 or 66, no record
printf 'just text\n' > "$T/t.txt"
run chat-upload "$T/t.txt"
is "$st:$(wc -c < "$T/out" | tr -d ' ')" "65:0" "a text file: exit 65, no record"
has "$T/err" "accepted: PNG, JPEG, GIF, WebP and HEIC" "... naming the accepted formats"
printf 'BM\072\000\000\000\000\000\000\000\066\000\000\000\050\000\000\000' > "$T/x.png"
run chat-upload "$T/x.png"
is "$st" 65 "a BMP named .png is recognised by its bytes and refused"
has "$T/err" "a BMP image" "... as a BMP"
head -c 300 "$T/big.jpg" > "$T/cut.jpg"
run chat-upload "$T/cut.jpg"
is "$st:$(wc -c < "$T/out" | tr -d ' ')" "65:0" "a truncated JPEG: exit 65, no record"
run chat-upload --max-bytes 100 "$T/big.jpg"
is "$st" 65 "over --max-bytes: exit 65"
has "$T/err" "limit" "... saying so"
run chat-upload "$T/missing.jpg"
is "$st" 66 "a missing file: exit 66"
run chat-upload "$T/big.jpg" "$T/t.txt" "$T/b.png"
is "$st:$(grep -c attachment "$T/out")" "65:2" "one bad file among good ones: the others still come out, exit 65"

# video passes through, recognised by its bytes
printf '\000\000\000\030ftypisom\000\000\002\000isomiso2' > "$T/v.bin"
run chat-upload "$T/v.bin"
is "$(field .mime)" video/mp4 "an MP4 is recognised whatever its name"

# into chat-send, by pipe and by -a
fake_start --text 'a picture'
chat-upload "$T/b.png" > "$T/in"
IN=1 run chat-send -m gpt-4o 'describe it'
is "$(last_request | jq -r '.body.messages[-1].content[1].image_url.url')" "data:image/jpeg;base64,$(jq -r .data "$T/in")" \
	"chat-upload | chat-send sends the processed image"
run chat-send -m gpt-4o -a "$T/o6.jpg" 'describe it'
is "$(last_request | jq -r '.body.messages[-1].content[1].image_url.url' | cut -c1-23)" "data:image/jpeg;base64," "-a FILE attaches through the same code"
export CHAT_DB="$T/h.db"
run chat-send -m gpt-4o -a "$T/o6.jpg" -a "$T/b.png" 'two pictures'
is "$(sqlite3 "$CHAT_DB" "select count(*) from message_media mm join messages m on m.rid = mm.message where m.role = 'user'")" 2 \
	"attachments are stored with the user turn"
run chat-send -m gpt-4o -a "$T/b.png" 'the same picture again'
is "$(sqlite3 "$CHAT_DB" "select count(*) from media")" 2 "... once each, by content"
run chat-history export --media
check "export --media brings the bytes back" sh -c "jq -r 'select(.attachments) | .attachments[0].data' '$T/out' | head -1 | base64 -d | head -c 3 | od -An -tx1 | grep -q 'ff d8 ff'"
run chat-send -m gpt-4o -a "$T/t.txt" 'describe it'
is "$st" 65 "-a with a file that is not an image: exit 65"

done_testing
