#!/bin/sh
# chat-split: text cut into prompt records of at most N tokens — every part
# within N by chat-cost's own count, the parts joining into the input byte
# for byte, cuts at blank lines, long lines cut between characters, files
# and standard input, bad input refused before anything is written, and the
# map-reduce pipeline into chat-send -r against the fake provider.
. "$(dirname "$0")/../lib.sh"

# Paragraphs of one to six lines of words, some of them multibyte, from a
# fixed pseudo-random sequence.
awk 'BEGIN {
	split("the log rotated at midnight and café service naïve 日本語 テキスト disk full on /var " \
	      "retry after 30 seconds ERROR WARN ok — “quoted” emoji 😀 data", w, " ")
	n = 0; for (k in w) n++
	x = 7
	for (p = 0; p < 120; p++) {
		x = (x * 1103515245 + 12345) % 2147483648; lines = 1 + x % 6
		for (l = 0; l < lines; l++) {
			x = (x * 1103515245 + 12345) % 2147483648; m = 3 + x % 15; s = ""
			for (i = 0; i < m; i++) {
				x = (x * 1103515245 + 12345) % 2147483648
				s = s (i ? " " : "") w[1 + x % n]
			}
			print s
		}
		print ""
	}
}' > "$T/paras.txt"

# The tokens of each record's text by chat-cost --count, one a line
# (extra arguments: the model or encoding to count with).
counts() {
	jq -c '{type: "prompt", id, text}' "$1" > "$T/count.in"
	shift
	chat-cost --count --json -r "$@" < "$T/count.in" | jq -r .tokens
}
# Every count at most N.
within() { # file N [count options]
	f=$1 max=$2
	shift 2
	counts "$f" "$@" | awk -v max="$max" '$1 > max { bad = 1 } END { exit bad }'
}
joined() { jq -j .text "$1"; }

run chat-split -n 200 "$T/paras.txt"
is "$st" 0 "a file: exit 0"
is "$(cat "$T/err")" "" "... nothing on stderr"
cp "$T/out" "$T/paras.ndjson"
parts=$(wc -l < "$T/paras.ndjson")
check "several parts ($parts)" test "$parts" -gt 5
joined "$T/paras.ndjson" > "$T/joined"
check "the parts join into the input byte for byte" cmp -s "$T/joined" "$T/paras.txt"
check "each part is at most 200 tokens by chat-cost --count" within "$T/paras.ndjson" 200
is "$(counts "$T/paras.ndjson" | tr '\n' ' ')" "$(jq -r .tokens "$T/paras.ndjson" | tr '\n' ' ')" \
	"each record's tokens are chat-cost --count's for its text"
is "$(head -c 17 "$T/paras.ndjson")" '{"type":"prompt",' "type comes first, and it is prompt"
is "$(jq -c 'keys_unsorted' "$T/paras.ndjson" | sort -u)" '["type","id","text","part","parts","offset","bytes","tokens"]' \
	"the members: type, id, text, part, parts, offset, bytes, tokens"
is "$(jq -r '[.id, .part, .parts] | @tsv' "$T/paras.ndjson" | awk -v n="$parts" -F '\t' \
	'$1 != "paras.txt-" NR || $2 != NR || $3 != n { bad = 1 } END { print bad ? "bad" : "ok" }')" ok \
	"ids paras.txt-1, -2, ...; part counts from 1; parts is the total"
is "$(jq -s -r '[foreach .[] as $r (0; . + $r.bytes; .)] as $ends
	| [range(length)] | map(if . == 0 then 0 else $ends[. - 1] end) | map(tostring) | join(" ")' "$T/paras.ndjson")" \
	"$(jq -r .offset "$T/paras.ndjson" | tr '\n' ' ' | sed 's/ $//')" "each offset is where the part before it ends"
is "$(jq -r '(.text | utf8bytelength) == .bytes' "$T/paras.ndjson" | sort -u)" true "bytes is the text's length in UTF-8"
# every part but the last ends at a blank line, and the next paragraph
# would not have fitted in it
is "$(jq -s -r '.[:-1][] | .text | endswith("\n\n")' "$T/paras.ndjson" | sort -u)" true \
	"every cut is at a paragraph break"
