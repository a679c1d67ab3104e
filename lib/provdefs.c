#include "provdefs.h"
#include "buf.h"
#include "chat.h"
#include "datafile.h"
#include "diag.h"
#include "errcode.h"
#include "fdio.h"
#include "jsonx.h"
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>


static int name_ok(const char *s)
{
	if (!*s || strlen(s) >= sizeof ((struct provdef *)0)->name)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-' || *s == '_'))
			return 0;
	return 1;
}

static int env_name_ok(const char *s)
{
	if (!*s || strlen(s) >= sizeof ((struct provdef *)0)->key_env || (*s >= '0' && *s <= '9'))
		return 0;
	for (; *s; s++)
		if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
			return 0;
	return 1;
}

/* A built-in provider's name: its rules live in code, not here. */
static int builtin(const char *name)
{
	for (const char *const *p = chat_provider_names; *p; p++)
		if (!strcmp(*p, name))
			return 1;
	return 0;
}

const struct provdef *provdefs_find(const struct provdefs *d, const char *name, size_t len)
{
	for (size_t i = 0; i < d->n; i++)
		if (strlen(d->v[i].name) == len && !strncmp(d->v[i].name, name, len))
			return &d->v[i];
	return NULL;
}

/* The entry for name, made (empty, max_tokens) when there is none. */
static struct provdef *slot(struct provdefs *d, const char *name)
{
	struct provdef *e = (struct provdef *)provdefs_find(d, name, strlen(name));
	if (e)
		return e;
	struct provdef *v = realloc(d->v, (d->n + 1) * sizeof *v);
	if (!v)
		return NULL;
	d->v = v;
	e = &v[d->n++];
	memset(e, 0, sizeof *e);
	snprintf(e->name, sizeof e->name, "%s", name);
	snprintf(e->max_field, sizeof e->max_field, "max_tokens");
	snprintf(e->section, sizeof e->section, "provider %s", name);
	return e;
}

/* One key = value into e. NULL, or why it is refused. */
static const char *set_field(struct provdef *e, const char *key, const char *val, int config)
{
	if (!strcmp(key, "base_url")) {
		if (strncmp(val, "http://", 7) && strncmp(val, "https://", 8))
			return "base_url is not an http:// or https:// URL";
		if (strlen(val) >= sizeof e->base_url)
			return "base_url is too long";
		snprintf(e->base_url, sizeof e->base_url, "%s", val);
	} else if (!strcmp(key, "key_env")) {
		if (*val && !env_name_ok(val))
			return "key_env is not an environment variable's name";
		snprintf(e->key_env, sizeof e->key_env, "%s", val);
	} else if (!strcmp(key, "max_tokens_field")) {
		if (strcmp(val, "max_tokens") && strcmp(val, "max_completion_tokens"))
			return "max_tokens_field is max_tokens or max_completion_tokens";
		snprintf(e->max_field, sizeof e->max_field, "%s", val);
	} else if (!(config && !strcmp(key, "key_file"))) {
		return "unknown key (base_url, key_env, max_tokens_field)";
	}
	return NULL;
}

int provdefs_parse(struct provdefs *d, const char *text, const char *name, char *why, size_t cap)
{
	char *copy = strdup(text), *save = copy, *line;
	struct provdef *cur = NULL;
	long lineno = 0;
	int rc = copy ? 0 : -1;
	if (!copy)
		snprintf(why, cap, "out of memory");
	while (copy && (line = strsep(&save, "\n")) != NULL) {
		lineno++;
		char *s = config_trim(line);
		const char *bad = NULL;
		if (!*s || *s == '#')
			continue;
		if (*s == '[') {
			char *end = strchr(s, ']');
			if (!end || end[1])
				bad = "unterminated section header";
			else if ((*end = 0, !name_ok(config_trim(s + 1))))
				bad = "a provider's name is lower-case letters, digits, '-' and '_'";
			else if (builtin(config_trim(s + 1)))
				bad = "that provider is built in";
			else if (!(cur = slot(d, config_trim(s + 1))))
				bad = "out of memory";
		} else {
			char *eq = strchr(s, '=');
			if (!eq)
				bad = "expected key = value";
			else if (!cur)
				bad = "a key before any [NAME]";
			else
				*eq = 0, bad = set_field(cur, config_trim(s), config_trim(eq + 1), 0);
		}
		if (bad) {
			snprintf(why, cap, "provider table %s: line %ld: %s", name, lineno, bad);
			rc = -1;
			break;
		}
	}
	free(copy);
	for (size_t i = 0; !rc && i < d->n; i++)
		if (!d->v[i].base_url[0]) {
			snprintf(why, cap, "provider table %s: [%s] has no base_url", name, d->v[i].name);
			rc = -1;
		}
	return rc;
}

