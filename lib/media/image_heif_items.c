/* image_heif_items: the HEIF boxes read before libheif decodes anything,
 * for what libheif 1.15 does not bound. Its caps are per side (32768) and
 * cover neither an overlay's canvas ('iovl') nor a grid's output size (both
 * in the item's own data, not in any property libheif checks first): a
 * 1 KB file can make it allocate gigabytes. So the item list (meta/iinf)
 * is walked, overlays are refused, and each grid's size is found through
 * the item locations (iloc: in the file or in meta/idat) and checked
 * against the caps. Every read is bounds-checked; what does not parse is
 * left to libheif, which refuses it. */
#include "media/image_decoders.h"
#include <string.h>

#define MAX_ITEMS 4096

/* A cursor over bytes; reading past the end sets bad and gives 0. */
struct rd {
	const unsigned char *p;
	size_t n, at;
	int bad;
};

static uint64_t get(struct rd *r, unsigned bytes)
{
	uint64_t v = 0;
	if (bytes > 8 || r->n - r->at < bytes) {
		r->bad = 1;
		r->at = r->n;
		return 0;
	}
	for (unsigned i = 0; i < bytes; i++)
		v = v << 8 | r->p[r->at++];
	return v;
}

/* The next box in r: its type and body. 0, or -1 at the end or when it
 * does not fit. */
static int next_box(struct rd *r, char type[5], struct rd *body)
{
	size_t start = r->at;
	uint64_t size = get(r, 4);
	const unsigned char *t = r->p + r->at;
	get(r, 4);
	if (r->bad)
		return -1;
	memcpy(type, t, 4);
	type[4] = '\0';
	if (size == 1)
		size = get(r, 8);
	else if (size == 0)
		size = r->n - start;
	size_t head = r->at - start;
	if (r->bad || size < head || size > r->n - start)
		return -1;
	body->p = r->p + r->at;
	body->n = (size_t)size - head;
	body->at = 0;
	body->bad = 0;
	r->at = start + (size_t)size;
	return 0;
}

/* The first child of that type; body->p is NULL when there is none. */
static void child(struct rd parent, const char *want, struct rd *body)
{
	char type[5];
	memset(body, 0, sizeof *body);
	struct rd b;
	while (next_box(&parent, type, &b) == 0)
		if (!strcmp(type, want)) {
			*body = b;
			return;
		}
}

/* Where an item's data starts, from iloc: its first extent, in the file
 * (construction method 0) or in idat (1). 0, or -1 when not found. */
static int item_data(struct rd iloc, struct rd idat, struct rd file, uint32_t id, struct rd *data)
{
	unsigned version = (unsigned)get(&iloc, 1);
	get(&iloc, 3);
	unsigned sizes = (unsigned)get(&iloc, 2);
	unsigned off_size = sizes >> 12, len_size = sizes >> 8 & 15, base_size = sizes >> 4 & 15;
	unsigned index_size = version >= 1 ? sizes & 15 : 0;
	uint32_t count = (uint32_t)get(&iloc, version < 2 ? 2 : 4);
	for (uint32_t i = 0; i < count && !iloc.bad; i++) {
		uint32_t item = (uint32_t)get(&iloc, version < 2 ? 2 : 4);
		unsigned method = version >= 1 ? (unsigned)get(&iloc, 2) & 15 : 0;
		get(&iloc, 2);                  /* data reference index */
		uint64_t base = get(&iloc, base_size);
		unsigned extents = (unsigned)get(&iloc, 2);
		uint64_t first_off = 0, first_len = 0;
		for (unsigned e = 0; e < extents && !iloc.bad; e++) {
			get(&iloc, index_size);
			uint64_t off = get(&iloc, off_size), len = get(&iloc, len_size);
			if (!e)
				first_off = off, first_len = len;
		}
		if (item != id || iloc.bad || !extents)
			continue;
		struct rd from = method == 0 ? file : idat;
		if (method > 1 || !from.p || base > from.n || first_off > from.n - base)
			return -1;
		data->p = from.p + base + first_off;
		data->n = from.n - (size_t)(base + first_off);
		if (first_len && first_len < data->n)
			data->n = (size_t)first_len;
		data->at = 0;
		data->bad = 0;
		return 0;
	}
	return -1;
}

/* A grid item's output size, from its data, against the caps. */
static int grid_fits(struct rd iloc, struct rd idat, struct rd file, uint32_t id, const struct image_limits *lim,
                     char *why, size_t cap)
{
	struct rd d;
	if (item_data(iloc, idat, file, id, &d) < 0)
		return 0;
	get(&d, 1);                             /* version */
	unsigned flags = (unsigned)get(&d, 1);
	get(&d, 2);                             /* rows and columns, minus one */
	uint64_t w = get(&d, flags & 1 ? 4 : 2), h = get(&d, flags & 1 ? 4 : 2);
	if (d.bad || !w || !h)
		return 0;
	if (image_check_pixels(lim, w, h, why, cap) < 0 || image_check_memory(lim, w * h * 4, why, cap) < 0)
		return -1;
	return 0;
}

int image_heif_items_fit(const unsigned char *data, size_t n, const struct image_limits *lim, char *why, size_t cap)
{
	struct rd file = { data, n, 0, 0 }, meta, iinf, iloc, idat;
	child(file, "meta", &meta);
	if (!meta.p)
		return 0;
	get(&meta, 4);                          /* a full box: version and flags */
	struct rd in_meta = { meta.p + meta.at, meta.n - meta.at, 0, 0 };
	child(in_meta, "iinf", &iinf);
	child(in_meta, "iloc", &iloc);
	child(in_meta, "idat", &idat);
	if (!iinf.p)
		return 0;
	unsigned version = (unsigned)get(&iinf, 1);
	get(&iinf, 3);
	uint64_t count = get(&iinf, version == 0 ? 2 : 4);
	if (count > MAX_ITEMS)
		return image_fail(why, cap, "HEIC has %llu items, more than the %d we read", (unsigned long long)count,
		                  MAX_ITEMS);
	char type[5];
	struct rd infe;
	while (next_box(&iinf, type, &infe) == 0) {
		unsigned v = (unsigned)get(&infe, 1);
		get(&infe, 3);
		if (strcmp(type, "infe") || v < 2)
			continue;
		uint32_t id = (uint32_t)get(&infe, v == 2 ? 2 : 4);
		get(&infe, 2);                  /* protection index */
		const unsigned char *item_type = infe.p + infe.at;
		get(&infe, 4);
		if (infe.bad)
			continue;
		if (!memcmp(item_type, "iovl", 4))
			return image_fail(why, cap, "HEIC overlay images are not supported");
		if (!memcmp(item_type, "grid", 4) && iloc.p && grid_fits(iloc, idat, file, id, lim, why, cap) < 0)
			return -1;
	}
	return 0;
}
