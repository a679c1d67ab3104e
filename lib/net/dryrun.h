/* dryrun: --dry-run. A request built for sending, by the same code that
 * sends it, described as a record instead: method, URL, headers and body,
 * with every key and registered secret shown as [redacted]. Nothing is
 * sent. */
#ifndef CHAT_DRYRUN_H
#define CHAT_DRYRUN_H
#include <curl/curl.h>
#include <jv.h>

/* {"type":"request","method":...,"url":...,"headers":{...},"body":...}:
 * the body as JSON when it is JSON, else as text (NULL body: none, a GET).
 * key, the request's own key, is redacted wherever it appears even when
 * nothing registered it. */
jv dryrun_record(const char *method, const char *url, const struct curl_slist *headers, const char *body,
		 size_t len, const char *key);
/* The record as the caller's run would send it: id set when valid
 * (borrowed), worst the --max-cost worst case in dollars (< 0: none). */
jv dryrun_with(jv rec, jv id, double worst);
#endif
