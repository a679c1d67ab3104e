/* mkmedia: small documents and audio files for the CLI tests, made byte by
 * byte so each header field is known (nothing here decodes or plays).
 *   mkmedia pdf PAGES plain|hidden|cut|ref FILE [PAD]
 *       a PDF whose page tree root says /Count PAGES over a nested /Pages
 *       node (plain); the tree inside a stream, as in an object stream
 *       (hidden: its pages are not readable); no %%EOF (cut); the root's
 *       /Count an indirect reference, so the /Page objects are counted (ref).
 *       Strings and a content stream hold "/Type /Pages /Count 999" as
 *       data. PAD: bytes of comment lines added to make it large.
 *   mkmedia wav SECONDS plain|nofmt FILE      8 kHz mono 16-bit PCM
 *   mkmedia flac SECONDS FILE                 STREAMINFO at 44.1 kHz
 *   mkmedia mp3 SECONDS cbr|xing|vbri FILE    MPEG-1 layer III, 128 kbit/s, 44.1 kHz,
 *                                             after an ID3v2 tag
 *   mkmedia ogg SECONDS opus|vorbis FILE      first and last pages
 *   mkmedia m4a SECONDS FILE                  ftyp M4A, moov/mvhd
 *   mkmedia mp4 SECONDS FILE                  ftyp isom, moov/mvhd (a video's)
 *   mkmedia aac SECONDS FILE                  ADTS frames at 44.1 kHz */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static FILE *out;

static void bytes(const void *p, size_t n) { fwrite(p, 1, n, out); }
static void str(const char *s) { bytes(s, strlen(s)); }
static void zeros(size_t n) { while (n--) fputc(0, out); }
static void le16(unsigned v) { fputc(v & 255, out); fputc(v >> 8 & 255, out); }
static void le32(uint32_t v) { le16(v & 0xffff); le16(v >> 16); }
static void le64(uint64_t v) { le32((uint32_t)v); le32((uint32_t)(v >> 32)); }
static void be32(uint32_t v) { fputc(v >> 24, out); fputc(v >> 16 & 255, out); fputc(v >> 8 & 255, out); fputc(v & 255, out); }

static void pdf(long pages, const char *how, long pad)
{
	str("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n");
	str("1 0 obj\n<< /Type /Catalog /Pages 2 0 R /Title (a string: /Type /Pages /Count 999 \\) ) >>\nendobj\n");
	if (!strcmp(how, "hidden")) {
		/* the tree as an object stream holds it, where no scan looks */
		str("2 0 obj\n<< /Type /ObjStm /N 1 /First 4 /Length 60 >>\nstream\n");
		fprintf(out, "3 0 << /Type /Pages /Count %ld /Kids [] >>\n", pages);
		str("endstream\nendobj\n");
	} else {
		/* root: page 1 and a nested /Pages node with the rest */
		if (!strcmp(how, "ref"))
			str("2 0 obj\n<< /Type /Pages /Kids [4 0 R 5 0 R] /Count 3 0 R >>\nendobj\n3 0 obj\n");
		else
			fprintf(out, "2 0 obj\n<< /Type /Pages /Kids [4 0 R 5 0 R] /Count %ld >>\nendobj\n3 0 obj\n", pages);
		fprintf(out, "%ld\nendobj\n", pages);
		str("4 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 6 0 R >>\nendobj\n");
		fprintf(out, "5 0 obj\n<< /Type /Pages /Parent 2 0 R /Count %ld /Kids [", pages - 1);
		for (long i = 1; i < pages; i++)
			fprintf(out, "%ld 0 R ", 100 + i);
		str("] >>\nendobj\n");
		for (long i = 1; i < pages; i++)
			fprintf(out, "%ld 0 obj\n<< /Type /Page /Parent 5 0 R /Resources << /Font << >> >> >>\nendobj\n", 100 + i);
		str("6 0 obj\n<< /Length 44 >>\nstream\n<< /Type /Pages /Count 999 >> /Type /Page\nendstream\nendobj\n");
	}
	for (long i = 0; i < pad; i += 64)
		str("% padding to make the file large, a comment the scan passes over\n");
	str("trailer\n<< /Root 1 0 R >>\n");
	if (strcmp(how, "cut"))
		str("%%EOF\n");
}

static void wav(double sec, const char *how)
{
	uint32_t data = (uint32_t)(sec * 8000) * 2;
	str("RIFF");
	le32(36 + data);
	str("WAVE");
	if (strcmp(how, "nofmt")) {
		str("fmt ");
		le32(16);
		le16(1), le16(1), le32(8000), le32(16000), le16(2), le16(16);
	}
	str("LIST");        /* a chunk to pass over, odd-sized and padded */
	le32(5);
	str("INFOx");
	fputc(0, out);
	str("data");
	le32(data);
	zeros(data);
}

static void flac(double sec)
{
	uint64_t total = (uint64_t)(sec * 44100);
	str("fLaC");
	unsigned char h[4] = { 0x80, 0, 0, 34 }; /* last block, STREAMINFO, 34 bytes */
	bytes(h, 4);
	unsigned char s[34] = { 0x10, 0, 0x10, 0 };
	uint32_t rate = 44100;
	s[10] = rate >> 12;
	s[11] = rate >> 4 & 255;
	s[12] = (unsigned char)((rate & 15) << 4 | 1 << 1 | 0); /* 2 channels, then bits */
	s[13] = (unsigned char)(15 << 4 | (total >> 32 & 15)); /* 16 bits a sample */
	s[14] = total >> 24 & 255, s[15] = total >> 16 & 255, s[16] = total >> 8 & 255, s[17] = total & 255;
	bytes(s, 34);
	zeros(64); /* where frames would be */
}

