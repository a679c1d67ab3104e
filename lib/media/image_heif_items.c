/* image_heif_items: the HEIF boxes read before libheif decodes anything,
 * for what libheif 1.15 does not bound. Its caps are per side (32768) and
 * cover neither an overlay's canvas ('iovl') nor a grid's output size (both
 * in the item's own data, not in any property libheif checks first): a
 * 1 KB file can make it allocate gigabytes. Nor does it hold the HEVC
 * stream to the ispe size it checks: libde265 sizes its frames by the
 * stream's own parameter sets. So the item list (meta/iinf) is walked,
 * overlays are refused, each grid's size is found through the item
 * locations (iloc: in the file or in meta/idat) and checked against the
 * caps, every item location must lie in the file (libheif reads an item's
 * extents into one buffer), and every HEVC parameter set, in the hvcC
 * properties or inside an item's data, is held to the caps. The image
 * items' data must add up to no more than the file (images do not share
 * their bytes), and iloc is indexed once, so the work here grows with the
 * file, not with its square. Every read is bounds-checked; what does not
 * parse is left to libheif, which refuses it. */
#include "media/image_decoders.h"
#include <stdlib.h>
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

/* Past count bytes; past the end sets bad. */
static void skip(struct rd *r, uint64_t count)
{
	if (count > r->n - r->at) {
		r->bad = 1;
		r->at = r->n;
	} else {
		r->at += (size_t)count;
	}
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

/* The work done by the last image_heif_items_fit on this thread: item
 * boxes, location entries and NAL units read. Kept so a test can check it
 * grows with the file, not faster. */
static _Thread_local unsigned long steps;

unsigned long image_heif_items_work(void)
{
	return steps;
}

/* The iloc box read once: each entry's item, construction method, base
 * offset, extent count and where its extents start, sorted by item (an
 * item listed twice keeps its first entry, as libheif does). */
struct loc {
	uint32_t item, order;
	unsigned method, extents;
	uint64_t base;
	size_t at;
};

struct locs {
	struct rd iloc;
	unsigned index_size, off_size, len_size;
	struct loc *v;
	size_t n;
};

static int loc_order(const void *a, const void *b)
{
	const struct loc *x = a, *y = b;
	if (x->item != y->item)
		return x->item < y->item ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

/* 0, or -1 out of memory. The entries that parse are kept; each takes at
 * least 6 bytes, so there are no more than the box's size over 6. */
static int locs_read(struct rd iloc, struct locs *l)
{
	memset(l, 0, sizeof *l);
	if (!iloc.p)
		return 0;
	unsigned version = (unsigned)get(&iloc, 1);
	get(&iloc, 3);
	unsigned sizes = (unsigned)get(&iloc, 2);
	unsigned base_size = sizes >> 4 & 15;
	l->off_size = sizes >> 12, l->len_size = sizes >> 8 & 15, l->index_size = version >= 1 ? sizes & 15 : 0;
	uint32_t count = (uint32_t)get(&iloc, version < 2 ? 2 : 4);
	size_t most = iloc.n / 6 + 1;
	l->v = malloc((count < most ? count : most) * sizeof *l->v + 1);
	if (!l->v)
		return -1;
	for (uint32_t i = 0; i < count && !iloc.bad; i++) {
		struct loc e = { 0 };
		e.item = (uint32_t)get(&iloc, version < 2 ? 2 : 4);
		e.method = version >= 1 ? (unsigned)get(&iloc, 2) & 15 : 0;
		get(&iloc, 2);                  /* data reference index */
		e.base = get(&iloc, base_size);
		e.extents = (unsigned)get(&iloc, 2);
		e.at = iloc.at;
		e.order = i;
		skip(&iloc, (uint64_t)e.extents * (l->index_size + l->off_size + l->len_size));
		steps++;
		if (l->n < most)
			l->v[l->n++] = e;
	}
	qsort(l->v, l->n, sizeof *l->v, loc_order);
	l->iloc = iloc;
	return 0;
}

/* The item's first entry, or NULL. */
static const struct loc *locs_find(const struct locs *l, uint32_t item)
{
	size_t lo = 0, hi = l->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (l->v[mid].item < item)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < l->n && l->v[lo].item == item ? &l->v[lo] : NULL;
}

/* An item's data as iloc places it: its extents, in order, each in the file
 * (construction method 0) or in idat (1); a length of 0 runs to the end.
 * The number of extents (0 when the item has no location here, or one
 * built from other items, which libheif refuses itself) with *ext
 * malloc'd and their sum added to *sum, or -1 with why when the location
 * is outside the file or the items' data so far adds up to more than the
 * file: libheif would read an item's all into one buffer, and images in a
 * file do not share their data. */
struct extent {
	const unsigned char *p;
	size_t n;
};

static int item_extents(const struct locs *l, struct rd idat, struct rd file, uint32_t id, struct extent **ext,
                        uint64_t *sum, char *why, size_t cap)
{
	*ext = NULL;
	const struct loc *at = locs_find(l, id);
	if (!at || at->method > 1)
		return 0;
	struct rd from = at->method == 0 ? file : idat, iloc = l->iloc;
	if (!from.p || !at->extents)
		return 0;
	struct extent *e = malloc(at->extents * sizeof *e);
	if (!e)
		return image_fail(why, cap, "out of memory reading HEIC");
	uint64_t total = 0, base = at->base;
	iloc.at = at->at;
	iloc.bad = 0;
	for (unsigned k = 0; k < at->extents; k++) {
		get(&iloc, l->index_size);
		uint64_t off = get(&iloc, l->off_size), len = get(&iloc, l->len_size);
		if (iloc.bad || base > from.n || off > from.n - base || len > from.n - base - off) {
			free(e);
			return image_fail(why, cap, "corrupt HEIC: item %u's data is outside the file", (unsigned)id);
		}
		e[k].p = from.p + base + off;
		e[k].n = len ? (size_t)len : from.n - (size_t)(base + off);
		total += e[k].n;
	}
	if (total > file.n || (*sum += total) > file.n) {
		free(e);
		return image_fail(why, cap, total > file.n ? "corrupt HEIC: item %u's data adds up to more than the file"
		                                           : "corrupt HEIC: the image items' data adds up to more than "
		                                             "the file (at item %u)",
		                  (unsigned)id);
	}
	*ext = e;
	return (int)at->extents;
}

/* A grid item's output size, from its data, against the caps. */
static int grid_fits(struct extent data, const struct image_limits *lim, char *why, size_t cap)
{
	struct rd d = { data.p, data.n, 0, 0 };
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

/* An HEVC parameter set's picture size against the caps: libde265 holds a
 * frame of that size whatever the ispe box says. The memory is counted as
 * heif_sizes_fit counts it for an opaque picture. */
static int sps_fits(const unsigned char *nal, size_t n, const struct image_limits *lim, char *why, size_t cap)
{
	uint32_t w, h;
	if (image_hevc_sps_size(nal, n, &w, &h) < 0)
		return image_fail(why, cap, "corrupt HEIC: unreadable HEVC parameter set");
	if (!w || !h)
		return image_fail(why, cap, "corrupt HEIC: HEVC picture has no size");
	if (image_check_pixels(lim, w, h, why, cap) < 0)
		return -1;
	return image_check_memory(lim, (uint64_t)w * h * 8, why, cap);
}

#define NAL_TYPE(p) ((p)[0] >> 1 & 63)
#define NAL_SPS 33

/* Every hvcC box among the item properties: its parameter sets. */
static int hvcc_fit(struct rd ipco, const struct image_limits *lim, char *why, size_t cap)
{
	char type[5];
	struct rd c;
	while (next_box(&ipco, type, &c) == 0) {
		if (strcmp(type, "hvcC"))
			continue;
		skip(&c, 22);                   /* the fixed part of the record */
		unsigned arrays = (unsigned)get(&c, 1);
		for (unsigned a = 0; a < arrays && !c.bad; a++) {
			get(&c, 1);
			unsigned nals = (unsigned)get(&c, 2);
			for (unsigned k = 0; k < nals && !c.bad; k++) {
				size_t len = (size_t)get(&c, 2);
				if (c.bad || len > c.n - c.at)
					break;
				const unsigned char *nal = c.p + c.at;
				c.at += len;
				if (len >= 2 && NAL_TYPE(nal) == NAL_SPS && sps_fits(nal, len, lim, why, cap) < 0)
					return -1;
			}
		}
	}
	return 0;
}

/* An item's extents read as one run, front to back: the extent the last
 * read ended in is kept, so a walk over the whole run costs its length. */
struct run {
	const struct extent *e;
	int count, k;
	uint64_t k_start;       /* where extent k starts in the run */
};

/* Up to want bytes from position at (never before the last read's) into
 * out; how many there were. */
static size_t run_read(struct run *r, uint64_t at, unsigned char *out, size_t want)
{
	while (r->k < r->count && at >= r->k_start + r->e[r->k].n)
		r->k_start += r->e[r->k++].n;
	size_t got = 0;
	uint64_t in = at - r->k_start;
	for (int k = r->k; k < r->count && got < want; k++, in = 0) {
		size_t take = r->e[k].n - (size_t)in < want - got ? r->e[k].n - (size_t)in : want - got;
		memcpy(out + got, r->e[k].p + in, take);
		got += take;
	}
	return got;
}

/* An HEVC image item's data, NAL units each after a 4-byte length as
 * libheif hands them to libde265: a parameter set inside must fit the caps
 * as those in hvcC must, and the item is one picture (the standard's coded
 * image), not a stream whose frames libde265 would all keep. */
static int hevc_item_fits(const struct extent *e, int count, const struct image_limits *lim, char *why,
                          size_t cap)
{
	uint64_t total = 0, at = 0;
	for (int k = 0; k < count; k++)
		total += e[k].n;
	unsigned pictures = 0;
	unsigned char head[256];
	struct run run = { e, count, 0, 0 };
	while (total - at >= 6) {
		run_read(&run, at, head, 4);
		uint64_t len = (uint64_t)head[0] << 24 | (uint64_t)head[1] << 16 | (uint64_t)head[2] << 8 | head[3];
		at += 4;
		if (len < 2 || len > total - at)
			return 0;               /* not NAL units: libheif's to refuse */
		size_t got = run_read(&run, at, head, len < sizeof head ? (size_t)len : sizeof head);
		steps++;
		unsigned type = NAL_TYPE(head), layer = (head[0] & 1) << 5 | head[1] >> 3;
		if (type == NAL_SPS && sps_fits(head, got, lim, why, cap) < 0)
			return -1;
		/* a slice that starts a picture: first_slice_segment_in_pic_flag */
		if (type < 32 && layer == 0 && got > 2 && head[2] & 0x80 && ++pictures > 1)
			return image_fail(why, cap, "corrupt HEIC: an image item holds more than one picture");
		at += len;
	}
	return 0;
}

/* One item of the list, by its type: overlays refused, grids' sizes and
 * HEVC items' streams held to the caps. */
static int item_fits(const struct locs *l, struct rd idat, struct rd file, uint32_t id, const unsigned char *item_type,
                     uint64_t *sum, const struct image_limits *lim, char *why, size_t cap)
{
	if (!memcmp(item_type, "iovl", 4))
		return image_fail(why, cap, "HEIC overlay images are not supported");
	int grid = !memcmp(item_type, "grid", 4), hevc = !memcmp(item_type, "hvc1", 4);
	if (!grid && !hevc)
		return 0;
	struct extent *e;
	int count = item_extents(l, idat, file, id, &e, sum, why, cap), r = count < 0 ? -1 : 0;
	if (count > 0)
		r = grid ? grid_fits(e[0], lim, why, cap) : hevc_item_fits(e, count, lim, why, cap);
	free(e);
	return r;
}

int image_heif_items_fit(const unsigned char *data, size_t n, const struct image_limits *lim, char *why, size_t cap)
{
	steps = 0;
	struct rd file = { data, n, 0, 0 }, meta, iinf, iloc, idat, iprp, ipco;
	child(file, "meta", &meta);
	if (!meta.p)
		return 0;
	get(&meta, 4);                          /* a full box: version and flags */
	struct rd in_meta = { meta.p + meta.at, meta.n - meta.at, 0, 0 };
	child(in_meta, "iinf", &iinf);
	child(in_meta, "iloc", &iloc);
	child(in_meta, "idat", &idat);
	child(in_meta, "iprp", &iprp);
	if (iprp.p) {
		child(iprp, "ipco", &ipco);
		if (ipco.p && hvcc_fit(ipco, lim, why, cap) < 0)
			return -1;
	}
	if (!iinf.p)
		return 0;
	unsigned version = (unsigned)get(&iinf, 1);
	get(&iinf, 3);
	uint64_t count = get(&iinf, version == 0 ? 2 : 4);
	if (count > MAX_ITEMS)
		return image_fail(why, cap, "HEIC has %llu items, more than the %d we read", (unsigned long long)count,
		                  MAX_ITEMS);
	struct locs l;
	if (locs_read(iloc, &l) < 0)
		return image_fail(why, cap, "out of memory reading HEIC");
	/* libheif reads every item box, whatever the count says */
	char type[5];
	struct rd infe;
	uint64_t sum = 0;
	int r = 0;
	for (unsigned i = 0; r == 0 && next_box(&iinf, type, &infe) == 0; i++) {
		steps++;
		if (i == MAX_ITEMS) {
			r = image_fail(why, cap, "HEIC has more than the %d items we read", MAX_ITEMS);
			break;
		}
		unsigned v = (unsigned)get(&infe, 1);
		get(&infe, 3);
		if (strcmp(type, "infe") || v < 2)
			continue;
		uint32_t id = (uint32_t)get(&infe, v == 2 ? 2 : 4);
		get(&infe, 2);                  /* protection index */
		const unsigned char *item_type = infe.p + infe.at;
		get(&infe, 4);
		if (!infe.bad)
			r = item_fits(&l, idat, file, id, item_type, &sum, lim, why, cap);
	}
	free(l.v);
	return r;
}
