/* image_gif: the first frame of a GIF (giflib), on the logical screen. The
 * frame's pixels come from its colour table (its own, else the global one);
 * the frame's transparent colour, and the screen outside the frame, are
 * transparent, as browsers show them. The file is read to its trailer, so a
 * GIF cut short anywhere is refused and every frame is counted; frames after
 * the first are skipped undecoded. */
#include "media/image_decoders.h"
#include "media/giflib_lib.h"
#include <stdlib.h>
#include <string.h>

struct gsrc {
	const unsigned char *p;
	size_t n, at;
};

static int gif_read(GifFileType *g, GifByteType *to, int len)
{
	struct gsrc *s = g->UserData;
	size_t want = len > 0 ? (size_t)len : 0;
	if (want > s->n - s->at)
		want = s->n - s->at;
	memcpy(to, s->p + s->at, want);
	s->at += want;
	return (int)want;
}

static int gif_error(int code, char *why, size_t cap)
{
	if (code == D_GIF_ERR_READ_FAILED)
		return image_fail(why, cap, "truncated GIF");
	if (code == D_GIF_ERR_NOT_ENOUGH_MEM)
		return image_fail(why, cap, "out of memory decoding GIF");
	const char *s = GifErrorString(code);
	return image_fail(why, cap, "corrupt GIF: %s", s ? s : "unknown error");
}

struct gdec {
	GifFileType *g;
	unsigned char *px, *line;
	int transparent;        /* the first frame's transparent index, or -1 */
	int frames;
};

/* The first frame's rows, in file order (interlaced: four passes), onto
 * the RGBA canvas. */
static int gif_first_frame(struct gdec *d, int cw, int ch, char *why, size_t cap)
{
	GifFileType *g = d->g;
	const GifImageDesc *im = &g->Image;
	const ColorMapObject *map = im->ColorMap ? im->ColorMap : g->SColorMap;
	if (!map || !map->Colors)
		return image_fail(why, cap, "corrupt GIF: no colour table");
	static const int start[] = { 0, 4, 2, 1 }, step[] = { 8, 8, 4, 2 };
	int passes = im->Interlace ? 4 : 1;
	for (int p = 0; p < passes; p++)
		for (int y = im->Interlace ? start[p] : 0; y < im->Height; y += im->Interlace ? step[p] : 1) {
			if (DGifGetLine(g, d->line, im->Width) == GIF_ERROR)
				return gif_error(g->Error, why, cap);
			int cy = im->Top + y;
			if (cy >= ch)
				continue;
			unsigned char *o = d->px + ((size_t)cy * (size_t)cw + (size_t)im->Left) * 4;
			for (int x = 0; x < im->Width && im->Left + x < cw; x++, o += 4) {
				int i = d->line[x];
				if (i == d->transparent)
					continue;       /* the canvas is transparent already */
				if (i < map->ColorCount) {
					o[0] = map->Colors[i].Red;
					o[1] = map->Colors[i].Green;
					o[2] = map->Colors[i].Blue;
				} else {
					o[0] = o[1] = o[2] = 0;   /* outside the table: black, as giflib's tools */
				}
				o[3] = 255;
			}
		}
	return 0;
}

/* A frame after the first: its compressed blocks passed over. */
static int gif_skip_frame(GifFileType *g, char *why, size_t cap)
{
	int size;
	GifByteType *block;
	if (DGifGetCode(g, &size, &block) == GIF_ERROR)
		return gif_error(g->Error, why, cap);
	while (block)
		if (DGifGetCodeNext(g, &block) == GIF_ERROR)
			return gif_error(g->Error, why, cap);
	return 0;
}

/* An extension; a graphic control block before the first frame gives that
 * frame's transparent colour. */
