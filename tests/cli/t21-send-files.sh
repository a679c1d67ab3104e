#!/bin/sh
# -f PATH: text files added to the prompt under their names in fenced
# blocks (chat-send, chat-stream, prompt records' "files", templates' file
# lines, chat-cost --count), folders and patterns expanded in bytewise
# order, binary files refused or left out, the size guard; and URLs given
# to -f and -a, fetched from a server on 127.0.0.1: http only with
# --allow-http, no redirect to http, the size and time capped, the type
# sniffed from the bytes, --send-url, and https with a certificate trusted
# through CHAT_CA_FILE (openssl s_server).
. "$(dirname "$0")/../lib.sh"
export CHAT_DB="$T/h.db" CHAT_RATE_DB="$T/rate.db"
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY all_proxy no_proxy NO_PROXY
content() { request "$1" | jq -r '.body.messages[-1].content'; }
sent() { wc -l < "$T/log" | tr -d ' '; }
cd "$T" || exit 1

mkdir -p src/sub src/.hidden src/node_modules/pkg
printf 'int main(void) { return 0; }\n' > src/main.c
printf 'Some `code` and a ```` run\n' > src/sub/notes.md
printf 'no newline at the end' > src/b.txt
printf 'secret\n' > src/.hidden/x.c
printf 'junk\n' > src/node_modules/pkg/index.js
printf '\211PNG\r\n\032\n\0\0\0' > src/logo.png
printf 'caf\351\n' > latin1.txt

fake_start --text 'ok'
run chat-send -f src/main.c 'Review this'
is "$st" 0 "-f FILE: exit 0"
is "$(content 1)" "$(printf 'Review this\n\nsrc/main.c:\n```c\nint main(void) { return 0; }\n```\n')" \
	"-f FILE: the words, a blank line, then the file under its name in a fenced block with its language"
run chat-send -f src/sub/notes.md -f src/b.txt 'two'
is "$(content 2)" "$(printf 'two\n\nsrc/sub/notes.md:\n`````markdown\nSome `code` and a ```` run\n`````\n\nsrc/b.txt:\n```\nno newline at the end\n```\n')" \
	"a fence longer than any backtick run in the file; no language when not obvious; a last line ended"

run chat-send -f src 'the folder'
is "$st" 0 "-f FOLDER: exit 0 though it holds a binary file"
is "$(content 3 | grep ':$' | tr '\n' ' ')" "src/b.txt: src/main.c: src/sub/notes.md: " \
	"-f FOLDER: its text files, recursively, in bytewise order; hidden and node_modules left out"
has "$T/err" 'src/logo.png: not text, left out' "-f FOLDER: a binary file is left out with a note"
run chat-send -q -f src/ 'quietly'
is "$(cat "$T/err")" "" "-q: no note for the binary file"
is "$(content 4 | head -3 | tail -1)" "src/b.txt:" "-f FOLDER/: names keep one slash"

run chat-send -f 'src/*.c' -f 'src/*/*.md' 'patterns'
is "$(content 5 | grep ':$' | tr '\n' ' ')" "src/main.c: src/sub/notes.md: " "a quoted pattern is expanded (glob)"
run chat-send -f 'src/*.none' 'nothing'
is "$st" 66 "a pattern with no match: exit 66"
has "$T/err" 'no file matches' "... said"
mkdir -p many && for b in b1 b2 b3 b4; do cp src/logo.png many/$b; done && cp src/b.txt many/t.txt
run chat-send --dry-run -f many 'x'
is "$(cat "$T/err")" "chat-send: left out 4 files that are not text: many/b1, many/b2, many/b3, ... (-v lists them all)" \
	"-f FOLDER: binary files left out are counted in one note"
run chat-send -v --dry-run -f many 'x'
is "$(grep -c 'not text, left out' "$T/err")" 4 "... and each is named with -v"
run chat-send --files-max 40 -f many -f src/main.c 'x'
has "$T/err" 'the files come to 50 bytes' "over the limit: the total counts the text files only"
mkdir -p binonly && cp src/logo.png binonly/
run chat-send -f binonly 'x'
is "$st" 66 "a folder of binary files only: exit 66, nothing to add"
has "$T/err" 'binonly: no text file to add' "... said"
run chat-send -f missing.c 'x'
is "$st" 66 "a missing file: exit 66"

run chat-send -f src/logo.png 'what'
is "$st" 65 "a binary file named on its own: exit 65"
has "$T/err" 'src/logo.png is not text: attach it with -a' "... with a hint to use -a"
run chat-send -f latin1.txt 'what'
is "$st" 65 "a file that is not UTF-8: exit 65"
is "$(sent)" 5 "nothing sent for a refused file"

