/* termimg: the replies of each kind of terminal parsed however they are
 * split, with keys typed before, between and after them kept byte for
 * byte; detection through a real pty played by the test; kitty's chunks and
 * iTerm2's payload decoded back to the picture; sixel's exact bytes for
 * small pictures and a sixel decoder here to check the pixels; $CHAT_IMAGES;
 * termimg_show on a file, with the cell size from the pty's window size. */
#include "base64.h"
#include "buf.h"
#include "media/image.h"
#include "term/sixel.h"
#include "term/termimg.h"
#include "term/termreply.h"
#include "tap.h"
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>
#include <jpeglib.h>

/* ---- pictures ---- */

static struct image new_image(int w, int h, int channels)
{
	struct image im = { w, h, channels, calloc((size_t)w * h * channels, 1) };
	return im;
}

static void set_px(struct image *im, int x, int y, unsigned r, unsigned g, unsigned b, unsigned a)
{
	unsigned char *p = im->px + ((size_t)y * im->w + x) * im->channels;
	p[0] = (unsigned char)r, p[1] = (unsigned char)g, p[2] = (unsigned char)b;
	if (im->channels == 4)
		p[3] = (unsigned char)a;
}

/* A smooth picture with thousands of colours. */
static struct image gradient(int w, int h)
{
	struct image im = new_image(w, h, 3);
	for (int y = 0; y < h; y++)
		for (int x = 0; x < w; x++)
			set_px(&im, x, y, (unsigned)(x * 255 / w), (unsigned)(y * 255 / h), (unsigned)((x + y) * 127 / (w + h)), 255);
	return im;
}

static struct image noise(int w, int h, int channels)
{
	struct image im = new_image(w, h, channels);
	unsigned s = 2463534242u;
	for (size_t i = 0; i < (size_t)w * h * channels; i++) {
		s ^= s << 13, s ^= s >> 17, s ^= s << 5;
		im.px[i] = (unsigned char)s;
	}
	return im;
}

static struct buf png_of(const struct image *im)
{
	struct buf b = BUF_INIT((size_t)1 << 28);
	char why[200];
	if (image_encode_png(im, &b, why, sizeof why) < 0) {
		fprintf(stderr, "png: %s\n", why);
		exit(70);
	}
	return b;
}

/* A JPEG with an EXIF orientation tag (APP1, big-endian TIFF). */
static struct buf jpeg_with_orientation(int w, int h, int orientation)
{
	struct buf b = BUF_INIT((size_t)1 << 26);
	struct jpeg_compress_struct c;
	struct jpeg_error_mgr err;
	unsigned char *mem = NULL;
	unsigned long len = 0;
	c.err = jpeg_std_error(&err);
	jpeg_create_compress(&c);
	jpeg_mem_dest(&c, &mem, &len);
	c.image_width = (JDIMENSION)w;
	c.image_height = (JDIMENSION)h;
	c.input_components = 3;
	c.in_color_space = JCS_RGB;
	jpeg_set_defaults(&c);
	jpeg_start_compress(&c, TRUE);
	unsigned char exif[] = {
		'E', 'x', 'i', 'f', 0, 0, 'M', 'M', 0, 42, 0, 0, 0, 8, 0, 1,
		0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, (unsigned char)orientation, 0, 0, 0, 0, 0, 0,
	};
	jpeg_write_marker(&c, JPEG_APP0 + 1, exif, sizeof exif);
	unsigned char *row = malloc((size_t)w * 3);
	for (int y = 0; y < h; y++) {
		for (int x = 0; x < w; x++)
			row[x * 3] = (unsigned char)(x < w / 2 ? 255 : 0), row[x * 3 + 1] = 0,
			row[x * 3 + 2] = (unsigned char)(x < w / 2 ? 0 : 255);
		jpeg_write_scanlines(&c, &row, 1);
	}
	jpeg_finish_compress(&c);
	jpeg_destroy_compress(&c);
	buf_add(&b, mem, len);
	free(mem);
	free(row);
	return b;
}

/* ---- a sixel decoder, to check the encoder's pixels ---- */

struct sixdec {
	int w, h;               /* from the raster attributes */
	int regs[256][3];       /* 0-100 percent */
	int *px;                /* register, or -1 where nothing was drawn */
	int overlaps;           /* pixels drawn twice */
	int outside;            /* pixels drawn outside w x h */
	int nregs;
};

static int number(const char **s, const char *end)
{
	int v = 0;
	while (*s < end && **s >= '0' && **s <= '9')
		v = v * 10 + (*(*s)++ - '0');
	return v;
}

/* 0, or -1 when the bytes are not the sixel this encoder writes. */
static int sixel_decode(const char *s, size_t n, struct sixdec *d)
{
	memset(d, 0, sizeof *d);
	const char *end = s + n;
	if (n < 4 || memcmp(s, "\033P", 2))
		return -1;
	s += 2;
	while (s < end && *s != 'q')
		s++;
	if (++s >= end || *s++ != '"')
		return -1;
	int pan = number(&s, end);
	s++;
	int pad = number(&s, end);
	s++;
	d->w = number(&s, end);
	s++;
	d->h = number(&s, end);
	if (pan != 1 || pad != 1 || d->w < 1 || d->h < 1)
		return -1;
	d->px = malloc(sizeof(int) * (size_t)d->w * d->h);
	for (int i = 0; i < d->w * d->h; i++)
		d->px[i] = -1;
	int x = 0, y = 0, cur = 0;
	while (s < end) {
		char c = *s++;
		if (c == '\033')
			return s < end && *s == '\\' && s + 1 == end ? 0 : -1;
		if (c == '#') {
			cur = number(&s, end);
			if (cur > 255)
				return -1;
			if (s < end && *s == ';') {
				s++;
				if (number(&s, end) != 2)
					return -1;
				for (int k = 0; k < 3; k++) {
					s++;
					d->regs[cur][k] = number(&s, end);
				}
				if (cur + 1 > d->nregs)
					d->nregs = cur + 1;
			}
			continue;
		}
		if (c == '$') {
			x = 0;
			continue;
		}
		if (c == '-') {
			x = 0;
			y += 6;
			continue;
		}
		int rep = 1;
		if (c == '!') {
			rep = number(&s, end);
			if (s >= end)
				return -1;
			c = *s++;
		}
		if (c < '?' || c > '~')
			return -1;
		for (int k = 0; k < rep; k++, x++)
			for (int b = 0; b < 6; b++) {
				if (!((c - '?') >> b & 1))
					continue;
				if (x >= d->w || y + b >= d->h) {
					d->outside++;
					continue;
				}
				int *p = &d->px[(y + b) * d->w + x];
				if (*p >= 0)
					d->overlaps++;
				*p = cur;
			}
	}
	return -1;
}

