#include "fit.h"
#include "attach.h"
#include "tokens.h"
#include <stdlib.h>
#include <string.h>

/* Drop the first n messages, then any assistant turn left at the front:
 * providers want the conversation to start with the user. */
static size_t drop_front(struct chat_request *rq, size_t n)
{
	size_t d = 0;
	while (rq->nmsgs > 1 && (d < n || strcmp(rq->msgs[0].role, "user"))) {
		rq->msgs++;
		rq->nmsgs--;
		d++;
	}
	return d;
}

static long attachments_tokens(const struct chat_request *rq, const char *provider)
{
	long n = 0;
	for (size_t i = 0; i < rq->natts; i++)
		if (!strcmp(rq->atts[i].kind, "image"))
			n += tokens_image(provider, rq->atts[i].width, rq->atts[i].height);
	return n;
}

static double worst(const struct model_info *mi, long input, long reserve)
{
	if (!mi || mi->in_usd < 0 || mi->out_usd < 0)
		return -1;
	return (input * mi->in_usd + reserve * mi->out_usd) / 1e6;
}

int fit_request(const struct model_info *mi, const char *provider, struct chat_request *rq, int need_cost,
		struct fit *f, char *why, size_t cap)
{
	memset(f, 0, sizeof *f);
	f->reserve = rq->max_tokens > 0 ? rq->max_tokens : rq->default_max_tokens;
	if (mi && mi->max_output > 0 && f->reserve > mi->max_output)
		f->reserve = mi->max_output;
	f->limit = mi && mi->context > f->reserve ? mi->context - f->reserve : 0;
	long images = attachments_tokens(rq, provider);
	/* a token is at least one byte (an estimate adds 10%): a short
	 * conversation plainly fits without counting it */
	size_t bytes = rq->system ? strlen(rq->system) : 0;
	for (size_t i = 0; i < rq->nmsgs; i++)
		bytes += strlen(rq->msgs[i].text) + TOKENS_PER_MESSAGE;
	long bound = (long)(bytes + bytes / 10 + 1) + TOKENS_PER_MESSAGE * 2 + TOKENS_REPLY_PRIMING + images;
	if ((!f->limit || bound <= f->limit) && !need_cost) {
		f->input = bound;
		return 0;
	}
	struct token_counter tc;
	if (tokens_for(&tc, rq->model, mi, NULL, why, cap) < 0)
		return -1;
	f->counted = 1;
	f->estimate = tc.estimate;
	long *each = calloc(rq->nmsgs + 1, sizeof *each);
	if (!each) {
		snprintf(why, cap, "out of memory");
		return -1;
	}
	long total = TOKENS_REPLY_PRIMING + images + (rq->system ? tokens_message(&tc, rq->system, strlen(rq->system)) : 0);
	for (size_t i = 0; i < rq->nmsgs; i++)
		total += each[i] = tokens_message(&tc, rq->msgs[i].text, strlen(rq->msgs[i].text));
	size_t i = 0;
	while (f->limit && total > f->limit && rq->nmsgs > 1) {
		size_t d = drop_front(rq, 1);
		for (size_t k = 0; k < d; k++)
			total -= each[i++];
		f->dropped += d;
	}
	free(each);
	f->input = total;
	f->worst_usd = worst(mi, total, f->reserve);
	return 0;
}

int fit_further(struct chat_request *rq, struct fit *f)
{
	if (rq->nmsgs <= 1)
		return 0;
	size_t d = drop_front(rq, (rq->nmsgs - 1 + 1) / 2);
	f->dropped += d;
	return d > 0;
}
