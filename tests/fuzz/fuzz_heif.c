/* fuzz_heif: libFuzzer target for the HEIC decoder (libheif, through image_decode),
 * then the rest of the image path (image_path.h). Inputs that are not HEIC by
 * their bytes are rejected, so the corpus stays HEIC.
 *   make tests/fuzz/fuzz_heif
 *   tests/fuzz/fuzz_heif -max_len=4096 -timeout=5 -rss_limit_mb=512 tests/fuzz/corpus_heif */
#include "image_path.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return image_path(data, size, IMG_HEIC);
}
