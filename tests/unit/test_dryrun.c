/* net/dryrun: a built request as a record — keys in key-bearing headers
 * redacted whether registered or not, a URL's password gone, a
 * non-JSON body kept byte for byte but for its secrets, a JSON body as
 * JSON, and headers that only take one away left out. */
#include "tap.h"
#include "diag.h"
#include "net/dryrun.h"
#include <stdlib.h>
#include <string.h>

static char *dump(jv v)
{
	jv s = jv_dump_string(v, 0);
	char *out = strdup(jv_string_value(s));
	jv_free(s);
	return out;
}

int main(void)
{
	diag_init("test_dryrun");
	struct curl_slist *h = curl_slist_append(NULL, "Authorization: Bearer sk-unregistered-key-1");
	h = curl_slist_append(h, "x-goog-api-key: gm-other-key-2");
	h = curl_slist_append(h, "Content-Type: application/json");
	h = curl_slist_append(h, "Expect:");
	const char *body = "{\"model\":\"m\",\"note\":\"sk-passed-key-3\"}";
	jv rec = dryrun_record("POST", "https://user:pw@host.example/v1/x?key=sk-passed-key-3", h, body, strlen(body),
			       "sk-passed-key-3");
	char *s = dump(jv_copy(rec));
	ok(!strstr(s, "sk-unregistered-key-1") && !strstr(s, "gm-other-key-2"), "key-bearing headers: no key in %s", s);
	jv hs = jv_object_get(jv_copy(rec), jv_string("headers"));
	jv a = jv_object_get(jv_copy(hs), jv_string("Authorization"));
	is_str(jv_string_value(a), "Bearer [redacted]", "Authorization keeps its scheme");
	jv g = jv_object_get(jv_copy(hs), jv_string("x-goog-api-key"));
	is_str(jv_string_value(g), "[redacted]", "x-goog-api-key redacted");
	ok(!jv_object_has(jv_copy(hs), jv_string("Expect")), "an empty header (one taken away) is not listed");
	jv u = jv_object_get(jv_copy(rec), jv_string("url"));
	is_str(jv_string_value(u), "https://user:[redacted]@host.example/v1/x?key=[redacted]",
	       "the URL's password, however short, and the key in it are redacted");
	jv b = jv_object_get(jv_copy(rec), jv_string("body"));
	ok(jv_get_kind(b) == JV_KIND_OBJECT, "a JSON body is a JSON object");
	char *bs = dump(jv_copy(b));
	is_str(bs, "{\"model\":\"m\",\"note\":\"[redacted]\"}", "the request's own key is redacted in the body");
	free(bs);
	free(s);
	jv_free(b);
	jv_free(u);
	jv_free(g);
	jv_free(a);
	jv_free(hs);
	jv_free(rec);

	const char *form = "--b\r\nContent-Disposition: form-data\r\n\r\n{\"x\":1}\n\r\n--b--\r\n";
	rec = dryrun_record("POST", "https://host.example/v1/files", NULL, form, strlen(form), NULL);
	b = jv_object_get(jv_copy(rec), jv_string("body"));
	ok(jv_get_kind(b) == JV_KIND_STRING, "a multipart body is text");
	is_str(jv_string_value(b), form, "... with its CRLFs as they are sent");
	jv_free(b);
	jv_free(rec);

	rec = dryrun_with(dryrun_record("GET", "https://host.example/v1/x", NULL, NULL, 0, NULL), jv_number(7), 0.000123456789012);
	s = dump(rec);
	is_str(s, "{\"type\":\"request\",\"method\":\"GET\",\"url\":\"https://host.example/v1/x\",\"headers\":{},\"id\":7,"
		  "\"worst_cost_usd\":0.0001234568}", "a GET has no body; the id and the worst case (rounded) are added");
	free(s);
	curl_slist_free_all(h);
	return tap_done();
}
