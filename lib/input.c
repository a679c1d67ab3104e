#include "input.h"
#include "diag.h"
#include "filetext.h"
#include "jsonx.h"
#include "textcheck.h"
#include <errno.h>
#include <string.h>
#include <unistd.h>

/* Is this record line an attachment (chat-upload's output)? */
static int is_attachment(const char *line, size_t len)
{
	jv v = jv_parse_sized(line, (int)len);
	char type[16] = "";
	jx_str(v, "type", type, sizeof type);
	jv_free(v);
	return !strcmp(type, "attachment");
}

/* Text that would not reach the model as given is refused, not mended:
 * a NUL byte, or bytes that are not UTF-8, in the prompt, the system
 * prompt or a conversation's name. 0 or 65. */
static int check_text(const struct cli_opts *o, const struct buf *prompt, size_t words, size_t from_stdin)
{
	char why[300];
	/* offsets count from the start of the part at fault, words or stdin */
	if (text_check("the prompt (its words)", prompt->p, words, why, sizeof why) < 0 ||
	    text_check("the prompt (stdin)", prompt->p + from_stdin, prompt->len - from_stdin, why, sizeof why) < 0 ||
	    text_check_str("the system prompt", o->system, why, sizeof why) < 0 ||
	    text_check_str("the --conversation name", o->conversation, why, sizeof why) < 0) {
		error("%s", why);
		return EXIT_DATAERR;
	}
	return 0;
}

/* -f's files after the prompt's text, when all went well so far. */
static int with_files(const struct cli_opts *o, struct buf *prompt, int st)
{
	char why[700];
	if (!st && o->nfiles && (st = filetext_append(prompt, o->files, o->nfiles, why, sizeof why)) && st < 128)
		error("%s", why);
	return st;
}

int input_gather(const struct cli_opts *o, struct line_reader *lr, struct buf *prompt, int *records)
{
	*records = 0;
	for (int i = 0; i < o->nwords; i++)
		if ((i && buf_addc(prompt, ' ') < 0) || buf_adds(prompt, o->words[i]) < 0)
			goto too_big;
	size_t words = prompt->len, from_stdin = prompt->len;
	if (o->records || o->prompt_jq || !isatty(0)) {
		const char *line;
		size_t len;
		int r = lr_peek(lr, &line, &len);
		if (r == -1) {
			error("reading stdin: %s", strerror(errno));
			return EXIT_NOINPUT;
		}
		if (o->records || o->prompt_jq || (r == 1 && !o->text_only && looks_like_record(line, len))) {
			*records = 1;
			if (!o->nwords && !o->records && !o->prompt_jq && is_attachment(line, len)) {
				error("attachments need a prompt: give it as words, as in "
				      "chat-upload x.png | %s 'what is in this picture?'", progname);
				return EXIT_USAGE;
			}
			if (!o->nwords && o->nfiles) {
				error("-f applies to a prompt given as words; prompt records carry their own \"files\"");
				return EXIT_USAGE;
			}
			return with_files(o, prompt, check_text(o, prompt, words, words));
		}
		if (r == 1 || r == -2) {
			/* plain text: take all of it */
			struct buf *b = &lr->b;
			for (;;) {
				char tmp[65536];
				ssize_t n = read(lr->fd, tmp, sizeof tmp);
				if (n < 0 && errno == EINTR)
					continue;
				if (n < 0) {
					error("reading stdin: %s", strerror(errno));
					return EXIT_NOINPUT;
				}
				if (n == 0)
					break;
				if (buf_add(b, tmp, (size_t)n) < 0)
					goto too_big;
			}
			if (lr->eof == 0)
				lr->eof = 1;
			const char *text = b->p + lr->pos;
			size_t tlen = b->len - lr->pos;
			if (tlen && prompt->len && buf_adds(prompt, "\n\n") < 0)
				goto too_big;
			from_stdin = prompt->len;
			if (buf_add(prompt, text, tlen) < 0)
				goto too_big;
		}
	}
	size_t i = 0;
	while (i < prompt->len && strchr(" \t\r\n", prompt->p[i]))
		i++;
	if (i == prompt->len && o->nfiles) {
		/* the files alone are the prompt */
		buf_reset(prompt);
		words = from_stdin = 0;
	} else if (i == prompt->len) {
		error("no prompt: give it as arguments or on stdin");
		return EXIT_USAGE;
	}
	return with_files(o, prompt, check_text(o, prompt, words, from_stdin));
too_big:
	error("the prompt is larger than %u MiB", INPUT_MAX >> 20);
	return EXIT_DATAERR;
}
