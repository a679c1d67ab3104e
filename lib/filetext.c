#include "filetext.h"
#include "diag.h"
#include "errcode.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct filetext_settings filetext_settings = { .max_total = FILETEXT_MAX_DEFAULT };

/* A folder or pattern naming more files than this is a mistake, not a prompt. */
#define MAX_FILES 10000
#define MAX_DEPTH 64

struct entry {
	char *name;
	int expanded;   /* from a folder or a pattern: a binary file is left out, not refused */
};

struct list {
	struct entry *v;
	size_t n, cap;
};

int filetext_is_url(const char *s)
{
	return !strncmp(s, "https://", 8) || !strncmp(s, "http://", 7);
}

const char *filetext_lang(const char *name)
{
	static const struct { const char *ext, *lang; } exts[] = {
		{ "c", "c" }, { "h", "c" }, { "cc", "cpp" }, { "cpp", "cpp" }, { "cxx", "cpp" }, { "hpp", "cpp" },
		{ "hh", "cpp" }, { "py", "python" }, { "js", "javascript" }, { "mjs", "javascript" },
		{ "ts", "typescript" }, { "tsx", "tsx" }, { "jsx", "jsx" }, { "go", "go" }, { "rs", "rust" },
		{ "java", "java" }, { "kt", "kotlin" }, { "rb", "ruby" }, { "pl", "perl" }, { "php", "php" },
		{ "sh", "sh" }, { "bash", "bash" }, { "zsh", "zsh" }, { "fish", "fish" }, { "lua", "lua" },
		{ "swift", "swift" }, { "cs", "csharp" }, { "sql", "sql" }, { "html", "html" }, { "css", "css" },
		{ "json", "json" }, { "yaml", "yaml" }, { "yml", "yaml" }, { "toml", "toml" }, { "xml", "xml" },
		{ "md", "markdown" }, { "mk", "make" }, { "el", "elisp" }, { "hs", "haskell" }, { "ml", "ocaml" },
		{ "scala", "scala" }, { "r", "r" }, { "tex", "latex" }, { "diff", "diff" }, { "patch", "diff" },
		{ "ini", "ini" }, { "cmake", "cmake" }, { "vim", "vim" }, { "zig", "zig" }, { "nim", "nim" },
	};
	const char *base = strrchr(name, '/');
	base = base ? base + 1 : name;
	if (!strcmp(base, "Makefile") || !strcmp(base, "GNUmakefile") || !strcmp(base, "makefile"))
		return "make";
	if (!strcmp(base, "Dockerfile"))
		return "dockerfile";
	if (!strcmp(base, "CMakeLists.txt"))
		return "cmake";
	const char *dot = strrchr(base, '.');
	if (!dot || dot == base)
		return "";
	for (size_t i = 0; i < sizeof exts / sizeof *exts; i++)
		if (!strcmp(dot + 1, exts[i].ext))
			return exts[i].lang;
	return "";
}

static int add(struct list *l, const char *name, int expanded, char *why, size_t cap)
{
	if (l->n == MAX_FILES) {
		snprintf(why, cap, "more than %d files for one prompt", MAX_FILES);
		return EXIT_DATAERR;
	}
	if (l->n == l->cap) {
		size_t nc = l->cap ? l->cap * 2 : 16;
		struct entry *v = realloc(l->v, nc * sizeof *v);
		if (!v)
			return snprintf(why, cap, "out of memory"), EXIT_SOFTWARE;
		l->v = v, l->cap = nc;
	}
	char *copy = strdup(name);
	if (!copy)
		return snprintf(why, cap, "out of memory"), EXIT_SOFTWARE;
	l->v[l->n++] = (struct entry){ copy, expanded };
	return 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct entry *)a)->name, ((const struct entry *)b)->name);
}

