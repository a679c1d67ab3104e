/* termimg: the protocol's name and $CHAT_IMAGES, and an image file made
 * ready for the terminal: read, decoded by media/ (caps, orientation),
 * shrunk to the box of cells, then handed to the protocol's encoder. */
#include "term/termimg.h"
#include "term/termimg_enc.h"
#include "term/sixel.h"
#include "fdio.h"
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <unistd.h>

#define MB ((size_t)1 << 20)
#define MAX_FILE (256 * MB)
#define MAX_CELLS 10000         /* a box side past any screen, so pixels stay in int */

static const char *const names[] = { "none", "kitty", "iterm2", "sixel" };

const char *termimg_name(enum termimg_proto p)
{
	return (unsigned)p < sizeof names / sizeof names[0] ? names[p] : "none";
}

int termimg_from_env(enum termimg_proto *p)
{
	const char *v = getenv("CHAT_IMAGES");
	if (!v)
		return -1;
	for (unsigned i = 0; i < sizeof names / sizeof names[0]; i++)
		if (!strcasecmp(v, names[i])) {
			*p = (enum termimg_proto)i;
			return 0;
		}
	return -1;
}

/* The longest side of a w x h picture fitted into bw x bh, or 0 when it
 * fits already (pictures are never enlarged). */
static int fit_side(int w, int h, long long bw, long long bh)
{
	if (w <= bw && h <= bh)
		return 0;
	long long side;
	if ((long long)w * bh > (long long)h * bw)     /* the width decides */
		side = w >= h ? bw : (long long)h * bw / w;
	else
		side = h >= w ? bh : (long long)w * bh / h;
	return side < 1 ? 1 : (int)side;
}

/* A PNG with an eXIf chunk may be shown turned by a terminal that honours
 * it and unturned by one that does not, so it is never sent as it is. */
static int png_has_exif(const unsigned char *p, size_t n)
{
	for (size_t at = 8; at + 8 <= n;) {
		uint32_t len = (uint32_t)p[at] << 24 | (uint32_t)p[at + 1] << 16 | (uint32_t)p[at + 2] << 8 | p[at + 3];
		if (!memcmp(p + at + 4, "eXIf", 4))
			return 1;
		if (len > n - at - 8 || n - at - 8 - len < 4)
			return 1;       /* malformed: the decoder's pixels, not these bytes */
		at += 8 + (size_t)len + 4;
	}
	return 0;
}

static int cells(int px, int cell, int max)
{
	int c = (px + cell - 1) / cell;
	return c > max ? max : c < 1 ? 1 : c;
}

int termimg_render(enum termimg_proto p, const unsigned char *data, size_t n, int max_cols, int max_rows,
                   int cell_w, int cell_h, struct buf *out, char *why, size_t cap)
{
	if (p != TERMIMG_KITTY && p != TERMIMG_ITERM2 && p != TERMIMG_SIXEL)
		return image_fail(why, cap, "the terminal shows no images");
	if (max_cols < 1 || max_rows < 1 || cell_w < 1 || cell_h < 1)
		return image_fail(why, cap, "no room to show an image in");
	if (max_cols > MAX_CELLS)
		max_cols = MAX_CELLS;
	if (max_rows > MAX_CELLS)
		max_rows = MAX_CELLS;
	if (cell_w > MAX_CELLS)
		cell_w = MAX_CELLS;
	if (cell_h > MAX_CELLS)
		cell_h = MAX_CELLS;
	enum image_format f = image_sniff(data, n);
	if (f != IMG_PNG && f != IMG_JPEG)
		return f == IMG_UNKNOWN ? image_fail(why, cap, "not an image")
		                        : image_fail(why, cap, "a %s image, not PNG or JPEG", image_format_name(f));
	long long bw = (long long)max_cols * cell_w, bh = (long long)max_rows * cell_h;
	/* A hint for a JPEG's scaled decode; either way round, as EXIF may turn it. */
	int hw, hh, target = 0;
	if (image_size(data, n, &hw, &hh) == 0 && hw > 0 && hh > 0) {
		int a = fit_side(hw, hh, bw, bh), b = fit_side(hh, hw, bw, bh);
		target = a && b ? (a > b ? a : b) : 0;
	}
	struct image_limits lim = { 100000000, 512 * MB, 200, 0 };
	struct image im;
	int ow, oh;
	if (image_decode(data, n, &lim, target, &im, &ow, &oh, why, cap) < 0)
		return -1;
	int side = fit_side(im.w, im.h, bw, bh);
	if (side && image_shrink(&im, side) < 0) {
		image_free(&im);
		return image_fail(why, cap, "out of memory");
	}
	int as_is = f == IMG_PNG && im.w == ow && im.h == oh && !png_has_exif(data, n);
	struct termimg_pic pic = {
		.im = &im, .file = as_is ? data : NULL, .nfile = as_is ? n : 0, .format = f,
		.cols = cells(im.w, cell_w, max_cols), .rows = cells(im.h, cell_h, max_rows),
	};
	size_t mark = out->len;
	int rc;
	if (p == TERMIMG_KITTY)
		rc = termimg_kitty(&pic, out, why, cap);
	else if (p == TERMIMG_ITERM2)
		rc = termimg_iterm2(&pic, out, why, cap);
	else if ((rc = sixel_encode(&im, out)) < 0)
		image_fail(why, cap, "out of memory");
	if (rc == 0 && buf_addc(out, '\n') < 0)
		rc = image_fail(why, cap, "out of memory");
	if (rc < 0) {
		out->len = mark;
		if (out->p)
			out->p[mark] = 0;
	}
	image_free(&im);
	return rc;
}

static int read_file(const char *path, struct buf *b, char *why, size_t cap)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return image_fail(why, cap, "%s", strerror(errno));
	int r = read_all(fd, b);
	int e = errno;
	close(fd);
	if (r == -2)
		return image_fail(why, cap, "larger than %zu MB", MAX_FILE / MB);
	if (r < 0)
		return image_fail(why, cap, "%s", strerror(e));
	return 0;
}

int termimg_show(int out_fd, enum termimg_proto p, const char *path, int max_cols, int max_rows,
                 char *why, size_t cap)
{
	if (p == TERMIMG_NONE)
		return image_fail(why, cap, "the terminal shows no images");
	struct winsize ws;
	memset(&ws, 0, sizeof ws);
	ioctl(out_fd, TIOCGWINSZ, &ws);   /* not a terminal: the defaults below */
	int cw = ws.ws_col && ws.ws_xpixel ? ws.ws_xpixel / ws.ws_col : 0;
	int ch = ws.ws_row && ws.ws_ypixel ? ws.ws_ypixel / ws.ws_row : 0;
	if (max_cols <= 0)
		max_cols = ws.ws_col ? ws.ws_col : 80;
	if (max_rows <= 0)
		max_rows = ws.ws_row ? ws.ws_row : 24;
	struct buf data = BUF_INIT(MAX_FILE), out = BUF_INIT((size_t)1 << 31);
	int rc = read_file(path, &data, why, cap);
	if (rc == 0)
		rc = termimg_render(p, (const unsigned char *)data.p, data.len, max_cols, max_rows,
		                    cw > 0 ? cw : 10, ch > 0 ? ch : 20, &out, why, cap);
	if (rc == 0 && write_all(out_fd, out.p, out.len) < 0)
		rc = image_fail(why, cap, "cannot write the image: %s", strerror(errno));
	buf_free(&data);
	buf_free(&out);
	return rc;
}
