#include "media/upload.h"
#include "attach.h"
#include "base64.h"
#include "diag.h"
#include "media/audio.h"
#include "media/image.h"
#include "media/pdf.h"
#include "fdio.h"
#include "jsonx.h"
#include "models.h"
#include "sig.h"
#include "sha256.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define MB (1024u * 1024u)
#define FILES_API_MAX (2LL << 30)   /* the Gemini Files API takes files up to 2 GB */

void upload_defaults(struct upload_opts *o)
{
	memset(o, 0, sizeof *o);
	o->max_side = 2048;
	o->bg[0] = o->bg[1] = o->bg[2] = 255;
	o->quality = 80;
	o->max_bytes = 20 * MB;
	o->max_pixels = 100u * 1000 * 1000;
}

int upload_quality(const char *p)
{
	return !strcmp(p, "low") ? 60 : !strcmp(p, "medium") ? 80 : !strcmp(p, "high") ? 90 : -1;
}

int upload_color(const char *s, unsigned char bg[3])
{
	if (!strcasecmp(s, "white"))
		return bg[0] = bg[1] = bg[2] = 255, 0;
	if (!strcasecmp(s, "black"))
		return bg[0] = bg[1] = bg[2] = 0, 0;
	if (*s == '#')
		s++;
	unsigned v;
	char extra;
	if (strlen(s) != 6 || sscanf(s, "%6x%c", &v, &extra) != 1)
		return -1;
	bg[0] = (unsigned char)(v >> 16), bg[1] = (unsigned char)(v >> 8), bg[2] = (unsigned char)v;
	return 0;
}

/* Video containers by their first bytes, with the names Gemini knows. HEIC
 * and AVIF share the ISO box format (ftyp first) but are images. */
static const char *video_mime(const unsigned char *p, size_t n)
{
	enum image_format f = image_sniff(p, n);
	if (f == IMG_HEIC || f == IMG_AVIF)
		return NULL;
	if (n >= 12 && !memcmp(p + 4, "ftyp", 4))
		return !memcmp(p + 8, "qt  ", 4) ? "video/mov" : "video/mp4";
	if (n >= 4 && !memcmp(p, "\x1a\x45\xdf\xa3", 4))
		return "video/webm";
	if (n >= 4 && p[0] == 0 && p[1] == 0 && p[2] == 1 && (p[3] == 0xba || p[3] == 0xb3))
		return "video/mpeg";
	if (n >= 12 && !memcmp(p, "RIFF", 4) && !memcmp(p + 8, "AVI ", 4))
		return "video/avi";
	return NULL;
}

/* What goes to the model as it is, told by its first bytes: audio (before
 * video, as an M4A is an MP4 by its boxes), video, a PDF. */
static const char *passthrough_mime(const unsigned char *p, size_t n)
{
	const char *m = audio_sniff(p, n);
	if (!m)
		m = video_mime(p, n);
	return m ? m : pdf_sniff(p, n) ? "application/pdf" : NULL;
}

/* "a video", "a PDF", "an audio file": for messages. */
static const char *what_kind(const char *mime)
{
	return !strncmp(mime, "audio/", 6) ? "an audio file" : !strncmp(mime, "video/", 6) ? "a video" : "a PDF";
}

/* The facts a passed-through file's record carries: a PDF's pages, audio's
 * (and an MP4 or MOV video's) duration in seconds, null when the file does
 * not say. 0, or 65 with why: a PDF cut short, a corrupt audio header. */
