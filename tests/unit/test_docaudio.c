/* PDF page counts and audio durations on hand-made bytes: the page tree's
 * root, nested nodes, references, strings and streams that only look like
 * syntax, cut and hostile inputs; each audio container's header, and the
 * token estimates a context budget uses for them. */
#include "tap.h"
#include "attach.h"
#include "media/audio.h"
#include "media/pdf.h"
#include "tokens/tokens.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

static long pages(const char *s) { return pdf_pages((const unsigned char *)s, strlen(s)); }

static void test_pdf(void)
{
	ok(pdf_sniff((const unsigned char *)"%PDF-1.4\n", 9), "sniff: %%PDF- at the start");
	ok(pdf_sniff((const unsigned char *)"junk\n%PDF-1.4\n", 14), "sniff: %%PDF- after a few bytes of junk");
	ok(!pdf_sniff((const unsigned char *)"%PD", 3), "sniff: not three bytes");
	ok(pdf_complete((const unsigned char *)"%PDF-1.4 x %%EOF\r\n", 18), "complete: %%%%EOF at the end");
	ok(!pdf_complete((const unsigned char *)"%PDF-1.4 x", 10), "complete: no %%%%EOF is cut short");
	ok(pages("<< /Type /Pages /Count 12 /Kids [1 0 R] >> << /Type /Pages /Count 5 >>") == 12,
	   "the largest /Count of a /Pages node (the root's)");
	ok(pages("<</Type/Pages/Count 3>>") == 3, "no spaces between tokens");
	ok(pages("<< /Type /Pages /Count 911111119 >>") == 100000000,
	   "a 9-digit /Count past 100,000,000 is held at that cap (it was returned whole: the cap came a digit late)");
	ok(pages("<< /Type /Pages /Count 999999999999999999999999 >>") == 100000000, "and 24 digits, without overflow");
	ok(pages("<< /Count 40 /Type /Pages >>") == 40, "/Count before /Type");
	ok(pages("<< /Type /Page /Annots [<< /Type /Pages /Count 99 >>] >>") == 99,
	   "a /Pages dictionary nested anywhere counts as a node (an upper bound, as limits want)");
	ok(pages("<< /Type /Page >> <</Type /Page>> %% /Type /Pages /Count 99\n") == 2, "a comment is not syntax");
	ok(pages("<< /Type /Page /T (x /Type /Pages /Count 99 \\) ) >> <</Type/Page>>") == 2, "nor is a string, escapes and all");
	ok(pages("<< /Length 30 >>\nstream\n<< /Type /Pages /Count 99 >>\nendstream <</Type/Page>>") == 1,
	   "nor a stream's bytes");
	ok(pages("<< /Type /Pages /Count 7 0 R >> <</Type/Page>> <</Type/Page>>") == 2,
	   "a /Count by reference: the /Page objects counted");
	ok(pages("<< /Type /Pages /Kids [1 0 R 2 0 R] /Count 2 >> << /Type /Pages /Count 1 /Parent 1 0 R >>") == 2,
	   "a nested node's /Count is less than the root's");
	ok(pages("<< /Type /Pageset /Count 5 >>") == -1, "a name that only starts with Page is not one");
	ok(pages("<< /Linearized 1 /N 14 >>") == 14, "the linearization dictionary's /N when nothing else says");
	ok(pages("<< /Type /ObjStm /N 3 >>") == -1, "an object stream's /N is not a page count");
	ok(pages("nothing here") == -1, "no page tree: -1");
	ok(pages("<< /Type /Pages /Count 99999999999999999999 >>") == 100000000, "an absurd /Count is held at the cap");
	ok(pages("<< /Type /Pages /Count -4 >> <</Type/Page>>") == 1, "a negative /Count is not a count");
	/* hostile: deep nesting, unclosed everything */
	size_t n = 200000;
	char *deep = malloc(n + 1);
	for (size_t i = 0; i < n; i += 2)
		memcpy(deep + i, "<<", 2);
	deep[n] = 0;
	ok(pages(deep) == -1, "100,000 nested dictionaries: passed over, no crash");
	for (size_t i = 0; i < n; i++)
		deep[i] = "([<"[i % 3];
	ok(pages(deep) == -1, "unclosed strings, arrays and hex strings");
	memset(deep, 's', n);
	memcpy(deep, "stream", 6);
	ok(pages(deep) == -1, "a stream with no end");
	free(deep);
	ok(pages("<< << << endobj <</Type/Pages/Count 2>>") == 2, "endobj closes what an object left open");
}

static double dur(const char *mime, const unsigned char *p, size_t n, enum audio_how *how)
{
	double s = -1;
	char why[128];
	if (audio_duration(mime, p, n, &s, how, why, sizeof why) < 0)
		return -2;
	return s;
}

