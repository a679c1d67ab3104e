#!/bin/sh
# A conversation keeps what it is made of: its model, its images, and only
# as much of its past as the window (or --context) allows; an input too
# large for the window is refused before anything is sent or logged.
. "$(dirname "$0")/../lib.sh"
export CHAT_DB="$T/h.db"
"$ROOT/tests/bin/mkimage" png 64 48 gradient "$T/p.png"

# the earlier turns' images go again with a follow-up question
for m in openai:gpt-4o anthropic:claude-sonnet-4-5 gemini:gemini-2.5-flash; do
	p=${m%%:*}
	fake_start --echo
	chat-upload "$T/p.png" | chat-send -m "$m" --conversation "y-$p" 'colour?' > /dev/null
	run chat-send --conversation "y-$p" 'and the top-left corner?'
	is "$st" 0 "$p: a follow-up in a conversation with an image"
	is "$(last_request | jq -r .path | cut -c1-12)" "$(request 1 | jq -r .path | cut -c1-12)" \
		"$p: the follow-up goes to the conversation's model, not the default"
	is "$(last_request | jq -c '[.body.messages // .body.contents | .[] | (.content // .parts)
		| if type == "array" then [.[] | (.type // (keys[0]))] else "text" end]')" \
		"$(case $p in
		   openai) echo '[["text","image_url"],"text","text"]' ;;
		   anthropic) echo '[["image","text"],"text","text"]' ;;
		   gemini) echo '[["inline_data","text"],["text"],["text"]]' ;;
		   esac)" "$p: the image goes again with the turn it came with"
done

# a conversation keeps its model; -m still chooses
fake_start --text ok
chat-send -m claude-sonnet-4-5 Hello > /dev/null
run chat-send -c More
is "$(last_request | jq -r '[.path, .body.model] | join(" ")')" "/v1/messages claude-sonnet-4-5" \
	"-c continues with the conversation's model"
run chat-send -c -m gpt-4o-mini 'And more'
is "$(last_request | jq -r '[.path, .body.model] | join(" ")')" "/v1/chat/completions gpt-4o-mini" "-m still wins"
run chat-send -c 'Then?'
is "$(last_request | jq -r .body.model)" gpt-4o-mini "... and the next -c goes on with the model of the last reply"
printf '{"type":"prompt","id":"n1","text":"in the batch","conversation":"named"}\n' > "$T/in"
chat-send -m gemini:gemini-2.5-flash --conversation named first > /dev/null
IN=1 run chat-send -r
is "$(last_request | jq -r .path)" "/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse" \
	"a prompt record naming a conversation continues with its model"

# --context N keeps the last N turns: the nightly digest's knob
fake_start --echo
for night in 1 2 3 4; do chat-send --conversation digest "night $night" > /dev/null; done
is "$(last_request | jq -r '.body.messages | length')" 7 "without --context, every earlier night goes again"
run chat-send --context 1 --conversation digest 'night 5'
is "$(last_request | jq -c '[.body.messages[].content]')" '["night 4","echo: night 4","night 5"]' "--context 1: the last turn only"
run chat-send --context 0 --conversation digest 'night 6'
is "$(last_request | jq -c '[.body.messages[].content]')" '["night 6"]' "--context 0: the new prompt alone"
is "$(chat-history show digest --json | jq -s '[.[] | select(.type == "message")] | length')" 12 \
	"--context 0: still logged into the conversation"
printf '[chat]\n' > /dev/null
mkdir -p "$XDG_CONFIG_HOME/chat"
printf 'context = 1\n' > "$XDG_CONFIG_HOME/chat/config"
run chat-send --conversation digest 'night 7'
is "$(last_request | jq -r '.body.messages | length')" 3 "context = 1 in the config"
rm "$XDG_CONFIG_HOME/chat/config"

# an input that cannot fit the window even alone
yes 'the quick brown fox jumps over the lazy dog, a line of a big log' | head -c 800000 > "$T/big"
fake_start --echo
: > "$T/log"
IN=0 run sh -c "chat-send -m gpt-4o summarise < '$T/big'"
is "$st" 65 "a prompt larger than the window: exit 65"
has "$T/err" "tokens; gpt-4o takes at most [0-9]*.*--truncate.*chat-split" "... saying its count, the window and what to do"
check "... before any request" test ! -s "$T/log"
before=$(chat-history list --json | wc -l)
printf '{"type":"prompt","id":"big","text":%s}\n' "$(jq -Rs . < "$T/big")" > "$T/in"
IN=1 run chat-send -r -m gpt-4o
is "$st:$(jq -r '[.id, .code] | join(" ")' "$T/out")" "1:big context_length" "a record too large: its error record, code context_length"
is "$(chat-history list --json | wc -l)" "$before" "... and no empty conversation is left behind"
run sh -c "chat-send --truncate -m gpt-4o summarise < '$T/big'"
is "$st" 0 "--truncate: sent"
has "$T/err" "left out" "--truncate: says what it left out"
last_request | jq -j '.body.messages[-1].content' > "$T/sent"
check "--truncate: the request keeps the head, with a marked gap" sh -c \
	"head -c 200 '$T/sent' | grep -q '^summarise' && grep -q 'bytes left out here' '$T/sent'"
is "$(tail -c 30 "$T/sent")" "$(tail -c 30 "$T/big")" "--truncate: ... and the tail"
check "--truncate: what is sent fits" test "$(chat-cost --count --json -m gpt-4o < "$T/sent" | jq .fits)" = true
run sh -c "chat-cost --count -m gpt-4o < '$T/big'"
has "$T/out" "over the window" "chat-cost --count flags a count over the window"
has "$T/err" "over gpt-4o's 128000-token window" "... and says so on stderr"

# the oldest turns' images go first when the window is short
fake_start --echo
printf '[model tiny]\nprovider = openai\ninputs = text,image\ncontext = 500\nmax_out = 100\n' > "$T/config"
export CHAT_CONFIG="$T/config"
for i in 1 2; do chat-upload "$T/p.png" | chat-send -m tiny --conversation pics "picture $i" > /dev/null; done
run chat-send -v --conversation pics 'which was brighter?'
is "$(last_request | jq -c '[.body.messages[] | .content | if type == "array" then "with image" else "text" end]')" \
	'["text","text","with image","text","text"]' "a short window: the oldest turn's image is left out first"
has "$T/err" "left out the 1 attachments" "... and -v says so"
unset CHAT_CONFIG
done_testing
