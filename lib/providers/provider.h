/* provider: the one interface every provider implements. A provider turns a
 * chat_request into an HTTP request, consumes the reply's SSE events into
 * deltas, usage and a finish reason, and maps HTTP errors to chat_error.
 *
 * A service that speaks OpenAI's chat completions needs no code: an entry
 * in share/chat/providers (or a [provider NAME] section of the config)
 * makes it a provider (provider_compat.c). Otherwise,
 * adding a provider ("acme"):
 *  1. lib/providers/provider_acme.c: a struct provider below (key_env,
 *     base_env, default_base, default_model and default_image_model are
 *     all that keys, base URLs and defaults need: providers/endpoint.c
 *     reads them for every program). Declare it here; add it to
 *     provider_all and its name prefixes to provider_for_model in
 *     provider.c; a base URL with rules of its own goes in provider_base.
 *  2. lib/chat.c: its name in chat_provider_names (test_provider_base
 *     checks the two lists agree).
 *  3. lib/diag.c secrets_from_env: its key variables, so an echoed key is
 *     hidden.
 *  4. lib/net/ratelimit_store.c: its default rate limits; lib/tokens/tokens.c:
 *     its image token estimate; providers/schema_provider.c, when its
 *     structured output differs.
 *  5. Optional: a batch API (lib/batch/jobapi_acme.c, listed in jobapi.c;
 *     jobsubmit.c's message); images (lib/imagegen/imagegen.c).
 *  6. share/chat/models: its models, naming it as their provider.
 *  7. Tests: its decoder's cases (tests/data/decode/acme.txt, named in
 *     tests/unit/test_decode.c), a fake server (tests/fakeprov/acme.c,
 *     routed in main.c), tests/lib.sh (unset its variables, point its base
 *     URL at the fake), tests/cli/t40-providers.sh,
 *     tests/unit/test_provider_base.c; recorded replies, when there are
 *     some, in the fixtures t12-recorded replays.
 *  8. Docs: README.md's "Providers and models"; man/chat-send.1 and
 *     chat-stream.1 (Keys, ENVIRONMENT), man/chat.5 (its [acme] section);
 *     the provider: lists in completions/chat.bash, _chat and chat.fish. */
#ifndef CHAT_PROVIDER_H
#define CHAT_PROVIDER_H
#include <curl/curl.h>
#include <jv.h>
#include "buf.h"
#include "chat.h"
#include "errcode.h"
#include "sse.h"

/* What one event says, decoded without touching any shared state, so events
 * can be decoded on any thread and then applied to the reply in order. */
enum { USAGE_INPUT = 1, USAGE_OUTPUT = 2, USAGE_CACHED = 4, USAGE_REASONING = 8 };
struct provider_event {
	int model_known;            /* in: the reply has its model, so none need be read */
	size_t text_off, text_len;  /* reply text, in the decoder's arena */
	size_t model_off, model_len;
	char finish[24];            /* "" when this event carries none */
	struct usage usage;
	unsigned usage_mask;        /* which usage fields this event sets */
	/* Or the usage object unread (a provider with read_usage): a stream
	 * that repeats its running total on every event is read only at its
	 * last one before the batch ends or an error stops it. */
	jv usage_later;
	int done;                   /* the provider's end-of-reply marker */
	int refusal;                /* this event's text is a refusal */
	/* Tool-call fragments, a JSON array in the arena: [{"key": K, "id"?,
	 * "name"?, "args"?}], args a piece of the call's JSON text. Fragments
	 * with the same key belong to one call; key -1 is a whole call. */
	size_t tools_off, tools_len;
	struct chat_error err;      /* err.code != 0: the reply failed here */
};

struct provider {
	const char *name;
	const char *const *key_env;     /* environment variables, first wins */
	int key_optional;               /* a local server that needs no key */
	const char *base_env;           /* base URL override variable */
	const char *default_base;
	const char *default_model;      /* the model when nothing names one and only this
					 * provider's key is set up (provider_default_model) */
	const char *default_image_model; /* the same for chat-image; NULL: it makes none */
	/* Fill url, headers and body. 0 or -1 with err set. */
	int (*build)(const struct chat_request *rq, const char *base, const char *key,
		     struct buf *url, struct curl_slist **headers, struct buf *body,
		     struct chat_error *err);
	/* Decode one SSE event whose data has been parsed as JSON (consumed;
	 * jv_invalid() with the parser's message when it is not JSON). Text and
	 * the model name are appended to arena. Must not touch shared state. */
	void (*decode)(const struct sse_event *ev, jv data, struct provider_event *d, struct buf *arena);
	/* A usage object a decoder left unread in usage_later: into usage and
	 * usage_mask. NULL: the decoder reads usage itself. */
	void (*read_usage)(jv usage, struct usage *out, unsigned *mask);
	/* A non-2xx reply: map status, headers and body to reply->err. */
	void (*http_error)(long status, const char *body, size_t len, struct chat_error *err);
	const char *section;            /* its config section; NULL: its name */
};

