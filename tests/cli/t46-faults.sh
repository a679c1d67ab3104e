#!/bin/sh
# The fault matrix: for each way a provider or the network can fail, what
# the user gets — the output, the partial reply saved in the history, the
# error record, the exit status and the one stderr line.
. "$(dirname "$0")/../lib.sh"

# fault NAME EXPECTED-STATUS [chat-send options...]: run chat-send --json and
# keep the records and the history's view of the reply.
fault() {
	name=$1 want=$2
	shift 2
	export CHAT_DB="$T/$name.db"
	run chat-send --json "$@" 'tell me'
	is "$st" "$want" "$name: exit $want"
	reply_status=$(chat-history export 2>/dev/null | jq -r 'select(.type == "message" and .role == "assistant") | .status')
	reply_text=$(chat-history export 2>/dev/null | jq -r 'select(.type == "message" and .role == "assistant") | .text')
	unset CHAT_DB
}
record() { jq -r "select(.type == \"$1\") | $2" "$T/out"; }
stderr_lines() { wc -l < "$T/err" | tr -d ' '; }

# 1. the server drops the connection mid-stream: the words that came are kept
fake_start --text 'one two three four' --drop-after 2
fault drop 69
is "$(record response .text)" "one two" "drop: the response record has the words that arrived"
is "$(record response .finish)" "error" "drop: ... marked as not finished"
is "$(record error '[.code, .retryable] | join(" ")')" "network true" "drop: error record network, retryable"
is "$reply_status|$reply_text" "interrupted|one two" "drop: the history keeps the partial reply as interrupted"
is "$(wc -l < "$T/log" | tr -d ' ')" 1 "drop: never retried once words were written"
is "$(stderr_lines)" 1 "drop: one stderr line"
has "$T/err" "^chat-send: openai gpt-4o-mini: connection dropped mid-reply" "drop: the line says what happened"

# 2. 429 with retry-after, then success: waited, retried, answered
fake_start --status 429 --error rate_limit --retry-after 1 --then --text 'after the wait'
fault limited 0
is "$(record response .text)" "after the wait" "429: answered after the retry"
is "$(wc -l < "$T/log" | tr -d ' ')" 2 "429: two requests"
is "$(stderr_lines)" 0 "429: nothing on stderr"
is "$reply_status" complete "429: the history has the complete reply"

# 3. 500, then success
fake_start --status 500 --then --text 'second time lucky'
fault flaky 0
is "$(record response .text)" "second time lucky" "500 then 200: answered"
is "$(wc -l < "$T/log" | tr -d ' ')" 2 "500 then 200: one retry"

# 4. 529 overloaded (Anthropic), every time: retries spent, then exit 69
fake_start --status 529 --then --status 529 --then --status 529
fault overloaded 69 -m claude-haiku-4-5 --retries 2
is "$(record error '[.code, .status, .retryable] | join(" ")')" "server 529 true" "529: error record server 529"
is "$(wc -l < "$T/log" | tr -d ' ')" 3 "529: the first try and two retries"
is "$(record response .type)" "" "529: no response record when nothing arrived"
is "$reply_status" "" "529: a request that failed before any reply leaves no turn in the history"
has "$T/err" "^chat-send: anthropic claude-haiku-4-5: " "529: one line naming provider and model"

# 5. 503 forever
fake_start --status 503 --then --status 503 --then --status 503 --then --status 503
fault down 69 --retries 3
is "$(record error .code)" server "503 forever: error record server"
is "$(wc -l < "$T/log" | tr -d ' ')" 4 "503 forever: --retries 3 means four requests"

# 5b. x-should-retry: the server's word beats the status, either way
fake_start --status 503 --header 'x-should-retry: false' --then --text 'not asked for'
fault told_not 69
is "$(wc -l < "$T/log" | tr -d ' ')" 1 "x-should-retry: false: a 503 is not retried"
fake_start --error bad_request --header 'x-should-retry: true' --header 'retry-after-ms: 1' --then --text 'asked again'
fault told_to 0
is "$(record response .text):$(wc -l < "$T/log" | tr -d ' ')" "asked again:2" "x-should-retry: true: a 400 is retried"
fake_start --error quota --header 'x-should-retry: true' --header 'retry-after-ms: 1' --then --text 'no'
fault told_quota 75
is "$(wc -l < "$T/log" | tr -d ' ')" 1 "... but exhausted quota never is"

