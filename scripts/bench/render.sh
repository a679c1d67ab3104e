#!/bin/sh
# render.sh: the Markdown renderer (lib/ask/mdrender, chat-stream --render)
# on a long reply, beside peers measured in the same run.  Figures are
# printed, never asserted.
#   1. the renderer alone: a BENCH_MD_MB (default 10) MB Markdown reply of
#      prose, lists, tables, block quotes and code, fed in 16-byte pieces by
#      scripts/bench/mdrender.c (built against lib/libchat.a), with colour
#      and without: MB/s, the median of BENCH_MD_RUNS (5) renders in one
#      process.  Beside it, cat of the same file (the floor: bytes copied,
#      nothing parsed) and any Markdown tool already installed (glow, mdcat,
#      pandoc, cmark); none is ever installed.  The target: >= 50 MB/s.
#   2. end to end: chat-stream --render and chat-stream --raw against the
#      fake provider replaying that reply in 20-byte events (a few tokens
#      each; some 130 MB of SSE on the wire, hence CHAT_MAX_REPLY_MB=256),
#      stdout to /dev/null: MB/s of reply text (median of BENCH_TPUT_RUNS,
#      default 3).
# Run by scripts/bench.sh, or alone after make and make tests/bin/fakeprov.
set -u
cd "$(dirname "$0")/../.." || exit 1
MB=${BENCH_MD_MB:-10} RUNS=${BENCH_MD_RUNS:-5} TRUNS=${BENCH_TPUT_RUNS:-3}
die() { echo "bench render: $*" >&2; exit 1; }
# shellcheck source=scripts/bench/peer.sh
. scripts/bench/peer.sh
for v in "$MB" "$RUNS" "$TRUNS"; do
	case $v in *[!0-9]* | '' | 0) die "BENCH_MD_MB, BENCH_MD_RUNS and BENCH_TPUT_RUNS must be numbers above 0" ;; esac
done
for f in lib/libchat.a bin/chat-stream tests/bin/fakeprov; do
	[ -f "$f" ] || die "$f is not built (run: make && make tests/bin/fakeprov)"
done
command -v cc >/dev/null || die "no C compiler (cc) for the drivers"
T=$(mktemp -d "${TMPDIR:-/tmp}/chat-bench-render.XXXXXX") || exit 1
SRV=
trap '[ -n "$SRV" ] && kill "$SRV" 2>/dev/null; rm -rf "$T"' EXIT
trap 'exit 130' HUP INT TERM
cc -O2 -D_GNU_SOURCE -Ilib -o "$T/mdrender" scripts/bench/mdrender.c lib/libchat.a -pthread ||
	die "cannot build scripts/bench/mdrender.c"
cc -O2 -o "$T/firstbyte" scripts/bench/firstbyte.c || die "cannot build scripts/bench/firstbyte.c"

# --- the reply: one section of everything, numbered, repeated to size --------
cat >"$T/section" <<'MD'
## Section N: what the numbers say

