/* paths: where the suite keeps its files — the history's default place,
 * whether a folder is on a network filesystem, and how long to wait for a
 * file's lock — for the history and the rate limits alike. */
#include "paths.h"
#include "diag.h"
#include "numparse.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/vfs.h>

int path_is_conninfo(const char *where)
{
	if (!strncmp(where, "postgresql://", 13) || !strncmp(where, "postgres://", 11))
		return 1;
	/* keyword=value: the first word one of libpq's keywords */
	size_t n = strspn(where, "abcdefghijklmnopqrstuvwxyz_");
	if (n == 0 || where[n] != '=')
		return 0;
	static const char *const keywords[] = { "host", "hostaddr", "port", "dbname", "user", "password",
						"passfile", "service", "sslmode", "application_name",
						"connect_timeout", "options" };
	for (size_t i = 0; i < sizeof keywords / sizeof *keywords; i++)
		if (strlen(keywords[i]) == n && !strncmp(where, keywords[i], n))
			return 1;
	return 0;
}

int path_data_file(const char *name, char *out, size_t cap)
{
	const char *xdg = getenv("XDG_DATA_HOME"), *home = getenv("HOME");
	if (xdg && *xdg == '/')
		snprintf(out, cap, "%s/chat/%s", xdg, name);
	else if (home && *home)
		snprintf(out, cap, "%s/.local/share/chat/%s", home, name);
	else
		return -1;
	return 0;
}

/* The password in a connection string's text: a URI's user:password@ or
 * a password=VALUE (either form). Its offset and length, or 0. */
static size_t password_at(const char *s, size_t *len)
{
	const char *p = strstr(s, "password=");
	if (p) {
		p += 9;
		*len = strcspn(p, " &");
		return (size_t)(p - s);
	}
	const char *scheme = strstr(s, "://");
	if (!scheme || (strncmp(s, "postgresql://", 13) && strncmp(s, "postgres://", 11)))
		return 0;
	const char *auth = scheme + 3, *end = auth + strcspn(auth, "@/?");
	const char *colon = memchr(auth, ':', (size_t)(end - auth));
	if (*end != '@' || !colon)
		return 0;
	*len = (size_t)(end - colon - 1);
	return (size_t)(colon + 1 - s);
}

int path_history(const char *flag, char *out, size_t cap)
{
	const char *env = getenv("CHAT_DB"), *xdg = getenv("XDG_DATA_HOME"), *home = getenv("HOME");
	/* a password given with --db: the option's text is the program's
	 * argv, which ps shows, so it is blanked there once it is kept here */
	static const char *blanked;
	static char *kept;
	if (flag && flag == blanked && kept)
		flag = kept;
	size_t pwlen = 0, at = flag && flag != kept ? password_at(flag, &pwlen) : 0;
	if (at && pwlen && !kept && (kept = strdup(flag))) {
		memset((char *)flag + at, 'x', pwlen);
		blanked = flag;
		flag = kept;
	}
	if (flag && *flag)
		snprintf(out, cap, "%s", flag);
	else if (env && *env)
		snprintf(out, cap, "%s", env);
	else if (xdg && *xdg == '/') /* a relative one is invalid, the XDG spec says: ignored */
		snprintf(out, cap, "%s/chat/history.db", xdg);
	else if (home && *home)
		snprintf(out, cap, "%s/.local/share/chat/history.db", home);
	else
		return error("history: neither HOME nor XDG_DATA_HOME is set; use --db or CHAT_DB");
	return 0;
}

/* WAL needs shared memory that network filesystems do not provide. */
int path_on_network_fs(const char *path)
{
	char dir[4096];
	snprintf(dir, sizeof dir, "%s", path);
	char *slash = strrchr(dir, '/');
	if (slash)
		*(slash == dir ? slash + 1 : slash) = 0;
	else
		snprintf(dir, sizeof dir, ".");
	struct statfs fs;
	if (statfs(dir, &fs) < 0)
		return 0;
	switch ((unsigned long)fs.f_type) {
	case 0x6969UL:      /* NFS */
	case 0x517BUL:      /* SMB */
	case 0xFF534D42UL:  /* CIFS */
	case 0xFE534D42UL:  /* SMB2 */
	case 0x564c:        /* NCP */
	case 0x6B414653UL:  /* AFS */
	case 0x01021997UL:  /* 9P */
		return 1;
	}
	return 0;
}

int path_lock_timeout_ms(long *ms)
{
	const char *t = getenv("CHAT_DB_TIMEOUT");
	*ms = 30000;
	if (!t || !*t)
		return 0;
	double secs;
	char why[200];
	if (parse_seconds("CHAT_DB_TIMEOUT", t, 0, 86400, &secs, why, sizeof why) < 0) {
		error("%s", why);
		return -1;
	}
	*ms = (long)(secs * 1000);
	return 0;
}