static void test_audio(void)
{
	enum audio_how how;
	unsigned char wav[44 + 800] = "RIFF\0\0\0\0WAVEfmt \x10\0\0\0\x01\0\x01\0\x40\x1f\0\0\x80\x3e\0\0\x02\0\x10\0data\x20\x03\0\0";
	is_str(audio_sniff(wav, sizeof wav), "audio/wav", "sniff: RIFF WAVE");
	ok(fabs(dur("audio/wav", wav, sizeof wav, &how) - 0.05) < 1e-9 && how == AUDIO_EXACT, "WAV: 800 bytes at 16,000 a second");
	wav[40] = 0xff, wav[41] = 0xff, wav[42] = 0xff, wav[43] = 0xff;
	ok(fabs(dur("audio/wav", wav, sizeof wav, &how) - 0.05) < 1e-9, "a streamed WAV's placeholder size: what is there");
	ok(dur("audio/wav", wav, 30, &how) == -2, "a WAV cut inside fmt: corrupt");
	unsigned char flac[42] = "fLaC\x80\0\0\x22";
	/* 8000 Hz: 0x01F40 in 20 bits; 16000 samples */
	flac[8 + 10] = 0x01, flac[8 + 11] = 0xf4, flac[8 + 12] = 0x00;
	flac[8 + 16] = 0x3e, flac[8 + 17] = 0x80;
	ok(fabs(dur("audio/flac", flac, sizeof flac, &how) - 2) < 1e-9 && how == AUDIO_EXACT, "FLAC: STREAMINFO samples / rate");
	flac[8 + 16] = flac[8 + 17] = 0;
	dur("audio/flac", flac, sizeof flac, &how);
	ok(how == AUDIO_UNKNOWN, "FLAC: 0 samples means the encoder did not know");
	ok(dur("audio/flac", flac, 20, &how) == -2, "FLAC cut short: corrupt");
	unsigned char mp3[4 + 413] = { 0xff, 0xfb, 0x90, 0x00 };
	is_str(audio_sniff(mp3, sizeof mp3), "audio/mp3", "sniff: an MPEG-1 layer III frame");
	memcpy(mp3 + 36, "Xing\0\0\0\x01\0\0\x01\0", 12); /* 256 frames */
	ok(fabs(dur("audio/mp3", mp3, sizeof mp3, &how) - 256 * 1152 / 44100.0) < 1e-9 && how == AUDIO_EXACT,
	   "MP3: the Xing frame count");
	memset(mp3 + 36, 0, 12);
	dur("audio/mp3", mp3, sizeof mp3, &how);
	ok(how == AUDIO_ESTIMATE, "MP3 without Xing or VBRI: an estimate from the bit rate");
	unsigned char adts[7] = { 0xff, 0xf1, 0x50, 0x80, 0x00, 0xff, 0xfc };
	is_str(audio_sniff(adts, sizeof adts), "audio/aac", "sniff: ADTS is AAC, not MP3");
	unsigned char m4a[] = "\0\0\0\x14" "ftypM4A \0\0\0\0isom";
	is_str(audio_sniff(m4a, sizeof m4a - 1), "audio/mp4", "sniff: an MP4 with the M4A brand");
	unsigned char box[] = "\0\0\0\x24moov\0\0\0\x1cmvhd\0\0\0\0\0\0\0\0\0\0\0\0\0\0\x03\xe8\0\0\x0b\xb8";
	double s;
	ok(mp4_duration(box, sizeof box - 1, &s) == 0 && fabs(s - 3) < 1e-9, "MP4: mvhd duration / timescale");
	box[3] = 0xff; /* a box bigger than the file */
	ok(mp4_duration(box, sizeof box - 1, &s) == 0 && fabs(s - 3) < 1e-9, "a box that claims more than the file: what is there");
	box[27] = 0;
	box[28] = box[29] = box[30] = box[31] = 0;
	ok(mp4_duration(box, sizeof box - 1, &s) < 0, "a timescale of 0: no duration");
	ok(!audio_sniff((const unsigned char *)"\xff\xd8\xff\xe0", 4), "a JPEG is not audio");
	ok(!audio_sniff((const unsigned char *)"RIFF\0\0\0\0AVI ", 12), "nor an AVI");
}

static void test_tokens(void)
{
	ok(tokens_pdf("gemini", 10, 0) == 2580, "Gemini: 258 tokens a page");
	ok(tokens_pdf("anthropic", 2, 0) == 2 * (1500 + 1600), "Anthropic: 1,500 of text a page and the page's image");
	ok(tokens_pdf("gemini", -1, 500000) == 258 * 11, "pages not known: one for every 50 KB");
	ok(tokens_audio("gemini", 60, 0) == 1921, "audio: 32 tokens a second");
	ok(tokens_audio("openai", -1, 160000) == 321, "duration not known: 16,000 bytes a second");
	is_str(attach_kind("application/pdf"), "pdf", "kind: a PDF");
	is_str(attach_kind("audio/ogg"), "audio", "kind: audio");
	ok(attach_kind("text/plain") == NULL, "kind: text is none");
	struct attachment a = { .data = "AAAA", .data_len = 4 };
	ok(attach_bytes(&a) == 3, "bytes of base64: 4 characters, 3 bytes");
	a.data = "AA==", a.data_len = 4;
	ok(attach_bytes(&a) == 1, "... less its padding");
}

int main(void)
{
	test_pdf();
	test_audio();
	test_tokens();
	return tap_done();
}