static int pct_to_255(int v)
{
	return (v * 255 + 50) / 100;
}

/* Largest difference between the picture and the decoded sixel, channel
 * by channel, over drawn pixels; -1 when a pixel differs in being drawn. */
static int sixel_error(const struct image *im, const struct sixdec *d, double *mean)
{
	int worst = 0;
	double sum = 0;
	for (int y = 0; y < im->h; y++)
		for (int x = 0; x < im->w; x++) {
			const unsigned char *p = im->px + ((size_t)y * im->w + x) * im->channels;
			int drawn = im->channels < 4 || p[3] >= 128;
			int r = d->px[y * d->w + x];
			if (drawn != (r >= 0))
				return -1;
			for (int c = 0; drawn && c < 3; c++) {
				int e = abs(pct_to_255(d->regs[r][c]) - p[c]);
				sum += e;
				if (e > worst)
					worst = e;
			}
		}
	if (mean)
		*mean = sum / ((double)im->w * im->h * 3);
	return worst;
}

/* ---- the reply parser ---- */

struct term_case {
	const char *name;
	const char *replies[3];     /* in the order they come */
	enum termimg_proto want;
	const char *version;
	int kitty_seen;
};

static const struct term_case terms[] = {
	{ "kitty", { "\033_Gi=31;OK\033\\", "\033P>|kitty(0.35.2)\033\\", "\033[?62;c" }, TERMIMG_KITTY, "kitty(0.35.2)", 1 },
	{ "ghostty", { "\033_Gi=31;OK\033\\", "\033P>|ghostty 1.1.3\033\\", "\033[?62;22c" }, TERMIMG_KITTY, "ghostty 1.1.3", 1 },
	{ "WezTerm with kitty graphics", { "\033_Gi=31;OK\033\\", "\033P>|WezTerm 20240203-110809-5046fc22\033\\",
	  "\033[?65;4;6;18;22c" }, TERMIMG_KITTY, "WezTerm 20240203-110809-5046fc22", 1 },
	{ "WezTerm", { "\033P>|WezTerm 20240203-110809-5046fc22\033\\", "\033[?65;4;6;18;22c" },
	  TERMIMG_ITERM2, "WezTerm 20240203-110809-5046fc22", 0 },
	{ "iTerm2", { "\033P>|iTerm2 3.5.0\033\\", "\033[?62;4c" }, TERMIMG_ITERM2, "iTerm2 3.5.0", 0 },
	{ "xterm -ti vt340", { "\033P>|XTerm(390)\033\\", "\033[?63;1;2;4;6;9;15;16;22;28c" }, TERMIMG_SIXEL, "XTerm(390)", 0 },
	{ "foot", { "\033P>|foot(1.16.2)\033\\", "\033[?62;4;22c" }, TERMIMG_SIXEL, "foot(1.16.2)", 0 },
	{ "Windows Terminal", { "\033[?61;4;6;7;14;21;22;23;24;28;32;42c" }, TERMIMG_SIXEL, "", 0 },
	{ "xterm", { "\033P>|XTerm(390)\033\\", "\033[?65;1;2;6;9;15;16;17;21;22;28c" }, TERMIMG_NONE, "XTerm(390)", 0 },
	{ "VTE", { "\033P>|VTE(7600)\033\\", "\033[?65;1;9c" }, TERMIMG_NONE, "VTE(7600)", 0 },
	{ "kitty refusing the query", { "\033_Gi=31;EINVAL:bad format\033\\", "\033[?62;c" }, TERMIMG_NONE, "", 1 },
	{ "another program's kitty id", { "\033_Gi=7;OK\033\\", "\033[?62;c" }, TERMIMG_NONE, "", 0 },
	{ "attribute 14 and 40 are not 4", { "\033[?62;14;40c" }, TERMIMG_NONE, "", 0 },
	{ "a VT100's class 4", { "\033[?4;6c" }, TERMIMG_NONE, "", 0 },
	{ "the Linux console", { "\033[?6c" }, TERMIMG_NONE, "", 0 },
	{ "a BEL-ended string", { "\033P>|iTerm2 3.4.0\a", "\033[?62c" }, TERMIMG_ITERM2, "iTerm2 3.4.0", 0 },
	{ "DA2 taken for XTVERSION", { "\033[>1;4000;0c", "\033[?62;4c" }, TERMIMG_SIXEL, "", 0 },
};

/* Keys typed around the replies: text, Enter, ^C, UTF-8, cursor keys
 * (CSI and SS3), Alt-b, a lone Esc before a letter, a paste marker. */
static const char before[] = "ls -l\r\003\xc3\xa9\033[A";
static const char between[] = "\033OB\033b\033x\033[1;5C";
static const char after[] = "q\033[200~hi\033[201~\033[";

struct stream {
	char bytes[1024];
	size_t n;
	char typed[256];
	size_t ntyped;
	size_t da1_end;         /* the offset just past the DA1 reply */
};

static void add(char *dst, size_t *n, const char *s)
{
	memcpy(dst + *n, s, strlen(s));
	*n += strlen(s);
}

/* before, the replies with between after each but the last, then after. */
static void make_stream(const struct term_case *t, struct stream *s)
{
	memset(s, 0, sizeof *s);
	add(s->bytes, &s->n, before);
	add(s->typed, &s->ntyped, before);
	for (int i = 0; i < 3 && t->replies[i]; i++) {
		if (i > 0) {
			add(s->bytes, &s->n, between);
			add(s->typed, &s->ntyped, between);
		}
		add(s->bytes, &s->n, t->replies[i]);
	}
	s->da1_end = s->n;
	add(s->bytes, &s->n, after);
	add(s->typed, &s->ntyped, after);
}

/* Feed the stream cut at the given offsets (ascending, ncuts of them);
 * 0 when everything came out right, else why not in why. */
