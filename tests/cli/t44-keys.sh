#!/bin/sh
# Every program finds a provider's key and base URL the same way: chat-send,
# chat-upload (a video for the Gemini Files API) and chat-image agree on
# where a Gemini key may come from, which one wins, and when to refuse.
. "$(dirname "$0")/../lib.sh"
export CHAT_DB="$T/h.db"
mkdir -p "$HOME/.config/chat" "$T/img"
# a video, uploaded because --max-bytes makes it too large to go inline
printf '\000\000\000\030ftypisom\000\000\002\000isomiso2' > "$T/v.mp4"
seq 1 2000 >> "$T/v.mp4"

# the three programs, each asking for a Gemini model (with $OPT, if set):
# "name status" lines, their stderr in $T/errs, the keys sent in $T/keys
all() {
	: > "$T/keys" && : > "$T/errs"
	for prog in send upload image; do
		fake_start
		unset GEMINI_API_KEY
		[ -n "${GM:-}" ] && export GEMINI_API_KEY="$GM"
		case $prog in
		send) run chat-send ${OPT:-} -m gemini-2.5-flash hi ;;
		upload) run chat-upload ${OPT:-} --max-bytes 1K "$T/v.mp4" ;;
		image) run chat-image ${OPT:-} --force --dir "$T/img" -m gemini-2.5-flash-image 'a key' ;;
		esac
		printf '%s %s\n' "$prog" "$st"
		sed "s/^/$prog: /" "$T/err" >> "$T/errs"
		if [ -s "$T/log" ]; then
			request 1 | jq -r '"\(.headers["x-goog-api-key"])"' >> "$T/keys"
		fi
	done
	# all runs inside $(...): a fake left running would hold its output
	# open until the fake's idle timeout
	fake_stop
}
agree() { # want-status name: all three end so
	is "$(all | tr '\n' ' ')" "send $1 upload $1 image $1 " "$2"
}

GM= GOOGLE_API_KEY=g-only-1 agree 0 "only GOOGLE_API_KEY: all three work"
is "$(sort -u "$T/keys")" "g-only-1" "... and send that key"

printf 'from-file-2\n' > "$T/gkey" && chmod 600 "$T/gkey"
printf '[gemini]\nkey_file = %s\n' "$T/gkey" > "$HOME/.config/chat/config"
GM= agree 0 "a key only in the config's key_file: all three work"
is "$(sort -u "$T/keys")" "from-file-2" "... and send the file's key"

chmod 640 "$T/gkey"
GM= agree 77 "a key file readable by its group: all three exit 77"
is "$(grep -c "permissions 0640 are too open" "$T/errs")" 3 "... each saying why"
is "$(wc -l < "$T/keys" | tr -d ' ')" 0 "... and send nothing"
rm "$HOME/.config/chat/config"

GM= agree 77 "no Gemini key anywhere: all three exit 77"
is "$(grep -c "GEMINI_API_KEY or GOOGLE_API_KEY, or key_file in the \[gemini\] section" "$T/errs")" 3 \
	"... each naming the same places to set one"

GM=gm-first-3 GOOGLE_API_KEY=g-other-4 agree 0 "GEMINI_API_KEY and a different GOOGLE_API_KEY: all three work"
is "$(sort -u "$T/keys")" "gm-first-3" "... with GEMINI_API_KEY's key"
is "$(grep -c "GEMINI_API_KEY and GOOGLE_API_KEY are both set and differ: using GEMINI_API_KEY" "$T/errs")" 3 \
	"... each warning that the two differ"
OPT=-q GM=gm-first-3 GOOGLE_API_KEY=g-other-4 agree 0 "-q, the keys differing: all three work"
is "$(cat "$T/errs")" "" "-q: none of them warns"
GM=same-5 GOOGLE_API_KEY=same-5 agree 0 "the same key in both: all three work"
is "$(cat "$T/errs")" "" "... and none warns"

# with only a Gemini key, the default model is Gemini's (text and image)
fake_start
unset GEMINI_API_KEY OPENAI_API_KEY ANTHROPIC_API_KEY
GOOGLE_API_KEY=g-only-1 run chat-send hi
is "$st:$(request 1 | jq -r .path)" "0:/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse" \
	"chat-send with only GOOGLE_API_KEY: gemini-2.5-flash"
fake_start
unset GEMINI_API_KEY OPENAI_API_KEY ANTHROPIC_API_KEY
GOOGLE_API_KEY=g-only-1 run chat-image --dir "$T/img" 'default'
is "$st:$(request 1 | jq -r .path)" "0:/v1beta/models/gemini-2.5-flash-image:generateContent" \
	"chat-image with only GOOGLE_API_KEY: gemini-2.5-flash-image"

# no key: refused at once, while libcurl's global init (begun beside the
# start-up) is still under way; the exit waits for it, so each run ends
# with its one line and 77, never a crash in the clean-up
unset GEMINI_API_KEY GOOGLE_API_KEY OPENAI_API_KEY ANTHROPIC_API_KEY
bad=0
for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
	for prog in chat-stream chat-send; do
		run $prog -m gpt-4o-mini hi
		[ "$st:$(wc -l < "$T/err")" = "77:1" ] || bad=$((bad + 1))
	done
done
is "$bad" 0 "no key, 40 runs of chat-stream and chat-send: each exits 77 with one line"

done_testing
