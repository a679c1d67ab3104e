/* fetch: the body of a URL given to -a or -f, over https (http only when
 * asked), with redirects followed only to https, the size capped (by the
 * declared length and again as the bytes arrive, for chunked replies) and
 * the time capped (the whole fetch, and a stall). What the bytes are is
 * for the caller to sniff: the server's Content-Type is not trusted. */
#ifndef CHAT_FETCH_H
#define CHAT_FETCH_H
#include "buf.h"
#include <stddef.h>

#define FETCH_TIMEOUT_DEFAULT 60   /* seconds for one fetch, all of it */

struct fetch_opts {
	int allow_http;        /* http:// may be fetched (a redirect must still go to https) */
	long timeout;          /* seconds for the whole fetch; 0: FETCH_TIMEOUT_DEFAULT */
	long connect_timeout;  /* seconds; 0: 20 */
};

/* Fetch url into out, whose cap is the most it may hold. The certificate
 * authorities are the system's, or the file $CHAT_CA_FILE names. 0, or an
 * exit status with why filled: 64 not an https (or allowed http) URL, 65
 * larger than out's cap, 66 an HTTP error status, a redirect to a URL that
 * is not https or too many redirects, 69 the server cannot be reached or
 * TLS failed, 70 a libcurl too old to hold a fetch to https, 75 timed
 * out, 130 and the like a signal. */
int fetch_url(const char *url, const struct fetch_opts *o, struct buf *out, char *why, size_t cap);
#endif
