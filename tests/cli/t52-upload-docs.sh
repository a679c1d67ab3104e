#!/bin/sh
# PDFs and audio through chat-upload: recognised by their bytes, passed
# through whole with their pages or duration in the record, refused with
# exit 65 and one line when cut short or corrupt; sent to each provider in
# its own form (OpenAI file and input_audio parts, Anthropic document
# blocks, Gemini inline_data), refused before any request by a model or
# provider that cannot take them or past a provider's limits; stored in the
# history by content, exported with --media, and sent again on -c.
. "$(dirname "$0")/../lib.sh"
mk() { "$ROOT/tests/bin/mkmedia" "$@"; }
field() { jq -r "$1" "$T/out"; }
sha() { sha256sum < "$1" | cut -d' ' -f1; }
nreq() { wc -l < "$T/log" | tr -d ' '; }

# --- records: every format ----------------------------------------------
mk pdf 7 plain "$T/doc.pdf"
run chat-upload "$T/doc.pdf"
is "$st:$(field '[.type, .mime, .pages, .bytes, .sha256, .width] | map(tostring) | join(" ")')" \
	"0:attachment application/pdf 7 $(wc -c < "$T/doc.pdf" | tr -d ' ') $(sha "$T/doc.pdf") null" \
	"PDF: passed through, 7 pages (the page tree root's /Count), its size and SHA-256"
check "... the data is the file's bytes, unchanged" sh -c "jq -r .data '$T/out' | base64 -d | cmp -s - '$T/doc.pdf'"
mk pdf 7 ref "$T/ref.pdf"
run chat-upload "$T/ref.pdf"
is "$(field .pages)" 7 "a root /Count given by reference: the /Page objects are counted"
mk pdf 7 hidden "$T/hidden.pdf"
run chat-upload "$T/hidden.pdf"
is "$st:$(field .pages)" "0:null" "a page tree inside an object stream: pages null, not a guess"
cp "$T/doc.pdf" "$T/doc.bin"
run chat-upload "$T/doc.bin"
is "$(field .mime)" application/pdf "a PDF is known by its bytes, not its name"

