#include "config.h"
#include "buf.h"
#include "diag.h"
#include "fdio.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

char *config_trim(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
		s[--n] = 0;
	return s;
}

static int add(struct config *c, const char *sec, const char *key, const char *val)
{
	struct config_entry *v = realloc(c->v, (c->n + 1) * sizeof *v);
	if (!v)
		return -1;
	c->v = v;
	v[c->n].section = strdup(sec);
	v[c->n].key = strdup(key);
	v[c->n].value = strdup(val);
	c->n++;
	return 0;
}

int config_parse(struct config *c, const char *text, const char *name)
{
	char *copy = strdup(text), *save = copy, *line;
	char sec[128] = "";
	long lineno = 0;
	int rc = 0;
	while ((line = strsep(&save, "\n")) != NULL) {
		lineno++;
		char *s = config_trim(line);
		if (!*s || *s == '#' || *s == ';')
			continue;
		if (*s == '[') {
			char *end = strchr(s, ']');
			if (!end || end[1]) {
				rc = error("config: %s: line %ld: unterminated section header", name, lineno);
				break;
			}
			*end = 0;
			snprintf(sec, sizeof sec, "%s", config_trim(s + 1));
			continue;
		}
		char *eq = strchr(s, '=');
		if (!eq) {
			rc = error("config: %s: line %ld: expected key = value", name, lineno);
			break;
		}
		*eq = 0;
		char *key = config_trim(s), *val = config_trim(eq + 1);
		if (!*key) {
			rc = error("config: %s: line %ld: empty key", name, lineno);
			break;
		}
		size_t vl = strlen(val);
		if (vl >= 2 && (val[0] == '"' || val[0] == '\'') && val[vl - 1] == val[0]) {
			val[vl - 1] = 0;
			val++;
		}
		if (add(c, sec, key, val) < 0) {
			rc = error("config: out of memory");
			break;
		}
	}
	free(copy);
	return rc;
}

int config_load(struct config *c)
{
	memset(c, 0, sizeof *c);
	const char *env = getenv("CHAT_CONFIG");
	int explicit = env && *env;
	if (explicit) {
		snprintf(c->path, sizeof c->path, "%s", env);
	} else {
		const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
		if (xdg && *xdg)
			snprintf(c->path, sizeof c->path, "%s/chat/config", xdg);
		else if (home && *home)
			snprintf(c->path, sizeof c->path, "%s/.config/chat/config", home);
		else
			return 0;
	}
	int fd = open(c->path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT && !explicit)
			return 0;
		return error("config: %s: %s", c->path, strerror(errno));
	}
	struct buf b = BUF_INIT(1 << 20);
	int r = read_all(fd, &b);
	close(fd);
	if (r < 0) {
		buf_free(&b);
		return error("config: %s: %s", c->path, r == -2 ? "file too large" : strerror(errno));
	}
	r = config_parse(c, buf_str(&b), c->path);
	buf_free(&b);
	return r;
}

void config_free(struct config *c)
{
	for (size_t i = 0; i < c->n; i++) {
		free(c->v[i].section);
		free(c->v[i].key);
		free(c->v[i].value);
	}
	free(c->v);
	c->v = NULL;
	c->n = 0;
}

const char *config_get(const struct config *c, const char *section, const char *key)
{
	const char *found = NULL;
	for (size_t i = 0; c && i < c->n; i++) /* the last one wins */
		if (!strcmp(c->v[i].section, section) && !strcmp(c->v[i].key, key))
			found = c->v[i].value;
	return found;
}

/* Trailing whitespace is trimmed; any other control character (an embedded
 * CR/LF could inject a header) makes the key unusable. */
static int clean_key(char *k)
{
	size_t n = strlen(k);
	while (n && (k[n - 1] == '\n' || k[n - 1] == '\r' || k[n - 1] == ' ' || k[n - 1] == '\t'))
		k[--n] = 0;
	size_t i = 0;
	while (k[i] == ' ' || k[i] == '\t')
		i++;
	memmove(k, k + i, n - i + 1);
	for (char *p = k; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return -1;
	return *k ? 0 : -1;
}

int key_file_read(const char *path, char *out, size_t cap)
{
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return error("key file %s: %s", path, errno == ELOOP ? "is a symbolic link; refusing it" : strerror(errno));
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return error("key file %s: not a regular file; refusing it", path);
	}
	if (st.st_uid != geteuid()) {
		close(fd);
		return error("key file %s: owned by another user; refusing it", path);
	}
	if (st.st_mode & 077) {
		close(fd);
		return error("key file %s: permissions %04o are too open; run: chmod 600 %s",
			     path, (unsigned)(st.st_mode & 07777), path);
	}
	struct buf b = BUF_INIT(16384);
	int r = read_all(fd, &b);
	close(fd);
	if (r < 0) {
		buf_free(&b);
		return error("key file %s: %s", path, r == -2 ? "too large" : strerror(errno));
	}
	char *nl = memchr(b.p ? b.p : "", '\n', b.len);
	if (nl && nl + 1 < b.p + b.len && clean_key(nl + 1) == 0) {
		/* more than one non-empty line: a key never spans lines */
		buf_free(&b);
		return error("key file %s: holds more than one line", path);
	}
	int ok = b.len < cap && b.p && clean_key(b.p) == 0;
	if (ok)
		snprintf(out, cap, "%s", b.p);
	explicit_bzero(b.p, b.cap);
	buf_free(&b);
	if (!ok)
		return error("key file %s: empty, too long, or holds control characters", path);
	return 0;
}

int key_clean(char *k)
{
	return clean_key(k);
}

int key_file_path(const struct config *c, const char *provider, char *out, size_t cap)
{
	const char *file = config_get(c, provider, "key_file");
	if (!file || !*file)
		return 0;
	if (file[0] == '~' && file[1] == '/' && getenv("HOME"))
		snprintf(out, cap, "%s%s", getenv("HOME"), file + 1);
	else
		snprintf(out, cap, "%s", file);
	return 1;
}

int key_lookup(const struct config *c, const char *provider, const char *const *env,
	       char *out, size_t cap, char *source, size_t source_cap)
{
	for (const char *const *e = env; e && *e; e++) {
		const char *v = getenv(*e);
		if (!v || !*v)
			continue;
		if (strlen(v) >= cap) {
			error("%s: key too long", *e);
			return KEY_REFUSED;
		}
		snprintf(out, cap, "%s", v);
		if (clean_key(out) < 0) {
			error("%s: the key holds control characters; refusing it", *e);
			return KEY_REFUSED;
		}
		snprintf(source, source_cap, "%s", *e);
		secret_add(out); /* a server that echoes it back is never repeated */
		return KEY_OK;
	}
	char path[4096];
	if (key_file_path(c, provider, path, sizeof path)) {
		if (key_file_read(path, out, cap) < 0)
			return KEY_REFUSED;
		snprintf(source, source_cap, "key file %s", path);
		secret_add(out);
		return KEY_OK;
	}
	return KEY_MISSING;
}
