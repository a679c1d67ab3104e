#include "net/fetch.h"
#include "diag.h"
#include "errcode.h"
#include "net/http.h"
#include "sig.h"
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_REDIRECTS 5
#define STALL_SECS 30   /* no byte for this long ends the fetch, whatever the total cap */

struct sink {
	struct buf *out;
	int over;
};

static size_t on_data(char *p, size_t size, size_t n, void *ctx)
{
	struct sink *s = ctx;
	if (buf_add(s->out, p, size * n) < 0) {
		s->over = 1; /* a chunked reply has no length to refuse up front */
		return 0;
	}
	return size * n;
}

static int on_progress(void *ctx, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
	(void)ctx, (void)dt, (void)dn, (void)ut, (void)un;
	return sig_caught != 0;
}

int fetch_url(const char *url, const struct fetch_opts *o, struct buf *out, char *why, size_t cap)
{
	int https = !strncmp(url, "https://", 8);
	if (!https && !(o->allow_http && !strncmp(url, "http://", 7))) {
		snprintf(why, cap, "%s: only https:// URLs are fetched (http:// with --allow-http)", url);
		return EXIT_USAGE;
	}
	http_global_init();
	CURL *h = curl_easy_init();
	if (!h)
		return snprintf(why, cap, "%s: libcurl cannot start a transfer", url), EXIT_SOFTWARE;
	struct sink s = { out, 0 };
	char err[CURL_ERROR_SIZE] = "";
	long timeout = o->timeout > 0 ? o->timeout : FETCH_TIMEOUT_DEFAULT;
	const char *ca = getenv("CHAT_CA_FILE");
	curl_easy_setopt(h, CURLOPT_URL, url);
	/* a libcurl that cannot hold a fetch to https must not fetch at all */
	if (curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, o->allow_http ? "http,https" : "https") != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "https") != CURLE_OK) {
		curl_easy_cleanup(h);
		return snprintf(why, cap, "%s: this libcurl cannot restrict a fetch to https (7.85 or later can)", url),
		       EXIT_SOFTWARE;
	}
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(h, CURLOPT_MAXREDIRS, (long)MAX_REDIRECTS);
	curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)out->max - (curl_off_t)out->len);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, timeout);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, o->connect_timeout > 0 ? o->connect_timeout : 20L);
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, (long)STALL_SECS);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &s);
	curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, err);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "chat/" CHAT_VERSION);
	curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, ""); /* the size cap counts decoded bytes */
	if (ca && *ca)
		curl_easy_setopt(h, CURLOPT_CAINFO, ca);
	if (verbose)
		warn("fetching %s", url);
	CURLcode code = curl_easy_perform(h);
	long status = 0;
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_cleanup(h);
	int st = 0;
	if (code == CURLE_ABORTED_BY_CALLBACK && sig_caught) {
		st = sig_status();
		why[0] = 0;
	} else if (s.over || code == CURLE_FILESIZE_EXCEEDED) {
		st = EXIT_DATAERR;
		snprintf(why, cap, "%s: larger than the %zu bytes allowed", url, out->max);
	} else if (code == CURLE_UNSUPPORTED_PROTOCOL) {
		st = EXIT_NOINPUT;
		snprintf(why, cap, "%s: redirected to a URL that is not https: refused", url);
	} else if (code == CURLE_TOO_MANY_REDIRECTS) {
		st = EXIT_NOINPUT;
		snprintf(why, cap, "%s: more than %d redirects", url, MAX_REDIRECTS);
	} else if (code == CURLE_OPERATION_TIMEDOUT) {
		st = EXIT_TEMPFAIL;
		snprintf(why, cap, "%s: timed out (%s)", url, err[0] ? err : "too slow");
	} else if (code != CURLE_OK) {
		st = EXIT_UNAVAILABLE;
		snprintf(why, cap, "%s: %s", url, err[0] ? err : curl_easy_strerror(code));
	} else if (status < 200 || status > 299) {
		st = EXIT_NOINPUT;
		snprintf(why, cap, "%s: the server answered HTTP %ld", url, status);
	}
	if (!st && verbose)
		warn("fetched %s: %zu bytes", url, out->len);
	return st;
}
