/* image_hevc: the picture size an HEVC sequence parameter set declares
 * (H.265 section 7.3.2.2), read without decoding anything. libde265
 * allocates its frames from this size, not from the HEIF file's ispe box,
 * so a file can claim 40x20 and decode at 16000x16000; the size is read
 * here so it can be held to the caps first. */
#include "media/image_decoders.h"
#include <string.h>

/* Bits of an RBSP, most significant first; reading past the end sets bad. */
struct bits {
	const unsigned char *p;
	size_t n, at;           /* at counts bits */
	int bad;
};

static uint32_t bits_get(struct bits *b, unsigned count)
{
	uint32_t v = 0;
	for (unsigned i = 0; i < count; i++, b->at++) {
		if (b->at >= b->n * 8) {
			b->bad = 1;
			return 0;
		}
		v = v << 1 | (uint32_t)(b->p[b->at / 8] >> (7 - b->at % 8) & 1);
	}
	return v;
}

/* ue(v): unsigned Exp-Golomb. More than 31 leading zeros is bad (no size
 * needs them). */
static uint32_t bits_ue(struct bits *b)
{
	unsigned zeros = 0;
	while (!b->bad && bits_get(b, 1) == 0)
		if (++zeros > 31) {
			b->bad = 1;
			return 0;
		}
	if (b->bad)
		return 0;
	return (uint32_t)(((uint64_t)1 << zeros) - 1 + bits_get(b, zeros));
}

int image_hevc_sps_size(const unsigned char *nal, size_t n, uint32_t *w, uint32_t *h)
{
	/* The payload without its emulation-prevention bytes (00 00 03); the
	 * size comes within the first ~120 bytes whatever the sub-layers. */
	unsigned char rbsp[256];
	size_t len = 0, zeros = 0;
	for (size_t i = 2; i < n && len < sizeof rbsp; i++) {
		if (zeros >= 2 && nal[i] == 3) {
			zeros = 0;
			continue;
		}
		zeros = nal[i] ? 0 : zeros + 1;
		rbsp[len++] = nal[i];
	}
	struct bits b = { rbsp, len, 0, 0 };
	bits_get(&b, 4);                        /* sps_video_parameter_set_id */
	unsigned sub_layers = bits_get(&b, 3);  /* sps_max_sub_layers_minus1 */
	bits_get(&b, 1);                        /* temporal id nesting */
	b.at += 96;                             /* general profile, tier and level */
	unsigned profile_present = 0, level_present = 0;
	for (unsigned i = 0; i < sub_layers; i++) {
		profile_present |= bits_get(&b, 1) << i;
		level_present |= bits_get(&b, 1) << i;
	}
	if (sub_layers)
		b.at += 2 * (8 - sub_layers);   /* reserved_zero_2bits */
	for (unsigned i = 0; i < sub_layers; i++)
		b.at += (profile_present >> i & 1 ? 88 : 0) + (level_present >> i & 1 ? 8 : 0);
	bits_ue(&b);                            /* sps_seq_parameter_set_id */
	if (bits_ue(&b) == 3)                   /* chroma_format_idc */
		bits_get(&b, 1);                /* separate colour planes */
	*w = bits_ue(&b);
	*h = bits_ue(&b);
	return b.bad ? -1 : 0;
}
