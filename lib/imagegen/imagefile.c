#include "imagegen/imagefile.h"
#include "diag.h"
#include "fdio.h"
#include "sha256.h"
#include "sig.h"
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define SLUG_MAX 40
#define JPEG_QUALITY 90       /* a re-encoded image is kept, not sent: keep it good */

static int word_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

void imagefile_slug(const char *prompt, char *out, size_t cap)
{
	size_t max = cap - 1 < SLUG_MAX ? cap - 1 : SLUG_MAX, n = 0;
	const unsigned char *p = (const unsigned char *)prompt;
	for (;;) {
		while (*p && !word_char(*p))
			p++;
		const unsigned char *w = p;
		while (*p && word_char(*p))
			p++;
		size_t wl = (size_t)(p - w);
		if (!wl)
			break;
		if (n + (n ? 1 : 0) + wl > max) {
			if (!n) /* one long word: as much of it as fits */
				for (; n < max; n++)
					out[n] = (char)(w[n] >= 'A' && w[n] <= 'Z' ? w[n] + 32 : w[n]);
			break; /* whole words only */
		}
		if (n)
			out[n++] = '-';
		for (size_t i = 0; i < wl; i++)
			out[n++] = (char)(w[i] >= 'A' && w[i] <= 'Z' ? w[i] + 32 : w[i]);
	}
	out[n] = 0;
	if (!n)
		snprintf(out, cap, "image");
}

static int fail(char *why, size_t cap, int status, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static int fail(char *why, size_t cap, int status, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, cap, fmt, ap);
	va_end(ap);
	return status;
}

/* The path of image index: -o FILE (numbered when there are several), or
 * DIR/slug-hash.ext. */
static int make_path(const struct imagefile_opts *o, int index, const char *sha, const char *ext, char *out, size_t cap)
{
	int n;
	if (o->output && o->count <= 1) {
		n = snprintf(out, cap, "%s", o->output);
	} else if (o->output) {
		const char *base = strrchr(o->output, '/');
		base = base ? base + 1 : o->output;
		const char *dot = strrchr(base, '.');
		if (!dot || dot == base)
			dot = base + strlen(base);
		n = snprintf(out, cap, "%.*s-%d%s", (int)(dot - o->output), o->output, index, dot);
	} else {
		char slug[SLUG_MAX + 1];
		imagefile_slug(o->prompt ? o->prompt : "", slug, sizeof slug);
		size_t dl = o->dir ? strlen(o->dir) : 0;
		while (dl > 1 && o->dir[dl - 1] == '/')
			dl--;
		n = snprintf(out, cap, "%.*s%s%s-%.8s.%s", (int)dl, o->dir ? o->dir : "", dl && o->dir[dl - 1] != '/' ? "/" : "",
			     slug, sha, ext);
	}
	return n < 0 || (size_t)n >= cap ? -1 : 0;
}

/* Write p to path whole or not at all (write_file_atomic), never replacing
 * a file unless force. 0 or an exit status with why. */
static int write_atomic(const char *path, const void *p, size_t n, int force, char *why, size_t cap)
{
	int r = write_file_atomic(path, p, n, 0666, force ? 0 : WFA_NO_REPLACE);
	switch (r) {
	case 0: return 0;
	case WFA_STOPPED: return sig_status();
	case WFA_MAKE: return fail(why, cap, EXIT_CANTCREAT, "cannot create a file beside it: %s", strerror(errno));
	case WFA_WRITE: return fail(why, cap, EXIT_CANTCREAT, "writing it: %s", strerror(errno));
	default:
		if (errno == EEXIST)
			return fail(why, cap, EXIT_CANTCREAT, "the file exists (--force replaces it)");
		return fail(why, cap, EXIT_CANTCREAT, "%s", strerror(errno));
	}
}

enum image_format imagefile_format_for(const char *path)
{
	const char *ext = path ? strrchr(path, '.') : NULL;
	if (!ext)
		return IMG_UNKNOWN;
	if (!strcasecmp(ext, ".png"))
		return IMG_PNG;
	return !strcasecmp(ext, ".jpg") || !strcasecmp(ext, ".jpeg") ? IMG_JPEG : IMG_UNKNOWN;
}

