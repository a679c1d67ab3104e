#!/bin/sh
# chat-batch: prompt records through the providers' batch APIs (the fake
# provider's OpenAI Batch API, Anthropic Message Batches and Gemini batch
# mode): a job's whole life per provider, splitting at the limits, the same
# input never sent twice, results written once, exactly the ids that did
# not complete coming back as errors, the history migrated from schema 1,
# batch spend in chat-cost, and a 100 MB input in bounded memory (its peak
# RSS, measured by /usr/bin/time; SKIP_BIG=1 leaves that part out, and so do
# sanitizer and TEST_WRAP runs, whose memory is not the program's).
. "$(dirname "$0")/../lib.sh"

export CHAT_DB="$T/h.db" CHAT_BATCH_POLL=0.05
B="$T/batches"
mkdir -p "$B"
fake() { fake_start --batch-dir "$B" --upload-polls 0 "$@"; }
prompts() { # N [model] [prefix]: N prompt records with ids 1..N
	i=1
	while [ "$i" -le "$1" ]; do
		if [ -n "${2:-}" ]; then
			printf '{"type":"prompt","id":%d,"text":"%s%d","model":"%s"}\n' "$i" "${3:-q}" "$i" "$2"
		else
			printf '{"type":"prompt","id":%d,"text":"%s%d"}\n' "$i" "${3:-q}" "$i"
		fi
		i=$((i + 1))
	done
}
ids() { jq -r 'select(.type == "'"$1"'") | .id' "$T/out" | sort -n | tr '\n' ' '; }

fake
chat-send --models --json > "$T/models.json"

