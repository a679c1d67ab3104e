#!/bin/sh
# chat-key: a key read from a pipe or typed without echo is stored in a
# file only its owner can read, the config names it (its other lines kept
# as they were), the programs send it; list says where each provider's key
# comes from, never the key; rm takes it away again.
. "$(dirname "$0")/../lib.sh"
export CHAT_DB="$T/h.db"
CONF="$XDG_CONFIG_HOME/chat/config"
KEYS="$XDG_CONFIG_HOME/chat/keys"
K1=sk-stored-key-0001-abcdef
K2=sk-typed-key-0002-ghijkl

# nothing of any key in what a run printed (and in FILE, if given)
no_key() { # name [FILE]
	if grep -qF -e "$K1" -e "$K2" -e "sk-env-key" "$T/out" "$T/err" ${2:+"$2"} 2>/dev/null; then
		ok 1 "$1"
	else
		ok 0 "$1"
	fi
}

# set from standard input, into a config that has other settings
mkdir -p "$(dirname "$CONF")"
cat > "$CONF" <<'EOF'
# my chat config
model = gpt-4o-mini

[openai]
; a comment inside the section
base_url = https://example.invalid/v1

[anthropic]
key_file = ~/anthropic.key
EOF
printf '  %s  \nsecond line\n' "$K1" > "$T/in"
IN=1 run chat-key set openai
is "$st" 0 "set from stdin: exit 0"
is "$(cat "$T/out")" "" "... nothing on stdout"
no_key "... the key is not in its output"
is "$(cat "$KEYS/openai")" "$K1" "... the key file holds the first line, trimmed"
is "$(stat -c %a "$KEYS/openai")" 600 "... the key file is mode 0600"
is "$(stat -c %a "$KEYS")" 700 "... its folder is mode 0700"
is "$(cat "$CONF")" "# my chat config
model = gpt-4o-mini

[openai]
; a comment inside the section
base_url = https://example.invalid/v1
key_file = $KEYS/openai

[anthropic]
key_file = ~/anthropic.key" "... the config names it in [openai], every other line kept in order"
has "$T/err" "stored the openai key in $KEYS/openai" "... and says where it went"
ls "$KEYS" > "$T/files"
is "$(cat "$T/files")" "openai" "... no temporary file is left behind"

# the programs send the stored key
fake_start --text 'hi back'
unset OPENAI_API_KEY
run chat-send -m gpt-4o-mini hi
is "$st" 0 "chat-send with the stored key: exit 0"
is "$(last_request | jq -r .headers.authorization)" "Bearer $K1" "... and sends the stored key"

fake_stop

# a second set replaces the key_file line rather than adding one
printf '%s\n' "$K1" > "$T/in"
IN=1 run chat-key set openai
is "$(grep -c '^key_file' "$CONF")" 2 "set again: one key_file line for openai, anthropic's kept"

# a section that is not there yet is added at the end; -v says the steps, not the key
printf '%s\n' "$K1" > "$T/in"
IN=1 run chat-key -v set gemini
is "$st" 0 "set gemini: exit 0"
is "$(tail -n 3 "$CONF")" "
[gemini]
key_file = $KEYS/gemini" "... a new [gemini] section at the end"
has "$T/err" "writing $KEYS/gemini" "-v says what it writes"
no_key "... and never the key"

# refused input: empty, control characters, a key on the command line
printf '\n' > "$T/in"
IN=1 run chat-key set anthropic
is "$st" 65 "an empty key: exit 65"
check "... nothing stored" test ! -e "$KEYS/anthropic"
printf 'sk-bad\033[2Jkey-0003\n' > "$T/in"
IN=1 run chat-key set anthropic
is "$st" 65 "a key with a control character: exit 65"
check "... nothing stored" test ! -e "$KEYS/anthropic"
run chat-key set anthropic "$K2"
is "$st" 64 "a key given as an argument: a usage error"
no_key "... that does not repeat it"
run chat-key set nosuchprovider
is "$st" 64 "an unknown provider: exit 64"
has "$T/err" "unknown provider 'nosuchprovider'; known: openai, anthropic, gemini" "... listing the known ones"
run chat-key set "$K2"
is "$st" 64 "a key in the provider's place: exit 64"
no_key "... not repeated"
run chat-key frobnicate
is "$st" 64 "an unknown command: exit 64"

# a config that does not parse is not edited
cp "$CONF" "$T/conf.saved"
printf '[broken\n' >> "$CONF"
printf '%s\n' "$K2" > "$T/in"
IN=1 run chat-key set anthropic
is "$st" 78 "a config that does not parse: exit 78"
has "$T/err" "unterminated section header" "... saying where"
check "... and nothing stored" test ! -e "$KEYS/anthropic"
cp "$T/conf.saved" "$CONF"

# list: a variable, a key file, none, a file too open
export ANTHROPIC_API_KEY=sk-env-key-0004
run chat-key list
is "$st" 0 "list: exit 0"
no_key "list shows no key"
has "$T/out" "^openai  *set  *key file $KEYS/openai (config $CONF)" "list: openai's key from the key file"
has "$T/out" "^anthropic  *set  *ANTHROPIC_API_KEY (environment)" "list: anthropic's from its variable"
has "$T/out" "key file $HOME/anthropic.key is named too; ANTHROPIC_API_KEY wins" "... noting the key file it shadows"
has "$T/out" "^ollama  *not-needed" "list: ollama needs none"
unset ANTHROPIC_API_KEY
run chat-key list anthropic gemini
has "$T/out" "^anthropic  *refused  *key file $HOME/anthropic.key: No such file" "list: a missing key file is a problem"
export GOOGLE_API_KEY=sk-env-key-0005 GEMINI_API_KEY=sk-env-key-0006
run chat-key list --json gemini
is "$(jq -r '"\(.status) \(.variable) \(.note)"' "$T/out")" \
	"set GEMINI_API_KEY GEMINI_API_KEY and GOOGLE_API_KEY are both set and differ: using GEMINI_API_KEY" \
	"list: GEMINI_API_KEY before GOOGLE_API_KEY, as the programs take them"
