#include "media/audio.h"
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static uint32_t be32(const unsigned char *p) { return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]; }
static uint32_t le32(const unsigned char *p) { return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0]; }
static uint64_t be64(const unsigned char *p) { return (uint64_t)be32(p) << 32 | be32(p + 4); }
static uint64_t le64(const unsigned char *p) { return (uint64_t)le32(p + 4) << 32 | le32(p); }

/* Where the audio starts after an ID3v2 tag (10 bytes of header, a size in
 * four 7-bit bytes, and 10 more when a footer is flagged), or 0. */
static size_t after_id3(const unsigned char *p, size_t n)
{
	if (n < 10 || memcmp(p, "ID3", 3))
		return 0;
	size_t size = (size_t)(p[6] & 0x7f) << 21 | (size_t)(p[7] & 0x7f) << 14 | (size_t)(p[8] & 0x7f) << 7 | (p[9] & 0x7f);
	size += 10 + (p[5] & 0x10 ? 10 : 0);
	return size < n ? size : n;
}

static int is_adts(const unsigned char *p, size_t n)
{
	return n >= 7 && p[0] == 0xff && (p[1] & 0xf6) == 0xf0;
}

/* An MPEG audio frame header, decoded. */
struct mpa {
	int version;        /* 1 MPEG-1, 2 MPEG-2, 3 MPEG-2.5 */
	int layer;          /* 1, 2 or 3 */
	long bitrate;       /* bits a second */
	long rate;          /* samples a second */
	int mono, padding;
	long samples;       /* a frame's samples */
	long length;        /* a frame's bytes */
};

static int mpa_header(const unsigned char *p, size_t n, struct mpa *h)
{
	static const short kbps[2][3][15] = {
		{ { 0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448 },
		  { 0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384 },
		  { 0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320 } },
		{ { 0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256 },
		  { 0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160 },
		  { 0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160 } },
	};
	static const long rates[3] = { 44100, 48000, 32000 };
	if (n < 4 || p[0] != 0xff || (p[1] & 0xe0) != 0xe0)
		return -1;
	int v = (p[1] >> 3) & 3, l = (p[1] >> 1) & 3, bi = p[2] >> 4, ri = (p[2] >> 2) & 3;
	if (v == 1 || l == 0 || bi == 0 || bi == 15 || ri == 3)
		return -1;
	h->version = v == 3 ? 1 : v == 2 ? 2 : 3;
	h->layer = 4 - l;
	h->bitrate = 1000L * kbps[h->version != 1][h->layer - 1][bi];
	h->rate = rates[ri] >> (h->version - 1);
	h->mono = (p[3] >> 6) == 3;
	h->padding = (p[2] >> 1) & 1;
	h->samples = h->layer == 1 ? 384 : h->layer == 2 || h->version == 1 ? 1152 : 576;
	h->length = h->layer == 1 ? (12 * h->bitrate / h->rate + h->padding) * 4
				  : h->samples / 8 * h->bitrate / h->rate + h->padding;
	return 0;
}

const char *audio_sniff(const unsigned char *p, size_t n)
{
	if (n >= 12 && !memcmp(p, "RIFF", 4) && !memcmp(p + 8, "WAVE", 4))
		return "audio/wav";
	if (n >= 4 && !memcmp(p, "fLaC", 4))
		return "audio/flac";
	if (n >= 4 && !memcmp(p, "OggS", 4))
		return "audio/ogg";
	if (n >= 12 && !memcmp(p + 4, "ftyp", 4) &&
	    (!memcmp(p + 8, "M4A ", 4) || !memcmp(p + 8, "M4B ", 4)))
		return "audio/mp4";
	size_t at = after_id3(p, n);
	struct mpa h;
	if (is_adts(p + at, n - at))
		return "audio/aac";
	if (at || mpa_header(p, n, &h) == 0)
		return "audio/mp3"; /* an ID3 tag is MP3's: other formats keep theirs elsewhere */
	return NULL;
}