static int by_string(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Folders a program's tools make or keep, never what a user means by "this code". */
static int skipped_folder(const char *name)
{
	return !strcmp(name, "node_modules") || !strcmp(name, "__pycache__") || !strcmp(name, "CVS");
}

/* The files under dir, recursively, in no particular order (sorted by the caller). */
static int walk(struct list *l, const char *dir, int depth, char *why, size_t cap)
{
	if (depth > MAX_DEPTH)
		return snprintf(why, cap, "%s: folders nested more than %d deep", dir, MAX_DEPTH), EXIT_DATAERR;
	DIR *d = opendir(dir);
	if (!d)
		return snprintf(why, cap, "%s: %s", dir, strerror(errno)), EXIT_NOINPUT;
	size_t dl = strlen(dir);
	while (dl > 1 && dir[dl - 1] == '/')
		dl--;
	int st = 0;
	struct dirent *e;
	while (!st && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue; /* hidden, and . and .. */
		char *path = NULL;
		if (asprintf(&path, "%.*s%s%s", (int)dl, dir, dir[dl - 1] == '/' ? "" : "/", e->d_name) < 0) {
			st = (snprintf(why, cap, "out of memory"), EXIT_SOFTWARE);
			break;
		}
		struct stat sb;
		if (lstat(path, &sb) == 0 && S_ISDIR(sb.st_mode)) {
			if (!skipped_folder(e->d_name))
				st = walk(l, path, depth + 1, why, cap);
		} else if (stat(path, &sb) == 0 && S_ISREG(sb.st_mode)) {
			/* a link to a file is followed; a link to a folder is not (no loops) */
			st = add(l, path, 1, why, cap);
		}
		free(path);
	}
	closedir(d);
	return st;
}

static int expand_folder(struct list *l, const char *dir, char *why, size_t cap)
{
	size_t first = l->n;
	int st = walk(l, dir, 0, why, cap);
	if (!st)
		qsort(l->v + first, l->n - first, sizeof *l->v, by_name);
	return st;
}

/* A pattern the shell left alone (it was quoted): its matches in bytewise order. */
static int expand_glob(struct list *l, const char *pattern, char *why, size_t cap)
{
	glob_t g;
	int r = glob(pattern, GLOB_NOSORT, NULL, &g);
	if (r == GLOB_NOMATCH)
		return snprintf(why, cap, "%s: no such file, and no file matches it as a pattern", pattern), EXIT_NOINPUT;
	if (r)
		return snprintf(why, cap, "%s: %s", pattern, r == GLOB_NOSPACE ? "out of memory" : "cannot read a folder"),
		       r == GLOB_NOSPACE ? EXIT_SOFTWARE : EXIT_NOINPUT;
	qsort(g.gl_pathv, g.gl_pathc, sizeof *g.gl_pathv, by_string);
	int st = 0;
	for (size_t i = 0; !st && i < g.gl_pathc; i++) {
		struct stat sb;
		if (stat(g.gl_pathv[i], &sb) < 0)
			continue;
		if (S_ISDIR(sb.st_mode))
			st = expand_folder(l, g.gl_pathv[i], why, cap);
		else
			st = add(l, g.gl_pathv[i], 1, why, cap);
	}
	globfree(&g);
	return st;
}

static int expand(struct list *l, const char *path, char *why, size_t cap)
{
	struct stat sb;
	if (filetext_is_url(path))
		return add(l, path, 0, why, cap);
	if (stat(path, &sb) == 0) {
		if (!S_ISDIR(sb.st_mode))
			return add(l, path, 0, why, cap);
		size_t before = l->n;
		int st = expand_folder(l, path, why, cap);
		if (!st && l->n == before)
			return snprintf(why, cap, "%s: a folder with no files (hidden ones are left out)", path), EXIT_NOINPUT;
		return st;
	}
	if (errno == ENOENT && strpbrk(path, "*?["))
		return expand_glob(l, path, why, cap);
	return snprintf(why, cap, "%s: %s", path, strerror(errno)), EXIT_NOINPUT;
}

/* NUL bytes, or bytes that are not UTF-8, say binary; a character cut by
 * the end of a partial read does not. The offset at fault, or len. */
static size_t binary_at(const char *p, size_t len, int partial)
{
	const char *nul = memchr(p, 0, len);
	size_t bad = utf8_bad_at(p, len);
	if (partial && bad < len && len - bad < 4 && utf8_char_len(p + bad, len - bad) == 0)
		bad = len; /* an incomplete sequence at the cut, not a bad one */
	return nul && (size_t)(nul - p) < bad ? (size_t)(nul - p) : bad;
}

/* Read a local file into b (its cap the bytes left under the limit); the
 * head is looked at before the rest is read. 0, 1 (binary: *bad_at set),
 * 2 (over the cap), or an exit status with why. */
static int read_text(const char *name, struct buf *b, size_t *bad_at, char *why, size_t cap)
{
	int fd = open(name, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return snprintf(why, cap, "%s: %s", name, strerror(errno)), EXIT_NOINPUT;
	int st = 0, sniffed = 0;
	char chunk[65536];
	for (;;) {
		size_t want = sniffed ? sizeof chunk : FILETEXT_SNIFF - b->len;
		ssize_t got = read(fd, chunk, want);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			st = (snprintf(why, cap, "%s: %s", name, strerror(errno)), EXIT_NOINPUT);
			break;
		}
		if (got > 0 && buf_add(b, chunk, (size_t)got) < 0) {
			st = b->len + (size_t)got > b->max ? 2 : (snprintf(why, cap, "out of memory"), EXIT_SOFTWARE);
			break;
		}
		if (!sniffed && (got == 0 || b->len >= FILETEXT_SNIFF)) {
			sniffed = 1;
			if ((*bad_at = binary_at(b->p ? b->p : "", b->len, got != 0)) < b->len) {
				st = 1;
				break;
			}
		}
		if (got == 0)
			break;
	}
	close(fd);
	if (!st && (*bad_at = binary_at(b->p ? b->p : "", b->len, 0)) < b->len)
		st = 1;
	return st;
}

/* The size of the text files from i on, as the file system tells it, for
 * the message of a prompt over the cap (binary files, which would be left
 * out, are not counted). */
static size_t rest_size(const struct list *l, size_t i)
{
	size_t n = 0;
	for (; i < l->n; i++) {
		struct stat sb;
		if (filetext_is_url(l->v[i].name) || stat(l->v[i].name, &sb) < 0)
			continue;
		char head[FILETEXT_SNIFF];
		int fd = open(l->v[i].name, O_RDONLY | O_CLOEXEC);
		ssize_t got = fd < 0 ? -1 : read(fd, head, sizeof head);
		if (fd >= 0)
			close(fd);
		if (got >= 0 && binary_at(head, (size_t)got, (size_t)got == sizeof head) == (size_t)got)
			n += (size_t)sb.st_size;
	}
	return n;
}

/* The note for binary files a folder or pattern held: each with -v, else
 * how many and the first few. */
static void note_skipped(const struct list *l, const unsigned char *skipped, size_t count)
{
	if (!count || filetext_settings.quiet)
		return;
	if (!skipped) { /* out of memory for the list: the count alone */
		warn("left out %zu files that are not text", count);
		return;
	}
	struct buf names = BUF_INIT(1024);
	size_t shown = 0;
	for (size_t i = 0; i < l->n; i++) {
		if (!skipped[i])
			continue;
		if (verbose || count == 1)
			warn("%s: not text, left out", l->v[i].name);
		else if (shown < 3 && buf_addf(&names, "%s%s", shown ? ", " : "", l->v[i].name) == 0)
			shown++;
	}
	if (!verbose && count > 1)
		warn("left out %zu files that are not text: %s%s (-v lists them all)", count, buf_str(&names),
		     count > shown ? ", ..." : "");
	buf_free(&names);
}

/* The longest run of backticks in p. */
static size_t longest_ticks(const char *p, size_t n)
{
	size_t best = 0, run = 0;
	for (size_t i = 0; i < n; i++) {
		run = p[i] == '`' ? run + 1 : 0;
		if (run > best)
			best = run;
	}
	return best;
}

static int block(struct buf *out, const char *name, const struct buf *text)
{
	size_t ticks = longest_ticks(text->p ? text->p : "", text->len) + 1;
	if (ticks < 3)
		ticks = 3;
	char fence[256];
	if (ticks >= sizeof fence)
		return -1;
	memset(fence, '`', ticks);
	fence[ticks] = 0;
	int r = 0;
	if (out->len && (out->p[out->len - 1] != '\n' || out->len < 2 || out->p[out->len - 2] != '\n'))
		r |= buf_adds(out, out->p[out->len - 1] == '\n' ? "\n" : "\n\n");
	r |= buf_addf(out, "%s:\n%s%s\n", name, fence, filetext_lang(name));
	r |= buf_add(out, text->p ? text->p : "", text->len);
	if (text->len && text->p[text->len - 1] != '\n')
		r |= buf_addc(out, '\n');
	r |= buf_addf(out, "%s\n", fence);
	return r ? -1 : 0;
}

/* A name goes on a line of its own in the prompt: one that is not UTF-8
 * or holds a line break could not be shown faithfully. */
static int name_ok(const char *name, char *why, size_t cap)
{
	if (utf8_bad_at(name, strlen(name)) < strlen(name) || strpbrk(name, "\n\r")) {
		char shown[200];
		scrub(shown, sizeof shown, name, strlen(name));
		snprintf(why, cap, "%s: a file name with a line break or bytes that are not UTF-8 cannot head a block", shown);
		return -1;
	}
	return 0;
}

int filetext_append(struct buf *out, const char *const *paths, int n, char *why, size_t cap)
{
	const struct filetext_settings *s = &filetext_settings;
	struct list l = { 0 };
	int st = 0;
	for (int i = 0; !st && i < n; i++)
		st = expand(&l, paths[i], why, cap);
	size_t total = 0, nblocks = 0, nskipped = 0;
	unsigned char *skipped = l.n ? calloc(l.n, 1) : NULL;
	struct buf text;
	buf_init(&text, 0);
	for (size_t i = 0; !st && i < l.n; i++) {
		const char *name = l.v[i].name;
		if (name_ok(name, why, cap) < 0) {
			st = EXIT_DATAERR;
			break;
		}
		size_t left = s->max_total - total;
		buf_free(&text);
		buf_init(&text, left);
		size_t bad = 0;
		int r;
		if (filetext_is_url(name)) {
			if (!s->fetch) {
				st = (snprintf(why, cap, "%s: this program does not fetch URLs (token counts are made offline)", name), EXIT_USAGE);
				break;
			}
			r = s->fetch(name, &text, why, cap);
			if (r == EXIT_DATAERR) { /* fetch's only 65: over the cap */
				r = 2;
			} else if (!r && (bad = binary_at(text.p ? text.p : "", text.len, 0)) < text.len) {
				r = 1;
			} else if (r) {
				st = r;
				break;
			}
		} else {
			r = read_text(name, &text, &bad, why, cap);
		}
		if (r == 1 && l.v[i].expanded) {
			if (skipped)
				skipped[i] = 1;
			nskipped++;
			continue;
		}
		if (r == 1) {
			if (bad < FILETEXT_SNIFF)
				snprintf(why, cap, "%s is not text: attach it with -a", name);
			else
				snprintf(why, cap, "%s is not text (not UTF-8 at byte %zu): attach it with -a", name, bad);
			st = EXIT_DATAERR;
		} else if (r == 2) {
			if (filetext_is_url(name))
				snprintf(why, cap, "%s: with it the files come to more than the limit of %zu bytes (--files-max)",
					 name, s->max_total);
			else
				snprintf(why, cap, "the files come to %zu bytes, over the limit of %zu (--files-max)",
					 total + rest_size(&l, i), s->max_total);
			st = EXIT_DATAERR;
		} else if (r) {
			st = r;
		} else if (block(out, name, &text) < 0) {
			st = (snprintf(why, cap, "the prompt with its files is too large"), EXIT_DATAERR);
		} else {
			total += text.len;
			nblocks++;
		}
	}
	if (!st)
		note_skipped(&l, skipped, nskipped);
	free(skipped);
	if (!st && n && !nblocks)
		st = (snprintf(why, cap, "%s%s: no text file to add", paths[0], n > 1 ? " and the rest" : ""), EXIT_NOINPUT);
	buf_free(&text);
	for (size_t i = 0; i < l.n; i++)
		free(l.v[i].name);
	free(l.v);
	return st;
}
