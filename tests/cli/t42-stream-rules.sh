#!/bin/sh
# How a reply stream is read, the same for every provider, against the
# simulator: what real services do that a first reading of the docs misses
# (each also seen in the recorded replies that t12-recorded replays).
. "$(dirname "$0")/../lib.sh"
export CHAT_DB="$T/h.db"

for m in openai:gpt-4o-mini anthropic:claude-sonnet-4-5 gemini:gemini-2.5-flash; do
	p=${m%%:*}
	# the stop reason came, the end marker did not, and the last event has no blank line
	fake_start --text 'all of it' --chunks 3 --no-done --no-final-blank
	rm -f "$CHAT_DB"
	run chat-send --json -m "$m" hi
	is "$st:$(jq -r '[.text, .finish] | join("|")' "$T/out")" "0:all of it|stop" \
		"$p: a reply that carried its stop reason is complete without its end marker"
	is "$(chat-history export | jq -r 'select(.role == "assistant") | .status' | tail -1)" complete \
		"$p: ... and the history saves it as complete"

	fake_start --text 'cut short' --chunks 3 --no-finish
	rm -f "$CHAT_DB"
	run chat-send --json -m "$m" hi
	is "$st:$(jq -r 'select(.type == "response") | .finish' "$T/out")" "69:error" \
		"$p: a stream that ends before any stop reason is cut off"
	is "$(chat-history export | jq -r 'select(.role == "assistant") | [.status, .text] | join("|")' | tail -1)" \
		"interrupted|cut short" "$p: ... and the history keeps what arrived, as interrupted"

	# a tool call we did not ask for: not text, carried by the response record
	fake_start --text 'Let me look.' --tool-call 'get_weather={"city":"Paris","days":[1,2]}'
	run chat-stream -m "$m" hi
	is "$st:$(cat "$T/out")" "0:Let me look." "$p: a tool call is never written as reply text"
	rm -f "$CHAT_DB"
	run chat-send --json -m "$m" hi
	cp "$T/out" "$T/tools.$p"
	is "$(jq -c '[.text, .finish, [.tool_calls[] | {name, arguments}]]' "$T/out")" \
		'["Let me look.","stop",[{"name":"get_weather","arguments":{"city":"Paris","days":[1,2]}}]]' \
		"$p: the response record carries the tool call, arguments as JSON"
	is "$(chat-history export | jq -r 'select(.role == "assistant") | .text' | tail -1)" "Let me look." \
		"$p: the history keeps the text alone"
done

# Gemini: a finishReason on every chunk (older models, Vertex AI) ends nothing
fake_start --text 'one two three four' --chunks 4 --finish-every
run chat-stream -m gemini:gemini-2.0-flash hi
is "$st:$(cat "$T/out")" "0:one two three four" "gemini: a finishReason on every chunk does not end the reply"
fake_start --text 'one two three' --mid-error 2
run chat-send --json -m gemini:gemini-2.5-flash hi
is "$st:$(jq -r 'select(.type == "response") | [.text, .finish] | join("|")' "$T/out")" "69:one two|error" \
	"gemini: an error after some text is an error after that text"

# OpenAI: other choices never mix into the reply
fake_start --text 'the first choice' --chunks 3 --other-choice 'XXX'
run chat-send --json -m openai:gpt-4o-mini hi
is "$st:$(jq -r '[.text, .finish] | join("|")' "$T/out")" "0:the first choice|stop" \
	"openai: the reply is choice 0; choice 1's text and finish stay out"

# OpenAI: a refusal is the reply's text, finished as filtered
fake_start --text "I can't help with that." --chunks 2 --refusal
run chat-send --json -m openai:gpt-4o-mini hi
is "$st:$(jq -r '[.text, .finish] | join("|")' "$T/out")" "0:I can't help with that.|filtered" \
	"openai: a refusal ends as filtered, with its text"

# Anthropic with --schema: the forced tool's input is still the answer
printf '{"type":"object","properties":{"a":{"type":"integer"}},"required":["a"]}' > "$T/schema.json"
fake_start --text '{"a": 7}'
run chat-send --json --schema "$T/schema.json" -m anthropic:claude-sonnet-4-5 hi
is "$st:$(jq -c '[.data, (.tool_calls // "none")]' "$T/out")" '0:[{"a":7},"none"]' \
	"anthropic --schema: the forced tool's input is the answer, not a tool call"
done_testing
