#include "datafile.h"
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef CHAT_DATADIR
#define CHAT_DATADIR "/usr/local/share/chat"
#endif

int datafile_path(const char *env, enum datafile_env kind, const char *const names[], char *out, size_t cap,
		  char *where, size_t wcap)
{
	const char *val = env ? getenv(env) : NULL;
	if (val && *val && kind == DATAFILE_ENV_FILE) {
		snprintf(out, cap, "%s", val);
		if (where)
			snprintf(where, wcap, "%s", val);
		return access(out, R_OK) == 0 ? 0 : -1;
	}
	char dirs[2][PATH_MAX];
	int nd = 0;
	if (val && *val)
		snprintf(dirs[nd++], sizeof dirs[0], "%s", val);
	else {
		char exe[PATH_MAX];
		ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
		char *slash = n > 0 ? (exe[n] = 0, strrchr(exe, '/')) : NULL;
		if (slash) {
			*slash = 0;
			snprintf(dirs[nd++], sizeof dirs[0], "%s/../share/chat", exe);
		}
		snprintf(dirs[nd++], sizeof dirs[0], "%s", CHAT_DATADIR);
	}
	if (where)
		snprintf(where, wcap, "%s%s%s", dirs[0], nd > 1 ? " or " : "", nd > 1 ? dirs[1] : "");
	for (int d = 0; d < nd; d++)
		for (size_t k = 0; names[k]; k++)
			if (snprintf(out, cap, "%s/%s", dirs[d], names[k]) < (int)cap && access(out, R_OK) == 0)
				return 0;
	return -1;
}
