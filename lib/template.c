#include "template.h"
#include "numparse.h"
#include "buf.h"
#include "diag.h"
#include "fdio.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int template_dir(char *out, size_t cap)
{
	const char *x = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
	if (x && *x)
		snprintf(out, cap, "%s/chat/templates", x);
	else if (home && *home)
		snprintf(out, cap, "%s/.config/chat/templates", home);
	else
		return -1;
	return 0;
}

static int good_name(const char *s)
{
	if (!*s || *s == '.' || strlen(s) >= 128)
		return 0;
	for (; *s; s++)
		if (*s == '/')
			return 0;
	return 1;
}

static char *trim(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		s[--n] = 0;
	return s;
}

/* Set one key; NULL, or what is wrong. */
static const char *set(struct template *t, const char *key, const char *value)
{
	static const struct {
		const char *key;
		size_t off;
	} texts[] = {
		{ "description", offsetof(struct template, description) },
		{ "model", offsetof(struct template, model) },
		{ "system", offsetof(struct template, system) },
		{ "prompt-jq", offsetof(struct template, prompt_jq) },
		{ "system-jq", offsetof(struct template, system_jq) },
		{ "id-jq", offsetof(struct template, id_jq) },
		{ "schema", offsetof(struct template, schema) },
	};
	for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
		if (strcmp(key, texts[i].key))
			continue;
		char **slot = (char **)((char *)t + texts[i].off);
		free(*slot);
		*slot = strdup(value);
		return *slot ? NULL : "out of memory";
	}
	char why[200];
	long long n;
	if (!strcmp(key, "max-tokens")) {
		if (parse_whole(key, value, 1, 100000000, &n, why, sizeof why) < 0)
			return "max-tokens must be a whole number from 1 to 100000000";
		t->max_tokens = (long)n;
		return NULL;
	}
	if (!strcmp(key, "context")) {
		if (parse_whole(key, value, 0, 1000000, &n, why, sizeof why) < 0)
			return "context must be a whole number of turns, 0 to 1000000";
		t->context = (long)n;
		return NULL;
	}
	if (!strcmp(key, "temperature"))
		return parse_number(key, value, 0, 2, &t->temperature, why, sizeof why) < 0
			? "temperature must be a number from 0 to 2" : NULL;
	if (!strncmp(key, "param ", 6)) {
		const char *name = trim((char *)key + 6);
		if (!*name || strpbrk(name, " \t"))
			return "a param needs one name: param NAME = VALUE";
		if (t->nparams == TEMPLATE_MAX_PARAMS)
			return "too many params";
		t->params[t->nparams].name = strdup(name);
		t->params[t->nparams].value = strdup(value);
		return t->params[t->nparams++].value ? NULL : "out of memory";
	}
	return "unknown key (known: description, model, system, prompt-jq, system-jq, id-jq, schema, "
	       "max-tokens, temperature, context, param NAME)";
}

static int parse(struct template *t, char *text, char *why, size_t cap)
{
	long lineno = 0;
	char *save = text, *line;
	while ((line = strsep(&save, "\n"))) {
		lineno++;
		char *l = trim(line);
		if (!*l || *l == '#')
			continue;
		char *heredoc = strstr(l, "<<"), *eq = strchr(l, '=');
		const char *err = NULL;
		if (heredoc && (!eq || heredoc < eq)) {
			*heredoc = 0;
			char *key = trim(l), *word = trim(heredoc + 2);
			if (!*word) {
				snprintf(why, cap, "%s: line %ld: \"<<\" needs an end word", t->path, lineno);
				return EXIT_CONFIG;
			}
			struct buf v = BUF_INIT(16u << 20);
			long start = lineno;
			int ended = 0;
			char *body;
			/* the value is every line up to the end word, blank ones too */
			while ((body = strsep(&save, "\n"))) {
				lineno++;
				char *b = body;
				size_t bl = strlen(b);
				if (bl && b[bl - 1] == '\r')
					b[bl - 1] = 0;
				if (!strcmp(trim(b), word) && !strchr(b, ' ')) {
					ended = 1;
					break;
				}
				if (v.len)
					buf_addc(&v, '\n');
				buf_adds(&v, body);
			}
			if (!ended) {
				buf_free(&v);
				snprintf(why, cap, "%s: line %ld: no line \"%s\" ends this value", t->path, start, word);
				return EXIT_CONFIG;
			}
			err = set(t, key, buf_str(&v));
			buf_free(&v);
			if (err) {
				snprintf(why, cap, "%s: line %ld: %s: %s", t->path, start, key, err);
				return EXIT_CONFIG;
			}
			continue;
		}
		if (!eq) {
			snprintf(why, cap, "%s: line %ld: expected KEY = VALUE or KEY <<WORD", t->path, lineno);
			return EXIT_CONFIG;
		}
		*eq = 0;
		char *key = trim(l), *value = trim(eq + 1);
		if ((err = set(t, key, value))) {
			snprintf(why, cap, "%s: line %ld: %s: %s", t->path, lineno, key, err);
			return EXIT_CONFIG;
		}
	}
	return 0;
}

