#include "configedit.h"
#include "fdio.h"
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* What one line of the config is, read as config_parse reads it. */
enum line_kind { LINE_OTHER, LINE_SECTION, LINE_SETTING };

static const char *skip_blanks(const char *s, const char *end)
{
	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	return s;
}

static const char *trim_end(const char *s, const char *end)
{
	while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
		end--;
	return end;
}

/* The kind of line [s, end); for a section its name, for a setting its
 * key, in [*name, *name_end). */
static enum line_kind classify(const char *s, const char *end, const char **name, const char **name_end)
{
	s = skip_blanks(s, end);
	end = trim_end(s, end);
	if (s == end || *s == '#' || *s == ';')
		return LINE_OTHER;
	if (*s == '[') {
		if (end[-1] != ']' || end - s < 2)
			return LINE_OTHER;
		*name = skip_blanks(s + 1, end - 1);
		*name_end = trim_end(*name, end - 1);
		return LINE_SECTION;
	}
	const char *eq = memchr(s, '=', (size_t)(end - s));
	if (!eq)
		return LINE_OTHER;
	*name = s;
	*name_end = trim_end(s, eq);
	return LINE_SETTING;
}

static int same(const char *a, const char *a_end, const char *b)
{
	size_t n = strlen(b);
	return (size_t)(a_end - a) == n && !memcmp(a, b, n);
}

static int add_setting(struct buf *out, const char *key, const char *value)
{
	size_t n = strlen(value);
	int quote = n && (strchr(" \t\"'", value[0]) || strchr(" \t\"'", value[n - 1]));
	return buf_addf(out, quote ? "%s = \"%s\"\n" : "%s = %s\n", key, value);
}

/* Copy text to out, line by line; each key line of section is replaced by
 * the setting (value non-NULL) or dropped. *found counts them; *insert_at
 * is the end of the section's last setting (or header) in out. */
static int rewrite(const char *text, const char *section, const char *key, const char *value,
		   struct buf *out, int *found, size_t *insert_at, int *has_section)
{
	int in_section = !*section;
	*found = 0;
	*insert_at = 0;
	*has_section = !*section;
	for (const char *s = text; *s;) {
		const char *nl = strchr(s, '\n'), *end = nl ? nl : s + strlen(s);
		const char *next = nl ? nl + 1 : end;
		const char *name = NULL, *name_end = NULL;
		enum line_kind k = classify(s, end, &name, &name_end);
		if (k == LINE_SECTION) {
			in_section = same(name, name_end, section);
			if (in_section)
				*has_section = 1;
		}
		if (k == LINE_SETTING && in_section && same(name, name_end, key)) {
			(*found)++;
			if (value && add_setting(out, key, value) < 0)
				return -1;
		} else if (buf_add(out, s, (size_t)(next - s)) < 0 || (!nl && buf_add(out, "\n", 1) < 0)) {
			return -1;
		}
		if (in_section && k != LINE_OTHER)
			*insert_at = out->len;
		s = next;
	}
	return 0;
}

int config_edit_set(const char *text, const char *section, const char *key, const char *value,
		    struct buf *out)
{
	if (strpbrk(value, "\r\n"))
		return -1;
	int found, has_section;
	size_t at;
	out->len = 0;
	if (rewrite(text, section, key, value, out, &found, &at, &has_section) < 0)
		return -1;
	if (found)
		return 0;
	if (!has_section) {
		if (out->len && buf_add(out, "\n", 1) < 0)
			return -1;
		return buf_addf(out, "[%s]\n", section) < 0 ? -1 : add_setting(out, key, value);
	}
	/* the new line goes right after the section's last setting */
	struct buf whole = BUF_INIT(out->max);
	int r = buf_add(&whole, out->p, at) < 0 || add_setting(&whole, key, value) < 0 ||
			buf_add(&whole, out->p + at, out->len - at) < 0 ? -1 : 0;
	if (!r) {
		buf_free(out);
		*out = whole;
	} else {
		buf_free(&whole);
	}
	return r;
}

int config_edit_unset(const char *text, const char *section, const char *key, struct buf *out,
		      int *removed)
{
	int has_section;
	size_t at;
	out->len = 0;
	return rewrite(text, section, key, NULL, out, removed, &at, &has_section);
}

int config_text_read(const char *path, struct buf *text)
{
	text->len = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? buf_add(text, "", 0) : -1;
	int r = read_all(fd, text);
	int e = errno;
	close(fd);
	if (r == -2)
		e = EFBIG;
	errno = e;
	return r < 0 ? -1 : buf_add(text, "", 0);
}

int config_text_write(const char *path, const char *text)
{
	char real[PATH_MAX];
	const char *target = path;
	struct stat st;
	mode_t mode = 0644;
	if (realpath(path, real))
		target = real;
	if (stat(target, &st) == 0)
		mode = st.st_mode & 07777;
	else if (mkdirs_for(target, 0700) < 0)
		return -1;
	return write_file_atomic(target, text, strlen(text), mode, 0) < 0 ? -1 : 0;
}
