/* chat-key: API keys without editing files by hand — store one in a file
 * only its owner can read and name it in the config, show where each
 * provider's key comes from (never the key), remove a stored one. */
#include "cli.h"
#include "config.h"
#include "configedit.h"
#include "diag.h"
#include "provdefs.h"
#include "fdio.h"
#include "jsonx.h"
#include "keyinput.h"
#include "keystore.h"
#include "providers/endpoint.h"
#include "providers/provider.h"
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char help[] =
	"usage: chat-key [options] COMMAND [PROVIDER]\n"
	"API keys kept in files only you can read, named in the config.\n"
	"\n"
	"  set PROVIDER          store a key: typed without echo on a terminal,\n"
	"                        else the first line of standard input\n"
	"  list [PROVIDER...]    whether each provider has a key and where it\n"
	"                        comes from (a variable, a key file); never the key\n"
	"  rm PROVIDER           remove the stored key and its config line\n"
	"\n"
	"      --json            list: records instead of text\n"
	"  -q, --quiet           no notes on stderr\n"
	"  -v, --verbose         say each step on stderr\n"
	"  -h, --help            show this help\n"
	"      --version         show the version\n"
	"\n"
	"set keeps the key in ~/.config/chat/keys/PROVIDER (mode 0600) and puts\n"
	"key_file = that path in the [PROVIDER] section of the config. A key in\n"
	"the provider's variable (OPENAI_API_KEY, ...) wins over the file.\n"
	"\n"
	"Examples:\n"
	"  chat-key set anthropic\n"
	"  chat-key set openai < ~/Downloads/openai-key.txt\n"
	"  chat-key list --json | jq -r 'select(.status == \"set\") | .provider'\n"
	"\n"
	"Exit status: 0 ok, 64 usage, 65 an empty or unusable key, 66 cannot\n"
	"read the key, 73 cannot write, 78 bad config, or rm while a variable\n"
	"still holds the key.\n";

enum { O_JSON = 256, O_VERSION };

