/* fuzz_gif: libFuzzer target for the GIF decoder (giflib, through image_decode),
 * then the rest of the image path (image_path.h). Inputs that are not GIF by
 * their bytes are rejected, so the corpus stays GIF.
 *   make tests/fuzz/fuzz_gif
 *   tests/fuzz/fuzz_gif -max_len=4096 -timeout=5 -rss_limit_mb=512 tests/fuzz/corpus_gif */
#include "image_path.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return image_path(data, size, IMG_GIF);
}
