#!/bin/sh
# Prompts from any records with jq programs (--prompt-jq, --system-jq,
# --id-jq, --arg, --argjson), saved templates (-t, -p, --templates), and
# answers as data (--schema, --data) for each provider.
. "$(dirname "$0")/../lib.sh"

fake_start --echo
cat > "$T/in" <<'R'
{"line":"disk full on /var","n":1,"host":"a"}
{"line":"link down","n":2}
{"n":3}
[1,2,3]
7
R
IN=1 run chat-send --prompt-jq '"Classify (\($lvl)): \(.line? // null) on \(.host? // "?")"' --id-jq '.n? // "x"' --arg lvl warn --ordered
is "$st" 0 "prompt-jq: varied records all become prompts"
is "$(jq -r '[(.id|tostring), .text] | join(" ")' "$T/out" | tr '\n' '|')" \
	"1 echo: Classify (warn): disk full on /var on a|2 echo: Classify (warn): link down on ?|3 echo: Classify (warn): null on ?|x echo: Classify (warn): null on ?|x echo: Classify (warn): null on ?|" \
	"prompt-jq: the program's string is the prompt; a missing field is null, as in jq"

IN=1 run chat-send --prompt-jq '.line' --id-jq '.n? // null' --argjson unused '{"a":1}' --ordered
is "$st" 1 "prompt-jq: records the program fails on: exit 1"
is "$(jq -r 'if .type == "error" then "E:" + (.id|tostring) + ":" + .code else "R:" + (.id|tostring) end' "$T/out" | tr '\n' ' ')" \
	"R:1 R:2 E:3:bad_input E:null:bad_input E:null:bad_input " "prompt-jq: a failing record becomes an error record, the others go on"
has "$T/err" "line 3: --prompt-jq: the program gave a null, not a string" "prompt-jq: a non-string result is named"
has "$T/err" "line 4: --prompt-jq: jq: error" "prompt-jq: a jq runtime error is jq's message"

printf '{"a":1}\n' > "$T/in"
IN=1 run chat-send --prompt-jq '.a |'
is "$st" 64 "prompt-jq: a program that does not compile: exit 64"
is "$(grep -c 'prompt-jq' "$T/err")" 1 "prompt-jq: ... reported once"
has "$T/err" "syntax error" "prompt-jq: ... with jq's own message"
IN=1 run chat-send --prompt-jq '"q: \(.a)"' --system-jq '"be brief about \(.a)"'
is "$(last_request | jq -c '.body.messages')" '[{"role":"system","content":"be brief about 1"},{"role":"user","content":"q: 1"}]' \
	"--system-jq: the system prompt from the record"
IN=1 run chat-send --prompt-jq '.a' words
is "$st" 64 "prompt-jq: prompt words too is a usage error"
run chat-send --system-jq '.x' hi
is "$st" 64 "--system-jq without --prompt-jq is a usage error"
run chat-send --arg onlyname
is "$st" 64 "--arg needs a name and a value"
run chat-send --argjson n '{bad' hi
is "$st" 64 "--argjson: not JSON"

printf '{"q":"one record"}\n' > "$T/in"
IN=1 run chat-stream --prompt-jq '.q'
is "$(cat "$T/out")" "echo: one record" "chat-stream --prompt-jq: one record, one prompt"
printf '{"q":"a"}\n{"q":"b"}\n' > "$T/in"
IN=1 run chat-stream --prompt-jq '.q'
is "$st" 64 "chat-stream --prompt-jq: more than one record is a usage error"

# saved templates
mkdir -p "$XDG_CONFIG_HOME/chat/templates"
cat > "$XDG_CONFIG_HOME/chat/templates/triage" <<'TPL'
# sort log lines
description = classify one log line
model = gpt-4o
param level = warning
max-tokens = 60
prompt-jq = "Classify this \($level) line: \(.line)"
system <<END
You sort log lines into kinds.

Answer with one word.
END
TPL
printf '{"line":"disk full","id":"l1"}\n' > "$T/in"
IN=1 run chat-send -t triage
is "$(jq -r .text "$T/out")" "echo: Classify this warning line: disk full" "template: its prompt program and param default"
is "$(last_request | jq -c '[.body.model, .body.max_completion_tokens, .body.messages[0].content]')" \
	'["gpt-4o",60,"You sort log lines into kinds.\n\nAnswer with one word."]' "template: model, options and a multi-line system prompt"
