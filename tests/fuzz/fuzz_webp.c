/* fuzz_webp: libFuzzer target for the WebP decoder (libwebp, through image_decode),
 * then the rest of the image path (image_path.h). Inputs that are not WebP by
 * their bytes are rejected, so the corpus stays WebP.
 *   make tests/fuzz/fuzz_webp
 *   tests/fuzz/fuzz_webp -max_len=4096 -timeout=5 -rss_limit_mb=512 tests/fuzz/corpus_webp */
#include "image_path.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return image_path(data, size, IMG_WEBP);
}
