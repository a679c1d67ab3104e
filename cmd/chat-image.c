/* chat-image: generate images from a prompt with OpenAI's Images API or a
 * Gemini image model, check each one by decoding it, write the files
 * atomically, and log the prompt and the images in the history. */
#include "attach.h"
#include "cli.h"
#include "net/http.h"
#include "diag.h"
#include "imagegen/imagerun.h"
#include "providers/endpoint.h"
#include "input.h"
#include "fdio.h"
#include "sig.h"
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char help[] =
	"usage: chat-image [options] PROMPT...\n"
	"Generate images with OpenAI's Images API (gpt-image-1, dall-e-3) or a\n"
	"Gemini image model. Words are the prompt; text on stdin is added. Each\n"
	"image is decoded to check it, then written atomically; a file is never\n"
	"replaced without --force. Prints the paths, one a line.\n"
	"\n"
	"  -m, --model MODEL        image model (default gpt-image-1)\n"
	"  -n, --count N            how many images, 1 to 10 (default 1)\n"
	"      --size SIZE          WxH the model takes, or auto; Gemini: a ratio\n"
	"      --quality Q          low, medium, high, auto; dall-e-3: standard, hd\n"
	"      --style S            dall-e-3: vivid or natural\n"
	"      --format F           png or jpeg (converted here if the model cannot)\n"
	"      --image FILE         edit this image (gpt-image-1, dall-e-2, Gemini)\n"
	"  -o, --output FILE        write FILE (with -n: FILE-1.png, FILE-2.png, ...)\n"
	"      --dir DIR            write into DIR, named from the prompt (default .)\n"
	"      --force              replace existing files\n"
	"      --json               write image records instead of paths\n"
	"      --max-cost USD       refuse when the images could cost more\n"
	"      --retries N          retries on 408, 409, 429, 5xx, network (default 2)\n"
	"      --connect-timeout S  seconds to connect (default 20)\n"
	"      --timeout S          seconds for a whole request (default none)\n"
	"      --db PATH            history (default $CHAT_DB or ~/.local/share/chat)\n"
	"      --no-log             do not record the images in the history\n"
	"      --dry-run            print the request(s) as records; send nothing\n"
	"  -q, --quiet              no error messages\n"
	"  -v, --verbose            trace the HTTP exchange on stderr (keys redacted)\n"
	"  -h, --help               show this help\n"
	"      --version            show the version\n"
	"\n"
	"Examples:\n"
	"  chat-image 'a lighthouse at dawn, watercolour' -n 2 --dir out/\n"
	"  chat-image -m dall-e-3 --size 1792x1024 -o banner.png 'a quiet harbour'\n"
	"  chat-image --image photo.jpg -o night.png 'the same street at night'\n"
	"\n"
	"Exit status: 0 ok, 1 some images failed, 3 over --max-cost, 64 usage,\n"
	"65 bad input or refused, 66 unreadable --image, 69 provider unavailable,\n"
	"73 cannot write, 75 rate limited or timed out, 77 no key, 78 config.\n";

enum { O_SIZE = 256, O_QUALITY, O_STYLE, O_FORMAT, O_IMAGE, O_DIR, O_FORCE, O_JSON, O_MAX_COST, O_RETRIES,
       O_CONNECT_TIMEOUT, O_TIMEOUT, O_DB, O_NO_LOG, O_VERSION, O_DRY_RUN };