static int wav_duration(const unsigned char *p, size_t n, double *sec, enum audio_how *how, char *why, size_t cap)
{
	uint32_t byte_rate = 0;
	for (size_t at = 12; at + 8 <= n;) {
		uint32_t size = le32(p + at + 4);
		if (!memcmp(p + at, "fmt ", 4) && size >= 16 && at + 8 + 16 <= n) {
			byte_rate = le32(p + at + 8 + 8);
		} else if (!memcmp(p + at, "data", 4)) {
			if (!byte_rate)
				break;
			size_t have = n - at - 8;
			*sec = (double)(size < have ? size : have) / byte_rate; /* a streamed WAV's size is a placeholder */
			*how = AUDIO_EXACT;
			return 0;
		}
		if ((uint64_t)at + 8 + size + (size & 1) >= n)
			break;
		at += 8 + (size_t)size + (size & 1);
	}
	snprintf(why, cap, "a corrupt WAV file (%s)", byte_rate ? "no data chunk" : "no fmt chunk, or a byte rate of 0");
	return -1;
}

static int flac_duration(const unsigned char *p, size_t n, double *sec, enum audio_how *how, char *why, size_t cap)
{
	/* the first metadata block must be STREAMINFO (type 0), 34 bytes */
	if (n < 8 + 34 || (p[4] & 0x7f) != 0) {
		snprintf(why, cap, "a corrupt FLAC file (no STREAMINFO block)");
		return -1;
	}
	const unsigned char *s = p + 8;
	uint32_t rate = (uint32_t)s[10] << 12 | (uint32_t)s[11] << 4 | s[12] >> 4;
	uint64_t total = (uint64_t)(s[13] & 0x0f) << 32 | (uint64_t)be32(s + 14);
	if (!rate) {
		snprintf(why, cap, "a corrupt FLAC file (a sample rate of 0)");
		return -1;
	}
	*how = total ? AUDIO_EXACT : AUDIO_UNKNOWN; /* 0: the encoder did not know */
	*sec = (double)total / rate;
	return 0;
}

static int mp3_duration(const unsigned char *p, size_t n, double *sec, enum audio_how *how, char *why, size_t cap)
{
	size_t at = after_id3(p, n), end = n;
	if (end >= 128 && !memcmp(p + end - 128, "TAG", 3))
		end -= 128; /* an ID3v1 tag at the end is not audio */
	struct mpa h;
	/* the first frame header, within 64 KB of where the tag ends */
	size_t limit = at + 65536 < end ? at + 65536 : end;
	while (at + 4 <= limit && mpa_header(p + at, end - at, &h) < 0)
		at++;
	if (at + 4 > limit) {
		snprintf(why, cap, "a corrupt MP3 file (no MPEG audio frame)");
		return -1;
	}
	/* Xing/Info sits after the side information; VBRI 32 bytes in */
	size_t side = h.version == 1 ? (h.mono ? 17 : 32) : (h.mono ? 9 : 17);
	const unsigned char *x = p + at + 4 + side;
	long frames = -1;
	if (x + 12 <= p + end && (!memcmp(x, "Xing", 4) || !memcmp(x, "Info", 4)) && (be32(x + 4) & 1))
		frames = (long)(be32(x + 8) & 0x7fffffff);
	x = p + at + 4 + 32;
	if (frames < 0 && x + 18 <= p + end && !memcmp(x, "VBRI", 4))
		frames = (long)(be32(x + 14) & 0x7fffffff);
	if (frames >= 0) {
		*sec = (double)frames * h.samples / h.rate;
		*how = AUDIO_EXACT;
	} else {
		*sec = (double)(end - at) * 8 / h.bitrate;
		*how = AUDIO_ESTIMATE;
	}
	return 0;
}

static int adts_duration(const unsigned char *p, size_t n, double *sec, enum audio_how *how)
{
	static const long rates[13] = { 96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350 };
	size_t at = after_id3(p, n);
	double total = 0;
	while (at + 7 <= n && is_adts(p + at, n - at)) {
		int ri = (p[at + 2] >> 2) & 0x0f;
		size_t len = (size_t)(p[at + 3] & 3) << 11 | (size_t)p[at + 4] << 3 | p[at + 5] >> 5;
		if (ri >= 13 || len < 7)
			break;
		total += 1024.0 * ((p[at + 6] & 3) + 1) / rates[ri];
		at += len;
	}
	*sec = total;
	*how = total > 0 ? AUDIO_EXACT : AUDIO_UNKNOWN;
	return 0;
}

