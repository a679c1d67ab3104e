#include "tokens/fit.h"
#include "attach.h"
#include "tokens/tokens.h"
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

/* Images by their size, PDFs by their pages, audio by its length; video
 * is not counted (its cost depends on sampling the provider does). */
static long images_tokens(const struct attachment *atts, size_t n, const char *provider)
{
	long t = 0;
	for (size_t i = 0; i < n; i++) {
		const struct attachment *a = &atts[i];
		if (!strcmp(a->kind, "image"))
			t += tokens_image(provider, a->width, a->height);
		else if (!strcmp(a->kind, "pdf"))
			t += tokens_pdf(provider, a->pages, attach_bytes(a));
		else if (!strcmp(a->kind, "audio"))
			t += tokens_audio(provider, a->duration, attach_bytes(a));
	}
	return t;
}

/* Every image the request sends: the new turn's and the earlier turns'. */
static long attachments_tokens(const struct chat_request *rq, const char *provider)
{
	long n = 0;
	for (size_t i = 0; i < rq->nmsgs; i++) {
		const struct attachment *atts;
		size_t na = chat_msg_atts(rq, i, &atts);
		n += images_tokens(atts, na, provider);
	}
	return n;
}

/* Leave out the attachments of the oldest earlier turn that still sends
 * some: the tokens saved, 0 when none is left. */
static long drop_oldest_attachments(struct chat_request *rq, const char *provider, size_t *dropped)
{
	for (size_t i = 0; i + 1 < rq->nmsgs; i++) {
		const struct attachment *atts;
		size_t na = chat_msg_atts(rq, i, &atts);
		if (!na)
			continue;
		rq->atts_from = &rq->msgs[i + 1];
		*dropped += na;
		long saved = images_tokens(atts, na, provider);
		return saved > 0 ? saved : 1;
	}
	return 0;
}

size_t fit_context(struct chat_request *rq, long turns)
{
	if (turns < 0 || rq->nmsgs <= 1)
		return 0;
	/* the earlier messages from the turns-th last user turn on */
	size_t keep = rq->nmsgs - 1;
	long seen = 0;
	while (keep > 0 && seen < turns) {
		keep--;
		if (!strcmp(rq->msgs[keep].role, "user"))
			seen++;
	}
	if (seen < turns)
		return 0; /* fewer turns than that: all of them stay */
	if (turns == 0)
		keep = rq->nmsgs - 1;
	size_t d = keep;
	rq->msgs += d;
	rq->nmsgs -= d;
	return d;
}

/* The tokens kept for the reply (in *reserve) and the most input the
 * model then takes (0: unknown). */
static long input_limit(const struct model_info *mi, const struct chat_request *rq, long *reserve)
{
	*reserve = rq->max_tokens > 0 ? rq->max_tokens : rq->default_max_tokens;
	if (mi && mi->max_output > 0 && *reserve > mi->max_output)
		*reserve = mi->max_output;
	return mi && mi->context > *reserve ? mi->context - *reserve : 0;
}

static double worst(const struct model_info *mi, long input, long reserve)
{
	if (!mi || mi->in_usd < 0 || mi->out_usd < 0)
		return -1;
	return (input * mi->in_usd + reserve * mi->out_usd) / 1e6;
}

/* Whether everything the request sends is past the provider's own limits
 * on one request (pages, bytes, seconds): the new prompt's attachments
 * were checked alone (attachments_check), earlier turns' add to them. */
static int over_provider_limits(const struct chat_request *rq, const char *provider)
{
	struct attach_tally t = { 0 };
	char why[256];
	for (size_t i = 0; i < rq->nmsgs; i++) {
		const struct attachment *atts;
		size_t na = chat_msg_atts(rq, i, &atts);
		for (size_t k = 0; k < na; k++)
			attach_tally_add(&t, &atts[k]);
	}
	return attach_tally_over(&t, provider, rq->model, why, sizeof why);
}