static int feed_cut(const struct term_case *t, const struct stream *s, const size_t *cuts, int ncuts,
                    char *why, size_t cap)
{
	struct termreply r;
	termreply_init(&r);
	size_t at = 0;
	int done = 0, bad = 0;
	for (int i = 0; i <= ncuts && !bad; i++) {
		size_t to = i < ncuts ? cuts[i] : s->n;
		int got = termreply_feed(&r, s->bytes + at, to - at);
		/* done exactly once the piece holding DA1's last byte is in */
		if (got != (to >= s->da1_end)) {
			snprintf(why, cap, "feed said %d after byte %zu", got, to);
			bad = 1;
		}
		done = got;
		at = to;
	}
	termreply_finish(&r);
	if (!bad && !done)
		snprintf(why, cap, "DA1 not seen"), bad = 1;
	if (!bad && termreply_proto(&r) != t->want)
		snprintf(why, cap, "%s, not %s", termimg_name(termreply_proto(&r)), termimg_name(t->want)), bad = 1;
	if (!bad && strcmp(r.version, t->version))
		snprintf(why, cap, "version \"%s\"", r.version), bad = 1;
	if (!bad && r.kitty_seen != t->kitty_seen)
		snprintf(why, cap, "kitty_seen %d", r.kitty_seen), bad = 1;
	if (!bad && (r.typeahead.len != s->ntyped || memcmp(r.typeahead.p, s->typed, s->ntyped)))
		snprintf(why, cap, "type-ahead of %zu bytes, not %zu", r.typeahead.len, s->ntyped), bad = 1;
	termreply_free(&r);
	return bad ? -1 : 0;
}

static void test_replies(void)
{
	for (size_t k = 0; k < sizeof terms / sizeof terms[0]; k++) {
		const struct term_case *t = &terms[k];
		struct stream s;
		make_stream(t, &s);
		char why[200] = "";
		int bad = feed_cut(t, &s, NULL, 0, why, sizeof why);
		/* every place to cut it in two, then byte by byte */
		for (size_t c = 1; c < s.n && !bad; c++)
			bad = feed_cut(t, &s, &c, 1, why, sizeof why);
		size_t every[1024];
		for (size_t c = 1; c < s.n; c++)
			every[c - 1] = c;
		if (!bad)
			bad = feed_cut(t, &s, every, (int)s.n - 1, why, sizeof why);
		/* and in random pieces */
		unsigned seed = 1u + (unsigned)k;
		for (int trial = 0; trial < 200 && !bad; trial++) {
			size_t cuts[64];
			int nc = 0;
			for (size_t c = 1; c < s.n && nc < 64; c++) {
				seed = seed * 1103515245u + 12345u;
				if ((seed >> 16) % 7 == 0)
					cuts[nc++] = c;
			}
			bad = feed_cut(t, &s, cuts, nc, why, sizeof why);
		}
		ok(!bad, "replies of %s: %s, keys around them kept, however split%s%s", t->name,
		   termimg_name(t->want), bad ? ": " : "", why);
	}
}

static void feed_str(struct termreply *r, const char *s)
{
	termreply_feed(r, s, strlen(s));
}

static void test_reply_edges(void)
{
	struct termreply r;

	/* No DA1 at all: a CSI cut short may be the Esc key and is kept; a
	 * string cut short was a reply and is not. */
	termreply_init(&r);
	ok(termreply_feed(&r, "ab\033[1", 5) == 0, "no DA1: not done");
	termreply_finish(&r);
	is_mem(r.typeahead.p, r.typeahead.len, "ab\033[1", 5, "a CSI cut short is type-ahead");
	termreply_free(&r);
	termreply_init(&r);
	termreply_feed(&r, "x\033_Gi=31;O", 10);
	termreply_finish(&r);
	is_mem(r.typeahead.p, r.typeahead.len, "x", 1, "a reply cut short is dropped");
	ok(!r.kitty_seen, "... and means nothing");
	termreply_free(&r);
	termreply_init(&r);
	termreply_feed(&r, "\033", 1);
	termreply_finish(&r);
	is_mem(r.typeahead.p, r.typeahead.len, "\033", 1, "a lone Esc at the end is type-ahead");
	termreply_free(&r);

	/* An ESC inside a string cancels it and starts a sequence of its own. */
	termreply_init(&r);
	feed_str(&r, "\033P>|iTerm2\033[A\033[?62;4c");
	is_mem(r.typeahead.p, r.typeahead.len, "\033[A", 3, "ESC inside a string: the string goes, the key stays");
	ok(r.version[0] == 0 && termreply_proto(&r) == TERMIMG_SIXEL, "... and names nothing");
	termreply_free(&r);

	/* A CSI longer than any reply is given back. */
	termreply_init(&r);
	char longcsi[200] = "\033[";
	memset(longcsi + 2, '1', 100);
	longcsi[102] = 'c';
	termreply_feed(&r, longcsi, 103);
	termreply_finish(&r);
	is_mem(r.typeahead.p, r.typeahead.len, longcsi, 103, "an over-long CSI is type-ahead, whole");
	ok(!r.da1_seen, "... not DA1");
	termreply_free(&r);

	/* A string longer than any reply is given back too, byte for byte. */
	termreply_init(&r);
	char longstr[1400] = "\033_G";
	memset(longstr + 3, 'a', 1300);
	memcpy(longstr + 1303, "\033\\", 2);
	termreply_feed(&r, longstr, 1305);
	termreply_feed(&r, "\033[?62c", 6);
	ok(r.da1_seen && r.typeahead.len > 0 && r.typeahead.len <= 1305, "an over-long string does not swallow DA1");
	termreply_free(&r);

	/* Control bytes inside a CSI end it: both are type-ahead. */
	termreply_init(&r);
	feed_str(&r, "\033[1\r\033[?1;2c");
	is_mem(r.typeahead.p, r.typeahead.len, "\033[1\r", 4, "a CSI broken by a control byte is type-ahead");
	ok(r.da1_seen && termreply_proto(&r) == TERMIMG_NONE, "... and DA1 after it is read");
	termreply_free(&r);
}

/* Random bytes from the replies' alphabet, in random pieces: no crash, and
 * the type-ahead is the input less whole replies, so never longer; input
 * with no ESC is all type-ahead. */