jq -s -c '[range(length - 1) as $i | {type: "prompt", id: ($i + 1),
	text: (.[$i].text + (.[$i + 1].text | split("\n\n")[0]) + "\n\n")}] | .[]' "$T/paras.ndjson" > "$T/greedy.in"
is "$(chat-cost --count --json -r < "$T/greedy.in" | jq -r 'select(.tokens <= 200) | .id')" "" \
	"no part could have held the next paragraph too"

# standard input: the same parts, named part-N; from a pipe (kept in a
# temporary file) and from a file
cp "$T/paras.txt" "$T/in"
IN=1 run chat-split -n 200
is "$(jq -c 'del(.id)' "$T/out")" "$(jq -c 'del(.id)' "$T/paras.ndjson")" "stdin (a file): the same parts"
is "$(jq -r .id "$T/out" | head -2 | tr '\n' ' ')" "part-1 part-2 " "stdin: ids part-1, part-2, ..."
cat "$T/paras.txt" | chat-split -n 200 > "$T/piped" 2> "$T/err"
is "$?|$(cat "$T/err")" "0|" "stdin (a pipe): exit 0"
is "$(jq -c 'del(.id)' "$T/piped")" "$(jq -c 'del(.id)' "$T/paras.ndjson")" "stdin (a pipe): the same parts"
cat "$T/paras.txt" | TMPDIR="$T/none" chat-split -n 200 > "$T/out" 2> "$T/err"
is "$?" 73 "a pipe with nowhere to keep it: exit 73"
has "$T/err" "cannot keep standard input in $T/none" "... and says where it tried"
# stdin that is a file read from part-way: the offsets count from there
{ dd bs=1 skip=0 count=100 of=/dev/null 2> /dev/null; chat-split -n 200 > "$T/out"; } < "$T/paras.txt"
tail -c +101 "$T/paras.txt" > "$T/rest"
joined "$T/out" > "$T/joined"
check "stdin read from part-way: the parts are the rest" cmp -s "$T/joined" "$T/rest"
run chat-split -n 200 --id report "$T/paras.txt"
is "$(jq -r .id "$T/out" | head -2 | tr '\n' ' ')" "report-1 report-2 " "--id PREFIX"
IN=1 run chat-split -n 200 -
is "$(jq -r .id "$T/out" | head -1)" "part-1" "- is standard input"
run chat-split -v -n 200 "$T/paras.txt"
has "$T/err" "paras.txt: $parts parts" "-v says how many parts"
has "$T/err" "counting with o200k_base" "-v names the encoding"

# a long line of multibyte characters is cut between tokens, never inside
# a character, and the line break before it is a cut of its own
awk 'BEGIN { printf "a short line\n"; for (i = 0; i < 1500; i++) printf "日本語テキスト😀é "; printf "\nthe end\n" }' > "$T/long.txt"
run chat-split -n 100 "$T/long.txt"
is "$st" 0 "a long line: exit 0"
cp "$T/out" "$T/long.ndjson"
joined "$T/long.ndjson" > "$T/joined"
check "a long line: the parts join into the input" cmp -s "$T/joined" "$T/long.txt"
check "a long line: each part is at most 100 tokens" within "$T/long.ndjson" 100
check "a long line: cut into many parts" test "$(wc -l < "$T/long.ndjson")" -gt 20
is "$(jq -r '(.text | utf8bytelength) == .bytes' "$T/long.ndjson" | sort -u)" true \
	"a long line: no character is cut (each text is whole UTF-8)"
is "$(head -1 "$T/long.ndjson" | jq -r .text)" "a short line" "a long line: the line before it is a part"
is "$(jq -s -r '.[1:-1] | map(.tokens) | unique | map(tostring) | join(" ")' "$T/long.ndjson")" "100" \
	"a long line: its parts are full, 100 tokens each"