static int gif_extension(struct gdec *d, char *why, size_t cap)
{
	int code;
	GifByteType *ext;
	if (DGifGetExtension(d->g, &code, &ext) == GIF_ERROR)
		return gif_error(d->g->Error, why, cap);
	if (code == GRAPHICS_EXT_FUNC_CODE && ext && ext[0] >= 4 && !d->frames)
		d->transparent = (ext[1] & 1) ? ext[4] : -1;
	while (ext)
		if (DGifGetExtensionNext(d->g, &ext) == GIF_ERROR)
			return gif_error(d->g->Error, why, cap);
	return 0;
}

static int gif_run(struct gdec *d, const struct image_limits *lim, struct image *out, int *ow, int *oh,
                   char *why, size_t cap)
{
	GifFileType *g = d->g;
	int cw = 0, ch = 0;
	for (;;) {
		GifRecordType type;
		if (DGifGetRecordType(g, &type) == GIF_ERROR)
			return gif_error(g->Error, why, cap);
		if (type == TERMINATE_RECORD_TYPE)
			break;
		if (type == EXTENSION_RECORD_TYPE) {
			if (gif_extension(d, why, cap) < 0)
				return -1;
			continue;
		}
		if (type != IMAGE_DESC_RECORD_TYPE)
			return image_fail(why, cap, "corrupt GIF: unknown block");
		if (DGifGetImageDesc(g) == GIF_ERROR)
			return gif_error(g->Error, why, cap);
		if (d->frames++) {
			if (gif_skip_frame(g, why, cap) < 0)
				return -1;
			continue;
		}
		const GifImageDesc *im = &g->Image;
		if (im->Left < 0 || im->Top < 0 || im->Width <= 0 || im->Height <= 0)
			return image_fail(why, cap, "corrupt GIF: first frame has no pixels");
		/* the screen, grown to hold the frame when it is smaller */
		cw = g->SWidth > im->Left + im->Width ? g->SWidth : im->Left + im->Width;
		ch = g->SHeight > im->Top + im->Height ? g->SHeight : im->Top + im->Height;
		if (image_check_pixels(lim, (uint64_t)cw, (uint64_t)ch, why, cap) < 0 ||
		    image_check_memory(lim, (uint64_t)cw * (uint64_t)ch * 4 + (uint64_t)im->Width, why, cap) < 0)
			return -1;
		d->px = calloc((size_t)cw * (size_t)ch, 4);
		d->line = malloc((size_t)im->Width);
		if (!d->px || !d->line)
			return image_fail(why, cap, "out of memory decoding a %dx%d GIF", cw, ch);
		if (gif_first_frame(d, cw, ch, why, cap) < 0)
			return -1;
	}
	if (!d->frames)
		return image_fail(why, cap, "corrupt GIF: no image in it");
	*ow = cw;
	*oh = ch;
	out->w = cw;
	out->h = ch;
	out->channels = 4;
	out->px = d->px;
	d->px = NULL;
	return 0;
}

int image_decode_gif(const unsigned char *data, size_t n, const struct image_limits *lim, struct image *out,
                     int *ow, int *oh, int *frames, char *why, size_t cap)
{
	char missing[300];
	if (!gif_lib(missing, sizeof missing))
		return image_fail(why, cap, "GIF not supported here: %s", missing);
	struct gsrc src = { data, n, 0 };
	int err = 0;
	struct gdec d = { .transparent = -1 };
	d.g = DGifOpen(&src, gif_read, &err);
	if (!d.g)
		return gif_error(err, why, cap);
	/* the screen's own size, before anything is allocated for it (a screen
	 * of no size takes the first frame's) */
	int r = 0;
	if (d.g->SWidth > 0 && d.g->SHeight > 0)
		r = image_check_pixels(lim, (uint64_t)d.g->SWidth, (uint64_t)d.g->SHeight, why, cap);
	if (r == 0)
		r = gif_run(&d, lim, out, ow, oh, why, cap);
	*frames = d.frames;
	DGifCloseFile(d.g, &err);
	free(d.px);
	free(d.line);
	return r;
}