# 6. a malformed event mid-stream
fake_start --text 'alpha beta gamma' --chunks 3 --malformed-after 1
fault malformed 69
is "$(record error .code)" bad_output "malformed: error record bad_output"
is "$(record response .text)" "alpha " "malformed: the words before it are kept"
is "$reply_status" error "malformed: the history marks the reply failed"
is "$(wc -l < "$T/log" | tr -d ' ')" 1 "malformed: not retried after words were written"

# 7. a slow trickle: a 3G link (about 50 KB/s, 300 ms before the first byte),
# in 100-byte writes, so events arrive in pieces. 100 events make about 50 KB
# on the wire, a second of it (an event a word made 780 KB, and the fake
# pauses as if for a whole write after each event: 150 s)
awk 'BEGIN { for (i = 0; i < 3000; i++) printf "word%d ", i }' > "$T/long"
fake_start --text-file "$T/long" --chunks 100 --split-writes 100 --trickle 50000 --delay-first 300
fault trickle 0 --idle-timeout 5
is "$(record response .text)" "$(cat "$T/long")" "3G trickle: the whole reply arrives intact"
is "$reply_status" complete "3G trickle: complete in the history"

# 7b. a model that thinks longer than the idle window before its first token
fake_start --text 'considered' --delay-first 2500
fault thinking 0 --idle-timeout 1
is "$(record response .text)" considered "thinking: silence before the first byte is not a stall"
fake_start --text 'considered' --delay-first 2500
fault think 75 --think-timeout 1 --retries 0
is "$(record error .code)" timeout "--think-timeout: a model silent past it is a timeout"
has "$T/err" "before the reply began (--think-timeout)" "--think-timeout: the line says which wait ran out"

# 7c. a stream that stalls part-way
fake_start --text 'a b c' --chunks 3 --delay-chunk 4000
fault stall 75 --idle-timeout 1
is "$(record error .code)" timeout "stall: error record timeout"
is "$(record response .text)" "a " "stall: the words before the stall are kept"
is "$reply_status" interrupted "stall: the partial reply is saved as interrupted"
has "$T/err" "nothing received for 1 s" "stall: the line says why"

# 7d. --timeout bounds a whole attempt
fake_start --text 'x y z' --chunks 3 --delay-chunk 800
fault total 75 --timeout 1 --retries 0
is "$(record error .code)" timeout "--timeout: error record timeout"

# 8. connection refused (nothing listens on port 9)
fake_stop
export OPENAI_BASE_URL=http://127.0.0.1:9/v1
fault refused 69 --retries 1
is "$(record error '[.code, .retryable] | join(" ")')" "network true" "refused: error record network"
has "$T/err" "cannot connect" "refused: the line says it cannot connect"
is "$reply_status:$(chat-history list --json | wc -l | tr -d ' ')" ":0" \
	"refused: nothing was answered, so no conversation is left behind"

# 9. DNS failure
export OPENAI_BASE_URL=http://no-such-host.invalid/v1
fault dns 69 --retries 0 --connect-timeout 5
is "$(record error .code)" network "dns: error record network"
has "$T/err" "resolve" "dns: the line says the name did not resolve"

# 10. TLS failure against a local server with a self-signed certificate
if command -v openssl > /dev/null 2>&1; then
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/key.pem" -out "$T/cert.pem" -days 1 \
		-subj /CN=127.0.0.1 > /dev/null 2>&1
	openssl s_server -accept 127.0.0.1:0 -cert "$T/cert.pem" -key "$T/key.pem" -www > "$T/tls.out" 2>&1 &
	tls_pid=$!
	i=0
	while ! grep -q '^ACCEPT' "$T/tls.out" && [ $i -lt 300 ]; do sleep 0.02; i=$((i + 1)); done
	tls_port=$(sed -n 's/^ACCEPT .*:\([0-9]*\)$/\1/p' "$T/tls.out")
	export OPENAI_BASE_URL="https://127.0.0.1:$tls_port/v1"
	fault tls 69 --retries 2
	is "$(record error '[.code, .retryable] | join(" ")')" "network false" "tls: error record network, not retryable"
	has "$T/err" "TLS failure" "tls: the line says TLS failed"
	has "$T/err" "certificate" "tls: ... because of the certificate"
	kill $tls_pid 2>/dev/null
	wait $tls_pid 2>/dev/null
else
	for i in 1 2 3 4; do echo "ok - skipped: no openssl"; done
fi

done_testing