static const struct option longopts[] = {
	{ "model", required_argument, NULL, 'm' }, { "count", required_argument, NULL, 'n' },
	{ "size", required_argument, NULL, O_SIZE }, { "quality", required_argument, NULL, O_QUALITY },
	{ "style", required_argument, NULL, O_STYLE }, { "format", required_argument, NULL, O_FORMAT },
	{ "image", required_argument, NULL, O_IMAGE }, { "output", required_argument, NULL, 'o' },
	{ "dir", required_argument, NULL, O_DIR }, { "force", no_argument, NULL, O_FORCE },
	{ "json", no_argument, NULL, O_JSON }, { "max-cost", required_argument, NULL, O_MAX_COST },
	{ "retries", required_argument, NULL, O_RETRIES },
	{ "connect-timeout", required_argument, NULL, O_CONNECT_TIMEOUT },
	{ "timeout", required_argument, NULL, O_TIMEOUT }, { "db", required_argument, NULL, O_DB },
	{ "no-log", no_argument, NULL, O_NO_LOG }, { "dry-run", no_argument, NULL, O_DRY_RUN }, { "quiet", no_argument, NULL, 'q' },
	{ "verbose", no_argument, NULL, 'v' }, { "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, O_VERSION }, { NULL, 0, NULL, 0 },
};

/* The options, beside the run they set up. */
struct opts {
	struct cli_opts o;
	struct imagerun r;
	const char *image;            /* --image FILE */
};

static void parse(int argc, char **argv, struct opts *p)
{
	struct cli_opts *o = &p->o;
	struct imagerun *r = &p->r;
	cli_defaults(o);
	o->text_only = 1;
	r->count = 1;
	const char *format = NULL;
	int c;
	opterr = 0;
	const char *shortopts = ":m:n:o:qvh";
	while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		switch (c) {
		case 'm': o->model = optarg; break;
		case 'n': r->count = (int)cli_number("--count", optarg, 1, 10); break;
		case O_SIZE: r->rq.size = optarg; break;
		case O_QUALITY: r->rq.quality = optarg; break;
		case O_STYLE: r->rq.style = optarg; break;
		case O_FORMAT: format = optarg; break;
		case O_IMAGE: p->image = optarg; break;
		case 'o': r->fo.output = optarg; break;
		case O_DIR: r->fo.dir = optarg; break;
		case O_FORCE: r->fo.force = 1; break;
		case O_JSON: o->json = 1; break;
		case O_MAX_COST: o->max_cost = cli_dollars("--max-cost", optarg, 1e6); break;
		case O_RETRIES: o->retries = (int)cli_number("--retries", optarg, 0, 100); break;
		case O_CONNECT_TIMEOUT: o->connect_timeout = cli_number("--connect-timeout", optarg, 1, 3600); break;
		case O_TIMEOUT: o->timeout = cli_number("--timeout", optarg, 1, 86400); break;
		case O_DB: o->db = optarg; break;
		case O_NO_LOG: o->no_log = 1; break;
		case O_DRY_RUN: o->dry_run = o->no_log = 1; break;
		case 'q': o->quiet = 1; break;
		case 'v': verbose++; break;
		default: cli_std_option(c, O_VERSION, shortopts, argv, help);
		}
	}
	if (r->fo.output && r->fo.dir)
		die_usage("-o and --dir cannot be used together", NULL);
	if (r->fo.output && !*r->fo.output)
		die_usage("-o needs a file name", NULL);
	/* the format: --format, else what -o's name says, else as the model makes it */
	enum image_format by_name = imagefile_format_for(r->fo.output);
	r->fo.want = by_name;
	if (format) {
		r->fo.want = !strcmp(format, "png") ? IMG_PNG : !strcmp(format, "jpeg") || !strcmp(format, "jpg") ? IMG_JPEG
			   : IMG_UNKNOWN;
		if (r->fo.want == IMG_UNKNOWN)
			die_usage("--format: expected png or jpeg", format);
		if (by_name != IMG_UNKNOWN && by_name != r->fo.want)
			die_usage("-o names a file of the other format than --format", r->fo.output);
	}
	o->nwords = argc - optind;
	o->words = argv + optind;
	r->fo.count = r->count;
}

/* The model, and the --image to edit made ready for it. 0 or an exit status. */
static int prepare(struct opts *p, struct session *s, struct attachments *atts)
{
	struct imagerun *r = &p->r;
	int st = imagerun_model(r, imagerun_pick_model(p->o.model, &s->cfg), p->image != NULL);
	if (st || !p->image)
		return st;
	return imagerun_edit_image(r, atts, p->image);
}

int main(int argc, char **argv)
{
	diag_init(argv[0]);
	sig_install();
	static struct opts p;
	static struct session s;
	parse(argc, argv, &p);
	if (!p.o.dry_run)
		http_global_init_early();
	struct imagerun *r = &p.r;
	struct line_reader lr;
	struct buf prompt = BUF_INIT(INPUT_MAX);
	struct attachments atts;
	attachments_init(&atts);
	lr_init(&lr, 0, INPUT_MAX);
	r->s = &s;
	int records = 0, from_stdin = p.image && !strcmp(p.image, "-");
	int st = session_config(&s, &p.o);
	if (!st && !from_stdin) /* no prompt is a usage error, found before anything else */
		st = input_gather(&p.o, &lr, &prompt, &records);
	if (!st)
		st = prepare(&p, &s, &atts);
	if (!st && from_stdin) /* the image was stdin: the prompt is the words */
		st = input_gather(&p.o, &lr, &prompt, &records);
	if (!st) {
		char why[400], ratio[16];
		r->rq.prompt = r->fo.prompt = buf_str(&prompt);
		if (r->rq.api == IG_GPT_IMAGE && r->fo.want != IMG_UNKNOWN)
			r->rq.format = r->fo.want == IMG_PNG ? "png" : "jpeg"; /* the model makes it so */
		if ((st = imagegen_check(&r->rq, ratio, sizeof ratio, why, sizeof why)))
			error("%s", why);
	}
	if (!st)
		st = imagerun_budget(r);
	if (!st && p.o.dry_run)
		st = imagerun_describe(r);
	else if (!st) {
		struct histlog_start hs = { .db_flag = p.o.db, .no_log = p.o.no_log, .prompt = r->rq.prompt,
					    .atts = atts.n ? &atts : NULL };
		st = histlog_begin(&s.hist, &hs);
		if (!st)
			st = imagerun_go(r);
	}
	imagerun_free(r);
	attachments_free(&atts);
	buf_free(&prompt);
	lr_free(&lr);
	session_close(&s);
	return cli_exit(st);
}