static int media_facts(const char *mime, const unsigned char *p, size_t n, jv *facts, char *why, size_t cap)
{
	*facts = jv_object();
	if (!strcmp(mime, "application/pdf")) {
		if (!pdf_complete(p, n)) {
			snprintf(why, cap, "a PDF cut short (no %%%%EOF at its end)");
			return EXIT_DATAERR;
		}
		long pages = pdf_pages(p, n);
		*facts = jv_object_set(*facts, jv_string("pages"), pages >= 0 ? jv_number((double)pages) : jv_null());
		return 0;
	}
	double sec = 0;
	enum audio_how how = AUDIO_UNKNOWN;
	if (!strncmp(mime, "audio/", 6)) {
		if (audio_duration(mime, p, n, &sec, &how, why, cap) < 0)
			return EXIT_DATAERR;
	} else if ((!strcmp(mime, "video/mp4") || !strcmp(mime, "video/mov")) && mp4_duration(p, n, &sec) == 0) {
		how = AUDIO_EXACT;
	} else {
		return 0; /* other video: no duration read */
	}
	/* milliseconds are as fine as any provider counts */
	*facts = jv_object_set(*facts, jv_string("duration_s"),
			       how == AUDIO_UNKNOWN ? jv_null() : jv_number((double)(long long)(sec * 1000 + 0.5) / 1000));
	if (how == AUDIO_ESTIMATE)
		*facts = jv_object_set(*facts, jv_string("duration_estimated"), jv_true());
	return 0;
}

static jv with_facts(jv rec, jv facts)
{
	jv_object_foreach(facts, k, v)
		rec = jv_object_set(rec, k, v);
	jv_free(facts);
	return rec;
}

/* -m: a kind the model cannot take is refused before the file is worked
 * on or uploaded. 0, or 65 with why. */
static int refuse_kind(const struct upload_opts *o, const char *mime, char *why, size_t cap)
{
	const char *kind = attach_kind(mime);
	struct model_info mi;
	if (!o->model || !o->model_inputs || !kind)
		return 0;
	memset(&mi, 0, sizeof mi);
	snprintf(mi.inputs, sizeof mi.inputs, "%s", o->model_inputs);
	if (model_accepts(&mi, kind))
		return 0;
	snprintf(why, cap, "%s cannot take %s input (its inputs: %s)", o->model, kind, o->model_inputs);
	return EXIT_DATAERR;
}

/* Gemini counts a whole request, base64 and all, against its 20 MB inline
 * limit: a video goes inline only when its base64 fits in max. */
static int fits_inline(long long n, size_t max)
{
	return (n + 2) / 3 * 4 <= (long long)max;
}

static int read_input(int fd, size_t max, struct buf *b, char *why, size_t cap)
{
	buf_init(b, max);
	int r = read_all(fd, b);
	int e = errno;
	if (r == -2) {
		snprintf(why, cap, "larger than the %zu MB limit (--max-bytes)", max / MB);
		return EXIT_DATAERR;
	}
	if (r < 0) {
		snprintf(why, cap, "%s", strerror(e));
		return EXIT_NOINPUT;
	}
	if (!b->len) {
		snprintf(why, cap, "empty file");
		return EXIT_DATAERR;
	}
	return 0;
}

/* A regular file is mapped rather than copied: the decoders read it in
 * place, in order, and its pages are the page cache's. *in then only points
 * at the mapping (*map, to be unmapped, never freed). The --max-bytes cap and
 * its message are read_input's. -1 when the file cannot be mapped (a pipe, an
 * empty or special file): read it instead. (A file cut short while mapped
 * would fault; one changed in place is read as it now is, as by read.) */
static int map_input(int fd, size_t max, struct buf *in, void **map, char *why, size_t cap)
{
	struct stat sb;
	buf_init(in, max);
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode) || sb.st_size <= 0)
		return -1;
	if ((unsigned long long)sb.st_size > max) {
		snprintf(why, cap, "larger than the %zu MB limit (--max-bytes)", max / MB);
		return EXIT_DATAERR;
	}
	void *p = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (p == MAP_FAILED)
		return -1;
	madvise(p, (size_t)sb.st_size, MADV_SEQUENTIAL);
	in->p = p;
	in->len = (size_t)sb.st_size;
	*map = p;
	return 0;
}

