/* fuzz_image: libFuzzer target for the whole image path (image_path.h), every
 * format; its corpus holds PNG and JPEG seeds.
 *   make tests/fuzz/fuzz_image
 *   tests/fuzz/fuzz_image -max_len=65536 -timeout=5 -rss_limit_mb=512 tests/fuzz/corpus_image */
#include "image_path.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	image_path(data, size, IMG_UNKNOWN);
	return 0;
}
