/* The model table's lines: 17 columns, or the older 16 and 13; separators
 * of spaces, tabs or a CRLF's CR; a line of too many columns or an overlong
 * one refused with its number. */
#include "models.h"
#include "tap.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char path[] = "/tmp/chat-models.XXXXXX";

/* Load text as the table: 0 or -1, the models in m. */
static int load(struct models *m, const char *text)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return -1;
	fputs(text, f);
	fclose(f);
	memset(m, 0, sizeof *m);
	return models_load(m, NULL);
}

int main(void)
{
	int fd = mkstemp(path);
	if (fd < 0)
		return 1;
	close(fd);
	setenv("CHAT_MODELS", path, 1);
	struct models m;

	ok(load(&m, "# a comment\n\n"
		    "m17 openai 128000 16384 text,image text o200k_base 2048 2.50 1.25 10.00 - 3.5 1.25 0.625 5.00 2025-10-01\n"
		    "\tm16\topenai 1000 100 text text - - 1 - 2 - 0.5 - 1 2024-01-01\r\n"
		    "  m13 anthropic 200000 8192 text,image text - 1568 3 0.3 15 - 2024-06-01\n") == 0 &&
	   m.n == 3, "17, 16 and 13 columns, tabs, a CR and leading blanks load");
	const struct model_info *a = models_find(&m, "m17"), *b = models_find(&m, "m16"), *c = models_find(&m, "m13");
	ok(a && !strcmp(a->provider, "openai") && a->context == 128000 && a->max_output == 16384 &&
	   !strcmp(a->inputs, "text,image") && a->max_side == 2048 && a->in_usd == 2.5 && a->cached_usd == 1.25 &&
	   a->out_usd == 10 && a->image_usd == -1 && a->img_in_usd == 3.5 && a->batch_in_usd == 1.25 &&
	   a->batch_cached_usd == 0.625 && a->batch_out_usd == 5 && !strcmp(a->date, "2025-10-01"),
	   "each of the 17 columns lands in its field");
	ok(b && b->img_in_usd == -1 && b->batch_in_usd == 0.5 && b->batch_cached_usd == -1 && b->batch_out_usd == 1 &&
	   !strcmp(b->date, "2024-01-01") && !strcmp(b->tokenizer, "-") && b->max_side == 0,
	   "16 columns: no img_in, the batch prices and date in their places (the CR is not the date's)");
	ok(c && c->in_usd == 3 && c->out_usd == 15 && c->batch_in_usd == -1 && c->batch_out_usd == -1 &&
	   c->img_in_usd == -1 && !strcmp(c->date, "2024-06-01"), "13 columns: no batch prices, the date last");
	models_free(&m);

	ok(load(&m, "m openai 1 1 text text - - 1 1 1 - - 1 1 1 2025-10-01 extra\n") < 0,
	   "18 columns refused");
	models_free(&m);
	ok(load(&m, "ok1 openai 1 1 text text - - 1 1 1 - - 1 1 1 2025-10-01\nm openai 1 1 text\n") < 0,
	   "5 columns on line 2 refused");
	models_free(&m);
	char longline[600];
	snprintf(longline, sizeof longline, "m openai 1 1 %0250d text - - 1 1 1 - - 1 1 1 2025-10-01\n", 0);
	ok(load(&m, longline) < 0, "a column of 250 bytes refused rather than split in two");
	models_free(&m);
	ok(load(&m, "m openai x 1 text text - - 1 1 1 - - 1 1 1 2025-10-01\n") < 0, "a malformed count refused");
	models_free(&m);
	ok(load(&m, "m openai 1 1 text text - - -1 1 1 - - 1 1 1 2025-10-01\n") < 0, "a negative price refused");
	models_free(&m);
	unlink(path);
	return tap_done();
}