int provdefs_overlay(struct provdefs *d, const struct config *cfg, char *why, size_t cap)
{
	const char *where = cfg->path[0] ? cfg->path : "config";
	for (size_t i = 0; i < cfg->n; i++) {
		const struct config_entry *c = &cfg->v[i];
		if (strncmp(c->section, "provider ", 9))
			continue;
		const char *name = c->section + 9;
		const char *bad = !name_ok(name) ? "a provider's name is lower-case letters, digits, '-' and '_'"
				  : builtin(name) ? "that provider is built in: see its own section in chat(5)"
				  : NULL;
		struct provdef *e = bad ? NULL : slot(d, name);
		if (!bad && !e)
			bad = "out of memory";
		if (!bad)
			bad = set_field(e, c->key, c->value, 1);
		if (bad) {
			snprintf(why, cap, "config: %s: [%s] %s: %s", where, c->section, c->key, bad);
			return -1;
		}
	}
	for (size_t i = 0; i < d->n; i++)
		if (!d->v[i].base_url[0]) {
			snprintf(why, cap, "config: %s: [%s] names no base_url", where, d->v[i].section);
			return -1;
		}
	return 0;
}

int provdefs_load(struct provdefs *d, const struct config *cfg, char *why, size_t cap)
{
	static const char *const names[] = { "providers", NULL };
	memset(d, 0, sizeof *d);
	datafile_path("CHAT_PROVIDERS", DATAFILE_ENV_FILE, names, d->path, sizeof d->path, NULL, 0);
	int fd = open(d->path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		struct buf b = BUF_INIT(1 << 20);
		int r = read_all(fd, &b);
		close(fd);
		if (r < 0)
			snprintf(why, cap, "provider table %s: %s", d->path, strerror(errno));
		else if (b.p)
			r = provdefs_parse(d, b.p, d->path, why, cap);
		buf_free(&b);
		if (r < 0)
			return -1;
	} else if (errno != ENOENT || getenv("CHAT_PROVIDERS")) {
		snprintf(why, cap, "provider table %s: %s", d->path, strerror(errno));
		return -1;
	}
	return cfg ? provdefs_overlay(d, cfg, why, cap) : 0;
}

void provdefs_free(struct provdefs *d)
{
	free(d->v);
	memset(d, 0, sizeof *d);
}

int provdefs_print(const struct provdefs *d, int json)
{
	struct buf out = BUF_INIT(1 << 22);
	if (!json && d->n)
		buf_addf(&out, "\n%-12s %-40s %-20s %s\n", "PROVIDER", "BASE URL", "KEY", "TOKEN LIMIT FIELD");
	for (size_t i = 0; i < d->n; i++) {
		const struct provdef *e = &d->v[i];
		if (json)
			jx_dump_line(JV_OBJECT(jv_string("type"), jv_string("provider"), jv_string("name"),
					       jv_string(e->name), jv_string("wire"), jv_string("openai"),
					       jv_string("base_url"), jv_string(e->base_url), jv_string("key_env"),
					       e->key_env[0] ? jv_string(e->key_env) : jv_null(),
					       jv_string("max_tokens_field"), jv_string(e->max_field)), &out);
		else
			buf_addf(&out, "%-12s %-40s %-20s %s\n", e->name, e->base_url, e->key_env[0] ? e->key_env : "-",
				 e->max_field);
	}
	int r = write_all(1, out.p ? out.p : "", out.len);
	buf_free(&out);
	return r < 0 && errno != EPIPE ? error("cannot write output: %s", strerror(errno)), EXIT_CANTCREAT : 0;
}

static pthread_mutex_t shared_lock = PTHREAD_MUTEX_INITIALIZER;
static struct provdefs shared;
static int shared_loaded;

int provdefs_init(const struct config *cfg, char *why, size_t cap)
{
	int rc = 0;
	pthread_mutex_lock(&shared_lock);
	if (!shared_loaded) {
		rc = provdefs_load(&shared, cfg, why, cap);
		if (rc < 0)
			provdefs_free(&shared);
		shared_loaded = rc == 0;
	}
	pthread_mutex_unlock(&shared_lock);
	return rc;
}

const struct provdefs *provdefs_get(void)
{
	pthread_mutex_lock(&shared_lock);
	if (!shared_loaded) {
		/* the programs that get here (chat-cost, chat-split) have loaded
		 * the config already and said what is wrong with it */
		struct config cfg = { 0 };
		char why[1200];
		int ok = config_load(&cfg) == 0;
		if (provdefs_load(&shared, ok ? &cfg : NULL, why, sizeof why) < 0)
			provdefs_free(&shared);
		config_free(&cfg);
		shared_loaded = 1;
	}
	pthread_mutex_unlock(&shared_lock);
	return &shared;
}
