/* fit: a request made to fit its model before it is sent — the context
 * window minus the tokens reserved for the reply, the system prompt and the
 * newest turns kept, older turns dropped first — and priced at its worst
 * case (every input token plus the whole reply allowance) for --max-cost. */
#ifndef CHAT_FIT_H
#define CHAT_FIT_H
#include "models.h"
#include "chat.h"

struct fit {
	long input;          /* input tokens of what will be sent (after dropping) */
	long reserve;        /* output tokens allowed for the reply */
	long limit;          /* the most input the model takes: context - reserve; 0 unknown */
	size_t dropped;      /* earlier messages left out */
	size_t dropped_atts; /* earlier turns' attachments left out (the oldest first) */
	int estimate;        /* the count is an estimate, not the model's own */
	int counted;         /* 0: a byte bound showed it fits, nothing was counted */
	double worst_usd;    /* input + whole reply at list price; < 0 unknown */
};

/* Trim rq (its msgs and nmsgs) to fit mi's context. need_cost: count even
 * when it plainly fits, for the worst-case price. 0, or -1 with why filled
 * (the tokenizer data cannot be loaded). */
int fit_request(const struct model_info *mi, const char *provider, struct chat_request *rq, int need_cost,
		struct fit *f, char *why, size_t cap);
/* After the provider still said the context is too long: drop half of the
 * remaining earlier turns. 1 when something was dropped, 0 when nothing is left. */
int fit_further(struct chat_request *rq, struct fit *f);
/* --context N: keep only the last N earlier turns (0: none) of rq's
 * conversation; N < 0 keeps them all. The number of messages left out. */
size_t fit_context(struct chat_request *rq, long turns);

/* Whether the new prompt (rq's last message) fits the model's window on
 * its own, with the system prompt, its attachments and the reply's
 * allowance: the history cannot help an input that does not. */
struct fit_alone {
	long tokens;         /* what the prompt alone costs (0: plainly fits, not counted) */
	long limit;          /* the most input the model takes */
	long context;        /* the model's window */
	int estimate;
	char *cut;           /* with truncate: the prompt made to fit (free it), or NULL */
	size_t left_out;     /* bytes of the prompt left out of cut */
};
/* 0 it fits (or, with truncate, a->cut fits); 1 it cannot; -1 why filled. */
int fit_alone(const struct model_info *mi, const char *provider, const struct chat_request *rq, int truncate,
	      struct fit_alone *a, char *why, size_t cap);
#endif