static void mp3(double sec, const char *how)
{
	/* an ID3v2.4 tag of 20 bytes */
	unsigned char id3[10] = { 'I', 'D', '3', 4, 0, 0, 0, 0, 0, 20 };
	bytes(id3, 10);
	zeros(20);
	long frames = (long)(sec * 44100 / 1152 + 0.5);
	unsigned char hd[4] = { 0xff, 0xfb, 0x90, 0x00 }; /* MPEG-1 layer III, 128k, 44.1k, stereo */
	const int flen = 417;
	if (!strcmp(how, "cbr")) {
		for (long i = 0; i < frames; i++) {
			bytes(hd, 4);
			zeros(flen - 4);
		}
		return;
	}
	/* one frame holding the VBR header, then a few frames of audio */
	bytes(hd, 4);
	unsigned char f[413] = { 0 };
	if (!strcmp(how, "xing")) {
		memcpy(f + 32, "Xing", 4);
		f[39] = 1; /* frames field present */
		f[40] = frames >> 24 & 255, f[41] = frames >> 16 & 255, f[42] = frames >> 8 & 255, f[43] = frames & 255;
	} else {
		memcpy(f + 32, "VBRI", 4);
		f[32 + 14] = frames >> 24 & 255, f[32 + 15] = frames >> 16 & 255, f[32 + 16] = frames >> 8 & 255,
			f[32 + 17] = frames & 255;
	}
	bytes(f, sizeof f);
	for (int i = 0; i < 3; i++) {
		bytes(hd, 4);
		zeros(flen - 4);
	}
}

static void ogg_page(int type, uint64_t granule, uint32_t seq, const unsigned char *pk, size_t n)
{
	str("OggS");
	fputc(0, out), fputc(type, out);
	le64(granule);
	le32(0x1234), le32(seq), le32(0); /* serial, sequence, CRC (not checked here) */
	fputc(1, out), fputc((int)n, out);
	bytes(pk, n);
}

static void ogg(double sec, const char *codec)
{
	unsigned char head[30] = { 0 };
	size_t n;
	uint64_t end;
	if (!strcmp(codec, "opus")) {
		memcpy(head, "OpusHead", 8);
		head[8] = 1, head[9] = 2, head[10] = 312 & 255, head[11] = 312 >> 8;
		n = 19;
		end = (uint64_t)(sec * 48000) + 312;
	} else {
		memcpy(head, "\x01vorbis", 7);
		head[11] = 2;
		head[12] = 44100 & 255, head[13] = 44100 >> 8;
		n = 30;
		end = (uint64_t)(sec * 44100);
	}
	ogg_page(2, 0, 0, head, n);
	unsigned char mid[40] = "a page in the middle";
	ogg_page(0, end / 2, 1, mid, sizeof mid);
	ogg_page(0, UINT64_MAX, 2, mid, sizeof mid); /* no packet ends here */
	ogg_page(4, end, 3, mid, sizeof mid);
}

static void mp4(double sec, const char *brand)
{
	be32(20), str("ftyp"), str(brand), be32(0), str("isom");
	be32(8 + 8 + 100), str("moov");
	be32(108), str("mvhd");
	unsigned char m[100] = { 0 };
	uint32_t scale = 1000, dur = (uint32_t)(sec * 1000 + 0.5);
	m[12] = scale >> 24, m[13] = scale >> 16 & 255, m[14] = scale >> 8 & 255, m[15] = scale & 255;
	m[16] = dur >> 24, m[17] = dur >> 16 & 255, m[18] = dur >> 8 & 255, m[19] = dur & 255;
	bytes(m, sizeof m);
	be32(8 + 32), str("mdat");
	zeros(32);
}

static void aac(double sec)
{
	long frames = (long)(sec * 44100 / 1024 + 0.5);
	const unsigned len = 16;
	for (long i = 0; i < frames; i++) {
		/* sync, MPEG-4, layer 0, no CRC; AAC LC, 44.1 kHz (index 4), 2 channels */
		unsigned char h[7] = { 0xff, 0xf1, 0x50, (unsigned char)(0x80 | (len >> 11 & 3)),
				       (unsigned char)(len >> 3 & 255), (unsigned char)((len & 7) << 5 | 0x1f), 0xfc };
		bytes(h, 7);
		zeros(len - 7);
	}
}

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: mkmedia KIND ARGS... FILE\n");
		return 64;
	}
	const char *kind = argv[1];
	double n = atof(argv[2]);
	const char *path = argv[argc - 1];
	if (!strcmp(kind, "pdf") && argc == 6)
		path = argv[4];
	if (!(out = fopen(path, "wb"))) {
		perror(path);
		return 73;
	}
	if (!strcmp(kind, "pdf"))
		pdf((long)n, argc > 4 ? argv[3] : "plain", argc == 6 ? atol(argv[5]) : 0);
	else if (!strcmp(kind, "wav"))
		wav(n, argc > 4 ? argv[3] : "plain");
	else if (!strcmp(kind, "flac"))
		flac(n);
	else if (!strcmp(kind, "mp3"))
		mp3(n, argv[3]);
	else if (!strcmp(kind, "ogg"))
		ogg(n, argv[3]);
	else if (!strcmp(kind, "m4a"))
		mp4(n, "M4A ");
	else if (!strcmp(kind, "mp4"))
		mp4(n, "isom");
	else if (!strcmp(kind, "aac"))
		aac(n);
	else {
		fprintf(stderr, "mkmedia: unknown kind %s\n", kind);
		return 64;
	}
	return fclose(out) ? 74 : 0;
}