/* frames > 1: the source was an animation and only its first frame is here. */
static jv record(const char *mime, const struct buf *bytes, int w, int h, const char *source,
		 int ow, int oh, size_t obytes, int frames)
{
	char hex[65];
	sha256_hex(bytes->p, bytes->len, hex);
	struct buf b64 = BUF_INIT((size_t)1 << 31);
	base64_encode(bytes->p, bytes->len, &b64);
	jv rec = JV_OBJECT(jv_string("type"), jv_string("attachment"), jv_string("mime"), jv_string(mime),
			   jv_string("data"), jv_string_sized(buf_str(&b64), (int)b64.len));
	buf_free(&b64);
	rec = jv_object_set(rec, jv_string("width"), w ? jv_number(w) : jv_null());
	rec = jv_object_set(rec, jv_string("height"), h ? jv_number(h) : jv_null());
	rec = jv_object_set(rec, jv_string("bytes"), jv_number((double)bytes->len));
	rec = jv_object_set(rec, jv_string("sha256"), jv_string(hex));
	rec = jv_object_set(rec, jv_string("source"), jv_string(source));
	jv orig = JV_OBJECT(jv_string("width"), ow ? jv_number(ow) : jv_null(), jv_string("height"),
			    oh ? jv_number(oh) : jv_null(), jv_string("bytes"), jv_number((double)obytes));
	if (frames > 1)
		orig = jv_object_set(orig, jv_string("frames"), jv_number(frames));
	rec = jv_object_set(rec, jv_string("original"), orig);
	return rec;
}

/* The record of a video the Files API holds: its uri instead of data, and
 * the file's name there and when it expires (48 hours on). */
static jv uri_record(const char *mime, const struct gfile *gf, long long bytes, const char *source)
{
	jv rec = JV_OBJECT(jv_string("type"), jv_string("attachment"), jv_string("mime"), jv_string(mime),
			   jv_string("uri"), jv_string(gf->uri), jv_string("width"), jv_null(), jv_string("height"), jv_null(),
			   jv_string("bytes"), jv_number((double)bytes), jv_string("sha256"), jv_string(gf->sha256),
			   jv_string("source"), jv_string(source));
	rec = jv_object_set(rec, jv_string("original"), JV_OBJECT(jv_string("width"), jv_null(), jv_string("height"), jv_null(),
								  jv_string("bytes"), jv_number((double)bytes)));
	rec = jv_object_set(rec, jv_string("file"), jv_string(gf->name));
	if (gf->expires[0])
		rec = jv_object_set(rec, jv_string("expires"), jv_string(gf->expires));
	return rec;
}

/* A file too large to go inline: its facts read from the file mapped, not
 * copied (so a PDF's pages are known), then streamed from fd to the Files
 * API. */
