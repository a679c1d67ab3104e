#!/bin/sh
# The README's cookbook, run exactly as printed: every recipe (an indented
# block that starts with a "# title" line, in the "## Cookbook" section) runs
# with sh in a folder holding the files it names, against the fake provider,
# and must exit 0, write what it promises, and leave no error on stderr.
. "$(dirname "$0")/../lib.sh"

README="$ROOT/README.md"
W="$T/work"
mkdir -p "$W/docs" "$W/photos" "$W/invoices" "$W/bin"
cd "$W" || exit 1

# the files the recipes name
printf 'Quarterly report.\nRevenue rose; costs fell; two launches slipped.\n' > report.txt
for i in 1 2 3; do printf 'Document %s: notes on topic %s.\n' "$i" "$i" > "docs/doc$i.txt"; done
printf 'What is a pipe?\nWhat is a signal?\nWhat is a socket?\n' > questions.txt
printf 'id,question\nq1,What is TCP?\nq2,What is UDP?\n' > questions.csv
printf '2026-11-24 10:00 ERROR disk full on /var\n2026-11-24 10:05 WARN slow query\n' > app.log
# a log of some 56,000 tokens, for the recipe that cuts one into parts
awk 'BEGIN { for (i = 0; i < 2000; i++)
	printf "2026-11-24 %02d:%02d:%02d %s request %d served from cache node-%d in %d ms\n",
		i / 3600, i / 60 % 60, i % 60, i % 17 ? "INFO" : "WARN", 100000 + i * 7, i % 5, i % 97 }' > big.log
printf '{"items":[{"name":"pipe"},{"name":"socket"}]}\n' > items.json
printf 'a lighthouse at dawn, watercolour\na fox in the snow, woodcut\n' > prompts.txt
for i in 1 2; do printf 'INVOICE %s\nACME Ltd\nTotal: 12.50 EUR\nDate: 2026-11-0%s\n' "$i" "$i" > "invoices/inv$i.txt"; done
"$ROOT/tests/bin/mkimage" jpeg 640 480 opaque photos/beach.jpg
"$ROOT/tests/bin/mkimage" jpeg 480 640 opaque photos/hills.jpg
mkdir -p "$XDG_CONFIG_HOME/chat/templates"
cat > "$XDG_CONFIG_HOME/chat/templates/triage" <<'TPL'
description = classify one log line
prompt-jq = "Classify this log line as disk, network or other: \(.)"
TPL
# a code folder and its README, for the recipe that sends them with -f
mkdir -p src
printf 'int main(void) { return 0; }\n' > src/main.c
printf '# demo\nA tiny program.\n' > README.md
# a git repository with a staged change, for the review recipe
if command -v git > /dev/null 2>&1; then
	git init -q . && git config user.email t@example.invalid && git config user.name t
	printf 'hello\n' > code.c && git add code.c
fi

# the recipes, one file each
awk '/^## Cookbook/ { on = 1; next } on && /^## / { on = 0 }
     on && /^    # / && !inrec { n++; inrec = 1 }
     on && inrec && /^    / { sub(/^    /, ""); print > (dir "/recipe" n) ; next }
     on && inrec && !/^    / { inrec = 0 }' dir="$T" "$README"
count=$(ls "$T"/recipe* 2>/dev/null | wc -l | tr -d ' ')
check "the cookbook has at least ten recipes" test "$count" -ge 10

# earlier history for the recipes that look back at it
export CHAT_DB="$T/history.db"
fake_start --echo
chat-send 'How should I do backup rotation?' > /dev/null
chat-send --conversation ops-digest 'Start of the digest' > /dev/null

k=1
while [ "$k" -le "$count" ]; do
	r="$T/recipe$k"
	title=$(head -1 "$r" | sed 's/^# //')
	# what the simulated provider answers: JSON for recipes that ask for data
	if grep -q -- '--schema' "$r"; then
		fake_start --text '{"vendor":"ACME Ltd","date":"2026-11-01","total":12.5}'
	elif grep -q -- 'chat-send -x' "$r"; then
		fake_start --text "$(printf 'Here it is:\n```jq\n.items[].name\n```\nIt prints each name.')" --chunks 4
	else
		fake_start --echo
	fi
	(cd "$W" && sh -e "$r") < /dev/null > "$T/out" 2> "$T/err"
	st=$?
	is "$st" 0 "recipe '$title': exits 0"
	is "$(grep -v '^$' "$T/err" | head -3)" "" "recipe '$title': nothing on stderr"
	# what each kind of recipe must have produced
	case $title in
	*summarise\ every\ file*|*folder\ in\ parallel*)
		is "$(jq -s 'map(select(.type == "response")) | length' summaries.ndjson 2>/dev/null)" 3 \
			"recipe '$title': one answer record per file" ;;
	*photos*)
		check "recipe '$title': a description per photo" test "$(grep -c . descriptions.ndjson 2>/dev/null)" -eq 2 ;;
	*image*)
		check "recipe '$title': image files written" sh -c 'ls art/*.png > /dev/null 2>&1 || ls art/*.jpg > /dev/null 2>&1' ;;
	*invoice*)
		check "recipe '$title': one JSON line per invoice" test "$(jq -c . invoices.ndjson 2>/dev/null | wc -l)" -eq 2 ;;
	*too\ long*)
		# the simulator echoes: each part's summary is the part itself
		is "$(head -1 summary.txt)" "echo: Combine these summaries into one" \
			"recipe '$title': one request combines the summaries"
		check "recipe '$title': a summary of each of several parts" \
			test "$(grep -c '^echo: 2026-11-24 00:00:00 WARN' summary.txt)" -eq 1 -a "$(grep -c '^echo: ' summary.txt)" -ge 4 ;;
	*answers\ as\ code*)
		is "$(tr '\n' ' ' < "$T/out")" "pipe socket " "recipe '$title': jq ran the filter from the reply" ;;
	*code\ folder*)
		has review.md 'src/main.c:' "recipe '$title': the folder's file went in its block"
		has review.md '^README.md:$' "recipe '$title': ... and the README in its own" ;;
	*tee*)
		check "recipe '$title': the file holds the reply" test -s limerick.txt ;;
	esac
	k=$((k + 1))
done

done_testing
