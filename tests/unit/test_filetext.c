/* filetext: the blocks -f makes — languages, fences, the bytewise order of
 * a folder's files, the fetch hook for URLs, the cap. */
#include "tap.h"
#include "errcode.h"
#include "filetext.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[64];

static void put(const char *rel, const char *text, size_t n)
{
	char path[256];
	snprintf(path, sizeof path, "%s/%s", dir, rel);
	FILE *f = fopen(path, "wb");
	if (f) {
		fwrite(text, 1, n, f);
		fclose(f);
	}
}

static int fetched;
static int fake_fetch(const char *url, struct buf *out, char *why, size_t cap)
{
	fetched++;
	if (strstr(url, "big"))
		return snprintf(why, cap, "too big"), EXIT_DATAERR;
	return buf_adds(out, "fetched text\n") < 0 ? EXIT_DATAERR : 0;
}

/* The blocks of one path, or NULL (with the status in *st). */
static char *blocks(const char *path, int *st)
{
	struct buf b = BUF_INIT(1 << 20);
	char why[512];
	const char *p[1] = { path };
	*st = filetext_append(&b, p, 1, why, sizeof why);
	char *s = *st ? NULL : strdup(buf_str(&b));
	buf_free(&b);
	return s;
}

int main(void)
{
	is_str(filetext_lang("a/b/main.c"), "c", "lang: .c");
	is_str(filetext_lang("x.py"), "python", "lang: .py");
	is_str(filetext_lang("sub/Makefile"), "make", "lang: Makefile");
	is_str(filetext_lang("notes.txt"), "", "lang: none for .txt");
	is_str(filetext_lang(".bashrc"), "", "lang: none for a dot file");
	ok(filetext_is_url("https://x/y") && filetext_is_url("http://x") && !filetext_is_url("ftp://x") &&
	   !filetext_is_url("src/https://"), "URLs: http and https only, at the start");

	snprintf(dir, sizeof dir, "/tmp/test_filetext.XXXXXX");
	if (!mkdtemp(dir))
		return ok(0, "a temporary folder"), tap_done();
	char sub[128];
	snprintf(sub, sizeof sub, "%s/a", dir);
	mkdir(sub, 0755);
	snprintf(sub, sizeof sub, "%s/a/b", dir);
	mkdir(sub, 0755);
	put("a/b.c", "one\n", 4);
	put("a/b/c", "two", 3);
	put("a/z", "```` four\n", 10);
	put("bin", "x\0y", 3);

	int st;
	char path[256];
	snprintf(path, sizeof path, "%s/a", dir);
	char *s = blocks(path, &st);
	char want[1024];
	snprintf(want, sizeof want,
		 "%s/a/b.c:\n```c\none\n```\n\n%s/a/b/c:\n```\ntwo\n```\n\n%s/a/z:\n`````\n```` four\n`````\n", dir, dir, dir);
	is_str(s ? s : "", want, "a folder: bytewise by path (b.c before b/c), fences longer than the file's, newline added");
	free(s);

	snprintf(path, sizeof path, "%s/bin", dir);
	s = blocks(path, &st);
	ok(!s && st == EXIT_DATAERR, "a binary file on its own: 65");
	free(s);

	s = blocks("https://example.invalid/x", &st);
	ok(!s && st == EXIT_USAGE, "a URL with no fetch hook: 64");
	free(s);
	filetext_settings.fetch = fake_fetch;
	s = blocks("https://example.invalid/x.md", &st);
	is_str(s ? s : "", "https://example.invalid/x.md:\n```markdown\nfetched text\n```\n", "a URL through the hook, under its name");
	free(s);
	s = blocks("https://example.invalid/big", &st);
	ok(!s && st == EXIT_DATAERR, "a fetch over the cap: 65");
	free(s);
	ok(fetched == 2, "the hook was called for each URL");

	filetext_settings.max_total = 5;
	snprintf(path, sizeof path, "%s/a", dir);
	s = blocks(path, &st);
	ok(!s && st == EXIT_DATAERR, "over the cap: 65");
	free(s);
	filetext_settings.max_total = FILETEXT_MAX_DEFAULT;

	struct buf b = BUF_INIT(1 << 20);
	buf_adds(&b, "prompt");
	char why[512];
	snprintf(path, sizeof path, "%s/a/b.c", dir);
	const char *p[1] = { path };
	filetext_append(&b, p, 1, why, sizeof why);
	snprintf(want, sizeof want, "prompt\n\n%s/a/b.c:\n```c\none\n```\n", dir);
	is_str(buf_str(&b), want, "after text: a blank line first");
	buf_free(&b);

	char cmd[300];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		ok(0, "cleaned up");
	return tap_done();
}