static void test_reply_random(void)
{
	static const char alpha[] = "\033\033[?P_>|\\c4;Gi=31OK\a\rx";
	unsigned seed = 7;
	int bad = 0;
	for (int trial = 0; trial < 3000 && !bad; trial++) {
		char in[300];
		size_t n = 0;
		seed = seed * 1103515245u + 12345u;
		size_t len = (seed >> 16) % sizeof in;
		int plain = trial % 10 == 0;
		for (; n < len; n++) {
			seed = seed * 1103515245u + 12345u;
			in[n] = alpha[(seed >> 16) % (sizeof alpha - 1)];
			if (plain && in[n] == '\033')
				in[n] = 'e';
		}
		struct termreply r;
		termreply_init(&r);
		for (size_t at = 0; at < n;) {
			seed = seed * 1103515245u + 12345u;
			size_t k = 1 + (seed >> 16) % 9;
			if (k > n - at)
				k = n - at;
			termreply_feed(&r, in + at, k);
			at += k;
		}
		termreply_finish(&r);
		if (r.typeahead.len > n || (plain && (r.typeahead.len != n || (n && memcmp(r.typeahead.p, in, n)))))
			bad = 1;
		termreply_free(&r);
	}
	ok(!bad, "random bytes in random pieces: type-ahead never more than came, all of it when no ESC");
}

/* ---- detection through a pty ---- */

struct detect_result {
	int proto, restored, ntyped, nall;
	char typed[256];        /* the type-ahead detection returned */
	char all[256];          /* ... and what was left unread after it, up to the end mark */
};

/* Every play ends its typing with this, so the child knows it has it all. */
#define END_MARK '!'

/* Field by field: the struct has padding. */
static int same_modes(const struct termios *a, const struct termios *b)
{
	return a->c_iflag == b->c_iflag && a->c_oflag == b->c_oflag && a->c_cflag == b->c_cflag
	    && a->c_lflag == b->c_lflag && !memcmp(a->c_cc, b->c_cc, sizeof a->c_cc);
}

/* In a child, on the pty's slave as its controlling terminal: detect,
 * then say what came back and whether the modes were put back. */
static pid_t detect_child(int master, int slave, int timeout_ms, int res)
{
	pid_t pid = fork();
	if (pid != 0)
		return pid;
	close(master);
	setsid();
	ioctl(slave, TIOCSCTTY, 0);
	struct termios t0, t1;
	tcgetattr(slave, &t0);
	struct detect_result d;
	memset(&d, 0, sizeof d);
	char *typed = NULL;
	size_t ntyped = 0;
	d.proto = termimg_detect(slave, timeout_ms, &typed, &ntyped);
	tcgetattr(slave, &t1);
	d.restored = same_modes(&t0, &t1);
	d.ntyped = (int)(ntyped < sizeof d.typed ? ntyped : sizeof d.typed);
	if (typed)
		memcpy(d.typed, typed, (size_t)d.ntyped);
	free(typed);
	memcpy(d.all, d.typed, (size_t)d.ntyped);
	d.nall = d.ntyped;
	/* the rest, up to the end mark, unread by detection (raw, so nothing
	 * waits for a line; the poll's limit only stops a broken test) */
	struct termios t2 = t0;
	cfmakeraw(&t2);
	tcsetattr(slave, TCSANOW, &t2);
	while (!memchr(d.all, END_MARK, (size_t)d.nall) && d.nall < (int)sizeof d.all) {
		struct pollfd pf = { .fd = slave, .events = POLLIN };
		if (poll(&pf, 1, 20000) <= 0)
			break;
		ssize_t n = read(slave, d.all + d.nall, sizeof d.all - (size_t)d.nall);
		if (n <= 0)
			break;
		d.nall += (int)n;
	}
	if (write(res, &d, sizeof d) != (ssize_t)sizeof d)
		_exit(1);
	_exit(0);
}

/* Read the master until the bytes s have come; all read in q. */
static size_t read_until(int master, const char *s, char *q, size_t cap)
{
	size_t n = 0;
	while (n < cap - 1) {
		ssize_t k = read(master, q + n, cap - 1 - n);
		if (k <= 0)
			break;
		n += (size_t)k;
		q[n] = 0;
		if (memmem(q, n, s, strlen(s)))
			break;
	}
	return n;
}

static const char want_queries[] = "\033_Gi=31,s=1,v=1,a=q,t=d,f=24;AAAA\033\\\033[>0q\033[c";

/* Play a terminal: pre is typed before detection starts (and its echo
 * awaited, so the tty has taken it in cooked mode), then each piece of
 * answer is written on its own once the queries are in, then the end mark. */
