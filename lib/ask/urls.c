#include "ask/urls.h"
#include "diag.h"
#include "errcode.h"
#include "filetext.h"
#include "jsonx.h"
#include "media/upload.h"
#include "net/fetch.h"
#include "numparse.h"
#include "providers/provider.h"
#include <stdio.h>
#include <string.h>
#include <strings.h>

static struct fetch_opts fetching;

static int fetch_text(const char *url, struct buf *out, char *why, size_t cap)
{
	return fetch_url(url, &fetching, out, why, cap);
}

int ask_urls_setup(struct session *s)
{
	const struct cli_opts *o = s->opts;
	fetching = (struct fetch_opts){ .allow_http = o->allow_http, .timeout = o->fetch_timeout,
					.connect_timeout = o->connect_timeout };
	filetext_settings.fetch = fetch_text;
	filetext_settings.quiet = o->quiet;
	filetext_settings.max_total = FILETEXT_MAX_DEFAULT;
	if (o->files_max > 0) {
		filetext_settings.max_total = (size_t)o->files_max;
		return 0;
	}
	const char *v = config_get(&s->cfg, "", "files_max");
	if (v) {
		long long n;
		char why[200];
		if (parse_whole("files_max", v, 1, 64000000, &n, why, sizeof why) < 0)
			return error("config: files_max: %s", why), EXIT_CONFIG;
		filetext_settings.max_total = (size_t)n;
	}
	return 0;
}

/* The image type a URL's name suggests, for a URL sent unfetched. */
static const char *mime_from_name(const char *url)
{
	static const struct { const char *ext, *mime; } exts[] = {
		{ ".png", "image/png" }, { ".jpg", "image/jpeg" }, { ".jpeg", "image/jpeg" },
		{ ".gif", "image/gif" }, { ".webp", "image/webp" },
	};
	size_t n = strcspn(url, "?#");
	for (size_t i = 0; i < sizeof exts / sizeof *exts; i++) {
		size_t e = strlen(exts[i].ext);
		if (n > e && !strncasecmp(url + n - e, exts[i].ext, e))
			return exts[i].mime;
	}
	return NULL;
}

int ask_attach_url(struct session *s, struct attachments *atts, const char *url)
{
	const struct cli_opts *o = s->opts;
	char why[700];
	jv rec = jv_invalid();
	int direct = o->send_url && (s->prov == &provider_openai || s->prov == &provider_anthropic);
	if (direct) {
		const char *mime = mime_from_name(url);
		if (!mime) {
			error("%s: --send-url sends image URLs whose names end in .png, .jpg, .jpeg, .gif or .webp; "
			      "without --send-url the image is fetched and its bytes sent", url);
			return EXIT_DATAERR;
		}
		rec = JV_OBJECT(jv_string("type"), jv_string("attachment"), jv_string("mime"), jv_string(mime),
				jv_string("uri"), jv_string(url), jv_string("source"), jv_string(url));
	} else {
		if (o->send_url && verbose)
			warn("%s: %s does not fetch URLs itself: fetching it here", url, s->model_name);
		struct upload_opts uo;
		upload_defaults(&uo);
		if (s->mi && s->mi->max_side)
			uo.max_side = (int)s->mi->max_side;
		struct buf body = BUF_INIT(uo.max_bytes);
		int st = fetch_url(url, &fetching, &body, why, sizeof why);
		if (st == EXIT_DATAERR)
			snprintf(why, sizeof why, "%s: larger than the %zu MB an attachment may be", url, uo.max_bytes >> 20);
		char bad[512];
		if (!st && (st = upload_buffer(&body, url, &uo, &rec, bad, sizeof bad)))
			snprintf(why, sizeof why, "%s: %s", url, bad);
		buf_free(&body);
		if (st) {
			if (st < 128 && why[0])
				error("%s", why);
			return st;
		}
	}
	int r = attachments_add(atts, rec, why, sizeof why);
	jv_free(rec);
	if (r < 0)
		return error("%s: %s", url, why), EXIT_DATAERR;
	return 0;
}
