/* The rank table read from .tiktoken text: every way a line can be wrong is
 * refused with its reason, and a good text gives the same table whether it is
 * parsed or saved as .bin and mapped back (gaps in the ranks included). */
#include "base64.h"
#include "buf.h"
#include "fdio.h"
#include "tap.h"
#include "tokens/bpe.h"
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[] = "/tmp/chat-bpe.XXXXXX";

/* Load text as a rank file; the reason in why when it is refused. */
static int load_text(struct bpe *b, const char *text, size_t n, char *why, size_t cap)
{
	char path[200];
	snprintf(path, sizeof path, "%s/ranks.tiktoken", dir);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || write_all(fd, text, n) < 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	why[0] = 0;
	int rc = bpe_load(b, path, why, cap);
	unlink(path);
	return rc;
}

/* Every single byte as a token, rank = 3 * byte (so ranks have gaps), then
 * the extra lines. */
static void all_bytes(struct buf *t, const char *extra)
{
	for (int c = 0; c < 256; c++) {
		unsigned char byte = (unsigned char)c;
		base64_encode(&byte, 1, t);
		buf_addf(t, " %d\n", 3 * c);
	}
	buf_adds(t, extra);
}

static void refused(const char *text, const char *want, const char *name)
{
	struct bpe b;
	char why[300];
	struct buf t = BUF_INIT(1 << 20);
	if (!strncmp(text, "ALL\n", 4))
		all_bytes(&t, text + 4);
	else
		buf_adds(&t, text);
	int rc = load_text(&b, t.p, t.len, why, sizeof why);
	ok(rc < 0 && strstr(why, want), "%s: %s", name, why);
	if (rc == 0)
		bpe_free(&b);
	buf_free(&t);
}

static void errors(void)
{
	refused("aGk=\n", "line 1: expected a token and its rank", "a line without a rank");
	refused("aGk= \n", "line 1: expected a token and its rank", "a line with an empty rank");
	refused("\naGk= 1x\n", "line 2: bad rank", "a rank that is not a number");
	refused("aGk= 99999999999\n", "line 1: bad rank", "a rank too large");
	refused("aGk= 1\n!!!! 2\n", "line 2: bad base64", "a token that is not base64");
	refused("\n\n", "no tokens", "a file of blank lines");
	refused("ALL\naGk= 3\n", "rank 3 appears twice", "a rank given to two tokens");
	refused("ALL\naGk= 1\naGk= 2\n", "the token of rank 2 appears twice", "a token given two ranks");
	refused("aGk= 1\n", "a byte has no token", "a byte without a token");
}

static void good(void)
{
	struct buf t = BUF_INIT(1 << 20);
	all_bytes(&t, "aGk= 1000\n\nd29ybGQ= 1001");        /* "hi", a blank line, "world" without a newline */
	struct bpe text, bin;
	char why[300], path[200];
	snprintf(path, sizeof path, "%s/ranks.bin", dir);
	int rc = load_text(&text, t.p, t.len, why, sizeof why);
	if (!ok(rc == 0, "a good rank file loads%s%s", rc ? ": " : "", rc ? why : "")) {
		buf_free(&t);
		return;
	}
	ok(text.nranks == 1002 && text.maxlen == 5, "nranks %u and the longest token %u", text.nranks, text.maxlen);
	ok(bpe_rank(&text, "hi", 2) == 1000 && bpe_rank(&text, "world", 5) == 1001 && bpe_rank(&text, "A", 1) == 3 * 'A',
	   "tokens have their ranks");
	size_t n = 0;
	ok(bpe_token(&text, 1, &n) == NULL && bpe_token(&text, 3, &n) && n == 1, "a rank in a gap has no token");
	ok(bpe_save(&text, path, why, sizeof why) == 0 && bpe_load(&bin, path, why, sizeof why) == 0 && bin.mapped,
	   "saved and mapped back%s", why);
	ok(bin.memlen == text.memlen && !memcmp(bin.mem, text.mem, text.memlen), "the .bin is the table byte for byte");
	bpe_free(&bin);
	bpe_free(&text);
	unlink(path);
	buf_free(&t);
}

int main(void)
{
	if (!mkdtemp(dir))
		return ok(0, "mkdtemp"), tap_done();
	errors();
	good();
	rmdir(dir);
	return tap_done();
}