# --- the whole life of a job, provider by provider
for p in openai:gpt-4o-mini anthropic:claude-haiku-4-5 gemini:gemini-2.5-flash; do
	prov=${p%%:*} model=${p#*:}
	prompts 3 "$model" "$prov question " > "$T/in"
	IN=1 run chat-batch submit
	is "$st" 0 "$prov: submit exits 0"
	is "$(jq -c '[.type, .provider, .counts.total, .collected]' "$T/out")" "[\"job\",\"$prov\",3,false]" \
		"$prov: submit prints one job record"
	job=$(jq -r .job "$T/out")
	first=$(jq -r .status "$T/out")
	run chat-batch status "$job"
	second=$(jq -r .status "$T/out")
	# Anthropic says only in_progress until the end; the others move through phases
	if [ "$prov" = anthropic ]; then
		is "$first $second" "in_progress in_progress" "$prov: status: in_progress"
	else
		check "$prov: status moves on ($first, then $second)" test "$first" != "$second"
	fi
	run chat-batch collect "$job"
	is "$st|$(wc -c < "$T/out")" "75|0" "$prov: collect before the job ends: exit 75, nothing written"
	has "$T/err" "has not ended yet" "$prov: ... and says so"
	run chat-batch collect --wait "$job"
	is "$st" 0 "$prov: collect --wait: exit 0"
	is "$(ids response)" "1 2 3 " "$prov: a response record for each id"
	is "$(jq -r 'select(.id == 2) | .text' "$T/out")" "echo: $prov question 2" "$prov: each reply goes with its own id"
	is "$(jq -r '[.provider, .job, .finish, (.usage.input > 0)] | map(tostring) | join(" ")' "$T/out" | sort -u)" \
		"$prov $job stop true" "$prov: responses name the provider and the job, with usage"
	want=$(jq -n --slurpfile r "$T/out" --slurpfile m "$T/models.json" --arg model "$model" \
		'$r[0].usage as $u | ($m[] | select(.name == $model) | .batch_usd_per_1m) as $b
		| (($u.input - $u.cached) * $b.input + $u.cached * $b.cached + $u.output * $b.output) / 1e6
		| . * 1e10 | round / 1e10')
	is "$(jq -s '.[0].cost_usd' "$T/out")" "$want" "$prov: cost at the batch price"
	run chat-batch status "$job"
	is "$(jq -c '[.status, .counts, .collected]' "$T/out")" '["completed",{"total":3,"done":3,"failed":0},true]' \
		"$prov: status after collect: completed and collected"
	cnt=$(sqlite3 "$CHAT_DB" "SELECT count(*) FROM messages WHERE batch_job = '$job' AND role = 'assistant' AND status = 'complete'")
	is "$cnt" 3 "$prov: the replies are in the history, marked as from the job"
done
# what went to the providers: the bodies chat-send builds, without streaming
has "$T/log" '"custom_id":"[0-9a-f]\{12\}-0","params":{"model":"claude-haiku-4-5","max_tokens"' \
	"anthropic: requests with custom_id and the Messages body as params"
hasnt "$T/log" '"stream"' "no request body asks for streaming"
oa_in=$(grep -l '"url":"/v1/chat/completions"' "$B"/b-batch_*.in | head -1)
check "openai: the input file has a line per request for /v1/chat/completions" test -n "$oa_in"
is "$(jq -c '[.method, (.body.messages | length), .body.model, (.body | has("stream"))]' "$oa_in" | sort -u)" \
	'["POST",1,"gpt-4o-mini",false]' "openai: each line is the Chat Completions body"
gm_in=$(grep -l '"key":' "$B"/b-*.in | head -1)
is "$(jq -c '[(.key | test("^[0-9a-f]{12}-[0-9]+$")), .request.contents[0].parts[0].text]' "$gm_in" | head -1)" \
	'[true,"gemini question 1"]' "gemini: {key, request} lines, uploaded through the Files API"
has "$T/log" ':batchGenerateContent' "gemini: the batch is made from the uploaded file"

# --- collecting twice emits nothing twice; --all-done in a cron loop
prompts 4 gpt-4o-mini loop > "$T/in"
IN=1 run chat-batch submit
: > "$T/all"
for i in 1 2 3 4 5 6; do
	chat-batch collect --all-done >> "$T/all" 2> "$T/err"
	echo "$?" >> "$T/codes"
done
is "$(jq -r .id "$T/all" | sort -n | tr '\n' ' ')" "1 2 3 4 " "collect --all-done in a loop: every id once"
is "$(sort -u "$T/codes")" 0 "collect --all-done: exit 0 while jobs run"
run chat-batch collect --all-done
is "$st|$(wc -c < "$T/out")" "0|0" "collect --all-done again: nothing"
run chat-batch collect "$(jq -r .job "$T/all" | head -1)"
is "$st|$(wc -c < "$T/out")" "0|0" "collect JOB of a collected job: nothing"

# --- the same input again: the same job, unless --force
prompts 3 gpt-4o-mini same > "$T/in"
IN=1 run chat-batch submit
job=$(jq -r .job "$T/out")
IN=1 run chat-batch submit
is "$(jq -r .job "$T/out")|$st" "$job|0" "the same input again: the job it already is"
has "$T/err" "already job $job" "... said on stderr"
is "$(sqlite3 "$CHAT_DB" "SELECT count(*) FROM batch_jobs WHERE fingerprint = (SELECT fingerprint FROM batch_jobs WHERE id = '$job')")" 1 \
	"... and no second job in the history"
IN=1 run chat-batch submit --force
check "--force: a new job" test "$(jq -r .job "$T/out")" != "$job"
chat-batch collect --wait > /dev/null 2>&1

# --- splitting at the limits: requests, bytes, one model per OpenAI job
prompts 5 gpt-4o-mini split > "$T/in"
CHAT_BATCH_MAX_REQUESTS=2 IN=1 run chat-batch submit --ids
is "$(jq -c '.ids' "$T/out" | tr '\n' ' ')" "[1,2] [3,4] [5] " "splitting at the request limit: jobs of 2, 2 and 1"
prompts 6 gpt-4o-mini bytes > "$T/in"
CHAT_BATCH_MAX_BYTES=700 IN=1 run chat-batch submit
check "splitting at the byte limit: several jobs" test "$(wc -l < "$T/out")" -ge 2
is "$(jq -s 'map(.counts.total) | add' "$T/out")" 6 "... holding every record once"
{ prompts 2 gpt-4o-mini mixa; prompts 2 gpt-4.1-mini mixb; prompts 2 claude-haiku-4-5 mixc; prompts 2 claude-sonnet-4-5 mixd; } > "$T/in"
IN=1 run chat-batch submit
is "$(jq -r '[.provider, (.model // "-"), .counts.total] | map(tostring) | join(" ")' "$T/out" | sort | tr '\n' '|')" \
	"anthropic - 4|openai gpt-4.1-mini 2|openai gpt-4o-mini 2|" "a job per OpenAI model; Anthropic mixes models"
CHAT_BATCH_MAX_BYTES=50 IN=1 run chat-batch submit --force
has "$T/err" "larger than one openai batch job may be" "a record larger than a job may be: refused"
chat-batch collect --wait > /dev/null 2>&1

# --- bad input lines
printf '%s\n' '{"type":"prompt","id":"ok","text":"fine"}' 'not json' '{"type":"prompt","id":"e"}' \
	'{"type":"delta","id":"d","text":"x"}' '{"type":"prompt","id":"o","text":"x","model":"ollama:llama3.2"}' > "$T/in"
IN=1 run chat-batch submit
is "$st" 1 "bad lines: exit 1"
is "$(jq -r 'select(.type == "error") | [.id, .code] | map(tostring) | join(":")' "$T/out" | tr '\n' ' ')" \
	"null:bad_input e:bad_input d:bad_input o:bad_input " "bad lines: an error record each, with its id"
has "$T/err" "chat-batch: line 2: invalid JSON" "bad lines: line N on stderr"
has "$T/err" "chat-batch: line 3: a prompt record needs a non-empty" "bad lines: what is wrong"
has "$T/err" "ollama:llama3.2 has no batch API" "a provider without a batch API is refused"
is "$(jq -r 'select(.type == "job") | .counts.total' "$T/out")" 1 "bad lines: the good record still goes"
chat-batch collect --wait > /dev/null 2>&1

# --- on a terminal --wait keeps one line up to date, wiped when the wait ends
if command -v script > /dev/null 2>&1 && script -qec true /dev/null > /dev/null 2>&1; then
	fake
	prompts 2 gpt-4o-mini tty > "$T/in"
	CHAT_DB="$T/tty.db" script -qec "chat-batch submit --wait < '$T/in' > '$T/tty-out'" /dev/null > "$T/tty" 2>&1
	check "a terminal: --wait says how many jobs are still running" \
		grep -q 'chat-batch: 1 of 1 jobs still running; [0-2] of 2 requests done, 0 failed; asking again in 1s' "$T/tty"
	is "$(tail -c 4 "$T/tty" | od -An -c | tr -s ' ')" ' \r 033 [ K' "... and wipes its line at the end"
	is "$(jq -r 'select(.type == "response") | .id' "$T/tty-out" | sort | tr '\n' ' ')" "1 2 " "... with the responses on stdout"
else
	n=$((n + 3)); echo "ok $((n - 2)) # SKIP no script(1) to make a terminal"
	echo "ok $((n - 1)) # SKIP"; echo "ok $n # SKIP"
fi

# --- partial failure: exactly the failed ids come back, and --only-failed finishes the work
# (a history of its own: --only-failed goes by the records' ids)
export CHAT_DB="$T/pf.db"
fake --batch-fail-every 3
prompts 7 gpt-4o-mini part > "$T/in"
IN=1 run chat-batch submit --wait
is "$st" 1 "partial failure: exit 1"
is "$(ids error)" "3 6 " "partial failure: exactly the failed ids as error records"
is "$(ids response)" "1 2 4 5 7 " "partial failure: the rest as responses"
is "$(jq -r 'select(.type == "error") | .code' "$T/out" | sort -u)" server "partial failure: the provider's error, mapped"
fake
IN=1 run chat-batch submit --only-failed --ids
is "$(jq -c .ids "$T/out")" "[3,6]" "--only-failed: only the ids that failed go again"
run chat-batch collect --wait
is "$(ids response)|$st" "3 6 |0" "--only-failed: and now they are answered"
IN=1 run chat-batch submit --only-failed
is "$(wc -c < "$T/out")|$st" "0|0" "--only-failed when nothing failed: nothing to send"
for p in claude-haiku-4-5 gemini-2.5-flash; do
	fake --batch-fail-every 2
	prompts 4 "$p" "pf$p" > "$T/in"
	IN=1 run chat-batch submit --wait
	is "$(ids error)|$(ids response)" "2 4 |1 3 " "$p: partial failure, exactly the failed ids"
done

export CHAT_DB="$T/h.db"

# --- expired jobs: the records that did not run come back as timeouts
for p in gpt-4o-mini claude-haiku-4-5 gemini-2.5-flash; do
	fake --batch-expire
	prompts 4 "$p" "exp$p" > "$T/in"
	IN=1 run chat-batch submit --wait
	if [ "$p" = gemini-2.5-flash ]; then want_err="1 2 3 4 " want_ok=""; else want_err="3 4 " want_ok="1 2 "; fi
	is "$(ids error)|$(ids response)" "$want_err|$want_ok" "$p: an expired job: the records that did not run are errors"
	is "$(jq -r 'select(.type == "error") | [.code, .retryable] | map(tostring) | join(" ")' "$T/out" | sort -u)" \
		"timeout true" "$p: ... timeouts, worth sending again"
done

# --- cancel
fake --batch-polls 3
for p in gpt-4o-mini claude-haiku-4-5 gemini-2.5-flash; do
	prompts 4 "$p" "can$p" > "$T/in"
	IN=1 run chat-batch submit
	job=$(jq -r .job "$T/out")
	chat-batch status "$job" > /dev/null
	chat-batch status "$job" > /dev/null
	chat-batch status "$job" > /dev/null
	run chat-batch cancel "$job"
	is "$st|$(jq -r .job "$T/out")" "0|$job" "$p: cancel prints the job"
	run chat-batch collect --wait "$job"
	is "$(chat-batch list | jq -r "select(.job == \"$job\") | .status")" cancelled "$p: the job ends cancelled"
	if [ "$p" = gemini-2.5-flash ]; then want="1 2 3 4 "; else want="3 4 "; fi
	is "$(ids error)" "$want" "$p: the records a cancelled job did not run are errors"
	is "$(jq -r 'select(.type == "error") | .code' "$T/out" | sort -u)" interrupted "$p: ... as interrupted"
done
run chat-batch cancel "$job"
has "$T/err" "already ended" "cancel an ended job: said"
# a cancel carries no body and no Content-Type, as the SDKs send it (the
# fake refuses one that does, so the cancels above would have failed)
is "$(jq -c 'select(.path | test("cancel$")) | [.method, (.headers | has("content-type")), .body, (.headers["content-length"] // "0")]' "$T/log" | sort -u)" \
	'["POST",false,null,"0"]' "cancel requests: POST, no Content-Type, no body"
is "$(jq -r 'select(.path | test("cancel$")) | .path' "$T/log" | sed 's/[0-9a-f]\{16\}/ID/; s/msgbatch_ID/ID/; s/batch_ID/ID/' | tr '\n' ' ')" \
	"/v1/batches/ID/cancel /v1/messages/batches/ID/cancel /v1beta/batches/ID:cancel " "... to each provider's cancel path"
for path in /v1/batches/batch_0000000000000000/cancel /v1/messages/batches/msgbatch_0000000000000000/cancel \
	/v1beta/batches/0000000000000000:cancel; do
	code=$(curl -s -o "$T/body" -w '%{http_code}' -X POST -H 'Content-Type: application/json' -d '{}' "http://127.0.0.1:$PORT$path")
	is "$code|$(jq -r '.error.message' "$T/body" | cut -c1-37)" "400|A cancel request takes no body and no" \
		"the fake refuses a cancel with a body and a Content-Type: $path"
	code=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json' "http://127.0.0.1:$PORT$path")
	is "$code" 400 "... or with a Content-Type alone"
done

# --- Gemini: a job has ended only when the operation is done and names its
# responses file, which is kept 48 hours; a state we do not know is an error
gm_job() { # the fake's file of a job, by our job id
	echo "$B/b-$(chat-batch list | jq -r "select(.job == \"$1\") | .batch | sub(\"batches/\"; \"\")").json"
}
gm_set() { # job jq-filter: edit what the fake will say about the job
	f=$(gm_job "$1")
	jq -c "$2" "$f" > "$f.new" && mv "$f.new" "$f"
}
fake
prompts 2 gemini-2.5-flash gmdone > "$T/in"
IN=1 run chat-batch submit
job=$(jq -r .job "$T/out")
chat-batch status "$job" > /dev/null
chat-batch status "$job" > /dev/null
gm_set "$job" '.gm_undone = true'
run chat-batch status "$job"
run chat-batch status "$job"
is "$(jq -r .status "$T/out")" finalizing "gemini: SUCCEEDED without done: not ended yet (finalizing)"
is "$(jq -c 'has("ended"), has("results_expire")' "$T/out" | tr '\n' ' ')" "false false " "... no end, no expiry"
run chat-batch collect "$job"
is "$st|$(wc -c < "$T/out")" "75|0" "... collect: not ended, exit 75"
gm_set "$job" 'del(.gm_undone)'
run chat-batch status "$job"
is "$(jq -r '[.status, .ended, .results_expire] | join(" ")' "$T/out")" \
	"completed 2025-11-24T16:00:00Z 2025-11-26T16:00:00Z" \
	"gemini: done: completed, ended by the operation's endTime, results kept 48 hours"
has "$T/err" "gemini keeps a job's results for 48 hours after it ends: collect them before 2025-11-26T16:00:00Z" \
	"... and status says so on stderr"
CHAT_NOW=1764300000 run chat-batch status "$job"
has "$T/err" "until 2025-11-26T16:00:00Z: they may be gone" "... or that they may be gone, once the 48 hours are over"
run chat-batch collect "$job"
is "$(ids response)|$st" "1 2 |0" "... and collected"
run chat-batch status -q "$job"
is "$(wc -c < "$T/err")" 0 "... collected: no more note"
run chat-batch list
is "$(jq -r 'select(.provider != "gemini") | has("results_expire")' "$T/out" | sort -u)" false \
	"results_expire is Gemini's alone"

prompts 2 gemini-2.5-flash gmnofile > "$T/in"
IN=1 run chat-batch submit
job=$(jq -r .job "$T/out")
gm_set "$job" '.gm_no_file = true'
run chat-batch collect --wait "$job"
is "$(ids error)|$st" "1 2 |1" "gemini: done and SUCCEEDED but no responses file: every record an error"
has "$T/out" "names no responses file" "... saying why"
is "$(chat-batch list | jq -r "select(.job == \"$job\") | .status")" failed "... and the job failed"

prompts 2 gemini-2.5-flash gmodd > "$T/in"
IN=1 run chat-batch submit
job=$(jq -r .job "$T/out")
gm_set "$job" '.gm_state = "BATCH_STATE_PAUSED"'
run chat-batch status "$job"
is "$st" 69 "gemini: a state chat-batch does not know: exit 69"
has "$T/err" "in state 'BATCH_STATE_PAUSED', which chat-batch does not know" "... naming it"
run timeout 20 chat-batch collect --wait "$job"
is "$st" 69 "... collect --wait stops at once with the error, rather than polling for ever"
gm_set "$job" '.gm_state = "BATCH_STATE_RUNNING" | .end = "completed" | .ended_at = 1764000000'
run chat-batch status "$job"
is "$st" 69 "gemini: done while still RUNNING: exit 69"
has "$T/err" "says it is done, but the batch is still BATCH_STATE_RUNNING" "... saying so"
gm_set "$job" 'del(.gm_state) | del(.end)'
run chat-batch collect --wait "$job"
is "$(ids response)|$st" "1 2 |0" "... and once the service makes sense again, the job is collected"

# results gone after their 48 hours: collect says when they went
prompts 1 gemini-2.5-flash gmgone > "$T/in"
IN=1 run chat-batch submit
job=$(jq -r .job "$T/out")
chat-batch status "$job" > /dev/null 2>&1
chat-batch status "$job" > /dev/null 2>&1
chat-batch status "$job" > /dev/null 2>&1
rm -f "$B"/gf-batch-*.data
run chat-batch collect "$job"
is "$st" 65 "gemini: the responses file is missing within its 48 hours: collect fails"
has "$T/err" "the results: HTTP 404" "... with the provider's error"
is "$(chat-batch list | jq -r "select(.job == \"$job\") | .collected")" false "... and the job stays to collect"
CHAT_NOW=1764300000 run chat-batch collect "$job"
is "$(ids error)|$st" "1 |1" "gemini: results gone after their 48 hours: the records are errors"
is "$(jq -r '"\(.code) \(.retryable) \(.message)"' "$T/out")" \
	"timeout true the job's results were deleted at 2025-11-26T16:00:00Z, 48 hours after it ended, before they were collected" \
	"... timeouts, worth sending again, saying when the results went"
has "$T/err" "the results are gone: gemini kept them until 2025-11-26T16:00:00Z" "... and said on stderr"
is "$(chat-batch list | jq -r "select(.job == \"$job\") | .collected")" true "... and the job is done with"

# --- a job that fails whole
fake --batch-fail
prompts 2 gpt-4o-mini wf > "$T/in"
IN=1 run chat-batch submit --wait
is "$(ids error)|$st" "1 2 |1" "a failed job: every record an error"

# --- x-should-retry: the server's word beats the status, as for a chat
fake
prompts 1 gpt-4o-mini told > "$T/in"
IN=1 run chat-batch submit
job=$(jq -r .job "$T/out")
fake --status 503 --header 'x-should-retry: false' --then
run chat-batch status "$job"
is "$st:$(wc -l < "$T/log" | tr -d ' ')" "69:1" "x-should-retry: false: the batch API's 503 is not retried"
fake --error bad_request --header 'x-should-retry: true' --header 'retry-after-ms: 1' --then
run chat-batch status "$job"
is "$st:$(wc -l < "$T/log" | tr -d ' ')" "0:2" "x-should-retry: true: its 400 is retried"
fake --status 503 --header 'retry-after-ms: 1'
run chat-batch status --retries 1 "$job"
is "$st:$(wc -l < "$T/log" | tr -d ' ')" "69:2" "--retries 1: two tries"
fake
chat-batch collect --wait "$job" > /dev/null

# --- status and list
fake
run chat-batch list
is "$(jq -r .type "$T/out" | sort -u)" job "list: job records"
check "list: every job" test "$(wc -l < "$T/out")" -eq "$(sqlite3 "$CHAT_DB" 'SELECT count(*) FROM batch_jobs')"
is "$(jq -c 'keys_unsorted[:6]' "$T/out" | head -1)" '["type","job","provider","model","status","counts"]' \
	"list: the job record's fields"
run chat-batch status
is "$st|$(wc -c < "$T/out")" "0|0" "status: no open jobs, nothing to say"
run chat-batch status nosuchjob
is "$st" 65 "status of an unknown job: exit 65"

# --- chat-cost: batch spend apart
run chat-cost --history --by kind --json
is "$(jq -r 'select(.group.kind) | .group.kind' "$T/out" | tr '\n' ' ')" "batch " "chat-cost --by kind: batch replies"
check "chat-cost: the batch spend in the total" sh -c 'jq -e "select(.group == {}) | .batch.usd > 0 and .batch.requests > 0" "$1" > /dev/null' sh "$T/out"
run chat-cost --history
has "$T/out" "^batch: [0-9]* of the requests" "chat-cost table: a line for the batch share"

# --- usage errors
run chat-batch
is "$st" 64 "no command: exit 64"
run chat-batch frobnicate
is "$st" 64 "an unknown command: exit 64"
run chat-batch cancel
is "$st" 64 "cancel without a JOB: exit 64"
run chat-batch collect --all-done abc
is "$st" 64 "--all-done with JOBs: exit 64"
run chat-batch status --force
is "$st" 64 "--force goes with submit"

# --- a history of schema 1 is migrated in place
sqlite3 "$T/v1.db" <<'EOF'
CREATE TABLE conversations (id TEXT PRIMARY KEY, name TEXT UNIQUE, title TEXT, system TEXT, created TEXT NOT NULL, updated TEXT NOT NULL);
CREATE INDEX conversations_updated ON conversations(updated);
CREATE TABLE messages (rid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, conversation TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE, seq INTEGER NOT NULL, role TEXT NOT NULL CHECK (role IN ('user','assistant')), text TEXT NOT NULL, provider TEXT, model TEXT, status TEXT NOT NULL CHECK (status IN ('complete','interrupted','error')), finish TEXT, input_tokens INTEGER, output_tokens INTEGER, cached_tokens INTEGER, reasoning_tokens INTEGER, cost_usd REAL, ttft_ms INTEGER, ms INTEGER, request_id TEXT, created TEXT NOT NULL, UNIQUE (conversation, seq));
CREATE INDEX messages_created ON messages(created);
CREATE INDEX messages_request ON messages(request_id) WHERE request_id IS NOT NULL;
CREATE TABLE media (sha256 TEXT PRIMARY KEY, mime TEXT NOT NULL, bytes INTEGER NOT NULL, data BLOB NOT NULL);
CREATE TABLE message_media (message INTEGER NOT NULL REFERENCES messages(rid) ON DELETE CASCADE, ord INTEGER NOT NULL, sha256 TEXT NOT NULL REFERENCES media(sha256), PRIMARY KEY (message, ord));
CREATE VIRTUAL TABLE messages_fts USING fts5(text, content='messages', content_rowid='rid');
CREATE TRIGGER messages_ai AFTER INSERT ON messages BEGIN INSERT INTO messages_fts(rowid, text) VALUES (new.rid, new.text); END;
CREATE TRIGGER messages_ad AFTER DELETE ON messages BEGIN INSERT INTO messages_fts(messages_fts, rowid, text) VALUES ('delete', old.rid, old.text); END;
CREATE TRIGGER messages_au AFTER UPDATE OF text ON messages BEGIN INSERT INTO messages_fts(messages_fts, rowid, text) VALUES ('delete', old.rid, old.text); INSERT INTO messages_fts(rowid, text) VALUES (new.rid, new.text); END;
INSERT INTO conversations VALUES ('aaaa00000001', 'old', 'old times', NULL, '2025-01-01T00:00:00.000Z', '2025-01-01T00:00:00.000Z');
INSERT INTO messages (id, conversation, seq, role, text, status, cost_usd, created) VALUES ('m1', 'aaaa00000001', 1, 'user', 'hello from v1', 'complete', NULL, '2025-01-01T00:00:00.000Z');
INSERT INTO messages (id, conversation, seq, role, text, status, model, cost_usd, created) VALUES ('m2', 'aaaa00000001', 2, 'assistant', 'hi', 'complete', 'gpt-4o', 0.5, '2025-01-01T00:00:00.000Z');
PRAGMA user_version = 1;
EOF
prompts 2 gpt-4o-mini v1q > "$T/in"
CHAT_DB="$T/v1.db" IN=1 run chat-batch submit
is "$st|$(sqlite3 "$T/v1.db" "SELECT user_version >= 3 FROM pragma_user_version")|$(sqlite3 "$T/v1.db" \
	"SELECT count(*) FROM pragma_table_info('batch_jobs') WHERE name = 'ended'")" "0|1|1" \
	"a schema-1 history: migrated by chat-batch (3 and on: batch_jobs has ended)"
is "$(chat-history --db "$T/v1.db" search --json 'v1' | jq -r .snippet 2> /dev/null | head -1)" "hello from v1" \
	"... its messages still there and searchable"
CHAT_DB="$T/v1.db" run chat-batch collect --wait
is "$(ids response)" "1 2 " "... and a job's life in it"
CHAT_DB="$T/v1.db" run chat-cost --history --by kind --json
is "$(jq -r 'select(.group.kind) | "\(.group.kind) \(.requests)"' "$T/out" | tr '\n' ' ')" "batch 2 direct 1 " \
	"chat-cost on the migrated history: old replies are direct"

# --- a 100 MB input in bounded memory (peak RSS of the process, not time)
if [ -z "${SKIP_BIG:-}" ] && [ -x /usr/bin/time ] && [ -z "${ASAN_OPTIONS:-}${TEST_WRAP:-}" ]; then
	awk 'BEGIN { pad = sprintf("%4000s", ""); gsub(/ /, "x", pad)
		for (i = 1; i <= 25600; i++) printf("{\"type\":\"prompt\",\"id\":%d,\"text\":\"big %d %s\"}\n", i, i, pad) }' > "$T/big"
	check "the input is 100 MB or more" test "$(wc -c < "$T/big")" -ge 100000000
	CHAT_BATCH_MAX_BYTES=40000000 /usr/bin/time -f '%M' -o "$T/rss" chat-batch --no-log submit < "$T/big" > "$T/out" 2> "$T/err"
	is "$?" 0 "100 MB: submit exits 0"
	is "$(jq -s 'map(.counts.total) | add' "$T/out")" 25600 "100 MB: every record in a job"
	check "100 MB: split into jobs under the byte limit" test "$(wc -l < "$T/out")" -ge 3
	rss=$(tail -1 "$T/rss")
	echo "# peak RSS of submit for a 100 MB input: $rss kB"
	check "100 MB: submit's peak memory stays under 64 MB ($rss kB)" test "$rss" -lt 65536
	/usr/bin/time -f '%M' -o "$T/rss" chat-batch --no-log collect --wait > "$T/out" 2> "$T/err"
	is "$?" 0 "100 MB: collect exits 0"
	is "$(grep -c '"type":"response"' "$T/out")" 25600 "100 MB: every record answered"
	rss=$(tail -1 "$T/rss")
	echo "# peak RSS of collect for the same jobs: $rss kB"
	check "100 MB: collect's peak memory stays under 64 MB ($rss kB)" test "$rss" -lt 65536
	rm -f "$T/big"
else
	ok 0 "# SKIP 100 MB memory test: no /usr/bin/time, or under a sanitizer or wrapper"
fi

done_testing
