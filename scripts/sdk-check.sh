#!/bin/sh
# sdk-check.sh: does tests/bin/fakeprov speak each wire format the way the
# official SDKs expect?  Each SDK (npm: openai, @anthropic-ai/sdk,
# @google/genai) and our own chat-stream read the same replies from one fake
# provider: a multi-byte text cut into chunks and into small writes, streamed
# and whole, then a stream broken by an error.  Prints one line per check.
# The SDKs are installed once into ${CHAT_BENCH_DIR:-$HOME/.cache/chat-bench}
# (never in CI); a peer that cannot be installed is reported and skipped.
# Exit 0 when everything that ran agreed, 1 when a check failed.
set -u
cd "$(dirname "$0")/.." || exit 1
SDK_DIR=${CHAT_BENCH_DIR:-${HOME:-/tmp}/.cache/chat-bench}
if [ -n "${CI:-}" ]; then
	echo "sdk-check: skipped in CI (it installs npm packages)"
	exit 0
fi
for f in bin/chat-stream tests/bin/fakeprov; do
	[ -x "$f" ] || { echo "sdk-check: $f is not built (run: make && make tests/bin/fakeprov)" >&2; exit 1; }
done

T=$(mktemp -d "${TMPDIR:-/tmp}/chat-sdk.XXXXXX") || exit 1
SRV=''
failed=0
stop_server() {
	[ -n "$SRV" ] && { kill "$SRV" 2>/dev/null; wait "$SRV" 2>/dev/null; }
	SRV=
}
trap 'stop_server; rm -rf "$T"' EXIT
trap 'exit 130' HUP INT TERM

start_server() {    # fakeprov reply options
	stop_server
	rm -f "$T/port"
	tests/bin/fakeprov --port-file "$T/port" --log "$T/log" --idle 60 "$@" 2>>"$T/fakeprov.err" &
	SRV=$!
	i=0
	while [ ! -s "$T/port" ]; do
		i=$((i + 1))
		if [ $i -gt 200 ] || ! kill -0 "$SRV" 2>/dev/null; then
			echo "sdk-check: fakeprov did not start: $(cat "$T/fakeprov.err")" >&2
			exit 1
		fi
		sleep 0.05
	done
	BASE="http://127.0.0.1:$(cat "$T/port")"
}

# --- the peers ---------------------------------------------------------------

SDKS=
if ! command -v node >/dev/null; then
	echo "peer: all SDKs unavailable (node not found)"
else
	for pkg in openai @anthropic-ai/sdk @google/genai; do
		if [ ! -f "$SDK_DIR/node_modules/$pkg/package.json" ] && ! { command -v npm >/dev/null &&
			mkdir -p "$SDK_DIR" && npm install --prefix "$SDK_DIR" --no-audit --no-fund \
			--loglevel=error "$pkg" >"$T/npm.log" 2>&1; }; then
			echo "peer: $pkg unavailable (npm install failed: $(grep -m1 -i err "$T/npm.log" 2>/dev/null || echo 'no npm'))"
			continue
		fi
		ver=$(node -p "require(process.argv[1]).version" "$SDK_DIR/node_modules/$pkg/package.json" 2>/dev/null)
		echo "peer: $pkg ${ver:-?} (node $(node --version))"
		case $pkg in
		openai) SDKS="$SDKS openai" ;;
		@anthropic-ai/sdk) SDKS="$SDKS anthropic" ;;
		@google/genai) SDKS="$SDKS gemini" ;;
		esac
	done
fi

# One reply through one SDK: prints {"text", "usage" (output tokens), "error"}.
# It must sit beside node_modules for the bare imports to resolve.
cat > "$SDK_DIR/sdk-check.mjs" 2>/dev/null <<'EOF' || SDKS=
// Written by scripts/sdk-check.sh: node sdk-check.mjs SDK stream|full BASE-URL
const [sdk, mode, base] = process.argv.slice(2);
const out = { text: '', usage: null, error: null };
try {
  if (sdk === 'openai') {
    const { default: OpenAI } = await import('openai');
    const c = new OpenAI({ apiKey: 'sk-test', baseURL: base + '/v1', maxRetries: 0 });
    const req = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] };
    if (mode === 'full') {
      const r = await c.chat.completions.create(req);
      out.text = r.choices[0].message.content;
      out.usage = r.usage?.completion_tokens ?? null;
    } else {
      const s = await c.chat.completions.create({ ...req, stream: true, stream_options: { include_usage: true } });
      for await (const ch of s) {
        out.text += ch.choices[0]?.delta?.content ?? '';
        if (ch.usage) out.usage = ch.usage.completion_tokens;
      }
    }
  } else if (sdk === 'anthropic') {
    const { default: Anthropic } = await import('@anthropic-ai/sdk');
    const c = new Anthropic({ apiKey: 'sk-ant-test', baseURL: base, maxRetries: 0 });
    const req = { model: 'claude-sonnet-4-5', max_tokens: 1024, messages: [{ role: 'user', content: 'hi' }] };
    const m = mode === 'full' ? await c.messages.create(req) : await c.messages.stream(req).finalMessage();
    out.text = m.content.filter((b) => b.type === 'text').map((b) => b.text).join('');
    out.usage = m.usage?.output_tokens ?? null;
  } else if (sdk === 'gemini') {
    const { GoogleGenAI } = await import('@google/genai');
    const c = new GoogleGenAI({ apiKey: 'gm-test', httpOptions: { baseUrl: base } });
    const req = { model: 'gemini-2.5-flash', contents: 'hi' };
    if (mode === 'full') {
      const r = await c.models.generateContent(req);
      out.text = r.text ?? '';
      out.usage = r.usageMetadata?.candidatesTokenCount ?? null;
    } else {
      for await (const ch of await c.models.generateContentStream(req)) {
        out.text += ch.text ?? '';
        if (ch.usageMetadata) out.usage = ch.usageMetadata.candidatesTokenCount ?? null;
      }
    }
  }
} catch (e) {
  out.error = `${e?.constructor?.name ?? 'Error'}: ${e?.message ?? e}`.replace(/\s+/g, ' ').slice(0, 160);
}
console.log(JSON.stringify(out));
EOF

