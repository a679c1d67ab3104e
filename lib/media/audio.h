/* audio: WAV, MP3, M4A (AAC in MP4), raw AAC (ADTS), OGG (Vorbis or Opus)
 * and FLAC recognised by their bytes, and their duration read from the
 * container where it says it. Reads only headers and, for MP3, ADTS and
 * OGG, frame or page headers; bounded on hostile input, never allocates. */
#ifndef CHAT_AUDIO_H
#define CHAT_AUDIO_H
#include <stddef.h>

/* The MIME type of an audio file by its first bytes (audio/wav, audio/mp3,
 * audio/mp4, audio/aac, audio/ogg, audio/flac), or NULL. An MP4 counts as
 * audio only when its brand says M4A/M4B. */
const char *audio_sniff(const unsigned char *p, size_t n);

/* How the duration was found. */
enum audio_how {
	AUDIO_UNKNOWN,    /* the container does not say */
	AUDIO_EXACT,      /* from the header: WAV data size / byte rate, FLAC STREAMINFO,
			   * MP4 mvhd, the last OGG granule position, an MP3 Xing/Info
			   * or VBRI frame count, the ADTS frames counted */
	AUDIO_ESTIMATE    /* MP3 with neither: the bytes over the first frame's bit
			   * rate (exact for constant bit rate) */
};

/* The duration in seconds of the audio in p (mime as audio_sniff says).
 * 0 with *seconds and *how filled, or -1 with why when the header is
 * corrupt (a WAV with no fmt chunk, a FLAC without STREAMINFO, an MP3
 * with no frame). */
int audio_duration(const char *mime, const unsigned char *p, size_t n, double *seconds, enum audio_how *how,
		   char *why, size_t cap);

/* An MP4 or QuickTime file's duration from its movie header (mvhd), for
 * video as for M4A. 0, or -1 when there is none. */
int mp4_duration(const unsigned char *p, size_t n, double *seconds);
#endif
