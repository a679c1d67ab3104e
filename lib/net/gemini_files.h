/* gemini_files: the Gemini Files API, for media too large to go inline.
 * A file is streamed from disk in chunks with Google's resumable upload
 * protocol (start, upload, upload-finalize; after a failure, query and
 * resume where the service says it got to), then polled until the service
 * has processed it, so a prompt can name it as file_data by its uri. Its
 * functions are gfiles_*, short for the Files API they speak. */
#ifndef CHAT_GEMINI_FILES_H
#define CHAT_GEMINI_FILES_H
#include <stddef.h>
#include <jv.h>

struct gfiles_opts {
	const char *base;          /* the Gemini base URL, ".../v1beta" */
	const char *key;
	const char *key_source;    /* where the key came from, for a refusal (401) */
	long connect_timeout, idle_timeout;   /* seconds; 0: the defaults */
	int retries;               /* --retries, when retries_given: failed requests in a
				    * row without progress that are tried again */
	int retries_given;         /* 0: the upload's own five (six tries in a row) */
	int progress;              /* a progress bar on stderr, when it is a terminal */
	const char *label;         /* the name the bar and the messages give the file */
};

/* The file as the service has it once it is ACTIVE. */
struct gfile {
	char name[128];            /* "files/abc123" */
	char uri[2048];            /* what file_data.file_uri takes */
	char expires[64];          /* RFC 3339, "" when the service did not say */
	char sha256[65];           /* of the bytes read from the file, hex */
};

/* Upload size bytes of fd (read with pread from offset 0, so it is never
 * all in memory) as a file of type mime called display_name, and wait until
 * the service has processed it. Chunks go $CHAT_UPLOAD_CHUNK bytes at a
 * time (8 MiB, rounded to what the service asks); the wait is bounded by
 * $CHAT_UPLOAD_WAIT seconds (600). Returns 0, or an exit status with why
 * filled (one line, safe to print): 65 the service refused or could not
 * process the file, 66 it could not be read, 69 the service is unavailable
 * after retries, 75 rate limited or too slow, 77 the key was refused, or
 * 128 + signal when a signal stopped it. */
int gfiles_upload(int fd, long long size, const char *mime, const char *display_name,
		  const struct gfiles_opts *o, struct gfile *out, char *why, size_t cap);
/* --dry-run: the request that would open the upload of size bytes of type
 * mime, written out as a request record (net/dryrun.h) with an "upload"
 * field saying what would follow, and gf filled with a stand-in file
 * ("files/dry-run") in place of the upload. 0, or an exit status with why
 * (78: a bad base URL; 73: stdout cannot be written). */
int gfiles_dry_upload(long long size, const char *mime, const char *display, const struct gfiles_opts *fo,
		      struct gfile *gf, char *why, size_t cap);
#endif
