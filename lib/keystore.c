#include "keystore.h"
#include "buf.h"
#include "fdio.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int keystore_path(const char *provider, char *out, size_t cap)
{
	if (!*provider || *provider == '.' || strlen(provider) > 64)
		return -1;
	for (const char *c = provider; *c; c++)
		if (*c == '/' || (unsigned char)*c < 0x20 || *c == 0x7f)
			return -1;
	const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
	int n;
	if (xdg && *xdg)
		n = snprintf(out, cap, "%s/chat/keys/%s", xdg, provider);
	else if (home && *home)
		n = snprintf(out, cap, "%s/.config/chat/keys/%s", home, provider);
	else
		return -1;
	return n > 0 && (size_t)n < cap ? 0 : -1;
}

int keystore_save(const char *path, const char *key)
{
	if (mkdirs_for(path, 0700) < 0)
		return -1;
	struct buf b = BUF_INIT(1 << 16);
	int r = buf_addf(&b, "%s\n", key);
	if (!r)
		r = write_file_atomic(path, b.p, b.len, 0600, 0) < 0 ? -1 : 0;
	int e = errno;
	if (b.p)
		explicit_bzero(b.p, b.cap);
	buf_free(&b);
	errno = e;
	return r;
}
