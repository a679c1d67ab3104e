/* chat-upload: images, PDFs, audio and video made ready for a model, as
 * attachment records for chat-send and chat-stream. */
#include "config.h"
#include "cli.h"
#include "diag.h"
#include "numparse.h"
#include "fdio.h"
#include "models.h"
#include "providers/endpoint.h"
#include "sig.h"
#include "media/upload.h"
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char help[] =
	"usage: chat-upload [options] FILE...\n"
	"Turn images, PDFs, audio and videos into attachment records for chat-send\n"
	"and chat-stream: images are decoded, turned upright (EXIF), shrunk for the\n"
	"model, stripped of all metadata and re-encoded; PDFs (with their pages),\n"
	"audio (with its duration) and videos go as they are, and one too large to\n"
	"send inline is uploaded to the Gemini Files API (with GEMINI_API_KEY),\n"
	"resuming after a dropped connection.\n"
	"\n"
	"  -m, --model MODEL        shrink to what MODEL uses, refuse a kind of file\n"
	"                           it cannot take (the model table)\n"
	"      --max-side N         longest side in pixels (default 2048)\n"
	"      --quality Q          low, medium or high JPEG quality (default medium)\n"
	"      --flatten COLOR      drop transparency onto COLOR (#rrggbb, white, black)\n"
	"      --max-bytes N        refuse inputs over N bytes (default 20M; K or M);\n"
	"                           a PDF, audio or video whose base64 is over N\n"
	"                           is uploaded\n"
	"  -o, --output FILE        write the processed image to FILE, not a record\n"
	"  -q, --quiet              no progress bar, no messages for files that fail\n"
	"  -v, --verbose            say what was done to each file\n"
	"  -h, --help               show this help\n"
	"      --version            show the version\n"
	"\n"
	"Accepted (by their bytes, not their names): PNG, JPEG, GIF and WebP (the\n"
	"first frame of an animation) and HEIC images; PDF; WAV, MP3, M4A, AAC, OGG\n"
	"and FLAC audio; MP4, MOV, WebM, MPEG and AVI video.\n"
	"\n"
	"Examples:\n"
	"  chat-upload photo.jpg chart.png | chat-send 'Compare these'\n"
	"  chat-upload -m claude-sonnet-4-5 scan.png | chat-stream 'Transcribe this'\n"
	"  chat-upload --max-side 1024 -o small.jpg big.jpg\n"
	"  chat-upload report.pdf | chat-send -m claude-sonnet-4-5 'Summarise it'\n"
	"  chat-upload talk.mp4 | chat-send -m gemini-2.5-flash 'Summarise the talk'\n"
	"\n"
	"Exit status: 0 ok, 64 usage, 65 a file is not in an accepted format, or\n"
	"is corrupt, cut short or too large, 66 a file is unreadable, 69 the Files\n"
	"API is unavailable, 73 cannot write, 75 rate limited or too slow, 77 no key.\n";

enum { O_MAX_SIDE = 256, O_QUALITY, O_FLATTEN, O_MAX_BYTES, O_VERSION };

