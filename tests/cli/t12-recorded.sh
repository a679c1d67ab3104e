#!/bin/sh
# Replies recorded from the real services, replayed byte for byte by the fake
# provider (--replay), through chat-stream, chat-send --json, chat-send and
# chat-send -r: what each prints, its finish, usage, tool calls, error kind,
# exit status and what the history keeps must match what the official SDKs
# assemble from the same bytes (NAME.expected.json), once with the body in
# one piece and again cut at every event boundary and at awkward offsets.
# Every NAME.sse under the fixtures folder is picked up; none is named here.
. "$(dirname "$0")/../lib.sh"
FIX=${CHAT_FIXTURES:-$ROOT/../shared/fixtures}
if ! ls "$FIX"/*/*.sse > /dev/null 2>&1; then
	echo "ok 1 # SKIP no recorded replies in $FIX"
	echo "1..1"
	exit 0
fi
export CHAT_DB="$T/h.db"

# The finish word our records use for the provider's own stop reason.
finish_word() {
	case $1 in
	null) echo null ;;
	length|max_tokens|MAX_TOKENS) echo length ;;
	content_filter|refusal|SAFETY|RECITATION|BLOCKLIST|PROHIBITED_CONTENT|SPII|IMAGE_SAFETY|LANGUAGE) echo filtered ;;
	*) echo stop ;;
	esac
}

# The data lines of a recording as one JSON value per line.
data_lines() { tr -d '\r' < "$1" | sed -n 's/^data: *//p' | grep -v '^\[DONE\]' | jq -c . 2>/dev/null; }

# The error kind an error recording should give, from the error the SDK saw.
error_kind() {
	jq -r '(.errors // [])[0] // {} | (.type // .error.type // "") as $t
		| (.code // .error.code // .status_code // .error.status_code // 0) as $c
		| if $t == "rate_limit_error" or $c == 429 then "rate_limited"
		  elif $t == "authentication_error" or $c == 401 or $c == 403 then "auth"
		  elif $t == "invalid_request_error" or $c == 400 then "bad_request"
		  else "server" end' "$1"
}
exit_for() {
	case $1 in rate_limited) echo 75 ;; auth) echo 77 ;; bad_request) echo 65 ;; *) echo 69 ;; esac
}

# Expected usage as our records count it: input with Anthropic's cache
# reads and writes, output with every billed output token (Gemini's
# thoughts, and reasoning that a server reports beside completion_tokens).
expected_usage() { # expected.json sse provider
	if [ "$(jq -c .usage "$1")" = null ]; then echo null; return; fi
	case $3 in
	gemini)
		r=$(data_lines "$2" | jq -s '[.[] | .usageMetadata // empty] | last // {} | .thoughtsTokenCount // 0')
		c=$(data_lines "$2" | jq -s '[.[] | .usageMetadata // empty] | last // {} | .cachedContentTokenCount // 0')
		jq -c --argjson r "$r" --argjson c "$c" \
			'.usage | {input, output: (.output + $r), cached: $c, reasoning: $r}' "$1" ;;
	anthropic)
		jq -c '.usage | {input: (.input + (.cache_read // 0) + (.cache_creation // 0)), output,
			cached: (.cache_read // 0), reasoning: 0}' "$1" ;;
	*)
		u=$(data_lines "$2" | jq -sc '[.[] | .usage // empty | select(type == "object")] | last // {}')
		jq -c --argjson u "$u" '($u.completion_tokens_details.reasoning_tokens // 0) as $r
			| ($u.prompt_tokens_details.cached_tokens // $u.prompt_cache_hit_tokens // 0) as $c
			| .usage | {input, output: (if $r > 0 and ($u.total_tokens // -1) == .input + .output + $r
				then .output + $r else .output end), cached: $c, reasoning: $r}' "$1" ;;
	esac
}

# Tool calls as our records give them: name and arguments as JSON (the raw
# text when it is not whole JSON; "" stands for no arguments).
expected_tools() {
	jq -c '[.tool_calls[] | {name, arguments: (.arguments as $a
		| if $a == "" or $a == null then {} else ($a | try fromjson catch $a) end)}]' "$1"
}