extern const struct provider provider_openai, provider_anthropic, provider_gemini, provider_ollama;
/* All of them, NULL-ended, in the order defaults are picked by keys. */
extern const struct provider *const provider_all[];

/* Helpers the providers share. */
/* base without trailing slashes, then path. */
void provider_url(struct buf *url, const char *base, const char *path);
/* The base URL for p's requests, the one place its policy lives: the
 * provider's variable (OPENAI_BASE_URL, ANTHROPIC_BASE_URL, GEMINI_BASE_URL,
 * OLLAMA_BASE_URL), else for Gemini GOOGLE_GEMINI_BASE_URL (an origin, to
 * which /v1beta is added as Google's SDK adds its API version), else for
 * Ollama OLLAMA_HOST, else config_value (the config's base_url; may be
 * NULL), else the default. Anthropic's base is an origin, as in its SDK:
 * each path starts with /v1, and a /v1 at the end of the value is dropped.
 * Only http:// and https:// URLs with a host are taken; the password of
 * a user:password@ in one is registered as a secret (diag.h), so no
 * message or -v line shows it. 0, or -1 with why naming the variable or
 * config key the URL came from (a configuration error: exit 78). */
int provider_base(const struct provider *p, const char *config_value, char *out, size_t cap, char *why,
		  size_t why_cap);
/* Append "Name: value" (printf-style); the formatted line is wiped after
 * copying, since it may hold a key. 0 or -1. */
int provider_header(struct curl_slist **h, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The usual JSON request headers, plus no 100-continue round trip before the first token. */
int provider_json_headers(struct curl_slist **h);
/* Dump o (consumed) as the request body. */
void provider_body(jv o, struct buf *body);
/* Append string s (borrowed) to the arena as decoded text at *off, *len. */
void provider_text(jv s, struct buf *arena, size_t *off, size_t *len);
/* Consecutive turns of one role joined into one (Anthropic and Gemini want
 * strict alternation; a failed reply leaves two user turns in a row). The
 * callback gets each merged turn; text is valid until the next call. */
typedef jv (*turn_fn)(const char *role, const char *text, const struct attachment *atts, size_t natts, void *ctx);
jv provider_turns(const struct chat_request *rq, turn_fn fn, void *ctx);
/* An error body {"error": {...}} handed to map, or, when the body is not
 * that, its first bytes as the message. */
typedef void (*error_map_fn)(long status, jv error_object, struct chat_error *err);
void provider_error_body(long status, const char *body, size_t len, error_map_fn map, struct chat_error *err);
/* For a provider other than Gemini: -1 with err set when rq carries what it
 * cannot take: a video, a Gemini Files API uri (only Gemini reads those),
 * audio unless audio is set, and then audio other than WAV or MP3 (what
 * OpenAI's input_audio takes). */
int provider_takes(const struct chat_request *rq, int audio, struct chat_error *err);
/* Append the tool-call fragments (a jv array, consumed; anything else, or
 * an empty array, adds nothing) to the arena. */
void provider_tools(jv fragments, struct buf *arena, size_t *off, size_t *len);
/* One fragment: key, and id, name and args where they are strings (borrowed). */
jv provider_tool_fragment(long key, jv id, jv name, jv args);
/* The element of a choices/candidates array (consumed) whose "index" is
 * 0 (its position when it names none), or jv_invalid(). Others are other
 * completions of the same prompt, never part of the reply. */
jv provider_first_choice(jv arr);
/* The first bytes of an error body that is not the JSON we expect. */
void provider_snippet(const char *body, size_t len, char *out, size_t cap);
/* An OpenAI-style usage object (chat completions, batch results) read into out. */
void openai_usage(jv u, struct usage *out);
/* Provider by name ("openai", or a named one of the provider table), or NULL. */
const struct provider *provider_find(const char *name);
/* The config section of p's settings: "openai", "provider openrouter". */
const char *provider_section(const struct provider *p);
/* A named OpenAI-compatible provider of the provider table (provdefs.h),
 * or NULL; provider_compat.c, one implementation for all of them. */
const struct provider *provider_compat_find(const char *name);
/* The compatible providers in the table's order, NULL-ended. */
const struct provider *const *provider_compat_all(void);
/* The names provider:model takes, "openai, anthropic, ..., openrouter", for messages. */
void provider_known_names(char *out, size_t cap);
/* Split "provider:model" or pick by the model name's prefix. Sets *model to
 * the part after the colon. NULL when no provider is known for the name. */
const struct provider *provider_for_model(const char *name, const char **model);
#endif
