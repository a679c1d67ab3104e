/* models: the model table — for each model its provider, context window,
 * output limit, what it takes and gives, tokenizer, largest useful image
 * side and prices — from the shipped data file, with the user's [model NAME]
 * sections and [aliases] from the config laid over it. */
#ifndef CHAT_MODELS_H
#define CHAT_MODELS_H
#include "config.h"

/* The model used when nothing names one and no key points elsewhere. */
#define MODEL_DEFAULT "gpt-4o-mini"

struct model_info {
	char name[96], provider[24], inputs[48], outputs[32], tokenizer[24], date[16];
	long context, max_output, max_side;     /* 0: unknown or none */
	double in_usd, cached_usd, out_usd, image_usd;   /* per 1M tokens / per image; < 0: unknown */
	double img_in_usd;       /* per 1M image tokens in (gpt-image edits); < 0: unknown */
	char image_prices[200];  /* per image by size and quality, "1024x1024=0.04,hd/1024x1024=0.08,...",
				  * when the price depends on them (image_usd is then < 0); "" otherwise */
	double batch_in_usd, batch_cached_usd, batch_out_usd;   /* the same through a batch job */
};

struct models {
	struct model_info *v;
	size_t n;
	char path[4096];
};

/* Load the table and the config's additions. 0, or -1 after a message. */
int models_load(struct models *m, const struct config *cfg);
void models_free(struct models *m);
/* The entry for a model name (after aliases), or NULL. */
const struct model_info *models_find(const struct models *m, const char *name);
/* The alias target of name in the config, or name itself. */
const char *models_alias(const struct config *cfg, const char *name);
/* Does the model take inputs of this kind ("image", "video")? */
int model_accepts(const struct model_info *mi, const char *kind);
/* The table on stdout: aligned text, or model records with json. */
int models_print(const struct models *m, int json);
/* Cost in dollars of a reply's usage, or < 0 when a price is unknown. */
double model_cost(const struct model_info *mi, long input, long cached, long output);
/* The same at the model's batch prices (chat-batch), or < 0 when unknown. */
double model_batch_cost(const struct model_info *mi, long input, long cached, long output);
/* The price of one image of this size (WxH) and quality: the table's one
 * price, or its entry for "quality/size" ("size" alone for the standard
 * quality, NULL or "standard"); < 0 when unknown. */
double model_image_price(const struct model_info *mi, const char *quality, const char *size);
/* Cost in dollars of an image model's tokens (gpt-image): text and image
 * tokens in, image tokens out, at in_usd, img_in_usd and out_usd; < 0 when
 * a price that is needed is unknown. */
double model_image_cost(const struct model_info *mi, long text_in, long image_in, long output);
#endif
