/* pdf: a PDF recognised by its bytes and its pages counted, without
 * decoding any stream: enough to tell a provider's page limit before a
 * request goes out. Bounded work on hostile input (one pass, a capped
 * nesting depth), never an allocation. */
#ifndef CHAT_PDF_H
#define CHAT_PDF_H
#include <stddef.h>

/* "%PDF-" within the first 1024 bytes, where the format allows it. */
int pdf_sniff(const unsigned char *p, size_t n);

/* The page count: the largest /Count of a /Type /Pages node (the root of
 * the page tree holds the total), else the number of /Type /Page objects,
 * else the linearization dictionary's /N. -1 when none is readable (the
 * page tree sits in compressed object streams). */
long pdf_pages(const unsigned char *p, size_t n);

/* A whole file ends with %%EOF (within its last 1024 bytes): one that does
 * not was cut short. 1 or 0. */
int pdf_complete(const unsigned char *p, size_t n);
#endif