run chat-send --files-max 40 -f src 'big'
is "$st" 65 "over --files-max: exit 65"
has "$T/err" 'the files come to [0-9]* bytes, over the limit of 40 (--files-max)' "... naming the total and the limit"
mkdir -p "$XDG_CONFIG_HOME/chat"
printf 'files_max = 10\n' > "$XDG_CONFIG_HOME/chat/config"
run chat-send -f src/main.c 'x'
is "$st" 65 "the config's files_max is the limit"
run chat-send --files-max 500k -f src/main.c 'x'
is "$st" 0 "--files-max overrides the config"
rm "$XDG_CONFIG_HOME/chat/config"
run chat-send --files-max 10Q -f src/main.c 'x'
is "$st" 64 "--files-max: a bad size is a usage error"

run chat-send -f src/main.c
is "$(content 7)" "$(printf 'src/main.c:\n```c\nint main(void) { return 0; }\n```\n')" "the files alone are the prompt"
printf 'from stdin\n' > in
IN=1 run chat-stream -f src/b.txt 'words'
is "$(content 8)" "$(printf 'words\n\nfrom stdin\n\nsrc/b.txt:\n```\nno newline at the end\n```\n')" \
	"chat-stream -f: words, stdin, then the files"

run chat-send -r -f src/main.c
is "$st" 64 "-r with -f: usage error"
printf '%s\n' '{"type":"prompt","id":"p1","text":"look","files":["src/main.c"]}' \
	'{"type":"prompt","id":"p2","text":"bad","files":["src/logo.png"]}' > in
IN=1 run chat-send -r --json
is "$(content 9)" "$(printf 'look\n\nsrc/main.c:\n```c\nint main(void) { return 0; }\n```\n')" \
	"a prompt record's \"files\" follow its text"
is "$(jq -r 'select(.id=="p2") | .type + " " + .code' "$T/out")" "error bad_input" \
	"a record naming a binary file gets an error record"

printf '%s\n' '{"type":"prompt","id":"b1","text":"look","files":["src/main.c"]}' > in
IN=1 run chat-batch submit --dry-run
has "$T/out" 'look\\\\n\\\\nsrc/main.c:\\\\n```c' "chat-batch submit: a record's \"files\" go into the batch too"
mkdir -p "$XDG_CONFIG_HOME/chat/templates"
printf 'file = src/b.txt\nprompt = Review\n' > "$XDG_CONFIG_HOME/chat/templates/rev"
run chat-send -t rev -f src/main.c
is "$(content 10 | grep ':$' | tr '\n' ' ')" "src/b.txt: src/main.c: " "a template's file lines come before -f's"
run chat-send --save withfiles -f src/main.c 'Look'
has "$XDG_CONFIG_HOME/chat/templates/withfiles" '^file = src/main.c$' "--save keeps -f as file lines"

# chat-cost --count counts the blocks chat-send would send
run chat-send --dry-run -f src/main.c
jq -j '.body.messages[-1].content' "$T/out" > block.txt
want=$(chat-cost --count --text < block.txt | awk '{print $1}')
run chat-cost --count -f src/main.c
is "$(awk '{print $1}' "$T/out")" "$want" "chat-cost --count -f: the tokens of the block chat-send sends"
printf '%s\n' '{"type":"prompt","text":"","files":["src/main.c"]}' > in
IN=1 run chat-cost --count --json
is "$(jq -r .tokens "$T/out")" "$want" "chat-cost --count: a record's \"files\" are counted"
run chat-cost --count -f http://127.0.0.1:9/x
is "$st" 64 "chat-cost --count does not fetch URLs"

# URLs, from a server on 127.0.0.1
mkdir -p www
cp src/main.c www/main.c
"$ROOT/tests/bin/mkimage" png 40 30 gradient www/pic.png > /dev/null 2>&1 || printf 'no mkimage\n' > www/pic.png
"$ROOT/tests/bin/fileserve" --port-file fport --dir www --log flog --idle 60 &
srv=$!
tls=
trap 'kill $srv $tls 2>/dev/null; fake_stop; rm -rf "$T"' EXIT
w=0; while [ ! -s fport ] && [ $w -lt 500 ]; do sleep 0.01; w=$((w + 1)); done
U="http://127.0.0.1:$(cat fport)"

fake_start --text 'ok'
run chat-send -f "$U/files/main.c" 'x'
is "$st" 64 "-f http://: refused without --allow-http"
has "$T/err" 'only https:// URLs are fetched' "... saying why"
run chat-send --allow-http -f "$U/files/main.c" 'fetched'
is "$st" 0 "-f URL with --allow-http: exit 0"
is "$(content 1)" "$(printf 'fetched\n\n%s/files/main.c:\n```c\nint main(void) { return 0; }\n```\n' "$U")" \
	"-f URL: the body under the URL, though the server calls it text/html"