unset GOOGLE_API_KEY GEMINI_API_KEY
chmod 644 "$KEYS/openai"
run chat-key list --json
is "$(jq -r 'select(.provider == "openai") | "\(.status) \(.file)"' "$T/out")" "refused $KEYS/openai" \
	"list --json: a key file readable by others is refused"
has "$T/out" "permissions 0644 are too open" "... saying why"
is "$(jq -r 'select(.provider == "anthropic") | .status' "$T/out")" refused "... and so is a missing key file"
is "$(cat "$T/err")" "" "... with nothing on stderr: the records say it"
chmod 600 "$KEYS/openai"
sed -i '/anthropic.key/d' "$CONF"
run chat-key list --json anthropic
is "$(jq -r '"\(.status) \(.file) \(.variable)"' "$T/out")" "missing null null" "list --json: no key at all"

# rm: the file and the config line go, the rest stays; a variable cannot be removed
run chat-key rm openai
is "$st" 0 "rm: exit 0"
check "... the key file is gone" test ! -e "$KEYS/openai"
hasnt "$CONF" "keys/openai" "... and its config line"
has "$CONF" "^base_url = https://example.invalid/v1" "... the rest of [openai] stays"
has "$CONF" "^# my chat config" "... and the rest of the config"
fake_start
unset OPENAI_API_KEY
run chat-send -m gpt-4o-mini hi
is "$st" 77 "chat-send after rm: no key, exit 77"
fake_stop
unset ANTHROPIC_API_KEY GEMINI_API_KEY
export OPENAI_API_KEY=sk-env-key-0007
run chat-key rm gemini
is "$st" 0 "rm gemini while OPENAI_API_KEY is set: exit 0"
run chat-key rm openai
is "$st" 78 "rm while the provider's variable holds a key: exit 78"
has "$T/err" "OPENAI_API_KEY still holds a key for openai" "... saying so"
no_key "... without showing it"
unset OPENAI_API_KEY

# a config kept behind a symbolic link stays there
mkdir -p "$T/dotfiles"
mv "$CONF" "$T/dotfiles/config" && ln -s "$T/dotfiles/config" "$CONF"
printf '%s\n' "$K1" > "$T/in"
IN=1 run chat-key set anthropic
is "$st" 0 "set with a config that is a symbolic link: exit 0"
check "... the link is still a link" test -L "$CONF"
has "$T/dotfiles/config" "^key_file = $KEYS/anthropic" "... and the file it points to names the key"

# typed at a terminal: no echo, and the terminal is put back
if command -v script > /dev/null 2>&1 && script -qec true /dev/null > /dev/null 2>&1; then
	# tty_run CMD KEYS: run CMD in a pseudo-terminal, typing KEYS once the prompt shows
	tty_run() {
		rm -f "$T/fifo" "$T/tty" && mkfifo "$T/fifo" && : > "$T/tty"
		script -qec "$1" /dev/null < "$T/fifo" > "$T/tty" 2>&1 &
		sp=$!
		exec 3> "$T/fifo"
		_w=0
		while ! grep -q "API key for" "$T/tty" && [ $_w -lt 500 ]; do sleep 0.01; _w=$((_w + 1)); done
		if [ -n "$2" ]; then printf "$2" >&3; else kill -TERM "$(cat "$T/pid")"; fi
		sleep 0.3
		exec 3>&-
		wait $sp
	}
	tty_run "chat-key set openai; echo status=\$?; stty -a" "$K2\n"
	has "$T/tty" "API key for openai: " "a terminal: asks for the key"
	has "$T/tty" "status=0" "... stores it"
	no_key "... without echoing it" "$T/tty"
	is "$(cat "$KEYS/openai")" "$K2" "... the key typed"
	has "$T/tty" " echo " "... and echo is back on afterwards"
	# a signal at the prompt: the terminal is put back before the program dies
	tty_run "sh -c 'echo \$\$ > $T/pid; exec chat-key set anthropic'; echo status=\$?; stty -a" ""
	has "$T/tty" "status=143" "SIGTERM at the prompt: death by SIGTERM"
	has "$T/tty" " echo " "... with echo back on"
	is "$(cat "$KEYS/anthropic")" "$K1" "... and the stored key untouched"
else
	ok 0 "# SKIP script(1) missing"
fi

# a named OpenAI-compatible provider's key goes in its [provider NAME] section
unset OPENROUTER_API_KEY
printf 'sk-or-stored-key-5150\n' > "$T/orkey"
fake_start --text ok
run sh -c 'chat-key set openrouter < "$1"' sh "$T/orkey"
is "$st" 0 "set a named provider's key (openrouter): exit 0"
check "... in [provider openrouter]" grep -qx '\[provider openrouter\]' "$CONF"
run chat-key list openrouter
has "$T/out" "^openrouter *set *key file $KEYS/openrouter" "... and list says where it comes from"
OPENROUTER_BASE_URL="http://127.0.0.1:$PORT/v1" run chat-send -m openrouter:some/model hi
is "$st|$(last_request | jq -r .headers.authorization)" "0|Bearer sk-or-stored-key-5150" "... which chat-send sends"
fake_stop

done_testing