static const struct option longopts[] = {
	{ "model", required_argument, NULL, 'm' }, { "max-side", required_argument, NULL, O_MAX_SIDE },
	{ "quality", required_argument, NULL, O_QUALITY }, { "flatten", required_argument, NULL, O_FLATTEN },
	{ "max-bytes", required_argument, NULL, O_MAX_BYTES }, { "output", required_argument, NULL, 'o' },
	{ "quiet", no_argument, NULL, 'q' }, { "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' }, { "version", no_argument, NULL, O_VERSION },
	{ NULL, 0, NULL, 0 },
};


/* Bytes, or a whole number with K, M or G. */
static size_t size_arg(const char *flag, const char *s)
{
	static const struct { char c; long long mul; } units[] = { { 'K', 1LL << 10 }, { 'k', 1LL << 10 },
		{ 'M', 1LL << 20 }, { 'G', 1LL << 30 } };
	char digits[32], why[200];
	size_t n = strlen(s);
	long long mul = 1, v;
	for (size_t i = 0; n && i < sizeof units / sizeof *units; i++)
		if (s[n - 1] == units[i].c) {
			mul = units[i].mul;
			n--;
			break;
		}
	if (n >= sizeof digits)
		n = 0;
	memcpy(digits, s, n);
	digits[n] = 0;
	if (parse_whole(flag, digits, 1, (1LL << 40) / mul, &v, why, sizeof why) < 0) {
		snprintf(why, sizeof why, "%s: expected a size such as 20M, got '%s'", flag, s);
		die_usage(why, NULL);
	}
	return (size_t)(v * mul);
}

/* The Gemini base URL and key, looked up only once a video needs uploading
 * (images need neither), by provider_endpoint as chat-send finds them;
 * ctx points at the -q flag. */
static struct endpoint gemini;

static int prepare_gemini(struct upload_remote *r, char *why, size_t cap)
{
	struct config cfg;
	if (config_load(&cfg) < 0) {
		why[0] = 0; /* config_load said why */
		return EXIT_CONFIG;
	}
	int st = provider_endpoint(&provider_gemini, &cfg, &gemini, why, cap);
	if (st && gemini.key_missing) {
		char hint[1024];
		provider_key_hint(&provider_gemini, &cfg, hint, sizeof hint);
		snprintf(why, cap, "a file this large is uploaded to the Gemini Files API, which needs a key: %s", hint);
	}
	config_free(&cfg);
	if (st)
		return st;
	if (gemini.warning[0] && !*(const int *)r->ctx)
		warn("%s", gemini.warning);
	if (verbose)
		warn("Gemini Files API at %s, key from %s", gemini.base, gemini.key_source);
	r->files.base = gemini.base;
	r->files.key = gemini.key;
	r->files.key_source = gemini.key_source;
	return 0;
}

/* -m: shrink to the model's largest side (unless --max-side was given),
 * and a video goes to the Files API only for a Gemini model (else why_not
 * says why not). 0 or an exit status. */
static char model_inputs[48];

static int fit_model(const char *model, struct upload_opts *uo, int side_set, char *why_not, size_t cap)
{
	struct config cfg;
	struct models table;
	if (config_load(&cfg) < 0)
		return EXIT_CONFIG;
	if (models_load(&table, &cfg) < 0) {
		config_free(&cfg);
		return EXIT_CONFIG;
	}
	const struct model_info *mi = models_find(&table, models_alias(&cfg, model));
	if (!mi)
		die_usage("not in the model table (see chat-send --models)", model);
	if (mi->max_side && !side_set)
		uo->max_side = (int)mi->max_side;
	snprintf(model_inputs, sizeof model_inputs, "%s", mi->inputs);
	uo->model = model;
	uo->model_inputs = model_inputs;
	if (strcmp(mi->provider, provider_gemini.name))
		snprintf(why_not, cap, "%s is not a Gemini model", model);
	models_free(&table);
	config_free(&cfg);
	return 0;
}

int main(int argc, char **argv)
{
	diag_init(argv[0]);
	sig_install(); /* an upload stops cleanly on ^C; a closed stdout is EPIPE */
	struct upload_opts uo;
	upload_defaults(&uo);
	struct upload_remote remote = { .prepare = prepare_gemini };
	char why_not[320] = "";
	const char *model = NULL, *out = NULL;
	int quiet = 0, side_set = 0, c;
	opterr = 0;
	const char *shortopts = ":m:o:qvh";
	while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		switch (c) {
		case 'm': model = optarg; break;
		case O_MAX_SIDE: uo.max_side = (int)cli_number("--max-side", optarg, 16, 20000); side_set = 1; break;
		case O_QUALITY:
			if ((uo.quality = upload_quality(optarg)) < 0)
				die_usage("--quality: expected low, medium or high", optarg);
			break;
		case O_FLATTEN:
			if (upload_color(optarg, uo.bg) < 0)
				die_usage("--flatten: expected #rrggbb, white or black", optarg);
			uo.flatten = 1;
			break;
		case O_MAX_BYTES: uo.max_bytes = size_arg("--max-bytes", optarg); break;
		case 'o': out = optarg; break;
		case 'q': quiet = 1; break;
		case 'v': verbose++; break;
		default: cli_std_option(c, O_VERSION, shortopts, argv, help);
		}
	}
	if (optind >= argc)
		die_usage("no files given", NULL);
	if (out && argc - optind != 1)
		die_usage("-o takes one input file", NULL);
	if (model) {
		int st = fit_model(model, &uo, side_set, why_not, sizeof why_not);
		if (st)
			return st;
	}
	uo.remote = why_not[0] ? NULL : &remote;
	uo.no_remote = why_not;
	remote.files.progress = !quiet;
	remote.ctx = &quiet;
	int status = 0;
	enum upload_next next = UPLOAD_NEXT;
	for (int i = optind; i < argc && next == UPLOAD_NEXT; i++) {
		int r = upload_emit(argv[i], &uo, out, quiet, &next);
		if (r && (!status || next == UPLOAD_ABORT))
			status = r;
	}
	explicit_bzero(gemini.key, sizeof gemini.key);
	return cli_exit(status);
}
