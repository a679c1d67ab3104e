/* fuzz_pdf: libFuzzer target for the PDF page count and end check (one
 * pass over untrusted bytes, a capped nesting depth). The input is copied
 * to an exact-size buffer so a read past its end shows; the count must be
 * -1 or within what the bytes could say.
 *   make tests/fuzz/fuzz_pdf && tests/fuzz/fuzz_pdf tests/fuzz/corpus_pdf */
#include "media/pdf.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char *p = malloc(size ? size : 1);
	if (!p)
		return 0;
	memcpy(p, data, size);
	(void)pdf_sniff(p, size);
	(void)pdf_complete(p, size);
	long n = pdf_pages(p, size);
	if (n < -1 || n > 100000000)
		abort();
	free(p);
	return 0;
}