int fit_request(const struct model_info *mi, const char *provider, struct chat_request *rq, int need_cost,
		struct fit *f, char *why, size_t cap)
{
	memset(f, 0, sizeof *f);
	/* earlier turns' attachments that would take the request past the
	 * provider's limits are left out, the oldest first, as for the window */
	while (over_provider_limits(rq, provider) && drop_oldest_attachments(rq, provider, &f->dropped_atts) > 0)
		;
	f->limit = input_limit(mi, rq, &f->reserve);
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
	long saved;
	/* images are heavy: the oldest turns' go first, then the oldest turns */
	while (f->limit && total > f->limit && (saved = drop_oldest_attachments(rq, provider, &f->dropped_atts)) > 0)
		total -= saved;
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

/* The bytes of text that hold at most want tokens, cut at a line end where
 * there is one near, and never inside a character: from the front
 * (tail = 0) or the back. */
static size_t cut_to(const struct token_counter *tc, const char *text, size_t len, long want, int tail)
{
	long have = tokens_count(tc, text, len);
	size_t n = len;
	while (n > 0 && have > want) {
		/* shrink in proportion, a little more than needed */
		size_t next = (size_t)((double)n * (double)want / (double)have * 0.97);
		if (next >= n)
			next = n - 1;
		const char *from = tail ? text + len - next : text;
		/* a line break within the last tenth: cut there */
		for (size_t k = 0; k < next / 10; k++) {
			size_t at = tail ? k : next - 1 - k;
			if (from[at] == '\n') {
				next = tail ? next - k - 1 : next - k;
				break;
			}
		}
		while (next > 0 && ((unsigned char)(tail ? text[len - next] : text[next]) & 0xC0) == 0x80)
			next--;
		n = next;
		have = tokens_count(tc, tail ? text + len - n : text, n);
	}
	return n;
}

int fit_alone(const struct model_info *mi, const char *provider, const struct chat_request *rq, int truncate,
	      struct fit_alone *a, char *why, size_t cap)
{
	memset(a, 0, sizeof *a);
	long reserve;
	a->context = mi ? mi->context : 0;
	a->limit = input_limit(mi, rq, &reserve);
	const char *prompt = rq->msgs[rq->nmsgs - 1].text;
	size_t len = strlen(prompt), sys = rq->system ? strlen(rq->system) : 0;
	long images = images_tokens(rq->atts, rq->natts, provider);
	/* a token is at least one byte: most prompts plainly fit uncounted */
	if (!a->limit || (long)((len + sys) * 11 / 10 + 64) + images <= a->limit)
		return 0;
	struct token_counter tc;
	if (tokens_for(&tc, rq->model, mi, NULL, why, cap) < 0)
		return -1;
	long fixed = TOKENS_REPLY_PRIMING + images + (sys ? tokens_message(&tc, rq->system, sys) : 0);
	a->tokens = fixed + tokens_message(&tc, prompt, len);
	a->estimate = tc.estimate;
	if (a->tokens <= a->limit)
		return 0;
	if (!truncate)
		return 1;
	/* head and tail, with a marked gap: the start says what it is, the
	 * end is often what matters most (a log's last lines) */
	long room = a->limit - fixed - TOKENS_PER_MESSAGE - 40;
	if (room < 16) {
		snprintf(why, cap, "the system prompt and attachments alone do not leave room for the prompt");
		return 1;
	}
	size_t head = cut_to(&tc, prompt, len, room / 2, 0);
	size_t tail = cut_to(&tc, prompt, len, room / 2, 1);
	if (head + tail > len)
		tail = len - head;
	struct buf b = BUF_INIT((size_t)1 << 31);
	buf_add(&b, prompt, head);
	buf_addf(&b, "\n\n[... %zu bytes left out here to fit the model's window ...]\n\n", len - head - tail);
	buf_add(&b, prompt + len - tail, tail);
	size_t n;
	a->cut = buf_detach(&b, &n);
	a->left_out = len - head - tail;
	if (!a->cut) {
		snprintf(why, cap, "out of memory");
		return -1;
	}
	return 0;
}