for sse in "$FIX"/*/*.sse; do
	dir=$(basename "$(dirname "$sse")")
	fx=$dir/$(basename "$sse" .sse)
	exp=${sse%.sse}.expected.json
	http=${sse%.sse}.http.json
	[ -f "$exp" ] || { ok 1 "$fx: has its expected file"; continue; }
	case $dir in
	openai) p=openai m=gpt-4o-mini ;;
	anthropic) p=anthropic m=claude-sonnet-4-5 ;;
	gemini) p=gemini m=gemini-2.5-flash ;;
	*) p=openai m=$( { [ -f "$http" ] && jq -r '.request_body.model // empty' "$http"; } || true)
	   m=${m:-compatible-model} ;;
	esac
	# what the reply should be
	refusal=$(data_lines "$sse" | jq -j '(.choices // [])[] | select((.index // 0) == 0) | .delta.refusal // empty')
	jq -j .text "$exp" > "$T/want"
	printf %s "$refusal" >> "$T/want"
	err=$(jq -r '.error // empty' "$exp")
	if [ -n "$err" ]; then
		kind=$(error_kind "$exp"); want_st=$(exit_for "$kind"); want_finish=error
	else
		kind=; want_st=0; want_finish=$(finish_word "$(jq -r '.finish // "null"' "$exp")")
		[ -n "$refusal" ] && want_finish=filtered
		# a prompt refused before any reply: no candidates, only the block reason
		[ "$want_finish" = null ] && data_lines "$sse" | jq -e 'select(.promptFeedback.blockReason)' > /dev/null &&
			want_finish=filtered
	fi
	want_usage=$(expected_usage "$exp" "$sse" "$dir")
	want_tools=$(expected_tools "$exp")

	for split in whole events awkward; do
		fake_start --replay "$sse" --replay-split "$split"
		run chat-stream --retries 0 -m "$p:$m" hi
		check "$fx [$split]: chat-stream prints the reply byte for byte" cmp -s "$T/out" "$T/want"
		is "$st" "$want_st" "$fx [$split]: chat-stream exits $want_st"
		[ "$split" = awkward ] && continue

		rm -f "$CHAT_DB"
		run chat-send --retries 0 --json -m "$p:$m" hi
		is "$st" "$want_st" "$fx [$split]: chat-send --json exits $want_st"
		resp=$(jq -c 'select(.type == "response")' "$T/out")
		if [ -n "$err" ]; then
			is "$(jq -r 'select(.type == "error") | .code' "$T/out")" "$kind" "$fx [$split]: error kind $kind"
			if [ -s "$T/want" ]; then
				is "$(printf "%s\n" "$resp" | jq -r .finish)" error "$fx [$split]: the text before the error is kept, finish error"
			fi
		else
			printf %s "$resp" | jq -j .text > "$T/got"
			check "$fx [$split]: the response record's text" cmp -s "$T/got" "$T/want"
			is "$(printf "%s\n" "$resp" | jq -r .finish)" "$want_finish" "$fx [$split]: finish $want_finish"
			is "$(printf "%s\n" "$resp" | jq -c .usage)" "$want_usage" "$fx [$split]: usage"
			is "$(printf "%s\n" "$resp" | jq -c '[.tool_calls // [] | .[] | {name, arguments}]')" "$want_tools" \
				"$fx [$split]: tool calls, never text"
		fi
		[ "$split" = events ] && continue

		# what the history keeps
		h=$(chat-history export | jq -c 'select(.type == "message" and .role == "assistant")')
		if [ -n "$err" ] && [ ! -s "$T/want" ]; then
			is "$h:$(chat-history list --json | wc -l | tr -d ' ')" ":0" \
				"$fx: a request that failed before any reply leaves nothing in the history"
		else
			printf "%s\n" "$h" | jq -j .text > "$T/got"
			check "$fx: the history keeps the reply's text" cmp -s "$T/got" "$T/want"
			is "$(printf "%s\n" "$h" | jq -r '[.status, .finish] | join(" ")')" \
				"$([ -n "$err" ] && echo "error error" || echo "complete $want_finish")" "$fx: history status and finish"
			[ -z "$err" ] && is "$(printf "%s\n" "$h" | jq -c .usage)" "$want_usage" "$fx: history usage"
			[ -z "$err" ] && is "$(printf "%s\n" "$h" | jq -c '[.tool_calls // [] | .[] | {name, arguments}]')" \
				"$want_tools" "$fx: the history keeps the tool calls"
		fi

		# the plain reply, and two records through the records engine
		run chat-send --retries 0 --no-log -m "$p:$m" hi
		is "$st" "$want_st" "$fx: chat-send exits $want_st"
		if [ -z "$err" ]; then
			{ cat "$T/want"; [ "$(tail -c 1 "$T/want" | od -An -c | tr -d ' ')" = '\n' ] || echo; } > "$T/want.nl"
			check "$fx: chat-send prints the reply and a newline" cmp -s "$T/out" "$T/want.nl"
		fi
		printf '%s\n' '{"type":"prompt","id":"a","text":"hi"}' '{"type":"prompt","id":"b","text":"hi"}' > "$T/in"
		IN=1 run chat-send --retries 0 --no-log -r -m "$p:$m"
		if [ -n "$err" ]; then
			is "$st:$(jq -r 'select(.type == "error") | .id + "=" + .code' "$T/out" | sort | tr '\n' ' ')" \
				"1:a=$kind b=$kind " "$fx: chat-send -r: each record gets its error, exit 1"
		else
			is "$st" 0 "$fx: chat-send -r exits 0"
			[ "$st" = 0 ] || { sed 's/^/#   stderr: /' "$T/err"; grep '"type":"error"' "$T/out" | sed 's/^/#   record: /'; }
			jq -j 'select(.type == "response" and .id == "b") | .text' "$T/out" > "$T/got"
			check "$fx: chat-send -r: each record's text" cmp -s "$T/got" "$T/want"
			is "$(jq -r 'select(.type == "response") | .finish' "$T/out" | sort -u)" "$want_finish" \
				"$fx: chat-send -r: finish"
		fi
	done
done
done_testing