# the model's encoding, or the one named
run chat-split -n 100 -m gpt-4 "$T/long.txt"
cp "$T/out" "$T/cl.ndjson"
check "-m gpt-4: within 100 by cl100k_base" within "$T/cl.ndjson" 100 --encoding cl100k_base
check "-m gpt-4 cuts elsewhere than the default" sh -c '! cmp -s "$1" "$2"' sh "$T/cl.ndjson" "$T/long.ndjson"
run chat-split -n 100 --encoding cl100k_base "$T/long.txt"
is "$(jq -c 'del(.id)' "$T/out")" "$(jq -c 'del(.id)' "$T/cl.ndjson")" "--encoding cl100k_base: as -m gpt-4"
run chat-split -n 200 -m claude-haiku-4-5 "$T/paras.txt"
check "-m claude-haiku-4-5: within 200 by chat-cost's estimate" within "$T/out" 200 -m claude-haiku-4-5
is "$(counts "$T/out" -m claude-haiku-4-5 | tr '\n' ' ')" "$(jq -r .tokens "$T/out" | tr '\n' ' ')" \
	"-m claude-haiku-4-5: tokens are chat-cost's estimates"
is "$(cat "$T/err")" "" "an estimate is noted only on a terminal"
run chat-split -v -n 200 -m claude-haiku-4-5 "$T/paras.txt"
has "$T/err" "claude-haiku-4-5: no public tokenizer, so the counts are estimates" "... or with -v"
run chat-split -v -q -n 200 -m claude-haiku-4-5 "$T/paras.txt"
hasnt "$T/err" "estimates" "... and never with -q"
CHAT_MODEL=gpt-4 run chat-split -n 100 "$T/long.txt"
is "$(jq -c 'del(.id)' "$T/out")" "$(jq -c 'del(.id)' "$T/cl.ndjson")" "CHAT_MODEL picks the encoding"
run chat-split -n 100 --encoding p50k_base "$T/long.txt"
is "$st|$(cat "$T/out")" "78|" "an unknown encoding: exit 78"
CHAT_DATA="$T/nowhere" run chat-split -n 100 "$T/long.txt"
is "$st" 78 "no tokenizer data: exit 78"
has "$T/err" "CHAT_DATA" "... and says where to point"

# empty input: no records
: > "$T/empty.txt"
run chat-split -n 100 "$T/empty.txt"
is "$st|$(cat "$T/out")|$(cat "$T/err")" "0||" "an empty file: no records, exit 0"
run chat-split -n 100 < /dev/null
is "$st|$(cat "$T/out")" "0|" "empty stdin: no records, exit 0"
printf '\n\n\n' > "$T/blank.txt"
run chat-split -n 100 "$T/blank.txt"
is "$(jq -c '[.text, .tokens]' "$T/out")" '["\n\n\n",1]' "blank lines only: one part, kept as they are"

# bad input is refused, and nothing is written
printf 'good line\nbad \377 byte\n' > "$T/bad.txt"
cp "$T/bad.txt" "$T/in"
IN=1 run chat-split -n 100
is "$st|$(cat "$T/out")" "65|" "invalid UTF-8: exit 65, no records"
is "$(cat "$T/err")" "chat-split: line 2: not UTF-8" "... with the line"
run chat-split -n 100 "$T/bad.txt"
is "$(cat "$T/err")" "chat-split: $T/bad.txt: line 2: not UTF-8" "... and the file's name"
printf 'text\n\nmore\000text\n' > "$T/nul.txt"
run chat-split -n 100 "$T/nul.txt"
is "$st|$(cat "$T/out")" "65|" "a NUL byte: exit 65, no records"
has "$T/err" "nul.txt: line 3: a NUL byte" "... with the line"
printf 'ends inside \346\227' > "$T/cut.txt"
run chat-split -n 100 "$T/cut.txt"
is "$st" 65 "input ending inside a character: exit 65"
printf '\355\240\200\n' > "$T/surrogate.txt"
run chat-split -n 100 "$T/surrogate.txt"
is "$st" 65 "an encoded surrogate: exit 65"
run chat-split -n 200 "$T/paras.txt" "$T/bad.txt"
is "$st|$(cat "$T/out")" "65|" "a bad second file: nothing at all is written"
run chat-split -n 200 "$T/paras.txt" "$T/missing.txt"
is "$st|$(cat "$T/out")" "66|" "a missing file: exit 66, nothing written"
has "$T/err" "missing.txt: No such file or directory" "... and which file"
run chat-split -n 200 "$T"
is "$st" 66 "a directory: exit 66"