run chat-send --allow-http -f "$U/redirect?$U/files/main.c" 'redirected'
is "$st" 66 "a redirect to http:// is refused, even with --allow-http"
has "$T/err" 'redirected to a URL that is not https: refused' "... said"
run chat-send --allow-http -f "$U/files/nothere" 'x'
is "$st" 66 "-f URL: an HTTP error status is exit 66"
run chat-send --allow-http --files-max 1000 -f "$U/big/5000" 'x'
is "$st" 65 "-f URL: a body over the limit (with a length) is cut off: exit 65"
has "$T/err" 'more than the limit of 1000 bytes' "... said"
run chat-send --allow-http --files-max 1000 -f "$U/chunked/50000" 'x'
is "$st" 65 "-f URL: a chunked body over the limit is cut off too"
run chat-send --allow-http --fetch-timeout 1 -f "$U/slow" 'x'
is "$st" 75 "-f URL: a server too slow is timed out (--fetch-timeout): exit 75"
has "$T/err" 'timed out' "... said"
is "$(sent)" 1 "nothing sent for a failed fetch"

if [ "$(head -c 4 www/pic.png | od -An -c | tr -d ' ')" = '211PNG' ]; then
	run chat-send --allow-http -m gpt-4o -a "$U/files/pic.png" 'what is it'
	is "$st" 0 "-a URL: exit 0"
	is "$(request 2 | jq -r '.body.messages[-1].content[1].image_url.url' | cut -c1-11)" "data:image/" \
		"-a URL: the bytes sniffed as an image (the server said text/html), made ready and sent inline"
	run chat-send --allow-http -m gpt-4o -a "$U/files/main.c" 'x'
	is "$st" 65 "-a URL: a body that is no image is refused"
	: > flog
	run chat-send --allow-http --send-url -m gpt-4o -a "$U/files/pic.png" 'what is it'
	is "$(request 3 | jq -r '.body.messages[-1].content[1].image_url.url')" "$U/files/pic.png" \
		"--send-url: OpenAI gets the URL itself"
	is "$st" 0 "--send-url: exit 0"
	is "$(cat flog)" "" "... which is not fetched here"
	run chat-send --allow-http --send-url -m claude-sonnet-4-5 -a "$U/files/pic.png" 'what is it'
	is "$(request 4 | jq -c '.body.messages[-1].content[0].source')" "{\"type\":\"url\",\"url\":\"$U/files/pic.png\"}" \
		"--send-url: Anthropic gets a url source"
	run chat-send --allow-http --send-url -m gemini-2.5-flash -a "$U/files/pic.png" 'what is it'
	is "$(request 5 | jq -r '.body.contents[-1].parts[0].inline_data.mime_type' | cut -c1-6)" "image/" \
		"--send-url: Gemini gets the bytes, fetched here"

else
	ok 0 "# skip: mkimage made no PNG"
fi
# https, from openssl's own test server with a certificate made here:
# trusted through CHAT_CA_FILE, refused without it
if command -v openssl > /dev/null 2>&1 &&
	openssl req -x509 -newkey rsa:2048 -nodes -keyout tls.key -out tls.pem -days 2 -subj /CN=127.0.0.1 \
		-addext subjectAltName=IP:127.0.0.1 > /dev/null 2>&1; then
	(cd www && exec openssl s_server -accept 127.0.0.1:0 -cert ../tls.pem -key ../tls.key -WWW -naccept 3) \
		< /dev/null > tls.out 2>&1 &
	tls=$!
	w=0; while ! grep -q '^ACCEPT' tls.out && [ $w -lt 1000 ]; do sleep 0.01; w=$((w + 1)); done
	S="https://127.0.0.1:$(sed -n 's/^ACCEPT .*:\([0-9]*\)$/\1/p' tls.out)"
	fake_start --text 'ok'
	CHAT_CA_FILE="$T/tls.pem" run chat-send -f "$S/main.c" 'over tls'
	is "$st" 0 "-f https://: fetched, the certificate trusted through CHAT_CA_FILE"
	is "$(content 1)" "$(printf 'over tls\n\n%s/main.c:\n```c\nint main(void) { return 0; }\n```\n' "$S")" \
		"-f https://: the body under the URL"
	run chat-send -f "$S/main.c" 'x'
	is "$st" 69 "-f https://: a certificate that does not verify is exit 69"
	kill $tls 2>/dev/null
else
	ok 0 "# skip: no openssl to serve https"
fi
kill $srv 2>/dev/null
done_testing
