#include "template.h"
#include "numparse.h"
#include "buf.h"
#include "config.h"
#include "diag.h"
#include "fdio.h"
#include "jsonx.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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
		{ "prompt", offsetof(struct template, prompt) },
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
		const char *name = config_trim((char *)key + 6);
		if (!*name || strpbrk(name, " \t"))
			return "a param needs one name: param NAME = VALUE";
		if (t->nparams == TEMPLATE_MAX_PARAMS)
			return "too many params";
		t->params[t->nparams].name = strdup(name);
		t->params[t->nparams].value = strdup(value);
		return t->params[t->nparams++].value ? NULL : "out of memory";
	}
	if (!strcmp(key, "file")) {
		if (t->nfiles == TEMPLATE_MAX_FILES)
			return "too many file lines";
		if (!*value)
			return "a file line needs a path: file = PATH";
		t->files[t->nfiles] = strdup(value);
		return t->files[t->nfiles++] ? NULL : "out of memory";
	}
	return "unknown key (known: description, model, system, prompt, prompt-jq, system-jq, id-jq, schema, "
	       "max-tokens, temperature, context, param NAME, file)";
}

static int parse(struct template *t, char *text, char *why, size_t cap)
{
	long lineno = 0;
	char *save = text, *line;
	while ((line = strsep(&save, "\n"))) {
		lineno++;
		char *l = config_trim(line);
		if (!*l || *l == '#')
			continue;
		char *heredoc = strstr(l, "<<"), *eq = strchr(l, '=');
		const char *err = NULL;
		if (heredoc && (!eq || heredoc < eq)) {
			*heredoc = 0;
			char *key = config_trim(l), *word = config_trim(heredoc + 2);
			if (!*word) {
				snprintf(why, cap, "%s: line %ld: \"<<\" needs an end word", t->path, lineno);
				return EXIT_CONFIG;
			}
			struct buf v = BUF_INIT(16u << 20);
			long start = lineno;
			int ended = 0, first = 1;
			char *body;
			/* the value is every line up to the end word, blank ones too */
			while ((body = strsep(&save, "\n"))) {
				lineno++;
				char *b = body;
				size_t bl = strlen(b);
				if (bl && b[bl - 1] == '\r')
					b[bl - 1] = 0;
				if (!strcmp(config_trim(b), word) && !strchr(b, ' ')) {
					ended = 1;
					break;
				}
				if (!first)
					buf_addc(&v, '\n');
				first = 0;
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
		char *key = config_trim(l), *value = config_trim(eq + 1);
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
	free(t->prompt);
	for (int i = 0; i < t->nparams; i++) {
		free(t->params[i].name);
		free(t->params[i].value);
	}
	for (int i = 0; i < t->nfiles; i++)
		free(t->files[i]);
	memset(t, 0, sizeof *t);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void list_one(const char *dir, const char *name, int json, int with_path)
{
	struct template t;
	char why[512], path[4200];
	int bad = template_load(name, &t, why, sizeof why);
	snprintf(path, sizeof path, "%s/%s", dir, name);
	if (json) {
		jv o = JV_OBJECT(jv_string("type"), jv_string("template"), jv_string("name"), jv_string(name),
				 jv_string("path"), jv_string(path), jv_string("description"),
				 !bad && t.description ? jv_string(t.description) : jv_null());
		if (bad)
			o = jv_object_set(o, jv_string("broken"), jv_string(why));
		struct buf line = BUF_INIT(1 << 20);
		jx_dump_line(o, &line);
		fwrite(line.p, 1, line.len, stdout);
		buf_free(&line);
	} else {
		if (bad)
			printf("%s\t(broken: %s)", name, why);
		else
			printf("%s\t%s", name, t.description ? t.description : "");
		printf(with_path ? "\t%s\n" : "\n", path);
	}
	if (!bad)
		template_free(&t);
}

int template_list(int json, int with_path)
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
		if (names[i])
			list_one(dir, names[i], json, with_path);
		free(names[i]);
	}
	return fflush(stdout) ? EXIT_CANTCREAT : 0;
}

int template_name_ok(const char *name)
{
	size_t n = strlen(name);
	if (!good_name(name) || *name == '-' || name[n - 1] == '~')
		return 0;
	for (const unsigned char *c = (const unsigned char *)name; *c; c++)
		if (*c < 0x20 || *c == 0x7f)
			return 0;
	return utf8_bad_at(name, n) == n;
}

static int too_large(char *why, size_t cap)
{
	snprintf(why, cap, "the template would be over 16 MiB");
	return -1;
}

/* One key and its value, on one line when it reads back the same, else
 * as "key <<WORD" and its lines (the reader strips the ends of a line). */
static int put_text(struct buf *b, const char *key, const char *v, const char *what, char *why, size_t cap)
{
	if (!v)
		return 0;
	size_t n = strlen(v);
	if (utf8_bad_at(v, n) < n) {
		snprintf(why, cap, "%s is not UTF-8", what);
		return -1;
	}
	int multi = strchr(v, '\n') || *v == ' ' || *v == '\t' ||
		    (n && strchr(" \t\r", v[n - 1]));
	if (!multi)
		return buf_addf(b, "%s = %s\n", key, v) < 0 ? too_large(why, cap) : 0;
	long lineno = 1;
	for (const char *p = v;; lineno++) {
		const char *end = strchr(p, '\n');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		if (len && strchr(" \t\r", p[len - 1])) {
			snprintf(why, cap, "%s ends its line %ld with a %s, which a template cannot keep", what, lineno,
				 p[len - 1] == '\r' ? "carriage return" : p[len - 1] == ' ' ? "space" : "tab");
			return -1;
		}
		if (!end)
			break;
		p = end + 1;
	}
	/* an end word that no line holds */
	char word[32] = "END";
	for (int i = 1; strstr(v, word); i++)
		snprintf(word, sizeof word, "END%d", i);
	return buf_addf(b, "%s <<%s\n%s\n%s\n", key, word, v, word) < 0 ? too_large(why, cap) : 0;
}

/* A jq variable's name: a letter or _, then letters, digits and _. */
static int param_name_ok(const char *s)
{
	if (!*s || (*s >= '0' && *s <= '9'))
		return 0;
	for (; *s; s++)
		if (!(*s == '_' || (*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')))
			return 0;
	return 1;
}

int template_format(const struct template *t, struct buf *out, char *why, size_t cap)
{
	if (put_text(out, "description", t->description, "the description", why, cap) < 0 ||
	    put_text(out, "model", t->model, "the model", why, cap) < 0)
		return -1;
	if (t->temperature >= 0) {
		/* the shortest form that reads back as the same number */
		char num[40];
		snprintf(num, sizeof num, "%.15g", t->temperature);
		if (strtod(num, NULL) != t->temperature)
			snprintf(num, sizeof num, "%.17g", t->temperature);
		if (buf_addf(out, "temperature = %s\n", num) < 0)
			return too_large(why, cap);
	}
	if (t->max_tokens > 0 && buf_addf(out, "max-tokens = %ld\n", t->max_tokens) < 0)
		return too_large(why, cap);
	if (t->context >= 0 && buf_addf(out, "context = %ld\n", t->context) < 0)
		return too_large(why, cap);
	for (int i = 0; i < t->nparams; i++) {
		char key[300], what[300];
		if (!param_name_ok(t->params[i].name) || strlen(t->params[i].name) > 200) {
			snprintf(why, cap, "the param name '%s' is not one word of letters, digits and _",
				 t->params[i].name);
			return -1;
		}
		snprintf(key, sizeof key, "param %s", t->params[i].name);
		snprintf(what, sizeof what, "the value of param %s", t->params[i].name);
		if (put_text(out, key, t->params[i].value, what, why, cap) < 0)
			return -1;
	}
	for (int i = 0; i < t->nfiles; i++)
		if (put_text(out, "file", t->files[i], "a file's path", why, cap) < 0)
			return -1;
	if (put_text(out, "prompt-jq", t->prompt_jq, "the prompt jq program", why, cap) < 0 ||
	    put_text(out, "system-jq", t->system_jq, "the system jq program", why, cap) < 0 ||
	    put_text(out, "id-jq", t->id_jq, "the id jq program", why, cap) < 0 ||
	    put_text(out, "schema", t->schema, "the schema", why, cap) < 0 ||
	    put_text(out, "system", t->system, "the system prompt", why, cap) < 0 ||
	    put_text(out, "prompt", t->prompt, "the prompt", why, cap) < 0)
		return -1;
	return 0;
}

int template_save(const struct template *t, const char *name, int replace, char *path, size_t pathcap,
		  char *why, size_t cap)
{
	char dir[4000];
	if (!template_name_ok(name)) {
		snprintf(why, cap, "--save %s: a template name is up to 127 bytes, with no slash, control "
			 "character or ending ~, and does not start with a dot or a dash", name);
		return EXIT_USAGE;
	}
	if (template_dir(dir, sizeof dir) < 0) {
		snprintf(why, cap, "no home folder for templates");
		return EXIT_CONFIG;
	}
	snprintf(path, pathcap, "%s/%s", dir, name);
	struct buf text = BUF_INIT(16u << 20);
	char bad[400];
	if (template_format(t, &text, bad, sizeof bad) < 0) {
		snprintf(why, cap, "--save %s: %s", name, bad);
		buf_free(&text);
		return EXIT_DATAERR;
	}
	/* prompts are private like the history that holds them; a template
	 * replaced keeps the mode its owner gave it */
	mode_t mode = 0600;
	struct stat st;
	if (replace && stat(path, &st) == 0)
		mode = st.st_mode & 07777;
	int r = mkdirs(dir, 0700) < 0 ? WFA_MAKE
		: write_file_atomic(path, text.p ? text.p : "", text.len, mode, replace ? 0 : WFA_NO_REPLACE);
	buf_free(&text);
	if (r == WFA_PLACE && errno == EEXIST && !replace) {
		snprintf(why, cap, "template '%s' exists (%s); --force replaces it", name, path);
		return EXIT_CANTCREAT;
	}
	if (r) {
		snprintf(why, cap, "%s: %s", path, strerror(errno));
		return EXIT_CANTCREAT;
	}
	return 0;
}