static const struct option longopts[] = {
	{ "json", no_argument, NULL, O_JSON }, { "quiet", no_argument, NULL, 'q' },
	{ "verbose", no_argument, NULL, 'v' }, { "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, O_VERSION }, { NULL, 0, NULL, 0 },
};

static int quiet;

/* The provider a command names; an unknown one is a usage error that lists
 * the known ones. A word too long to be a provider's name is not repeated:
 * it may be a key typed in the wrong place. */
static const struct provider *provider_arg(const char *name)
{
	const struct provider *p = provider_find(name);
	if (p)
		return p;
	char known[2048];
	provider_known_names(known, sizeof known);
	if (strlen(name) > 20)
		cli_usage("that is not a provider's name (not shown: it is too long to be one); known: %s", known);
	cli_usage("unknown provider '%s'; known: %s", name, known);
}

static int load_config(struct config *cfg)
{
	if (config_load(cfg) < 0) {
		config_free(cfg); /* what was read before the bad line */
		return EXIT_CONFIG;
	}
	if (!cfg->path[0]) {
		config_free(cfg);
		error("no config file to name the key in: set HOME, XDG_CONFIG_HOME or CHAT_CONFIG");
		return EXIT_CONFIG;
	}
	char why[512];
	if (provdefs_init(cfg, why, sizeof why) < 0) { /* the config's [provider NAME]s are providers too */
		config_free(cfg);
		error("%s", why);
		return EXIT_CONFIG;
	}
	return 0;
}

/* Set or drop key_file in p's section of the config, the rest of it kept. */
static int edit_config(const struct config *cfg, const struct provider *p, const char *file, int *removed)
{
	struct buf text = BUF_INIT(1 << 20), out = BUF_INIT(1 << 21);
	int r = config_text_read(cfg->path, &text);
	if (r < 0)
		error("config: %s: %s", cfg->path, errno == EFBIG ? "file too large" : strerror(errno));
	else if (file)
		r = config_edit_set(buf_str(&text), provider_key_section(p), "key_file", file, &out);
	else
		r = config_edit_unset(buf_str(&text), provider_key_section(p), "key_file", &out, removed);
	if (r == 0 && (!removed || *removed)) {
		if (verbose)
			warn("config %s: %s key_file in [%s]", cfg->path, file ? "setting" : "removing",
			     provider_key_section(p));
		if (config_text_write(cfg->path, buf_str(&out)) < 0)
			r = error("config: %s: %s", cfg->path, strerror(errno));
	} else if (r < 0 && text.p) {
		error("config: %s: cannot be edited", cfg->path);
	}
	buf_free(&text);
	buf_free(&out);
	return r < 0 ? EXIT_CANTCREAT : 0;
}

static int cmd_set(const struct provider *p)
{
	struct config cfg;
	char path[4096], old[4096], key[4096];
	int r = load_config(&cfg);
	if (r)
		return r;
	if (keystore_path(p->name, path, sizeof path) < 0) {
		config_free(&cfg);
		error("%s: no place for its key file: set HOME or XDG_CONFIG_HOME", p->name);
		return EXIT_CANTCREAT;
	}
	int had_other = key_file_path(&cfg, provider_key_section(p), old, sizeof old) && strcmp(old, path);
	char prompt[200];
	snprintf(prompt, sizeof prompt, "API key for %s: ", p->name);
	if (verbose)
		warn("reading the key from %s", isatty(0) ? "the terminal, without echo" : "standard input");
	int k = key_input_read(0, 2, prompt, key, sizeof key);
	if (k != KEYIN_OK) {
		config_free(&cfg);
		if (k == KEYIN_IO)
			return error("cannot read the key: %s", strerror(errno)), EXIT_NOINPUT;
		error(k == KEYIN_EMPTY ? "no key given" : "the key holds control characters or is too long; not stored");
		return EXIT_DATAERR;
	}
	if (verbose)
		warn("writing %s", path);
	r = keystore_save(path, key) < 0 ? EXIT_CANTCREAT : 0;
	explicit_bzero(key, sizeof key);
	if (r)
		error("%s: %s", path, strerror(errno));
	if (!r)
		r = edit_config(&cfg, p, path, NULL);
	if (!r && !quiet) {
		warn("stored the %s key in %s, named by key_file in [%s] of %s", p->name, path,
		     provider_key_section(p), cfg.path);
		if (had_other)
			warn("key_file named %s before; that file is left as it was", old);
		if (provider_key_var(p))
			warn("note: %s is set too, and wins over the key file", provider_key_var(p));
	}
	config_free(&cfg);
	return r;
}

static int cmd_rm(const struct provider *p)
{
	struct config cfg;
	char path[4096], named[4096];
	int r = load_config(&cfg);
	if (r)
		return r;
	int have_path = keystore_path(p->name, path, sizeof path) == 0;
	int is_named = key_file_path(&cfg, provider_key_section(p), named, sizeof named);
	int removed = 0, gone = 0;
	if (is_named)
		r = edit_config(&cfg, p, NULL, &removed);
	if (!r && have_path) {
		if (verbose)
			warn("removing %s", path);
		if (unlink(path) == 0)
			gone = 1;
		else if (errno != ENOENT)
			r = (error("%s: %s", path, strerror(errno)), EXIT_CANTCREAT);
	}
	if (!r && !quiet) {
		if (removed)
			warn("removed key_file from [%s] of %s", provider_key_section(p), cfg.path);
		if (gone)
			warn("removed %s", path);
		if (is_named && (!have_path || strcmp(named, path)))
			warn("%s is left as it was: chat-key did not make it", named);
		if (!removed && !gone)
			warn("no key stored for %s", p->name);
	}
	if (!r && provider_key_var(p)) {
		error("%s still holds a key for %s: unset it where it is set (a shell profile, the environment)",
		      provider_key_var(p), p->name);
		r = EXIT_CONFIG;
	}
	config_free(&cfg);
	return r;
}

/* What the programs would make of p's key, as provider_endpoint finds it;
 * its refusals are caught here, to be shown as the provider's problem. */
struct key_report {
	const char *status;        /* set, missing, refused, not-needed, error */
	const char *variable;      /* the variable the key comes from, or NULL */
	char file[4096];           /* the key file it comes from, or "" */
	char problem[1200];        /* why there is none, or why it is refused */
	char note[600];
};

static void report(const struct provider *p, const struct config *cfg, struct key_report *kr)
{
	memset(kr, 0, sizeof *kr);
	struct endpoint ep;
	struct buf said = BUF_INIT(8192);
	char why[1024];
	diag_capture(&said);
	int r = provider_endpoint(p, cfg, &ep, why, sizeof why);
	diag_capture(NULL);
	explicit_bzero(ep.key, sizeof ep.key);
	char named[4096];
	int is_named = key_file_path(cfg, provider_key_section(p), named, sizeof named);
	if (r == 0 && !strcmp(ep.key_source, "nowhere (none needed)")) {
		kr->status = "not-needed";
	} else if (r == 0) {
		kr->status = "set";
		kr->variable = provider_key_var(p);
		if (!kr->variable && is_named)
			snprintf(kr->file, sizeof kr->file, "%s", named);
		if (ep.warning[0])
			snprintf(kr->note, sizeof kr->note, "%s", ep.warning);
		else if (kr->variable && is_named)
			snprintf(kr->note, sizeof kr->note, "key file %s is named too; %s wins", named, kr->variable);
	} else if (r == EXIT_NOPERM && ep.key_missing) {
		kr->status = "missing";
		snprintf(kr->problem, sizeof kr->problem, "%s", why);
	} else {
		kr->status = r == EXIT_NOPERM ? "refused" : "error";
		kr->variable = provider_key_var(p);
		if (!kr->variable && is_named)
			snprintf(kr->file, sizeof kr->file, "%s", named);
		/* the message as the programs print it, less "chat-key: " and the line end */
		const char *m = why[0] ? why : buf_str(&said);
		size_t skip = strlen(progname) + 2;
		if (!why[0] && strlen(m) > skip && !strncmp(m, progname, skip - 2))
			m += skip;
		snprintf(kr->problem, sizeof kr->problem, "%s", m);
		char *nl = strchr(kr->problem, '\n');
		if (nl)
			*nl = 0;
	}
	buf_free(&said);
}

static jv str_or_null(const char *s)
{
	return s && *s ? jv_string(s) : jv_null();
}

static int list_one(const struct provider *p, const struct config *cfg, int json)
{
	struct key_report kr;
	report(p, cfg, &kr);
	if (json) {
		jv o = jv_object();
		o = jv_object_set(o, jv_string("type"), jv_string("key"));
		o = jv_object_set(o, jv_string("provider"), jv_string(p->name));
		o = jv_object_set(o, jv_string("status"), jv_string(kr.status));
		o = jv_object_set(o, jv_string("variable"), str_or_null(kr.variable));
		o = jv_object_set(o, jv_string("file"), str_or_null(kr.file));
		o = jv_object_set(o, jv_string("config"), kr.file[0] ? jv_string(cfg->path) : jv_null());
		o = jv_object_set(o, jv_string("problem"), str_or_null(kr.problem));
		o = jv_object_set(o, jv_string("note"), str_or_null(kr.note));
		struct buf line = BUF_INIT(1 << 16);
		int r = jx_dump_line(o, &line);
		if (!r)
			fputs(buf_str(&line), stdout);
		buf_free(&line);
		return r;
	}
	struct buf where = BUF_INIT(1 << 14);
	if (kr.variable && !kr.problem[0])
		buf_addf(&where, "%s (environment)", kr.variable);
	else if (kr.file[0] && !kr.problem[0])
		buf_addf(&where, "key file %s (config %s)", kr.file, cfg->path);
	else if (!strcmp(kr.status, "not-needed"))
		buf_adds(&where, "none needed (a local server)");
	else if (!strcmp(kr.status, "missing")) {
		buf_adds(&where, "set ");
		for (const char *const *e = p->key_env; e && *e; e++)
			buf_addf(&where, "%s%s", e == p->key_env ? "" : " or ", *e);
		buf_addf(&where, ", or run: chat-key set %s", p->name);
	}
	else
		buf_adds(&where, kr.problem);
	if (kr.note[0])
		buf_addf(&where, " [%s]", kr.note);
	char shown[2048];
	scrub(shown, sizeof shown, buf_str(&where), where.len);
	printf("%-12s %-10s %s\n", p->name, kr.status, shown);
	buf_free(&where);
	return 0;
}

static int cmd_list(int argc, char **argv, int json)
{
	struct config cfg;
	int r = load_config(&cfg);
	if (r)
		return r;
	if (argc) {
		for (int i = 0; i < argc; i++)
			provider_arg(argv[i]);
		for (int i = 0; i < argc; i++)
			list_one(provider_find(argv[i]), &cfg, json);
	} else {
		for (const struct provider *const *p = provider_all; *p; p++)
			list_one(*p, &cfg, json);
		for (const struct provider *const *p = provider_compat_all(); p && *p; p++)
			list_one(*p, &cfg, json);
	}
	config_free(&cfg);
	return 0;
}

int main(int argc, char **argv)
{
	diag_init(argv[0]);
	int json = 0, c;
	opterr = 0;
	const char *shortopts = ":qvh";
	while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		switch (c) {
		case O_JSON: json = 1; break;
		case 'q': quiet = 1; break;
		case 'v': verbose++; break;
		default: cli_std_option(c, O_VERSION, shortopts, argv, help);
		}
	}
	if (optind >= argc)
		die_usage("no command given", NULL);
	const char *cmd = argv[optind++];
	int nargs = argc - optind;
	if (!strcmp(cmd, "list"))
		return cli_exit(cmd_list(nargs, argv + optind, json));
	if (strcmp(cmd, "set") && strcmp(cmd, "rm"))
		die_usage("unknown command", strlen(cmd) > 20 ? NULL : cmd);
	/* never repeat the words: one may be a key typed in the wrong place */
	if (nargs != 1)
		die_usage(nargs ? "too many arguments (a key is never given on the command line)"
				: "which provider?", NULL);
	const struct provider *p = provider_arg(argv[optind]);
	return cli_exit(!strcmp(cmd, "set") ? cmd_set(p) : cmd_rm(p));
}