static int send_video(int fd, long long size, const char *mime, const char *path, const struct upload_opts *o,
		      jv *rec, char *why, size_t cap)
{
	struct upload_remote *r = o->remote;
	if (!r) {
		snprintf(why, cap, "%s of %lld MB goes to a model only through the Gemini Files API "
			 "(it is over the %zu MB inline limit, base64 included), and %s", what_kind(mime),
			 (size + MB - 1) / MB, o->max_bytes / MB, o->no_remote ? o->no_remote : "no upload is possible here");
		return EXIT_DATAERR;
	}
	if (size > FILES_API_MAX) {
		snprintf(why, cap, "%s of %lld MB is larger than the 2 GB the Gemini Files API takes", what_kind(mime),
			 (size + MB - 1) / MB);
		return EXIT_DATAERR;
	}
	void *map = mmap(NULL, (size_t)size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (map == MAP_FAILED) {
		snprintf(why, cap, "%s", strerror(errno));
		return EXIT_NOINPUT;
	}
	jv facts;
	int fst = media_facts(mime, map, (size_t)size, &facts, why, cap);
	munmap(map, (size_t)size);
	if (fst) {
		jv_free(facts);
		return fst;
	}
	if (r->prepare) {
		int st = r->prepare(r, why, cap);
		if (st) {
			jv_free(facts);
			return st;
		}
		r->prepare = NULL;
	}
	struct gfiles_opts fo = r->files;
	fo.label = path;
	const char *slash = strrchr(path, '/');
	const char *display = !strcmp(path, "-") ? "stdin" : slash && slash[1] ? slash + 1 : path;
	struct gfile gf;
	int st = r->dry_run ? gfiles_dry_upload(size, mime, display, &fo, &gf, why, cap)
			    : gfiles_upload(fd, size, mime, display, &fo, &gf, why, cap);
	if (!st)
		*rec = with_facts(uri_record(mime, &gf, size, path), facts);
	else
		jv_free(facts);
	return st;
}

/* Encode im (PNG with transparency, else JPEG) into out, under o->max_out
 * bytes when that is set: each try that is too large shrinks the image by
 * a quarter, down to MIN_SIDE, past which the detail is gone. 0, or -1
 * with why. */
#define MIN_SIDE 64
static int encode_under(struct image *im, const struct upload_opts *o, int encoded, struct buf *out, char *why,
			size_t cap)
{
	for (;;) {
		int rc = 0;
		if (!encoded) {
			buf_reset(out);
			rc = im->channels == 4 ? image_encode_png(im, out, why, cap)
					       : image_encode_jpeg(im, o->quality, out, why, cap);
		}
		encoded = 0;
		if (rc < 0 || !o->max_out || out->len < o->max_out)
			return rc;
		int side = (im->w > im->h ? im->w : im->h) * 3 / 4;
		if (side < MIN_SIDE) {
			snprintf(why, cap, "it does not fit in %zu bytes even at %dx%d pixels", o->max_out, im->w, im->h);
			return -1;
		}
		if (image_shrink(im, side) < 0) {
			snprintf(why, cap, "out of memory shrinking the image");
			return -1;
		}
	}
}

/* A JPEG shrunk as it decodes is encoded meanwhile, row by row, when its
 * rows come in the final order (no EXIF turn) and nothing else is to be done
 * to them (no --square). */
struct rows_to_jpeg {
	int quality;
	struct buf *out;
	struct image_jpeg_stream *s;
};

static int jpeg_rows_begin(void *arg, int w, int h, int orient)
{
	struct rows_to_jpeg *t = arg;
	if (orient != 1)
		return 0;
	t->s = image_jpeg_stream_begin(w, h, t->quality, t->out, NULL, 0);
	return t->s != NULL;
}

static void jpeg_rows_row(void *arg, const unsigned char *rgb)
{
	image_jpeg_stream_row(((struct rows_to_jpeg *)arg)->s, rgb);
}

/* An image: decoded (within o's limits), turned upright, shrunk, squared or
 * flattened as o asks, and re-encoded; its record in *rec and, when encoded
 * is not NULL, the new bytes appended to it. 0, or 65 with why. */
static int upload_image(const struct buf *in, int mapped, const char *path, const struct upload_opts *o,
			jv *rec, struct buf *encoded, char *why, size_t cap)
{
	const unsigned char *p = (const unsigned char *)in->p;
	enum image_format f = image_sniff(p, in->len);
	if (f != IMG_PNG && f != IMG_JPEG && f != IMG_GIF && f != IMG_WEBP && f != IMG_HEIC) {
		char what[64];
		if (f == IMG_UNKNOWN)
			snprintf(what, sizeof what, "not an image, document, audio or video we know");
		else
			snprintf(what, sizeof what, "%s %s image", f == IMG_AVIF ? "an" : "a", image_format_name(f));
		snprintf(why, cap, "%s; accepted: PNG, JPEG, GIF, WebP and HEIC images, PDF documents, WAV, MP3, M4A, "
			 "AAC, OGG and FLAC audio, MP4, MOV, WebM, MPEG and AVI video", what);
		return EXIT_DATAERR;
	}
	struct image_limits lim = { .max_pixels = o->max_pixels, .max_memory = 512u * MB, .max_scans = 200,
				    .release_input = mapped };
	struct image im = { 0 };
	int ow = 0, oh = 0, frames = 1;
	struct buf out = BUF_INIT((size_t)1 << 30);
	struct rows_to_jpeg t = { o->quality, &out, NULL };
	struct image_rows rows = { jpeg_rows_begin, jpeg_rows_row, &t };
	int decoded = image_decode_fit(p, in->len, &lim, o->max_side, &im, &ow, &oh, &frames,
				       o->square ? NULL : &rows, why, cap);
	/* a stream that failed leaves out as it was: encoded again below */
	int streamed = t.s && image_jpeg_stream_end(t.s, decoded == 0, NULL, 0) == 0;
	if (decoded < 0) {
		buf_free(&out);
		return EXIT_DATAERR;
	}
	/* the file's pages are not needed again (a JPEG's are gone already) */
	if (mapped)
		madvise(in->p, in->len, MADV_DONTNEED);
	int rc = 0;
	if (o->square)
		rc = image_square(&im);
	else if (rc == 0 && im.channels == 4 && (o->flatten || !image_has_alpha(&im)))
		image_flatten(&im, o->bg[0], o->bg[1], o->bg[2]);
	const char *mime = im.channels == 4 ? "image/png" : "image/jpeg";
	if (rc < 0)
		snprintf(why, cap, "out of memory resizing the image");
	else
		rc = encode_under(&im, o, streamed, &out, why, cap);
	if (rc == 0) {
		*rec = record(mime, &out, im.w, im.h, path, ow, oh, in->len, frames);
		if (encoded)
			buf_add(encoded, out.p, out.len);
	}
	image_free(&im);
	buf_free(&out);
	return rc ? EXIT_DATAERR : 0;
}

/* Bytes read whole: refused when the model cannot take their kind; video,
 * audio and PDFs go as they are (the model decodes them), with the facts
 * their containers give; images through the image pipeline. */
static int upload_bytes(const struct buf *in, int mapped, const char *vmime, const char *path,
			const struct upload_opts *o, jv *rec, struct buf *encoded, char *why, size_t cap)
{
	int st = refuse_kind(o, vmime ? vmime : "image/", why, cap);
	if (st)
		return st;
	if (!vmime)
		return upload_image(in, mapped, path, o, rec, encoded, why, cap);
	jv facts;
	st = media_facts(vmime, (const unsigned char *)in->p, in->len, &facts, why, cap);
	if (st) {
		jv_free(facts);
		return st;
	}
	*rec = with_facts(record(vmime, in, 0, 0, path, 0, 0, in->len, 0), facts);
	if (encoded)
		buf_add(encoded, in->p, in->len);
	return 0;
}

int upload_file(const char *path, const struct upload_opts *o, jv *rec, struct buf *encoded, char *why, size_t cap)
{
	int fd = strcmp(path, "-") ? open(path, O_RDONLY | O_CLOEXEC) : 0;
	if (fd < 0) {
		snprintf(why, cap, "%s", strerror(errno));
		return EXIT_NOINPUT;
	}
	/* a large video on disk is streamed from it, never read into memory */
	struct stat sb;
	unsigned char head[1024];
	const char *vmime = NULL;
	if (!encoded && fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode)) {
		ssize_t n = pread(fd, head, sizeof head, 0);
		vmime = n > 0 ? passthrough_mime(head, (size_t)n) : NULL;
		if (vmime && !fits_inline(sb.st_size, o->max_bytes)) {
			int st = refuse_kind(o, vmime, why, cap);
			if (!st)
				st = send_video(fd, (long long)sb.st_size, vmime, path, o, rec, why, cap);
			if (fd)
				close(fd);
			return st;
		}
	}
	struct buf in;
	void *map = NULL;
	int st = map_input(fd, o->max_bytes, &in, &map, why, cap);
	if (st < 0)
		st = read_input(fd, o->max_bytes, &in, why, cap);
	if (fd)
		close(fd);
	vmime = passthrough_mime((const unsigned char *)(in.p ? in.p : ""), in.len);
	if (!encoded && vmime && (st == EXIT_DATAERR || !fits_inline((long long)in.len, o->max_bytes)) && in.len) {
		/* from a pipe: an upload must be able to go back to resume, so it needs the file */
		snprintf(why, cap, "%s this large cannot be uploaded from a pipe (an upload must be able to "
			 "resume): give its file name instead", what_kind(vmime));
		st = EXIT_DATAERR;
	}
	if (!st)
		st = upload_bytes(&in, map != NULL, vmime, path, o, rec, encoded, why, cap);
	if (map)
		munmap(map, in.len);
	else
		buf_free(&in);
	return st;
}

