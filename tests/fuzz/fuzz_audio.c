/* fuzz_audio: libFuzzer target for the audio sniffing and duration readers
 * (WAV, FLAC, MP3 with ID3, Xing and VBRI, ADTS, OGG, MP4 boxes). Byte 0
 * picks the container read as, so every reader sees every shape; the rest
 * is copied to an exact-size buffer so a read past its end shows. A
 * duration is never negative or NaN.
 *   make tests/fuzz/fuzz_audio && tests/fuzz/fuzz_audio tests/fuzz/corpus_audio */
#include "media/audio.h"
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const mimes[] = { "audio/wav", "audio/flac", "audio/mp3", "audio/aac", "audio/ogg", "audio/mp4" };
	if (!size)
		return 0;
	size_t n = size - 1;
	unsigned char *p = malloc(n ? n : 1);
	if (!p)
		return 0;
	memcpy(p, data + 1, n);
	const char *sniffed = audio_sniff(p, n);
	const char *mime = data[0] < 6 ? mimes[data[0]] : sniffed ? sniffed : "audio/mp3";
	double sec = 0;
	enum audio_how how;
	char why[128];
	if (audio_duration(mime, p, n, &sec, &how, why, sizeof why) == 0 && (isnan(sec) || sec < 0))
		abort();
	double v;
	if (mp4_duration(p, n, &v) == 0 && (isnan(v) || v < 0))
		abort();
	free(p);
	return 0;
}