The **first** thing to check is the *input*: a `struct buf` that grows on demand,
with a cap fixed at init, so hostile input cannot grow it without bound. See the
[design notes](https://example.com/design#buffers) and <https://example.org/N>.
Some ~~old~~ text, a snake_case_name, 2 * 3 * 4, and ***very*** important words.

1. Read the reply a line at a time.
2. Render each line when its newline arrives:
   - headings and emphasis
   - [x] tables, padded to the first row
   - [ ] nothing held back
3. Write it out.

> **Note:** a block quote, with `code` and a [link](https://example.com/q).
> - and a list inside it

| step | bytes | time (ms) | note |
|:-----|------:|:---------:|------|
| read | 4096 | 0.12 | from the socket |
| parse | 4096 | 0.31 | SSE events, *jv* |
| render | 3900 | 0.05 | this code |

```c
static size_t run_of(const char *s, size_t i, size_t n, char c)
{
	size_t j = i; /* **not** emphasis in code */
	while (j < n && s[j] == c)
		j++;
	return j - i;
}
```

```python
def total(rows):
    return sum(r["bytes"] for r in rows if r.get("ok"))
```

---

MD
awk -v want=$((MB * 1000000)) 'BEGIN { RS = "^$" } { s = $0 }
	END { n = 0; while (n < want) { i++; t = s; gsub(/N/, i, t); printf "%s", t; n += length(t) } }' \
	"$T/section" >"$T/reply.md"
BYTES=$(wc -c <"$T/reply.md")
mbs() { awk -v b="$BYTES" -v ms="$1" 'BEGIN { if (ms > 0) printf "%.1f", b / 1e6 / (ms / 1e3); else print "n/a" }'; }
fig() { sed -n "s/.*[[:space:]]$2=\([^[:space:]]*\).*/\1/p; s/^$2=\([^[:space:]]*\).*/\1/p" "$1" | head -n1; }
row() { printf '  %-30s %s\n' "$1" "$2"; }
# timed NAME COMMAND...: MS, the median wall ms of TRUNS runs with stdout
# to /dev/null, and CPU, the command's median CPU ms; both empty on failure
timed() {
	name=$1; shift
	fails=1 total_med='' cpu_med=''
	"$T/firstbyte" -d -n "$TRUNS" -w 1 -- "$@" >"$T/m" 2>"$T/$name.err" && eval "$(cat "$T/m")"
	MS=$total_med CPU=$cpu_med
	[ "$fails" = 0 ] && return 0
	echo "  $name: $(tail -n2 "$T/$name.err" | tr '\n' ' ')" >&2
	MS='' CPU=''
	return 1
}
speed() { if [ -n "$MS" ]; then echo "$(mbs "$MS") MB/s   ($MS ms${1:-})"; else echo n/a; fi; }

echo "render: a $(awk -v b="$BYTES" 'BEGIN { printf "%.1f", b / 1e6 }') MB Markdown reply" \
	"(prose, lists, tables, quotes, code); target >= 50 MB/s for the renderer"
echo "the renderer alone, fed in 16-byte pieces (median of $RUNS in one process):"
for c in '' -c; do
	"$T/mdrender" $c -n "$RUNS" "$T/reply.md" 2>"$T/ours" || { row mdrender "failed: $(cat "$T/ours")"; continue; }
	row "mdrender${c:+ (colour)}" "$(fig "$T/ours" mb_s) MB/s   ($(fig "$T/ours" render_ms) ms)"
done
# shellcheck disable=SC2016 # $1 is the sh -c's own argument
timed cat sh -c 'cat "$1"' sh "$T/reply.md"
row 'cat (the floor, a process)' "$(speed)"
peers=0
for p in glow mdcat pandoc cmark; do
	command -v $p >/dev/null || continue
	peers=1
	# shellcheck disable=SC2016 # $1 is the sh -c's own argument
	case $p in
	glow) cmd='glow -s dark -w 100 "$1"' ;; mdcat) cmd='mdcat --columns 100 "$1"' ;;
	pandoc) cmd='pandoc -f gfm -t plain "$1"' ;; cmark) cmd='cmark "$1"' ;;
	esac
	timed "$p" sh -c "$cmd" sh "$T/reply.md"
	row "$p $($p --version 2>&1 | head -n1 | grep -o '[0-9][0-9.]*' | head -n1)" "$(speed)"
done
[ $peers = 0 ] && row 'Markdown tools' 'none installed (glow, mdcat, pandoc, cmark): cat is the only peer'

# --- end to end against the fake provider ----------------------------------
EVENTS=$((BYTES / 20))
fake_up --text-file "$T/reply.md" --chunks $EVENTS
export OPENAI_BASE_URL OPENAI_API_KEY=sk-bench CHAT_MAX_REPLY_MB=256 \
	XDG_CONFIG_HOME="$T/config" XDG_DATA_HOME="$T/data"
unset CHAT_CONFIG CHAT_DB CHAT_MODEL 2>/dev/null
echo "end to end: chat-stream --no-log against the fake provider, the reply in $EVENTS events" \
	"of 20 bytes, stdout to /dev/null (median of $TRUNS; the fake provider's pace sets the wall time," \
	"chat-stream's own CPU time is the figure to compare):"
for mode in --raw --render; do
	timed "$mode" bin/chat-stream --no-log "$mode" hi
	row "chat-stream $mode" "$(speed "; chat-stream CPU $CPU ms")"
done
exit 0
