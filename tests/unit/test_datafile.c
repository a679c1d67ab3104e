/* Data files are found in one order for every kind: the folder (or, for the
 * model table, the file) an environment variable names, else share/chat
 * beside the program, else DATADIR; within a folder, names in their order. */
#include "datafile.h"
#include "tap.h"
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[] = "/tmp/chat-datafile.XXXXXX";

static void touch(const char *name)
{
	char path[PATH_MAX];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd >= 0)
		close(fd);
}

static void drop(const char *name)
{
	char path[PATH_MAX];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	unlink(path);
}

/* Run as DIR/bin/test_datafile --beside: 0 when the table found is the one
 * in DIR/share/chat, 1 when another is (or none). */
static int beside(void)
{
	char exe[PATH_MAX], out[PATH_MAX], want[PATH_MAX + 32];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	exe[n > 0 ? n : 0] = 0;
	char *slash = strrchr(exe, '/');
	if (slash)
		*slash = 0;
	snprintf(want, sizeof want, "%s/../share/chat/models", exe);
	static const char *const models[] = { "models", NULL };
	unsetenv("CHAT_MODELS");
	return datafile_path("CHAT_MODELS", DATAFILE_ENV_FILE, models, out, sizeof out, NULL, 0) == 0 &&
	       !strcmp(out, want) ? 0 : 1;
}

static void beside_the_program(const char *self)
{
	char bin[PATH_MAX], share[PATH_MAX], copy[PATH_MAX], cmd[3 * PATH_MAX];
	snprintf(bin, sizeof bin, "%s/bin", dir);
	snprintf(share, sizeof share, "%s/share", dir);
	snprintf(copy, sizeof copy, "%s/bin/test_datafile", dir);
	snprintf(cmd, sizeof cmd, "mkdir -p %s %s/chat && touch %s/chat/models && cp %s %s && %s --beside",
		 bin, share, share, self, copy, copy);
	ok(system(cmd) == 0, "a copy of the program in DIR/bin finds DIR/share/chat/models");
	snprintf(cmd, sizeof cmd, "rm -rf %s %s", bin, share);
	if (system(cmd) != 0)
		ok(0, "cleaning up %s", dir);
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "--beside"))
		return beside();
	char out[PATH_MAX], want[PATH_MAX + 32], where[2 * PATH_MAX + 8];
	static const char *const binfirst[] = { "x.bin", "x.tiktoken", NULL };
	if (!mkdtemp(dir))
		return ok(0, "mkdtemp"), tap_done();

	/* a folder variable replaces the default places */
	setenv("TEST_DATA", dir, 1);
	touch("x.tiktoken");
	snprintf(want, sizeof want, "%s/x.tiktoken", dir);
	ok(datafile_path("TEST_DATA", DATAFILE_ENV_DIR, binfirst, out, sizeof out, where, sizeof where) == 0 &&
	   !strcmp(out, want), "the second name when only it is there: %s", out);
	touch("x.bin");
	snprintf(want, sizeof want, "%s/x.bin", dir);
	ok(datafile_path("TEST_DATA", DATAFILE_ENV_DIR, binfirst, out, sizeof out, NULL, 0) == 0 && !strcmp(out, want),
	   "the first name wins when both are there: %s", out);
	drop("x.bin");
	drop("x.tiktoken");
	ok(datafile_path("TEST_DATA", DATAFILE_ENV_DIR, binfirst, out, sizeof out, where, sizeof where) < 0 &&
	   !strcmp(where, dir), "nothing found: only the variable's folder was looked in (%s)", where);

	/* a file variable is the file itself, readable or not */
	static const char *const models[] = { "models", NULL };
	snprintf(want, sizeof want, "%s/my-table", dir);
	setenv("TEST_FILE", want, 1);
	ok(datafile_path("TEST_FILE", DATAFILE_ENV_FILE, models, out, sizeof out, NULL, 0) < 0 && !strcmp(out, want),
	   "a file variable naming a missing file: %s", out);
	touch("my-table");
	ok(datafile_path("TEST_FILE", DATAFILE_ENV_FILE, models, out, sizeof out, NULL, 0) == 0 && !strcmp(out, want),
	   "a file variable naming a file: %s", out);
	drop("my-table");

	/* unset or empty: beside the program, then DATADIR */
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	exe[n > 0 ? n : 0] = 0;
	char *slash = strrchr(exe, '/');
	if (slash)
		*slash = 0;
	snprintf(want, sizeof want, "%s/../share/chat or %s", exe, CHAT_DATADIR);
	setenv("TEST_DATA", "", 1);
	unsetenv("TEST_FILE");
	static const char *const none[] = { "no-such-file-here", NULL };
	ok(datafile_path("TEST_DATA", DATAFILE_ENV_DIR, none, out, sizeof out, where, sizeof where) < 0 &&
	   !strcmp(where, want), "an empty variable is unset: %s", where);
	snprintf(want, sizeof want, "%s/no-such-file-here", CHAT_DATADIR);
	ok(datafile_path("TEST_FILE", DATAFILE_ENV_FILE, none, out, sizeof out, NULL, 0) < 0 && !strcmp(out, want),
	   "a file not found anywhere: the DATADIR path, %s", out);
	/* a copy of this program in DIR/bin finds DIR/share/chat/models first */
	beside_the_program(argv[0]);   /* not /proc/self/exe, which is the tool under TEST_WRAP */
	rmdir(dir);
	return tap_done();
}