# a file that changes between the two readings (this one counts the bytes
# its reader has read) is not cut where its old text was
if [ -r /proc/self/io ]; then
	run chat-split -n 100 /proc/self/io
	is "$st|$(cat "$T/out")" "66|" "a file that changed between the readings: exit 66, nothing written"
	has "$T/err" "/proc/self/io: changed while it was being split" "... and says so"
else
	ok 0 "# SKIP no /proc/self/io"
	ok 0 "# SKIP no /proc/self/io"
fi

# several files: each cut on its own, named after its file
mkdir -p "$T/a" "$T/b"
printf 'first file\n' > "$T/a/one.txt"
printf 'second file\n' > "$T/a/two.txt"
cp "$T/a/one.txt" "$T/b/one.txt"
run chat-split -n 100 "$T/a/one.txt" "$T/a/two.txt"
is "$(jq -r '[.id, .part, .parts, .offset, .text] | @tsv' "$T/out" | tr '\n' '|')" \
	'one.txt-1	1	1	0	first file\n|two.txt-1	1	1	0	second file\n|' "two files: each its own parts"
run chat-split -n 100 "$T/a/one.txt" "$T/b/one.txt"
is "$st|$(cat "$T/out")" "64|" "two files of the same name: a usage error"
run chat-split -n 100 --id x "$T/a/one.txt" "$T/a/two.txt"
is "$st" 64 "--id with two files: a usage error"

# usage
run chat-split "$T/paras.txt"
is "$st" 64 "no --tokens: exit 64"
has "$T/err" "give --tokens N" "... saying what is missing"
is "$(wc -l < "$T/err" | tr -d ' ')" 2 "... in one line and a hint"
for bad in 15 0 -5 abc 12x 10000001; do
	run chat-split -n "$bad" "$T/paras.txt"
	is "$st" 64 "--tokens $bad: exit 64"
done
run chat-split --tokens 16 --id '' "$T/paras.txt"
is "$st" 64 "an empty --id: exit 64"
run chat-split --tokens=16 "$T/a/one.txt"
is "$(jq -r .text "$T/out")" "first file" "--tokens=16 is the smallest limit"

# the reader going away ends it quietly; a full disk is an error
chat-split -n 20 "$T/paras.txt" 2> "$T/err" | head -1 > /dev/null
is "$(cat "$T/err")" "" "a reader that goes away: no message"
if [ -w /dev/full ]; then
	chat-split -n 200 "$T/paras.txt" > /dev/full 2> "$T/err"
	is "$?" 73 "a full disk: exit 73"
	has "$T/err" "cannot write output" "... and says so"
else
	ok 0 "# SKIP no /dev/full"
	ok 0 "# SKIP no /dev/full"
fi

# the map-reduce pipeline: each part summarised, in order, then combined
fake_start --echo
chat-split -n 200 "$T/paras.txt" | chat-send -r --parallel 4 --ordered --no-log -s 'Summarise this part' \
	> "$T/summaries" 2> "$T/err"
is "$?|$(cat "$T/err")" "0|" "chat-split | chat-send -r: exit 0"
is "$(jq -r .id "$T/summaries" | tr '\n' ' ')" "$(jq -r .id "$T/paras.ndjson" | tr '\n' ' ')" \
	"a response for each part, with its id, in order"
is "$(wc -l < "$T/log" | tr -d ' ')" "$parts" "one request a part"
is "$(jq -c '.body.messages[-1].content' "$T/log" | sort)" "$(jq -c .text "$T/paras.ndjson" | sort)" \
	"each request carries one part's text, as it is"
is "$(jq -c '.body.messages[0].content' "$T/log" | sort -u)" '"Summarise this part"' "... after the system prompt"
jq -r .text "$T/summaries" | chat-send --no-log 'Combine these summaries' > "$T/final" 2> "$T/err"
is "$?|$(cat "$T/err")" "0|" "... | chat-send 'Combine': exit 0"
is "$(head -1 "$T/final")" "echo: Combine these summaries" "the summaries are combined in one request"
check "... which holds every summary" test "$(grep -c '^echo: ' "$T/final")" -eq "$((parts + 1))"

done_testing