int upload_buffer(const struct buf *in, const char *source, const struct upload_opts *o, jv *rec, char *why,
		  size_t cap)
{
	if (!in->len)
		return snprintf(why, cap, "empty"), EXIT_DATAERR;
	const char *vmime = passthrough_mime((const unsigned char *)in->p, in->len);
	if (vmime && !fits_inline((long long)in->len, o->max_bytes))
		return snprintf(why, cap, "%s this large goes only through the Gemini Files API, from a file: "
				"download it and give its name", what_kind(vmime)), EXIT_DATAERR;
	return upload_bytes(in, 0, vmime, source, o, rec, NULL, why, cap);
}

/* The -v line: what the record holds. */
static void say_done(const char *path, jv rec)
{
	char mime[32] = "", file[128] = "";
	jx_str(rec, "mime", mime, sizeof mime);
	jx_str(rec, "file", file, sizeof file);
	char shape[64];
	if (!strcmp(mime, "application/pdf"))
		snprintf(shape, sizeof shape, "%.0f pages", jx_num(rec, "pages", -1));
	else if (!strncmp(mime, "audio/", 6))
		snprintf(shape, sizeof shape, "%.3f s", jx_num(rec, "duration_s", -1));
	else
		snprintf(shape, sizeof shape, "%.0fx%.0f", jx_num(rec, "width", 0), jx_num(rec, "height", 0));
	warn("%s: %s, %s, %.0f bytes%s%s", path, mime, shape, jx_num(rec, "bytes", 0), file[0] ? ", uploaded as " : "", file);
}