/* Decode bytes in full (the check), as im. 0 or -1 with why. */
static int check(const struct buf *b, struct image *im, enum image_format *f, char *why, size_t cap)
{
	const unsigned char *p = (const unsigned char *)buf_str(b);
	*f = image_sniff(p, b->len);
	if (*f != IMG_PNG && *f != IMG_JPEG) {
		if (*f == IMG_UNKNOWN)
			snprintf(why, cap, "the provider sent %zu bytes that are not an image", b->len);
		else
			snprintf(why, cap, "the provider sent a %s image, not PNG or JPEG", image_format_name(*f));
		return -1;
	}
	struct image_limits lim = IMAGE_LIMITS_DEFAULT;
	char d[200];
	if (image_decode(p, b->len, &lim, 0, im, NULL, NULL, d, sizeof d) < 0) {
		snprintf(why, cap, "the provider sent a broken %s image: %s", image_format_name(*f), d);
		return -1;
	}
	return 0;
}

int imagefile_save(const struct imagefile_opts *o, int index, const void *p, size_t n, struct imagefile *f,
		   char *why, size_t cap)
{
	memset(f, 0, sizeof *f);
	buf_init(&f->data, (size_t)1 << 30);
	struct image im = { 0 };
	enum image_format fmt;
	if (buf_add(&f->data, p, n) < 0) {
		imagefile_free(f);
		return fail(why, cap, IMAGEFILE_BAD, "the image is too large");
	}
	if (check(&f->data, &im, &fmt, why, cap) < 0) {
		imagefile_free(f);
		return IMAGEFILE_BAD;
	}
	if (o->want != IMG_UNKNOWN && o->want != fmt) {
		/* another format was asked for than the model can make: encode it here */
		struct buf out = BUF_INIT((size_t)1 << 30);
		char e[200];
		int r;
		if (o->want == IMG_JPEG) {
			image_flatten(&im, 255, 255, 255);
			r = image_encode_jpeg(&im, JPEG_QUALITY, &out, e, sizeof e);
		} else {
			r = image_encode_png(&im, &out, e, sizeof e);
		}
		image_free(&im);
		buf_free(&f->data);
		f->data = out;
		/* what is written is decoded back too */
		if (r < 0 || check(&f->data, &im, &fmt, why, cap) < 0) {
			if (r < 0)
				snprintf(why, cap, "cannot encode it as %s: %s", o->want == IMG_JPEG ? "JPEG" : "PNG", e);
			imagefile_free(f);
			return r < 0 ? EXIT_SOFTWARE : IMAGEFILE_BAD;
		}
	}
	f->width = im.w;
	f->height = im.h;
	image_free(&im);
	f->mime = fmt == IMG_PNG ? "image/png" : "image/jpeg";
	sha256_hex(buf_str(&f->data), f->data.len, f->sha256);
	int st = 0;
	if (make_path(o, index, f->sha256, fmt == IMG_PNG ? "png" : "jpg", f->path, sizeof f->path) < 0)
		st = fail(why, cap, EXIT_CANTCREAT, "the file name is too long");
	else if (o->dir && !o->output && mkdirs(o->dir, 0777) < 0)
		st = fail(why, cap, EXIT_CANTCREAT, "cannot make the directory %s: %s", o->dir, strerror(errno));
	else
		st = write_atomic(f->path, buf_str(&f->data), f->data.len, o->force, why, cap);
	if (st > 0 && st < 128) {
		char w[400];
		snprintf(w, sizeof w, "%s", why);
		snprintf(why, cap, "%s: %s", f->path, w); /* the message names the file */
	}
	if (st)
		imagefile_free(f); /* f->path still names the file */
	return st;
}

void imagefile_free(struct imagefile *f)
{
	buf_free(&f->data);
}

jv imagefile_record(const struct imagefile *f, const char *revised)
{
	jv rec = JV_OBJECT(jv_string("type"), jv_string("image"), jv_string("path"), jv_string(f->path),
			   jv_string("mime"), jv_string(f->mime), jv_string("width"), jv_number(f->width),
			   jv_string("height"), jv_number(f->height), jv_string("bytes"), jv_number((double)f->data.len),
			   jv_string("sha256"), jv_string(f->sha256));
	if (revised)
		rec = jv_object_set(rec, jv_string("revised_prompt"), jv_string(revised));
	return rec;
}