IN=1 run chat-send -t triage -p level error -m gpt-4o-mini
is "$(jq -r .text "$T/out")" "echo: Classify this error line: disk full" "template: -p sets a parameter"
is "$(last_request | jq -r .body.model)" gpt-4o-mini "template: the command line wins over the template"
run chat-send --templates
is "$(cat "$T/out")" "$(printf 'triage\tclassify one log line')" "--templates lists names and descriptions"
printf 'model = gpt-4o\nsystem <<EOF\nnever ended\n' > "$XDG_CONFIG_HOME/chat/templates/broken"
printf 'model = gpt-4o\nthis line is wrong\n' > "$XDG_CONFIG_HOME/chat/templates/bad"
run chat-send -t bad hi
is "$st" 78 "template with an error: exit 78"
has "$T/err" "templates/bad: line 2: expected KEY = VALUE" "template error: the file and line are named"
run chat-send -t broken hi
has "$T/err" "templates/broken: line 2: no line \"EOF\" ends this value" "template: an unended value is named with its line"
run chat-send -t nosuch hi
is "$st" 64 "an unknown template: exit 64"
run chat-send --templates
has "$T/out" "^bad	(broken: " "--templates marks a broken template"

# structured output: each provider's own form
S='{"type":"object","properties":{"kind":{"type":"string","enum":["disk","net"]},"severity":{"type":"integer"},"tags":{"type":"array","items":{"type":"string"}}},"required":["kind","severity"]}'
printf '%s' "$S" > "$T/schema.json"
fake_start --text '{"kind":"disk","severity":3,"tags":["fs"]}'
run chat-send --json --schema "$T/schema.json" -m gpt-4o 'classify'
is "$(jq -c .data "$T/out")" '{"kind":"disk","severity":3,"tags":["fs"]}' "schema: the response record carries the parsed data"
is "$(last_request | jq -c '.body.response_format | [.type, .json_schema.name, .json_schema.strict, .json_schema.schema == ('"$S"' + {additionalProperties: false})]')" \
	'["json_schema","output",false,true]' "schema: OpenAI gets response_format json_schema, closed, not strict (tags is optional)"
run chat-send --json --schema "$S" -m claude-haiku-4-5 'classify'
is "$(jq -c .data "$T/out")" '{"kind":"disk","severity":3,"tags":["fs"]}' "schema: Anthropic's forced tool input is the data"
is "$(last_request | jq -c '[.body.tools[0].name, (.body.tools[0].input_schema == '"$S"'), .body.tool_choice]')" \
	'["output",true,{"type":"tool","name":"output"}]' "schema: Anthropic gets a tool with the schema, forced"
run chat-send --json --schema "$S" -m gemini-2.5-flash 'classify'
is "$(jq -c .data "$T/out")" '{"kind":"disk","severity":3,"tags":["fs"]}' "schema: Gemini's JSON answer is the data"
is "$(last_request | jq -c '[.body.generationConfig.responseMimeType, (.body.generationConfig.responseJsonSchema == '"$S"')]')" \
	'["application/json",true]' "schema: Gemini 2.5 gets responseMimeType and responseJsonSchema"

# one schema file for every provider: closed objects, a $ref, a nullable
# type list, the things Gemini's older responseSchema refuses
S2='{"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object","additionalProperties":false,
 "$defs":{"tag":{"type":"object","properties":{"name":{"type":"string"}},"required":["name"]}},
 "properties":{"kind":{"type":"string","enum":["disk","net"]},"severity":{"type":"integer","minimum":1,"maximum":5},
  "note":{"type":["string","null"]},"tags":{"type":"array","items":{"$ref":"#/$defs/tag"}}},
 "required":["kind","severity","note","tags"]}'
printf '%s' "$S2" > "$T/schema2.json"
A2='{"kind":"disk","severity":3,"note":null,"tags":[{"name":"fs"}]}'
fake_start --text "$A2"
OLD='{"type":"OBJECT","properties":{"kind":{"type":"STRING","enum":["disk","net"]},
 "severity":{"type":"INTEGER","minimum":1,"maximum":5},"note":{"type":"STRING","nullable":true},
 "tags":{"type":"ARRAY","items":{"type":"OBJECT","properties":{"name":{"type":"STRING"}},"required":["name"],
 "propertyOrdering":["name"]}}},"required":["kind","severity","note","tags"],
 "propertyOrdering":["kind","severity","note","tags"]}'
for m in gemini:gemini-2.0-flash gemini:gemini-2.5-flash gpt-4o claude-haiku-4-5; do
	run chat-send --json --schema "$T/schema2.json" -m "$m" 'classify'
	is "$st|$(jq -c .data "$T/out")" "0|$A2" "one schema file: $m answers with the data"
done
run chat-send --json --schema "$T/schema2.json" -m gemini:gemini-2.0-flash 'classify'
is "$(last_request | jq -c '.body.generationConfig | [.responseMimeType, .responseSchema == '"$OLD"', has("responseJsonSchema")]')" \
	'["application/json",true,false]' "schema: Gemini 2.0 gets the OpenAPI subset: \$ref inlined, nullable, capitals, order"