static int play(const char *pre, const char *echo, const char *const *pieces, int timeout_ms,
                struct detect_result *d, int *queries_ok)
{
	int master, slave, res[2];
	char q[4096];
	if (openpty(&master, &slave, NULL, NULL, NULL) < 0 || pipe(res) < 0)
		return -1;
	if (pre && (write(master, pre, strlen(pre)) < 0 || !read_until(master, echo, q, sizeof q)))
		return -1;
	pid_t pid = detect_child(master, slave, timeout_ms, res[1]);
	close(slave);
	close(res[1]);
	size_t nq = read_until(master, "\033[c", q, sizeof q);
	*queries_ok = nq == sizeof want_queries - 1 && !memcmp(q, want_queries, nq);
	for (int i = 0; pieces && pieces[i]; i++)
		if (write(master, pieces[i], strlen(pieces[i])) < 0)
			break;
	char mark = END_MARK;
	if (write(master, &mark, 1) < 0)
		return -1;
	memset(d, 0, sizeof *d);
	ssize_t n = read(res[0], d, sizeof *d);
	int st = 0;
	waitpid(pid, &st, 0);
	close(res[0]);
	close(master);
	return n == (ssize_t)sizeof *d && WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

static void test_detect_pty(void)
{
	struct detect_result d;
	int qok;

	const char *sixel[] = { "ab", "\033P>|foo", "t(1.16)\033\\", "\033[?62;", "4;22c", "cd", NULL };
	ok(play(NULL, NULL, sixel, 10000, &d, &qok) == 0, "pty: detection ran");
	ok(qok, "pty: the kitty query, XTVERSION and DA1 were sent, in that order");
	ok(d.proto == TERMIMG_SIXEL, "pty: DA1 ?62;4;22 -> sixel (%s)", termimg_name((enum termimg_proto)d.proto));
	ok(d.restored, "pty: the terminal's modes are put back");
	ok(d.ntyped >= 2 && !memcmp(d.typed, "ab", 2), "pty: keys typed between the replies are returned");
	/* cd may come with DA1 or after detection: never lost */
	is_mem(d.all, (size_t)d.nall, "abcd!", 5, "pty: ... in order, none lost");

	/* A line and the start of another typed before detection; Enter was
	 * turned into a newline by the tty, which was cooked then. */
	const char *kitty[] = { "\033_Gi=31;OK\033\\\033P>|kitty(0.35.2)\033\\\033[?62;c", NULL };
	ok(play("hi\rab", "\nab", kitty, 10000, &d, &qok) == 0 && d.proto == TERMIMG_KITTY, "pty: kitty's OK -> kitty");
	ok(d.ntyped >= 5 && !memcmp(d.typed, "hi\nab", 5), "pty: what was typed before detection is returned");
	is_mem(d.all, (size_t)d.nall, "hi\nab!", 6, "pty: ... and nothing else was");

	const char *iterm[] = { "\033P>|iTerm2 3.5.0\033\\", "\033[?62;4c", NULL };
	ok(play(NULL, NULL, iterm, 10000, &d, &qok) == 0 && d.proto == TERMIMG_ITERM2, "pty: iTerm2 -> iterm2");
	is_mem(d.all, (size_t)d.nall, "!", 1, "pty: nothing typed, nothing returned");

	const char *plain[] = { "\033[?65;1;9c", NULL };
	ok(play(NULL, NULL, plain, 10000, &d, &qok) == 0 && d.proto == TERMIMG_NONE && d.restored, "pty: DA1 alone -> none");

	/* No DA1: the time runs out; whatever came by then is returned, the
	 * rest left in the terminal, in order. */
	const char *cut[] = { "z\033[?62", NULL };
	ok(play(NULL, NULL, cut, 200, &d, &qok) == 0 && d.proto == TERMIMG_NONE && d.restored,
	   "pty: no DA1 -> none after the timeout, modes put back");
	is_mem(d.all, (size_t)d.nall, "z\033[?62!", 7, "pty: ... nothing typed is lost");

	/* Not the controlling terminal's foreground (here: not ours at all) and
	 * not a terminal: none, with nothing written. */
	int master, slave;
	if (openpty(&master, &slave, NULL, NULL, NULL) == 0) {
		char *typed = (char *)1;
		size_t nt = 9;
		enum termimg_proto p = termimg_detect(slave, 1000, &typed, &nt);
		struct pollfd pf = { .fd = master, .events = POLLIN };
		ok(p == TERMIMG_NONE && !typed && nt == 0 && poll(&pf, 1, 0) == 0,
		   "a terminal this process does not control: none, nothing sent");
		close(master);
		close(slave);
	}
	int fd = open("/dev/null", O_RDWR);
	char *typed = NULL;
	size_t nt = 0;
	ok(termimg_detect(fd, 1000, &typed, &nt) == TERMIMG_NONE && !typed, "not a terminal: none");
	close(fd);
}

/* ---- the encoders ---- */

struct kitty_out {
	int nchunks, bad_size, bad_m, first_ok, ends_nl;
	char first[200];
	struct buf payload;     /* the base64 text, chunks joined */
};

static void parse_kitty(const struct buf *b, struct kitty_out *k)
{
	memset(k, 0, sizeof *k);
	buf_init(&k->payload, (size_t)1 << 30);
	const char *s = b->p, *end = b->p + b->len;
	int last_m = 1;
	while (s + 3 <= end && !memcmp(s, "\033_G", 3)) {
		const char *semi = memchr(s, ';', (size_t)(end - s));
		const char *st = semi ? memmem(semi, (size_t)(end - semi), "\033\\", 2) : NULL;
		if (!st)
			break;
		size_t cl = (size_t)(semi - s - 3);
		char ctl[200];
		snprintf(ctl, sizeof ctl, "%.*s", (int)cl, s + 3);
		if (k->nchunks == 0)
			snprintf(k->first, sizeof k->first, "%s", ctl);
		else if (strncmp(ctl, "m=", 2) || strlen(ctl) != 3)
			k->bad_m = 1;
		const char *m = strstr(ctl, "m=");
		if (!last_m || !m)
			k->bad_m = 1;           /* a chunk after m=0, or no m */
		last_m = m && m[2] == '1';
		size_t pl = (size_t)(st - semi - 1);
		if (pl > 4096 || (last_m && pl % 4))
			k->bad_size = 1;
		buf_add(&k->payload, semi + 1, pl);
		k->nchunks++;
		s = st + 2;
	}
	if (last_m)
		k->bad_m = 1;                   /* never ended */
	k->ends_nl = s + 1 == end && *s == '\n';
}

static void test_kitty(void)
{
	char why[200] = "";
	struct image g = gradient(300, 200);
	struct buf png = png_of(&g);
	struct buf out = BUF_INIT((size_t)1 << 30);
	ok(termimg_render(TERMIMG_KITTY, (unsigned char *)png.p, png.len, 20, 10, 10, 20, &out, why, sizeof why) == 0,
	   "kitty: rendered %s", why);
	struct kitty_out k;
	parse_kitty(&out, &k);
	is_str(k.first, "a=T,f=100,q=2,c=20,r=7,m=0", "kitty: one chunk: shown at once, PNG, quiet, 20x7 cells");
	ok(k.ends_nl && !k.bad_m && !k.bad_size, "kitty: m=0 on the last chunk, then a newline");
	struct buf raw = BUF_INIT((size_t)1 << 30);
	struct image im = { 0 };
	ok(base64_decode(k.payload.p, k.payload.len, &raw) == 0
	   && image_sniff((unsigned char *)raw.p, raw.len) == IMG_PNG
	   && image_decode((unsigned char *)raw.p, raw.len, NULL, 0, &im, NULL, NULL, why, sizeof why) == 0
	   && im.w == 200 && im.h == 133, "kitty: the payload is a PNG shrunk to fit 200x400 pixels: %dx%d", im.w, im.h);
	image_free(&im);
	buf_free(&raw);
	buf_free(&k.payload);
	buf_free(&png);
	image_free(&g);

	/* Noise does not compress: many chunks, and a PNG that fits goes as it is. */
	struct image nz = noise(120, 90, 4);
	png = png_of(&nz);
	buf_reset(&out);
	termimg_render(TERMIMG_KITTY, (unsigned char *)png.p, png.len, 80, 24, 10, 20, &out, why, sizeof why);
	parse_kitty(&out, &k);
	ok(k.nchunks == (int)((png.len + 2) / 3 * 4 + 4095) / 4096 && k.nchunks > 10,
	   "kitty: %d chunks of at most 4096 bytes", k.nchunks);
	ok(!k.bad_size && !k.bad_m && k.ends_nl, "kitty: every chunk but the last full and m=1, the last m=0");
	is_str(k.first, "a=T,f=100,q=2,c=12,r=5,m=1", "kitty: the first chunk holds the keys");
	raw = (struct buf)BUF_INIT((size_t)1 << 30);
	base64_decode(k.payload.p, k.payload.len, &raw);
	is_mem(raw.p, raw.len, png.p, png.len, "kitty: a PNG that needs no change is sent byte for byte");
	buf_free(&raw);
	buf_free(&k.payload);
	buf_free(&png);
	image_free(&nz);

	/* A JPEG becomes a PNG, upright. */
	struct buf jpg = jpeg_with_orientation(40, 20, 6);
	buf_reset(&out);
	termimg_render(TERMIMG_KITTY, (unsigned char *)jpg.p, jpg.len, 80, 24, 10, 20, &out, why, sizeof why);
	parse_kitty(&out, &k);
	raw = (struct buf)BUF_INIT((size_t)1 << 30);
	base64_decode(k.payload.p, k.payload.len, &raw);
	ok(image_sniff((unsigned char *)raw.p, raw.len) == IMG_PNG
	   && image_decode((unsigned char *)raw.p, raw.len, NULL, 0, &im, NULL, NULL, why, sizeof why) == 0
	   && im.w == 20 && im.h == 40, "kitty: a JPEG turned by EXIF goes as an upright PNG (%dx%d)", im.w, im.h);
	image_free(&im);
	buf_free(&raw);
	buf_free(&k.payload);
	buf_free(&jpg);
	buf_free(&out);
}

/* OSC 1337 File=ARGS:BASE64 BEL then a newline: the args and payload. */
static int parse_iterm2(const struct buf *b, char *args, size_t cap, struct buf *payload)
{
	const char *pre = "\033]1337;File=";
	if (b->len < strlen(pre) + 3 || memcmp(b->p, pre, strlen(pre)) || memcmp(b->p + b->len - 2, "\a\n", 2))
		return -1;
	const char *a = b->p + strlen(pre);
	const char *colon = memchr(a, ':', b->len - strlen(pre));
	if (!colon)
		return -1;
	snprintf(args, cap, "%.*s", (int)(colon - a), a);
	return base64_decode(colon + 1, (size_t)(b->p + b->len - 2 - colon - 1), payload);
}

static void test_iterm2(void)
{
	char why[200] = "", args[300] = "", want[300];
	struct image g = gradient(300, 200);
	struct buf png = png_of(&g);
	struct buf out = BUF_INIT((size_t)1 << 30), raw = BUF_INIT((size_t)1 << 30);
	termimg_render(TERMIMG_ITERM2, (unsigned char *)png.p, png.len, 80, 24, 10, 20, &out, why, sizeof why);
	ok(parse_iterm2(&out, args, sizeof args, &raw) == 0, "iterm2: OSC 1337 File=...:base64 BEL, newline");
	snprintf(want, sizeof want, "inline=1;size=%zu;width=30;height=10;preserveAspectRatio=1", png.len);
	is_str(args, want, "iterm2: inline, the payload's size, 30x10 cells, aspect kept");
	is_mem(raw.p, raw.len, png.p, png.len, "iterm2: a PNG that fits goes as it is");

	/* Shrunk: re-encoded, and size= is the new payload's. */
	buf_reset(&out);
	buf_reset(&raw);
	termimg_render(TERMIMG_ITERM2, (unsigned char *)png.p, png.len, 10, 10, 10, 20, &out, why, sizeof why);
	parse_iterm2(&out, args, sizeof args, &raw);
	snprintf(want, sizeof want, "inline=1;size=%zu;width=10;height=4;preserveAspectRatio=1", raw.len);
	is_str(args, want, "iterm2: shrunk to 10x4 cells; size= matches the payload decoded");
	struct image im = { 0 };
	ok(image_decode((unsigned char *)raw.p, raw.len, NULL, 0, &im, NULL, NULL, why, sizeof why) == 0
	   && im.w == 100 && im.h == 67, "iterm2: the payload is the picture at 100x67 (%dx%d)", im.w, im.h);
	image_free(&im);

	/* A JPEG stays a JPEG, upright. */
	struct buf jpg = jpeg_with_orientation(40, 20, 6);
	buf_reset(&out);
	buf_reset(&raw);
	termimg_render(TERMIMG_ITERM2, (unsigned char *)jpg.p, jpg.len, 80, 24, 10, 20, &out, why, sizeof why);
	parse_iterm2(&out, args, sizeof args, &raw);
	snprintf(want, sizeof want, "inline=1;size=%zu;width=2;height=2;preserveAspectRatio=1", raw.len);
	is_str(args, want, "iterm2: a JPEG, 2x2 cells, size= matches");
	ok(image_sniff((unsigned char *)raw.p, raw.len) == IMG_JPEG
	   && image_decode((unsigned char *)raw.p, raw.len, NULL, 0, &im, NULL, NULL, why, sizeof why) == 0
	   && im.w == 20 && im.h == 40, "iterm2: ... re-encoded upright (%dx%d)", im.w, im.h);
	image_free(&im);
	buf_free(&jpg);
	buf_free(&out);
	buf_free(&raw);
	buf_free(&png);
	image_free(&g);
}

static void test_sixel_exact(void)
{
	struct buf out = BUF_INIT((size_t)1 << 20);
	struct sixdec d;

	/* 12x7, red left and blue right, swapped on the last row: two bands,
	 * the second of one row; runs compressed, trailing blanks left out. */
	struct image im = new_image(12, 7, 3);
	for (int y = 0; y < 7; y++)
		for (int x = 0; x < 12; x++) {
			int red = (x < 6) != (y == 6);
			set_px(&im, x, y, red ? 255 : 0, 0, red ? 0 : 255, 255);
		}
	ok(sixel_encode(&im, &out) == 0, "sixel: 12x7 encoded");
	const char want[] = "\033P0;1q\"1;1;12;7#0;2;100;0;0#1;2;0;0;100"
	                    "#0!6~$#1!6?!6~-#0!6?!6@$#1!6@\033\\";
	is_mem(out.p, out.len, want, sizeof want - 1, "sixel: 12x7 in two colours, exactly");
	ok(sixel_decode(out.p, out.len, &d) == 0 && d.w == 12 && d.h == 7 && sixel_error(&im, &d, NULL) == 0
	   && !d.overlaps && !d.outside && d.nregs == 2, "sixel: 12x7 decodes back to its pixels");
	free(d.px);
	image_free(&im);

	/* Short runs stay literal; the columns one colour misses are '?'. */
	im = new_image(5, 2, 3);
	const char *rows[2] = { "RRRBB", "RBRBR" };
	for (int y = 0; y < 2; y++)
		for (int x = 0; x < 5; x++)
			set_px(&im, x, y, rows[y][x] == 'R' ? 255 : 0, 0, rows[y][x] == 'B' ? 255 : 0, 255);
	buf_reset(&out);
	sixel_encode(&im, &out);
	const char want2[] = "\033P0;1q\"1;1;5;2#0;2;100;0;0#1;2;0;0;100#0B@B?A$#1?A?B@\033\\";
	is_mem(out.p, out.len, want2, sizeof want2 - 1, "sixel: 5x2, no runs");
	image_free(&im);

	/* Three equal columns are cheaper as they are; four become !4. */
	for (int w = 3; w <= 4; w++) {
		im = new_image(w, 6, 3);
		for (int i = 0; i < w * 6; i++)
			set_px(&im, i % w, i / w, 0, 255, 0, 255);
		buf_reset(&out);
		sixel_encode(&im, &out);
		char want3[100];
		snprintf(want3, sizeof want3, "\033P0;1q\"1;1;%d;6#0;2;0;100;0#0%s\033\\", w, w == 3 ? "~~~" : "!4~");
		is_str(buf_str(&out), want3, w == 3 ? "sixel: a run of 3 stays literal" : "sixel: a run of 4 is !4");
		image_free(&im);
	}

	/* Transparent pixels are not drawn. */
	im = new_image(3, 2, 4);
	set_px(&im, 0, 0, 255, 0, 0, 255);
	set_px(&im, 1, 0, 255, 0, 0, 127);
	set_px(&im, 2, 0, 0, 0, 255, 200);
	set_px(&im, 0, 1, 0, 0, 255, 0);
	set_px(&im, 1, 1, 255, 0, 0, 128);
	set_px(&im, 2, 1, 255, 0, 0, 0);
	buf_reset(&out);
	sixel_encode(&im, &out);
	const char want4[] = "\033P0;1q\"1;1;3;2#0;2;100;0;0#1;2;0;0;100#0@A$#1??@\033\\";
	is_mem(out.p, out.len, want4, sizeof want4 - 1, "sixel: alpha below 128 is left undrawn");
	ok(sixel_decode(out.p, out.len, &d) == 0 && sixel_error(&im, &d, NULL) == 0, "sixel: ... and decodes so");
	free(d.px);
	image_free(&im);

	/* Nothing opaque at all: a raster with no colours. */
	im = new_image(2, 8, 4);
	buf_reset(&out);
	sixel_encode(&im, &out);
	is_str(buf_str(&out), "\033P0;1q\"1;1;2;8-\033\\", "sixel: a wholly transparent picture draws nothing");
	image_free(&im);
	buf_free(&out);
}

static void test_sixel_many_colours(void)
{
	struct buf out = BUF_INIT((size_t)1 << 26);
	struct sixdec d;
	struct image im = gradient(97, 61);     /* thousands of colours, a ragged last band */
	ok(sixel_encode(&im, &out) == 0, "sixel: a gradient encoded");
	double mean = 0;
	int worst = -2;
	ok(sixel_decode(out.p, out.len, &d) == 0 && d.w == 97 && d.h == 61 && !d.overlaps && !d.outside,
	   "sixel: every pixel drawn once, none outside");
	ok(d.nregs <= 256 && d.nregs > 200, "sixel: %d colour registers, at most 256", d.nregs);
	worst = sixel_error(&im, &d, &mean);
	ok(worst >= 0 && worst <= 24 && mean < 4, "sixel: median cut within %d of each channel, %.2f on average", worst, mean);
	free(d.px);
	image_free(&im);

	/* Noise in every colour: the median cut still covers every pixel. */
	im = noise(64, 64, 4);
	buf_reset(&out);
	sixel_encode(&im, &out);
	ok(sixel_decode(out.p, out.len, &d) == 0 && sixel_error(&im, &d, &mean) >= 0 && !d.overlaps,
	   "sixel: RGBA noise: drawn exactly where opaque");
	free(d.px);
	image_free(&im);

	/* Through termimg_render: fitted, upright, then a newline. */
	struct buf jpg = jpeg_with_orientation(40, 20, 6);
	char why[200];
	buf_reset(&out);
	ok(termimg_render(TERMIMG_SIXEL, (unsigned char *)jpg.p, jpg.len, 80, 24, 10, 20, &out, why, sizeof why) == 0
	   && out.len && out.p[out.len - 1] == '\n', "sixel: rendered, a newline after ST");
	ok(sixel_decode(out.p, out.len - 1, &d) == 0 && d.w == 20 && d.h == 40, "sixel: a JPEG turned by EXIF is upright");
	free(d.px);
	buf_free(&jpg);
	buf_free(&out);
}

static void test_render_errors(void)
{
	char why[200] = "";
	struct buf out = BUF_INIT(1 << 20);
	buf_adds(&out, "kept");
	ok(termimg_render(TERMIMG_SIXEL, (const unsigned char *)"hello", 5, 80, 24, 10, 20, &out, why, sizeof why) < 0,
	   "render: not an image fails");
	is_str(why, "not an image", "render: ... saying so");
	const unsigned char gif[] = "GIF89a\1\0\1\0\0\0\0;";
	termimg_render(TERMIMG_KITTY, gif, sizeof gif - 1, 80, 24, 10, 20, &out, why, sizeof why);
	is_str(why, "a GIF image, not PNG or JPEG", "render: a GIF is named");
	struct image g = gradient(8, 8);
	struct buf png = png_of(&g);
	png.len -= 20;
	ok(termimg_render(TERMIMG_ITERM2, (unsigned char *)png.p, png.len, 80, 24, 10, 20, &out, why, sizeof why) < 0,
	   "render: a truncated PNG fails (%s)", why);
	ok(termimg_render(TERMIMG_NONE, (unsigned char *)png.p, png.len + 20, 80, 24, 10, 20, &out, why, sizeof why) < 0,
	   "render: none fails");
	is_str(buf_str(&out), "kept", "render: out is left as it was");
	buf_free(&png);
	image_free(&g);
	buf_free(&out);
}

static void test_env(void)
{
	enum termimg_proto p = TERMIMG_NONE;
	unsetenv("CHAT_IMAGES");
	ok(termimg_from_env(&p) == -1, "env: unset -> detect");
	const char *vals[] = { "kitty", "ITerm2", "sixel", "none" };
	const enum termimg_proto want[] = { TERMIMG_KITTY, TERMIMG_ITERM2, TERMIMG_SIXEL, TERMIMG_NONE };
	for (int i = 0; i < 4; i++) {
		setenv("CHAT_IMAGES", vals[i], 1);
		p = (enum termimg_proto)99;
		ok(termimg_from_env(&p) == 0 && p == want[i], "env: CHAT_IMAGES=%s -> %s", vals[i], termimg_name(want[i]));
	}
	setenv("CHAT_IMAGES", "auto", 1);
	ok(termimg_from_env(&p) == -1, "env: anything else -> detect");
	setenv("CHAT_IMAGES", "", 1);
	ok(termimg_from_env(&p) == -1, "env: empty -> detect");
	unsetenv("CHAT_IMAGES");
	is_str(termimg_name(TERMIMG_ITERM2), "iterm2", "names: iterm2");
	is_str(termimg_name((enum termimg_proto)42), "none", "names: out of range is none");
}

static void test_show(void)
{
	char dir[] = "/tmp/termimg.XXXXXX", path[256], why[200] = "";
	if (!mkdtemp(dir)) {
		skip("no temporary folder");
		return;
	}
	snprintf(path, sizeof path, "%s/g.png", dir);
	struct image g = gradient(300, 200);
	struct buf png = png_of(&g);
	FILE *f = fopen(path, "wb");
	fwrite(png.p, 1, png.len, f);
	fclose(f);

	/* To a file: no window, so 80x24 cells of 10x20 pixels. */
	char outpath[256];
	snprintf(outpath, sizeof outpath, "%s/out", dir);
	int fd = open(outpath, O_RDWR | O_CREAT | O_TRUNC, 0600);
	ok(termimg_show(fd, TERMIMG_SIXEL, path, 0, 0, why, sizeof why) == 0, "show: a file written as sixel");
	struct buf got = BUF_INIT(1 << 24), want = BUF_INIT(1 << 24);
	lseek(fd, 0, SEEK_SET);
	char b[65536];
	ssize_t n;
	while ((n = read(fd, b, sizeof b)) > 0)
		buf_add(&got, b, (size_t)n);
	close(fd);
	termimg_render(TERMIMG_SIXEL, (unsigned char *)png.p, png.len, 80, 24, 10, 20, &want, why, sizeof why);
	ok(got.len == want.len && !memcmp(got.p, want.p, got.len), "show: the same bytes as render at 80x24 cells of 10x20");
	ok(termimg_show(1, TERMIMG_SIXEL, "/nonexistent/x.png", 0, 0, why, sizeof why) < 0, "show: a missing file fails");
	is_str(why, strerror(ENOENT), "show: ... with the reason");
	ok(termimg_show(1, TERMIMG_NONE, path, 0, 0, why, sizeof why) < 0, "show: none fails, writing nothing");

	/* To a pty whose window is 100x50 cells of 800x800 pixels: 8x16 cells. */
	int master, slave;
	struct winsize ws = { .ws_row = 50, .ws_col = 100, .ws_xpixel = 800, .ws_ypixel = 800 };
	if (openpty(&master, &slave, NULL, NULL, &ws) == 0) {
		struct termios t;
		tcgetattr(slave, &t);
		cfmakeraw(&t);
		tcsetattr(slave, TCSANOW, &t);
		struct image small = gradient(30, 20);
		struct buf sp = png_of(&small);
		f = fopen(path, "wb");
		fwrite(sp.p, 1, sp.len, f);
		fclose(f);
		ok(termimg_show(slave, TERMIMG_KITTY, path, 2, 10, why, sizeof why) == 0, "show: to a terminal");
		buf_reset(&got);
		while (!got.len || got.p[got.len - 1] != '\n') {
			n = read(master, b, sizeof b);
			if (n <= 0)
				break;
			buf_add(&got, b, (size_t)n);
		}
		/* 16 pixels wide at most: 30x20 -> 16x11, 2x1 cells */
		const char *head = "\033_Ga=T,f=100,q=2,c=2,r=1,m=0;";
		if (!ok(got.len > strlen(head) && !memcmp(got.p, head, strlen(head)),
		        "show: the cell size comes from the window's pixels"))
			printf("# got %.40s\n", got.p + 1);
		buf_free(&sp);
		image_free(&small);
		close(master);
		close(slave);
	}
	unlink(path);
	unlink(outpath);
	rmdir(dir);
	buf_free(&got);
	buf_free(&want);
	buf_free(&png);
	image_free(&g);
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	test_replies();
	test_reply_edges();
	test_reply_random();
	test_detect_pty();
	test_kitty();
	test_iterm2();
	test_sixel_exact();
	test_sixel_many_colours();
	test_render_errors();
	test_env();
	test_show();
	return tap_done();
}