int upload_emit(const char *path, const struct upload_opts *o, const char *out, int quiet, enum upload_next *next)
{
	char why[512];
	jv rec = jv_invalid();
	struct buf bytes = BUF_INIT((size_t)1 << 31);
	int r = upload_file(path, o, &rec, out ? &bytes : NULL, why, sizeof why);
	*next = UPLOAD_NEXT;
	if (sig_caught) { /* stopped mid-upload: no record, no message */
		*next = UPLOAD_STOP;
		r = 0;
	} else if (r) {
		if (!quiet && why[0])
			error("%s: %s", path, why);
	} else if (out) {
		int w = write_file_atomic(out, buf_str(&bytes), bytes.len, 0644, 0);
		if (w == WFA_STOPPED)
			*next = UPLOAD_STOP;
		else if (w)
			r = (error("%s: %s", out, strerror(errno)), EXIT_CANTCREAT);
	} else {
		if (verbose)
			say_done(path, rec);
		int w = jx_write_line(1, rec); /* consumes rec */
		rec = jv_invalid();
		if (w < 0) {
			if (errno == EPIPE) { /* the reader is gone: end quietly, as by SIGPIPE */
				sig_note_pipe();
				*next = UPLOAD_STOP;
			} else {
				error("cannot write output: %s", strerror(errno));
				*next = UPLOAD_ABORT;
				r = EXIT_CANTCREAT;
			}
		}
	}
	jv_free(rec);
	buf_free(&bytes);
	return r;
}

int attachments_files(struct attachments *a, const char *const *paths, int n, const struct model_info *mi,
		      struct upload_remote *remote, const char *why_not)
{
	struct upload_opts uo;
	upload_defaults(&uo);
	if (mi && mi->max_side)
		uo.max_side = (int)mi->max_side;
	uo.remote = remote;
	uo.no_remote = why_not;
	return attachments_upload(a, paths, n, &uo);
}

int attachments_upload(struct attachments *a, const char *const *paths, int n, const struct upload_opts *uo)
{
	for (int i = 0; i < n; i++) {
		char why[512];
		jv rec = jv_invalid();
		int r = upload_file(paths[i], uo, &rec, NULL, why, sizeof why);
		if (!r && attachments_add(a, rec, why, sizeof why) < 0)
			r = EXIT_DATAERR;
		jv_free(rec);
		if (r) {
			if (r < 128) /* a signal stopped an upload: no message, as elsewhere */
				error("%s: %s", paths[i], why);
			return r;
		}
	}
	return 0;
}