run chat-send --json --schema "$T/schema2.json" -m gemini:gemini-2.5-flash 'classify'
is "$(last_request | jq -c '.body.generationConfig | [.responseJsonSchema == '"$S2"', has("responseSchema")]')" \
	'[true,false]' "schema: Gemini 2.5 gets the schema as written, as responseJsonSchema"
run chat-send --json --schema "$T/schema2.json" -m gpt-4o 'classify'
is "$(last_request | jq -c '.body.response_format.json_schema | [.strict, .schema == ('"$S2"' | .["$defs"].tag.additionalProperties = false)]')" \
	'[true,true]' "schema: OpenAI gets every object closed, strict"
run chat-send --json --schema "$T/schema2.json" -m claude-haiku-4-5 'classify'
is "$(last_request | jq -c '.body.tools[0].input_schema == '"$S2"'')" true "schema: Anthropic gets the schema as written"

# the fake refuses what the real responseSchema refuses, as the service does
code=$(curl -s -o "$T/resp" -w '%{http_code}' -H 'Content-Type: application/json' \
	"$GEMINI_BASE_URL/models/gemini-2.0-flash:streamGenerateContent?alt=sse" \
	-d '{"contents":[{"role":"user","parts":[{"text":"hi"}]}],"generationConfig":{"responseMimeType":"application/json","responseSchema":'"$S2"'}}')
is "$code|$(jq -r .error.status "$T/resp")" "400|INVALID_ARGUMENT" "fake: an untranslated schema in responseSchema is a 400"
is "$(jq -r '.error.details[0].fieldViolations[].description' "$T/resp" | sed 's/ at .*//' | sort | tr '\n' '|')" \
	'Invalid JSON payload received. Unknown name "$defs"|Invalid JSON payload received. Unknown name "$ref"|Invalid JSON payload received. Unknown name "$schema"|Invalid JSON payload received. Unknown name "additionalProperties"|Invalid JSON payload received. Unknown name "type"|' \
	"fake: ... naming each keyword the proto lacks, and the type list"
has "$T/resp" "properties\[3\].value.items': Cannot find field" "fake: ... at its proto path"
fake_start --text '{"a":"x"}'
run chat-send --schema '{"type":"object","properties":{"a":{"type":"string"}}}' -m gemini:gemini-2.0-flash hi
is "$st|$(cat "$T/out")" '0|{"a":"x"}' "fake: a schema in the subset is answered"
fake_start --text '{"kind":"disk","severity":3,"tags":["fs"]}'


# --data in a pipeline
printf '{"n":1}\n{"n":2}\n' > "$T/in"
IN=1 run chat-send --prompt-jq '"item \(.n)"' --schema "$S" --data --ordered
is "$(jq -r '.kind' "$T/out" | tr '\n' ' ')" "disk disk " "--data: one JSON value a line, ready for jq"

# answers that break the schema: asked once more, then bad_output
fake_start --text '{"kind":"cpu","severity":1}' --then --text '{"kind":"net","severity":2}'
run chat-send --json --schema "$S" 'classify'
is "$st" 0 "schema: a wrong answer is asked again once"
is "$(jq -c .data "$T/out")" '{"kind":"net","severity":2}' "schema: ... and the second answer is used"
is "$(wc -l < "$T/log" | tr -d ' ')" 2 "schema: two requests"
has "$T/err" '.kind: "cpu" is not one of the allowed values' "schema: the retry says why"
for bad in '{"kind":"disk"}' '{"kind":"disk","severity":"high"}' '{"kind":"disk","severity":1,"tags":[1]}' 'not json at all'; do
	fake_start --text "$bad" --then --text "$bad"
	run chat-send --json --schema "$S" 'classify'
	is "$st|$(jq -r 'select(.type == "error") | .code' "$T/out")" "69|bad_output" "schema: '$bad' twice: a bad_output error record"
done
has "$T/err" "not JSON" "schema: not JSON is said so"
fake_start --text '{"kind":"disk"}' --then --text '{"kind":"disk"}'
run chat-send --json --schema "$S" 'classify'
has "$T/out" 'the required field \\"severity\\" is missing\|the field \\"severity\\" is required but missing' \
	"schema: a missing required field is named"
fake_start --text '{"kind":"disk","severity":1.5}' --then --text '{"kind":"disk","severity":1.5}'
run chat-send --json --schema "$S" 'classify'
has "$T/out" '.severity: expected integer, got number' "schema: integer is checked"

run chat-send --schema '[1,2]' hi
is "$st" 64 "--schema: not an object is a usage error"
run chat-send --schema "$T/nonexistent.json" hi
is "$st" 66 "--schema: a missing file: exit 66"
run chat-send --data hi
is "$st" 64 "--data without --schema is a usage error"

done_testing