mk wav 2.5 plain "$T/a.wav"
mk flac 3.25 "$T/a.flac"
mk mp3 4 xing "$T/x.mp3"
mk mp3 4 vbri "$T/v.mp3"
mk mp3 4 cbr "$T/c.mp3"
mk ogg 5 opus "$T/a.opus"
mk ogg 6 vorbis "$T/a.ogg"
mk m4a 7.5 "$T/a.m4a"
mk aac 2 "$T/a.aac"
mk mp4 8 "$T/v.mp4"
rec='[.mime, .duration_s, (.duration_estimated // false)] | map(tostring) | join(" ")'
for f in a.wav:"audio/wav 2.5 false" a.flac:"audio/flac 3.25 false" x.mp3:"audio/mp3 3.997 false" \
	 v.mp3:"audio/mp3 3.997 false" c.mp3:"audio/mp3 3.988 true" a.opus:"audio/ogg 5 false" \
	 a.ogg:"audio/ogg 6 false" a.m4a:"audio/mp4 7.5 false" a.aac:"audio/aac 1.997 false" v.mp4:"video/mp4 8 false"; do
	name=${f%%:*} want=${f#*:}
	run chat-upload "$T/$name"
	is "$st:$(field "$rec")" "0:$want" "$name: $want"
done
is "$(jq -r .bytes "$T/out")" "$(wc -c < "$T/v.mp4" | tr -d ' ')" "... with its size"

run chat-upload -v "$T/doc.pdf" "$T/a.wav"
has "$T/err" "doc.pdf: application/pdf, 7 pages, " "-v says a PDF's pages"
has "$T/err" "a.wav: audio/wav, 2.500 s, " "... and audio's duration"

# --- refusals: exit 65 and one line --------------------------------------
mk pdf 3 cut "$T/cut.pdf"
run chat-upload "$T/cut.pdf"
is "$st:$(cat "$T/err")" "65:chat-upload: $T/cut.pdf: a PDF cut short (no %%EOF at its end)" "a PDF cut short: 65, one line"
mk wav 1 nofmt "$T/bad.wav"
run chat-upload "$T/bad.wav"
is "$st:$(wc -l < "$T/err" | tr -d ' ')" "65:1" "a WAV with no fmt chunk: 65, one line"
has "$T/err" "a corrupt WAV file" "... saying it is corrupt"
printf 'ID3\004\000\000\000\000\000\002xx' > "$T/empty.mp3"
run chat-upload "$T/empty.mp3"
is "$st" 65 "an ID3 tag and no MPEG frame: 65"
has "$T/err" "no MPEG audio frame" "... saying so"
printf 'plain words\n' > "$T/t.txt"
run chat-upload "$T/t.txt"
is "$st" 65 "text is not accepted: 65"
has "$T/err" "accepted: .*PDF documents, WAV, MP3, M4A, AAC, OGG and FLAC audio" "... the message lists PDFs and audio"
run chat-upload -m gpt-4o-audio-preview --max-bytes 1K "$T/a.wav"
is "$st" 65 "audio over --max-bytes for a model that is not Gemini's: 65"
has "$T/err" "an audio file of 1 MB goes to a model only through the Gemini Files API .*gpt-4o-audio-preview is not a Gemini model" \
	"... saying where it could go"
run chat-upload -m claude-sonnet-4-5 "$T/a.wav" "$T/doc.pdf"
is "$st:$(field .mime)" "65:application/pdf" "-m a model without audio input: the audio refused (65), the PDF still made"
has "$T/err" "a.wav: claude-sonnet-4-5 cannot take audio input (its inputs: text,image,pdf)" "... saying what the model takes"
run chat-upload --max-bytes 1K "$T/doc.pdf"
is "$st" 77 "a PDF over --max-bytes with no Gemini key: 77"
has "$T/err" "a file this large is uploaded to the Gemini Files API, which needs a key" "... saying why"
mk wav 10 plain "$T/ten.wav"
run sh -c "cat '$T/ten.wav' | chat-upload --max-bytes 100K -"
has "$T/err" "an audio file this large cannot be uploaded from a pipe" "from a pipe: the file name is asked for"

# --- each provider's request body ----------------------------------------
fake_start --text 'read it'
b64=$(base64 -w0 < "$T/doc.pdf")
run chat-send -m gpt-4o -a "$T/doc.pdf" 'summarise'
is "$st" 0 "openai: a PDF is accepted by the fake's check of the part"
is "$(last_request | jq -c '.body.messages[-1].content | map(del(.file.file_data))')" \
	'[{"type":"text","text":"summarise"},{"type":"file","file":{"filename":"doc.pdf"}}]' \
	"openai: the PDF as a file part named by its file, after the text"
is "$(last_request | jq -r '.body.messages[-1].content[1].file.file_data')" "data:application/pdf;base64,$b64" \
	"... file_data a data URL of application/pdf"
run chat-send -m claude-sonnet-4-5 -a "$T/doc.pdf" 'summarise'
is "$(last_request | jq -c '.body.messages[-1].content')" \
	"[{\"type\":\"document\",\"source\":{\"type\":\"base64\",\"media_type\":\"application/pdf\",\"data\":\"$b64\"}},{\"type\":\"text\",\"text\":\"summarise\"}]" \
	"anthropic: a document block with a base64 source before the text"
run chat-send -m gemini-2.5-flash -a "$T/doc.pdf" 'summarise'
is "$(last_request | jq -c '.body.contents[-1].parts')" \
	"[{\"inline_data\":{\"mime_type\":\"application/pdf\",\"data\":\"$b64\"}},{\"text\":\"summarise\"}]" \
	"gemini: inline_data of application/pdf before the text"

for f in a.wav:wav x.mp3:mp3; do
	name=${f%%:*} fmt=${f#*:}
	run chat-send -m gpt-4o-audio-preview -a "$T/$name" 'transcribe'
	is "$st:$(last_request | jq -c '.body.messages[-1].content[1] | .input_audio.data |= length')" \
		"0:{\"type\":\"input_audio\",\"input_audio\":{\"data\":$(base64 -w0 < "$T/$name" | wc -c | tr -d ' '),\"format\":\"$fmt\"}}" \
		"openai: $name as input_audio, format $fmt, bare base64"
done
is "$(last_request | jq -r '.body.messages[-1].content[1].input_audio.data')" "$(base64 -w0 < "$T/x.mp3")" "... the data is the file's"
for f in a.wav:audio/wav a.flac:audio/flac x.mp3:audio/mp3 a.opus:audio/ogg a.m4a:audio/mp4 a.aac:audio/aac; do
	name=${f%%:*} mime=${f#*:}
	run chat-stream -m gemini-2.5-flash -a "$T/$name" 'transcribe'
	is "$st:$(last_request | jq -r '.body.contents[-1].parts[0].inline_data | "\(.mime_type) \(.data == "'"$(base64 -w0 < "$T/$name")"'")"')" \
		"0:$mime true" "gemini: $name inline as $mime"
done

# a PDF too large to go inline: to the Gemini Files API, its pages read first
mk pdf 3 plain "$T/large.pdf" 21000000
run chat-upload "$T/large.pdf"
is "$st:$(field '[.mime, .pages, (.data == null), (.uri | test("/v1beta/files/"))] | map(tostring) | join(" ")')" \
	"0:application/pdf 3 true true" "a 21 MB PDF goes to the Files API: a uri, and its pages in the record"
is "$(cat "$T"/uploads/*.bin | sha256sum | cut -d' ' -f1)" "$(sha "$T/large.pdf")" "... the bytes that arrived are the file's"
cp "$T/out" "$T/in"
IN=1 run chat-send -m gemini-2.5-flash 'summarise'
is "$(last_request | jq -c '.body.contents[-1].parts[0].file_data | [.mime_type, (.file_uri | test("/files/"))]')" \
	'["application/pdf",true]' "gemini: the uploaded PDF as file_data by uri"
IN=1 run chat-send -m gpt-4o 'summarise'
is "$st" 65 "an uploaded PDF (by uri) to OpenAI: 65"
has "$T/err" "a PDF by uri (.*) can go only to a Gemini model" "... only Gemini reads a Files API upload"
fake_start --text 'read it'

# the fake checks the parts as the references give them: a malformed one is refused
printf '{"type":"attachment","mime":"audio/webm","data":"AAAA"}\n' > "$T/in"
IN=1 run chat-send -m gemini:gemini-9-test 'hear this'
is "$st" 65 "a type Gemini does not list, to a model not in the table: the fake refuses it (400)"
has "$T/err" "Unsupported MIME type" "... with the fake's message"

# --- refused before any request ------------------------------------------
before=$(nreq)
run chat-send -m gpt-3.5-turbo -a "$T/doc.pdf" 'summarise'
is "$st" 65 "a PDF to a model without pdf input: 65"
has "$T/err" "gpt-3.5-turbo cannot take pdf input; models that can: gpt-5, .*claude-sonnet-4-5.*gemini-2.5-flash" \
	"... naming the models that can"
run chat-send -m claude-sonnet-4-5 -a "$T/a.wav" 'transcribe'
is "$st" 65 "audio to Claude: 65"
has "$T/err" "cannot take audio input; models that can: gpt-4o-audio-preview, .*gemini-2.5-pro" "... naming the audio models"
run chat-send -m gpt-4o-audio-preview -a "$T/a.flac" 'transcribe'
is "$st" 65 "FLAC to OpenAI: 65"
has "$T/err" "gpt-4o-audio-preview takes audio only as WAV or MP3, not audio/flac" "... WAV or MP3 only, say so"
mk pdf 150 plain "$T/long.pdf"
run chat-send -m gpt-4o -a "$T/long.pdf" 'summarise'
is "$st" 65 "150 pages to OpenAI: 65"
has "$T/err" "150 PDF pages in one request: gpt-4o takes at most 100" "... its 100-page limit"
run chat-send -m claude-haiku-4-5 -a "$T/doc.pdf" -a "$T/long.pdf" 'summarise'
has "$T/err" "157 PDF pages in one request: claude-haiku-4-5 takes at most 100" "Anthropic: pages add up across files"
mk pdf 1001 plain "$T/huge.pdf"
run chat-send -m gemini-2.5-flash -a "$T/huge.pdf" 'summarise'
is "$st" 65 "1,001 pages to Gemini: 65"
has "$T/err" "over the 1,000 a Gemini model takes" "... its 1,000-page limit"
is "$(nreq)" "$before" "... none of these made a request"
# Anthropic's 32 MB request: three 12 MB PDFs, 48 MB as base64
mk pdf 2 plain "$T/big.pdf" 12000000
run chat-send -m claude-haiku-4-5 -a "$T/big.pdf" -a "$T/big.pdf" -a "$T/big.pdf" 'summarise'
is "$st:$(nreq)" "65:$before" "Anthropic: 48 MB of base64 in one request refused before sending"
has "$T/err" "MB of attachments (base64) in one request: claude-haiku-4-5 takes at most 32 MB" "... saying its limit"
run chat-send -m gemini-2.5-flash -a "$T/big.pdf" 'summarise'
is "$st" 0 "... while one of them goes to Gemini inline (under 20 MB as base64)"
before=$(nreq)
run chat-send -m gemini-2.5-flash -a "$T/big.pdf" -a "$T/big.pdf" 'summarise'
is "$st:$(nreq)" "65:$before" "... but two are over Gemini's 20 MB inline a request: refused before sending"
has "$T/err" "inline in one request: a Gemini model takes at most 20" "... pointing at the Files API"
# a provider's own check for a model not in the table
run chat-send -m anthropic:claude-next -a "$T/a.wav" 'transcribe'
is "$st" 65 "audio to an Anthropic model not in the table: 65 (the request builder refuses)"
has "$T/err" "takes no audio" "... saying the provider takes none"

# --- the history: by content, exported, sent again -----------------------
export CHAT_DB="$T/h.db"
run chat-send -m claude-sonnet-4-5 -a "$T/doc.pdf" 'what is in it'
run chat-send -m claude-sonnet-4-5 -a "$T/doc.pdf" 'the same document again'
is "$(sqlite3 "$CHAT_DB" "select count(*) || ' ' || group_concat(mime) from media")" "1 application/pdf" \
	"a PDF is stored once, by its SHA-256"
is "$(sqlite3 "$CHAT_DB" "select sha256 from media")" "$(sha "$T/doc.pdf")" "... keyed by the file's SHA-256"
run chat-send -m gemini-2.5-flash -a "$T/a.opus" 'listen'
run chat-history export --media
check "export --media brings the PDF back byte for byte" sh -c \
	"jq -r 'select(.attachments) | .attachments[] | select(.mime == \"application/pdf\") | .data' '$T/out' | head -1 | base64 -d | cmp -s - '$T/doc.pdf'"
check "... and the audio" sh -c \
	"jq -r 'select(.attachments) | .attachments[] | select(.mime == \"audio/ogg\") | .data' '$T/out' | base64 -d | cmp -s - '$T/a.opus'"
cp "$T/out" "$T/export.ndjson"
CHAT_DB="$T/h2.db" chat-history import < "$T/export.ndjson" > /dev/null 2>&1
is "$(sqlite3 "$T/h2.db" "select group_concat(sha256) from media where mime = 'application/pdf'")" "$(sha "$T/doc.pdf")" \
	"chat-history import takes the PDF back, by content"
run chat-send -c 'and the second page?'
is "$(last_request | jq -c '[.body.contents[] | [.parts[] | (.inline_data.mime_type // "text")]]')" \
	'[["audio/ogg","text"],["text"],["text"]]' "-c: the earlier turn's audio is sent again (Gemini)"
run chat-send -m claude-sonnet-4-5 -a "$T/doc.pdf" 'first look'
run chat-send -c 'go on'
is "$(last_request | jq -c '[.body.messages[] | if (.content | type) == "string" then "text" else [.content[].type] end]')" \
	'[["document","text"],"text","text"]' "-c: the earlier turn's PDF goes again as a document block (Anthropic)"

# the context budget counts a PDF's pages: the oldest turn's document is left out first
printf '[model tiny-doc]\nprovider = gemini\ninputs = text,pdf\ncontext = 4000\nmax_out = 100\n' > "$T/config"
export CHAT_CONFIG="$T/config"
mk pdf 9 plain "$T/nine.pdf"
run chat-send -m tiny-doc -a "$T/nine.pdf" 'first'
run chat-send -v -c -a "$T/nine.pdf" 'second'
is "$(last_request | jq -c '[.body.contents[] | [.parts[] | (.inline_data.mime_type // "text")]]')" \
	'[["text"],["text"],["application/pdf","text"]]' \
	"9 pages twice (2 x 9 x 258 tokens) over a 4,000-token window: the earlier turn's PDF is left out"
has "$T/err" "left out the 1 attachments of the earliest turns" "... and -v says so"
unset CHAT_CONFIG
# and the provider's own limits: 60 pages twice is past OpenAI's 100 a request
# (gpt-4.1: a window wide enough that only the page limit matters)
mk pdf 60 plain "$T/sixty.pdf"
run chat-send -m gpt-4.1 -a "$T/sixty.pdf" 'first sixty'
run chat-send -v -c -a "$T/sixty.pdf" 'sixty more'
is "$st:$(last_request | jq -c '[.body.messages[] | if (.content | type) == "string" then "text" else [.content[].type] end]')" \
	'0:["text","text",["text","file"]]' "60 + 60 pages to OpenAI: the earlier turn's PDF is left out, not refused by the service"
has "$T/err" "left out the 1 attachments of the earliest turns" "... and -v says so"

done_testing