/* The box of type t among [p, p + n), its payload in *body and *len. */
static int find_box(const unsigned char *p, size_t n, const char *t, const unsigned char **body, size_t *len)
{
	for (size_t at = 0; at + 8 <= n;) {
		uint64_t size = be32(p + at);
		size_t head = 8;
		if (size == 1) {
			if (at + 16 > n)
				return -1;
			size = be64(p + at + 8);
			head = 16;
		} else if (size == 0) {
			size = n - at; /* to the end of the file */
		}
		if (size < head || size > n - at)
			size = n - at; /* cut short: what there is */
		if (!memcmp(p + at + 4, t, 4)) {
			*body = p + at + head;
			*len = (size_t)size - head;
			return 0;
		}
		at += (size_t)size;
	}
	return -1;
}

int mp4_duration(const unsigned char *p, size_t n, double *sec)
{
	const unsigned char *moov, *mvhd;
	size_t ml, hl;
	if (find_box(p, n, "moov", &moov, &ml) < 0 || find_box(moov, ml, "mvhd", &mvhd, &hl) < 0)
		return -1;
	uint32_t scale;
	uint64_t dur;
	if (hl >= 20 && mvhd[0] == 0) {
		scale = be32(mvhd + 12);
		dur = be32(mvhd + 16);
	} else if (hl >= 32 && mvhd[0] == 1) {
		scale = be32(mvhd + 20);
		dur = be64(mvhd + 24);
	} else {
		return -1;
	}
	if (!scale || dur == UINT64_MAX || (mvhd[0] == 0 && dur == UINT32_MAX))
		return -1; /* all ones: the duration is not known */
	*sec = (double)dur / scale;
	return 0;
}

/* OGG: the codec from the first page's packet (Vorbis gives its rate; Opus
 * always counts at 48 kHz, less its pre-skip), the length from the last
 * page of that stream with a granule position. */
static int ogg_duration(const unsigned char *p, size_t n, double *sec, enum audio_how *how)
{
	*how = AUDIO_UNKNOWN;
	if (n < 27 || n < 27 + (size_t)p[26] + 19)
		return 0;
	const unsigned char *pk = p + 27 + p[26];
	size_t left = n - 27 - p[26];
	uint32_t serial = le32(p + 14);
	double rate = 0, skip = 0;
	if (left >= 16 && !memcmp(pk, "\x01vorbis", 7))
		rate = le32(pk + 12);
	else if (left >= 19 && !memcmp(pk, "OpusHead", 8))
		rate = 48000, skip = pk[10] | pk[11] << 8;
	if (rate <= 0)
		return 0;
	/* the last page is near the end: a page is at most 65,307 bytes */
	size_t stop = n > 27 + 2 * 65536 ? n - 2 * 65536 : 0;
	for (size_t at = n - 27 + 1; at-- > stop;) {
		if (memcmp(p + at, "OggS", 4) || le32(p + at + 14) != serial)
			continue;
		uint64_t g = le64(p + at + 6);
		if (g == UINT64_MAX)
			continue; /* a page where no packet ends */
		*sec = g > skip ? ((double)g - skip) / rate : 0;
		*how = AUDIO_EXACT;
		break;
	}
	return 0;
}

int audio_duration(const char *mime, const unsigned char *p, size_t n, double *sec, enum audio_how *how,
		   char *why, size_t cap)
{
	*sec = 0;
	*how = AUDIO_UNKNOWN;
	if (!strcmp(mime, "audio/wav"))
		return wav_duration(p, n, sec, how, why, cap);
	if (!strcmp(mime, "audio/flac"))
		return flac_duration(p, n, sec, how, why, cap);
	if (!strcmp(mime, "audio/mp3"))
		return mp3_duration(p, n, sec, how, why, cap);
	if (!strcmp(mime, "audio/aac"))
		return adts_duration(p, n, sec, how);
	if (!strcmp(mime, "audio/ogg"))
		return ogg_duration(p, n, sec, how);
	if (!strcmp(mime, "audio/mp4")) {
		if (mp4_duration(p, n, sec) == 0)
			*how = AUDIO_EXACT;
		return 0;
	}
	return 0;
}