# --- the checks --------------------------------------------------------------

# Our programs must not read the user's config or write to their history.
export HOME="$T/home" XDG_CONFIG_HOME="$T/config" XDG_DATA_HOME="$T/data" CHAT_DB="$T/h.db"
export OPENAI_API_KEY=sk-test ANTHROPIC_API_KEY=sk-ant-test GEMINI_API_KEY=gm-test
unset CHAT_CONFIG CHAT_MODEL GOOGLE_API_KEY OPENAI_ORG_ID OPENAI_PROJECT_ID NO_COLOR 2>/dev/null
mkdir -p "$HOME"

printf 'Grüße, "world" <b>&</b> \\o/\n😀 日本語のテキスト — naïve café\tfin.' > "$T/text"
CHUNKS=7

report() {  # check peer verdict
	printf '%-10s %-10s %s\n' "$1" "$2" "$3"
	case $3 in ok*|info:*) ;; *) failed=1 ;; esac
}

sdk_run() {  # sdk mode: the peer's JSON in $T/sdk.json
	(cd "$SDK_DIR" && node sdk-check.mjs "$1" "$2" "$BASE") > "$T/sdk.json" 2>"$T/sdk.err" ||
		jq -n --arg e "node: $(tail -n1 "$T/sdk.err")" '{text: "", usage: null, error: $e}' > "$T/sdk.json"
}

sdk_verdict() {  # the same text and the same output-token count as sent?
	jq -j '.text // ""' "$T/sdk.json" > "$T/got"
	err=$(jq -r '.error // empty' "$T/sdk.json")
	usage=$(jq -r '.usage // "none"' "$T/sdk.json")
	if [ -n "$err" ]; then
		echo "FAIL: $err"
	elif ! cmp -s "$T/got" "$T/text"; then
		echo "FAIL: text differs: $(head -c 120 "$T/got" | tr '\n\t' '  ')"
	elif [ "$usage" != "$CHUNKS" ]; then
		echo "FAIL: usage $usage output tokens, want $CHUNKS"
	else
		echo "ok (text byte-exact, usage $usage)"
	fi
}

ours() {  # provider:model -> chat-stream's output in $T/got, status in $st
	OPENAI_BASE_URL="$BASE/v1" ANTHROPIC_BASE_URL="$BASE/v1" GEMINI_BASE_URL="$BASE/v1beta" \
		bin/chat-stream -m "$1" hi < /dev/null > "$T/got" 2> "$T/err"
	st=$?
}

start_server --text-file "$T/text" --chunks "$CHUNKS" --split-writes 3
for sdk in $SDKS; do
	sdk_run "$sdk" stream
	report stream "$sdk" "$(sdk_verdict)"
	sdk_run "$sdk" full
	report whole "$sdk" "$(sdk_verdict)"
done
for m in openai:gpt-4o-mini anthropic:claude-sonnet-4-5 gemini:gemini-2.5-flash; do
	ours "$m"
	if [ "$st" -eq 0 ] && cmp -s "$T/got" "$T/text"; then
		report stream "chat/${m%%:*}" "ok (text byte-exact)"
	else
		report stream "chat/${m%%:*}" "FAIL: exit $st, $(head -c 80 "$T/got" | tr '\n\t' '  ') $(head -n1 "$T/err")"
	fi
done

# A stream broken by the provider's own error event after two chunks: the
# SDKs and chat-stream should report an error, not a short reply.
start_server --text-file "$T/text" --chunks "$CHUNKS" --mid-error 2
for sdk in $SDKS; do
	sdk_run "$sdk" stream
	err=$(jq -r '.error // empty' "$T/sdk.json")
	if [ -n "$err" ]; then
		report mid-error "$sdk" "ok (raised $err)"
	else    # Gemini's bare error object is invisible to an SSE parser
		report mid-error "$sdk" "info: no error raised, $(jq -r '.text | length' "$T/sdk.json") characters kept"
	fi
done
for m in openai:gpt-4o-mini anthropic:claude-sonnet-4-5 gemini:gemini-2.5-flash; do
	ours "$m"
	if [ "$st" -eq 69 ] && grep -q "error in the reply stream" "$T/err"; then
		report mid-error "chat/${m%%:*}" "ok (exit 69: $(head -n1 "$T/err"))"
	else
		report mid-error "chat/${m%%:*}" "FAIL: exit $st: $(head -n1 "$T/err")"
	fi
done

[ "$failed" -eq 0 ] && echo "sdk-check: all agreed" || echo "sdk-check: some checks failed"
exit "$failed"