int template_load(const char *name, struct template *t, char *why, size_t cap)
{
	memset(t, 0, sizeof *t);
	t->temperature = -1;
	t->context = -1;
	char dir[4000];
	if (!good_name(name)) {
		snprintf(why, cap, "-t %s: a template name has no slash and does not start with a dot", name);
		return EXIT_USAGE;
	}
	if (template_dir(dir, sizeof dir) < 0) {
		snprintf(why, cap, "no home folder for templates");
		return EXIT_CONFIG;
	}
	snprintf(t->name, sizeof t->name, "%s", name);
	snprintf(t->path, sizeof t->path, "%s/%s", dir, name);
	int fd = open(t->path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(why, cap, "no template '%s' (%s: %s); see --templates", name, t->path, strerror(errno));
		return EXIT_USAGE;
	}
	struct buf b = BUF_INIT(16u << 20);
	int r = read_all(fd, &b);
	close(fd);
	if (r < 0) {
		snprintf(why, cap, "%s: %s", t->path, r == -2 ? "too large" : strerror(errno));
		buf_free(&b);
		return EXIT_CONFIG;
	}
	if (b.len && memchr(b.p, 0, b.len)) {
		snprintf(why, cap, "%s: not a text file", t->path);
		buf_free(&b);
		return EXIT_CONFIG;
	}
	size_t bad = utf8_bad_at(b.p, b.len);
	if (bad < b.len) {
		/* its prompts would reach the model mended, with U+FFFD */
		snprintf(why, cap, "%s: not UTF-8 (byte offset %zu)", t->path, bad);
		buf_free(&b);
		return EXIT_CONFIG;
	}
	buf_adds(&b, "");
	r = parse(t, b.p, why, cap);
	buf_free(&b);
	if (r)
		template_free(t);
	return r;
}

void template_free(struct template *t)
{
	free(t->description);
	free(t->model);
	free(t->system);
	free(t->prompt_jq);
	free(t->system_jq);
	free(t->id_jq);
	free(t->schema);
	for (int i = 0; i < t->nparams; i++) {
		free(t->params[i].name);
		free(t->params[i].value);
	}
	memset(t, 0, sizeof *t);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int template_list(void)
{
	char dir[4000];
	if (template_dir(dir, sizeof dir) < 0)
		return 0;
	DIR *d = opendir(dir);
	if (!d)
		return 0;
	char *names[1024];
	size_t n = 0;
	for (struct dirent *e; (e = readdir(d)) && n < 1024;)
		if (good_name(e->d_name) && e->d_name[strlen(e->d_name) - 1] != '~')
			names[n++] = strdup(e->d_name);
	closedir(d);
	qsort(names, n, sizeof *names, by_name);
	for (size_t i = 0; i < n; i++) {
		struct template t;
		char why[512];
		if (!names[i])
			continue;
		if (template_load(names[i], &t, why, sizeof why) == 0) {
			printf("%s\t%s\n", names[i], t.description ? t.description : "");
			template_free(&t);
		} else {
			printf("%s\t(broken: %s)\n", names[i], why);
		}
		free(names[i]);
	}
	return fflush(stdout) ? EXIT_CANTCREAT : 0;
}
