/* Which encoding a model name counts with: tiktoken's map of exact names
 * and prefixes (encmap), and how tokens_for uses it, the model table and
 * --encoding — exact counts for names the model table has never heard of. */
#include "config.h"
#include "tokens/encmap.h"
#include "models.h"
#include "tap.h"
#include "tokens/tokens.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* tiktoken's own answers (encoding_name_for_model); NULL: it names none, or
 * one we do not ship (those stay estimates). */
static const struct {
	const char *model, *want;
} names[] = {
	/* exact names */
	{ "gpt-4", "cl100k_base" }, { "gpt-3.5-turbo", "cl100k_base" }, { "gpt-3.5", "cl100k_base" },
	{ "gpt-35-turbo", "cl100k_base" }, { "davinci-002", "cl100k_base" }, { "babbage-002", "cl100k_base" },
	{ "text-embedding-ada-002", "cl100k_base" }, { "text-embedding-3-small", "cl100k_base" },
	{ "text-embedding-3-large", "cl100k_base" }, { "o1", "o200k_base" }, { "o3", "o200k_base" },
	{ "o4-mini", "o200k_base" }, { "gpt-4o", "o200k_base" }, { "gpt-4.1", "o200k_base" }, { "gpt-5", "o200k_base" },
	/* prefixes: snapshots and sizes the model table does not list */
	{ "gpt-4-0613", "cl100k_base" }, { "gpt-4-32k", "cl100k_base" }, { "gpt-4-turbo-2024-04-09", "cl100k_base" },
	{ "gpt-4-1106-preview", "cl100k_base" }, { "gpt-3.5-turbo-0613", "cl100k_base" },
	{ "gpt-3.5-turbo-16k", "cl100k_base" }, { "gpt-3.5-turbo-instruct", "cl100k_base" },
	{ "gpt-35-turbo-16k", "cl100k_base" }, { "o1-mini", "o200k_base" }, { "o1-preview-2024-09-12", "o200k_base" },
	{ "o3-mini", "o200k_base" }, { "o3-pro", "o200k_base" }, { "o4-mini-2025-04-16", "o200k_base" },
	{ "gpt-5-mini", "o200k_base" }, { "gpt-5-chat-latest", "o200k_base" }, { "gpt-4.5-preview", "o200k_base" },
	{ "gpt-4.1-nano", "o200k_base" }, { "gpt-4.1-mini-2025-04-14", "o200k_base" },
	{ "chatgpt-4o-latest", "o200k_base" }, { "gpt-4o-mini", "o200k_base" }, { "gpt-4o-2024-08-06", "o200k_base" },
	{ "gpt-4o-realtime-preview", "o200k_base" }, { "gpt-oss-120b", "o200k_harmony" },
	{ "gpt-oss-20b", "o200k_harmony" },
	/* fine-tunes: the longer ft:gpt-4o before ft:gpt-4 */
	{ "ft:gpt-4o-mini:org:x:1", "o200k_base" }, { "ft:gpt-4o-2024-08-06:acme::abc123", "o200k_base" },
	{ "ft:gpt-4-0613:acme::xyz", "cl100k_base" }, { "ft:gpt-3.5-turbo:org:y:2", "cl100k_base" },
	{ "ft:davinci-002:org::3", "cl100k_base" }, { "ft:babbage-002:org::4", "cl100k_base" },
	/* a provider in front */
	{ "openai:gpt-4", "cl100k_base" }, { "openai:gpt-4o-mini", "o200k_base" },
	{ "openai:ft:gpt-4o-mini:org:x:1", "o200k_base" }, { "ollama:gpt-oss-20b", "o200k_harmony" },
	/* nothing tiktoken maps, or an encoding we do not ship */
	{ "claude-haiku-4-5", NULL }, { "gemini-2.5-flash", NULL }, { "anthropic:claude-sonnet-4-5", NULL },
	{ "text-davinci-003", NULL }, { "code-davinci-002", NULL }, { "davinci", NULL }, { "gpt2", NULL },
	{ "gpt-4o1", NULL }, { "o2", NULL }, { "gpt-5.1", NULL }, { "gpt-oss:20b", NULL },
	{ "nosuch:gpt-4", NULL }, { "ft:claude-3", NULL }, { "text-embedding-3", NULL }, { "", NULL },
	{ "gpt", NULL }, { "o", NULL },
};

static void map(void)
{
	for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
		const char *got = encmap_model(names[i].model);
		ok(got == names[i].want || (got && names[i].want && !strcmp(got, names[i].want)), "'%s': %s (got %s)",
		   names[i].model, names[i].want ? names[i].want : "none", got ? got : "none");
	}
	ok(encmap_model(NULL) == NULL, "no name: none");
	is_str(encmap_ranks("o200k_harmony"), "o200k_base", "o200k_harmony counts with o200k_base's ranks");
	is_str(encmap_ranks("cl100k_base"), "cl100k_base", "cl100k_base counts with its own");
	ok(!encmap_ranks("p50k_base") && !encmap_ranks(NULL), "p50k_base is not shipped");
}

