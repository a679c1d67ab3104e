/* chat-image's pure parts: file-name slugs from prompts, and the sizes,
 * qualities and styles each image API takes (Gemini's as aspect ratios). */
#include "imagegen/imagefile.h"
#include "imagegen/imagegen.h"
#include "models.h"
#include "diag.h"
#include "tap.h"
#include <stdio.h>
#include <string.h>

static void slug(const char *prompt, const char *want)
{
	char out[64];
	imagefile_slug(prompt, out, sizeof out);
	is_str(out, want, prompt);
}

static void check(enum imagegen_api api, const char *model, const char *size, const char *quality, const char *style,
		  int want, const char *want_ratio)
{
	struct imagegen_req rq = { .api = api, .model = model, .prompt = "p", .n = 1, .size = size,
				   .quality = quality, .style = style };
	char ratio[16], why[256];
	int st = imagegen_check(&rq, ratio, sizeof ratio, why, sizeof why);
	ok(st == want, "%s size=%s quality=%s style=%s: %d (%s)", model, size ? size : "-", quality ? quality : "-",
	   style ? style : "-", st, st ? why : "ok");
	if (want_ratio)
		is_str(ratio, want_ratio, "... as the aspect ratio");
}

/* The output tokens of one gpt-image image: OpenAI's published figures. */
static void tokens(const char *quality, const char *size, long want)
{
	long got = imagegen_output_tokens(quality, size);
	ok(got == want, "output tokens, quality %s, size %s: %ld (want %ld)", quality ? quality : "-",
	   size ? size : "-", got, want);
}

/* Prices by size and quality, and by tokens, from a table entry. */
static void prices(void)
{
	struct model_info d3 = { .image_usd = -1, .in_usd = -1, .out_usd = -1, .img_in_usd = -1,
				 .image_prices = "1024x1024=0.04,1792x1024=0.08,hd/1024x1024=0.08,hd/1792x1024=0.12" };
	ok(model_image_price(&d3, NULL, "1024x1024") == 0.04, "dall-e-3 standard 1024x1024: $0.04");
	ok(model_image_price(&d3, "standard", "1792x1024") == 0.08, "... standard wide: $0.08");
	ok(model_image_price(&d3, "hd", "1024x1024") == 0.08, "... hd 1024x1024: $0.08");
	ok(model_image_price(&d3, "hd", "1792x1024") == 0.12, "... hd wide: $0.12");
	ok(model_image_price(&d3, "hd", "1024x1792") < 0, "... a size the list lacks: unknown");
	ok(model_image_price(&d3, NULL, "792x1024") < 0, "... no match on a key's tail");
	struct model_info flat = { .image_usd = 0.039, .in_usd = -1, .out_usd = -1, .img_in_usd = -1 };
	ok(model_image_price(&flat, "hd", "1:1") == 0.039, "one price: whatever the size and quality");
	ok(model_image_price(NULL, NULL, "1024x1024") < 0, "no table entry: unknown");
	struct model_info gi = { .image_usd = -1, .in_usd = 5, .out_usd = 40, .img_in_usd = 10 };
	double c = model_image_cost(&gi, 3, 194, 2112);
	ok(c > 0.086434999 && c < 0.086435001, "gpt-image-1: 3 text, 194 image in, 2112 out: $0.086435 (%.10g)", c);
	gi.img_in_usd = -1;
	ok(model_image_cost(&gi, 3, 0, 1056) > 0, "no image price: fine without image tokens");
	ok(model_image_cost(&gi, 3, 194, 1056) < 0, "... unknown with them");
}

