/* image_shrinker: the area-averaging shrink, fed one source row at a time so
 * a decoder can hand over rows as it makes them and never hold the full-size
 * picture. Each output pixel is the mean of the exact source area it covers
 * (alpha-weighted for RGBA); image_shrink is this over a whole image. */
#ifndef CHAT_IMAGE_SHRINKER_H
#define CHAT_IMAGE_SHRINKER_H
#include <stddef.h>

struct shrinker {
	int sw, sh, dw, dh, ch;
	int *first, *count;     /* per output column: its first source column, how many */
	float *wt;              /* their weights, column after column, each set summing to 1 */
	size_t *at;             /* where each output column's weights start in wt */
	float *row;             /* the current source row, resampled across */
	float *acc[2];          /* output rows y and y + 1, being summed */
	int y;                  /* the output row acc[0] belongs to */
	int sy;                 /* source rows taken so far */
	unsigned char *px;      /* dw * dh * ch bytes: the result */
	void (*sink)(void *arg, const unsigned char *row);     /* when set, told each finished row */
	void *sink_arg;
};

/* The size image_shrink makes: the longest side max_side, the other rounded,
 * at least 1. An image already within max_side keeps its size. */
void image_fit(int sw, int sh, int max_side, int *dw, int *dh);
/* Bytes a shrinker from sw to dw wide, dh high, ch channels allocates. */
size_t shrinker_bytes(int sw, int dw, int dh, int ch);
/* dw <= sw, dh <= sh, ch 3 or 4. 0, or -1 when out of memory (nothing held). */
int shrinker_init(struct shrinker *s, int sw, int sh, int ch, int dw, int dh);
/* The next source row, top to bottom, sw * ch bytes. */
void shrinker_row(struct shrinker *s, const unsigned char *row);
/* The result (complete once all sh rows are in); the caller then owns it. */
unsigned char *shrinker_take(struct shrinker *s);
void shrinker_free(struct shrinker *s);
#endif