/* tiktoken's ids for this text: 25 in cl100k_base, 23 in o200k_base
 * (tests/data/tokenizer-vectors.jsonl, "english"). */
static const char fox[] = "The quick brown fox jumps over the lazy dog. It's 3:45pm; we've got 12 minutes!";

static void count_as(const char *model, const struct model_info *mi, const char *enc, const char *want_enc,
		    int want_estimate, long want_n)
{
	struct token_counter tc;
	char why[256] = "";
	if (!ok(tokens_for(&tc, model, mi, enc, why, sizeof why) == 0, "'%s': set up%s%s", model ? model : "(none)",
		why[0] ? ": " : "", why))
		return;
	long n = tokens_count(&tc, fox, strlen(fox));
	ok(!strcmp(tc.encoding, want_enc) && tc.estimate == want_estimate && n == want_n,
	   "'%s'%s%s: %s, %s, %ld tokens (got %s, %s, %ld)", model ? model : "(none)", enc ? " with " : "",
	   enc ? enc : "", want_enc, want_estimate ? "an estimate" : "exact", want_n, tc.encoding,
	   tc.estimate ? "an estimate" : "exact", n);
}

static void counting(void)
{
	/* none of these has a table entry: the name alone decides */
	count_as("gpt-4", NULL, NULL, "cl100k_base", 0, 25);
	count_as("gpt-3.5-turbo-0613", NULL, NULL, "cl100k_base", 0, 25);
	count_as("openai:gpt-4", NULL, NULL, "cl100k_base", 0, 25);
	count_as("ft:gpt-4o-mini:org:x:1", NULL, NULL, "o200k_base", 0, 23);
	count_as("o3-mini", NULL, NULL, "o200k_base", 0, 23);
	count_as("gpt-4.1-nano", NULL, NULL, "o200k_base", 0, 23);
	count_as("gpt-oss-120b", NULL, NULL, "o200k_harmony", 0, 23);
	/* an estimate: o200k_base plus 10%, rounded up */
	count_as("claude-haiku-4-5", NULL, NULL, "o200k_base", 1, 26);
	count_as("text-davinci-003", NULL, NULL, "o200k_base", 1, 26);
	count_as(NULL, NULL, NULL, "o200k_base", 1, 26);

	/* a name tiktoken does not know counts with the table's tokenizer */
	struct model_info mi;
	memset(&mi, 0, sizeof mi);
	snprintf(mi.name, sizeof mi.name, "my-local-model");
	snprintf(mi.tokenizer, sizeof mi.tokenizer, "cl100k_base");
	count_as("my-local-model", &mi, NULL, "cl100k_base", 0, 25);
	/* tiktoken's map wins over a table entry that says otherwise */
	snprintf(mi.name, sizeof mi.name, "gpt-4");
	snprintf(mi.tokenizer, sizeof mi.tokenizer, "o200k_base");
	count_as("gpt-4", &mi, NULL, "cl100k_base", 0, 25);
	/* and --encoding over both */
	count_as("gpt-4", &mi, "o200k_base", "o200k_base", 0, 23);
	count_as("claude-haiku-4-5", NULL, "cl100k_base", "cl100k_base", 0, 25);

	struct token_counter tc;
	char why[256] = "";
	ok(tokens_for(&tc, "gpt-4", NULL, "p50k_base", why, sizeof why) < 0 && strstr(why, "unknown encoding"),
	   "an encoding we do not ship is refused: %s", why);
}

/* The shipped table's tokenizer column agrees with tiktoken's map wherever
 * the map names the model, so neither can drift from the other unseen. */
static void table_agrees(void)
{
	struct config cfg;
	memset(&cfg, 0, sizeof cfg);
	struct models m;
	if (!ok(models_load(&m, &cfg) == 0, "the model table loads"))
		return;
	size_t named = 0, bad = 0;
	for (size_t i = 0; i < m.n; i++) {
		const char *enc = encmap_model(m.v[i].name);
		if (!enc)
			continue;
		named++;
		if (strcmp(enc, m.v[i].tokenizer)) {
			bad++;
			printf("# %s: the table says %s, tiktoken %s\n", m.v[i].name, m.v[i].tokenizer, enc);
		}
	}
	ok(named >= 10 && bad == 0, "the table's tokenizer agrees with tiktoken for all %zu models it names", named);
	models_free(&m);
}

int main(void)
{
	setenv("CHAT_DATA", "share/chat", 0);
	setenv("CHAT_MODELS", "share/chat/models", 0);
	map();
	counting();
	table_agrees();
	return tap_done();
}