int main(void)
{
	tokens("low", "1024x1024", 272);
	tokens("medium", "1536x1024", 1568);
	tokens("high", "1024x1536", 6240);
	tokens("auto", "1024x1024", 4160);
	tokens(NULL, NULL, 6240);
	tokens("medium", "auto", 1584);
	tokens("low", "2048x1024", 544);
	tokens("high", "1280x720", 3657);
	prices();

	slug("a lighthouse at dawn, watercolour", "a-lighthouse-at-dawn-watercolour");
	slug("  Two  SHIPS!! ", "two-ships");
	slug("Éclair au café, s'il vous plaît", "clair-au-caf-s-il-vous-pla-t");
	slug("the quick brown fox jumps over the lazy dog again and again", "the-quick-brown-fox-jumps-over-the-lazy");
	slug("supercalifragilisticexpialidocious-and-then-some-more-letters", "supercalifragilisticexpialidocious-and");
	slug("abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz", "abcdefghijklmnopqrstuvwxyzabcdefghijklmn");
	slug("!!! ??? ...", "image");
	slug("", "image");

	check(IG_GPT_IMAGE, "gpt-image-1", "1536x1024", "high", NULL, 0, NULL);
	check(IG_GPT_IMAGE, "gpt-image-1", "auto", "auto", NULL, 0, NULL);
	check(IG_GPT_IMAGE, "gpt-image-1", "1792x1024", NULL, NULL, EXIT_USAGE, NULL);
	check(IG_GPT_IMAGE, "gpt-image-1", NULL, "hd", NULL, EXIT_USAGE, NULL);
	check(IG_GPT_IMAGE, "gpt-image-1", NULL, NULL, "vivid", EXIT_USAGE, NULL);
	check(IG_GPT_IMAGE, "gpt-image-2", "1280x720", NULL, NULL, 0, NULL);
	check(IG_GPT_IMAGE, "gpt-image-2", "1280x721", NULL, NULL, EXIT_USAGE, NULL);
	check(IG_DALLE3, "dall-e-3", "1024x1792", "hd", "natural", 0, NULL);
	check(IG_DALLE3, "dall-e-3", "1536x1024", NULL, NULL, EXIT_USAGE, NULL);
	check(IG_DALLE3, "dall-e-3", NULL, "high", NULL, EXIT_USAGE, NULL);
	check(IG_DALLE3, "dall-e-3", NULL, NULL, "moody", EXIT_USAGE, NULL);
	check(IG_DALLE2, "dall-e-2", "512x512", NULL, NULL, 0, NULL);
	check(IG_DALLE2, "dall-e-2", "1024x1792", NULL, NULL, EXIT_USAGE, NULL);
	check(IG_GEMINI, "gemini-2.5-flash-image", "16:9", NULL, NULL, 0, "16:9");
	check(IG_GEMINI, "gemini-2.5-flash-image", "1536x1024", NULL, NULL, 0, "3:2");
	check(IG_GEMINI, "gemini-2.5-flash-image", "1024x1024", NULL, NULL, 0, "1:1");
	check(IG_GEMINI, "gemini-2.5-flash-image", "1792x1024", NULL, NULL, EXIT_USAGE, NULL);
	check(IG_GEMINI, "gemini-2.5-flash-image", "wide", NULL, NULL, EXIT_USAGE, NULL);
	check(IG_GEMINI, "gemini-2.5-flash-image", NULL, "high", NULL, EXIT_USAGE, NULL);
	check(IG_NONE, "claude-haiku-4-5", NULL, NULL, NULL, EXIT_USAGE, NULL);

	/* prompt length, counted in characters, not bytes */
	char long_prompt[4100 * 2 + 1];
	for (int i = 0; i < 4000; i++)
		memcpy(long_prompt + 2 * i, "\xc3\xa9", 2);
	long_prompt[8000] = 0;
	struct imagegen_req rq = { .api = IG_DALLE3, .model = "dall-e-3", .prompt = long_prompt, .n = 1 };
	char ratio[16], why[256];
	ok(imagegen_check(&rq, ratio, sizeof ratio, why, sizeof why) == 0, "dall-e-3: 4000 characters (8000 bytes) go");
	memcpy(long_prompt + 8000, "e", 2);
	ok(imagegen_check(&rq, ratio, sizeof ratio, why, sizeof why) == EXIT_DATAERR, "dall-e-3: 4001 characters do not");

	ok(imagegen_max_per_request(IG_GPT_IMAGE) == 10 && imagegen_max_per_request(IG_DALLE2) == 10,
	   "gpt-image and dall-e-2: up to 10 images a request");
	ok(imagegen_max_per_request(IG_DALLE3) == 1 && imagegen_max_per_request(IG_GEMINI) == 1,
	   "dall-e-3 and Gemini: one image a request");
	return tap_done();
}
