/* The config file parser and API key look-up, including key files that are
 * too open, symlinks, and keys that would inject headers. */
#include "config.h"
#include "diag.h"
#include "tap.h"
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[] = "/tmp/chat-test-config-XXXXXX";

static const char *write_file(const char *name, const char *text, mode_t mode)
{
	static char path[512];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || write(fd, text, strlen(text)) < 0)
		return NULL;
	close(fd);
	chmod(path, mode);
	return path;
}

int main(void)
{
	diag_init("test_config");
	freopen("/dev/null", "w", stderr);
	if (!mkdtemp(dir))
		return 1;
	struct config c = { 0 };
	ok(config_parse(&c, "model = gpt-4o\n# comment\n[openai]\nbase_url = \"http://x/v1\"\n  key_file=~/k  \n", "t") == 0,
	   "a config with sections, comments, quotes and spaces parses");
	is_str(config_get(&c, "", "model"), "gpt-4o", "top-level key");
	is_str(config_get(&c, "openai", "base_url"), "http://x/v1", "quoted value in a section");
	is_str(config_get(&c, "openai", "key_file"), "~/k", "surrounding spaces trimmed");
	ok(config_get(&c, "anthropic", "base_url") == NULL, "missing keys are NULL");
	config_free(&c);
	ok(config_parse(&c, "[openai\n", "t") < 0, "an unterminated section is an error");
	config_free(&c);
	ok(config_parse(&c, "just words\n", "t") < 0, "a line without = is an error");
	config_free(&c);

	char key[256], src[256];
	const char *env[] = { "TEST_CHAT_KEY", NULL };
	setenv("TEST_CHAT_KEY", "sk-env\n", 1);
	ok(key_lookup(NULL, "openai", env, key, sizeof key, src, sizeof src) == KEY_OK &&
	   !strcmp(key, "sk-env") && !strcmp(src, "TEST_CHAT_KEY"), "key from the environment, trailing newline trimmed");
	setenv("TEST_CHAT_KEY", "sk-a\r\nX-Evil: 1", 1);
	ok(key_lookup(NULL, "openai", env, key, sizeof key, src, sizeof src) == KEY_REFUSED,
	   "a key with an embedded CR/LF is refused");
	unsetenv("TEST_CHAT_KEY");
	ok(key_lookup(NULL, "openai", env, key, sizeof key, src, sizeof src) == KEY_MISSING, "no key anywhere");

	const char *p = write_file("key", "sk-file  \n", 0600);
	char cfgtext[600];
	snprintf(cfgtext, sizeof cfgtext, "[openai]\nkey_file = %s\n", p);
	config_parse(&c, cfgtext, "t");
	ok(key_lookup(&c, "openai", env, key, sizeof key, src, sizeof src) == KEY_OK && !strcmp(key, "sk-file"),
	   "key from a 0600 key file");
	ok(strstr(src, "key file") && !strstr(src, "sk-file"), "the source names the file, never the key");
	chmod(p, 0640);
	ok(key_lookup(&c, "openai", env, key, sizeof key, src, sizeof src) == KEY_REFUSED, "a 0640 key file is refused");
	chmod(p, 0604);
	ok(key_lookup(&c, "openai", env, key, sizeof key, src, sizeof src) == KEY_REFUSED, "a 0604 key file is refused");
	chmod(p, 0600);
	config_free(&c);

	char link[600];
	snprintf(link, sizeof link, "%s/link", dir);
	symlink(p, link);
	ok(key_file_read(link, key, sizeof key) < 0, "a symlinked key file is refused");
	char fifo[600];
	snprintf(fifo, sizeof fifo, "%s/fifo", dir);
	mkfifo(fifo, 0600);
	ok(key_file_read(fifo, key, sizeof key) < 0, "a FIFO is refused without blocking");
	const char *two = write_file("two", "sk-1\nsk-2\n", 0600);
	ok(key_file_read(two, key, sizeof key) < 0, "a key file with two keys is refused");
	const char *empty = write_file("empty", "\n", 0600);
	ok(key_file_read(empty, key, sizeof key) < 0, "an empty key file is refused");
	snprintf(link, sizeof link, "%s/missing", dir);
	ok(key_file_read(link, key, sizeof key) < 0, "a missing key file is an error");

	char cmd[700];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	if (system(cmd) != 0)
		return 1;
	return tap_done();
}
