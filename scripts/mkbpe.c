/* mkbpe: build the compact rank table the tokenizer maps (share/chat/NAME.bin)
 * from the published NAME.tiktoken, refusing a file whose sha256 is not the
 * published one, so a corrupt download fails the build instead of miscounting.
 * Run by make:  mkbpe NAME IN.tiktoken OUT.bin */
#include "tokens/bpe.h"
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: mkbpe NAME IN.tiktoken OUT.bin\n");
		return 64;
	}
	const struct bpe_encoding *enc = bpe_encoding(argv[1]);
	if (!enc) {
		fprintf(stderr, "mkbpe: unknown encoding '%s'\n", argv[1]);
		return 64;
	}
	struct bpe b;
	char why[512], hex[65];
	if (bpe_load(&b, argv[2], why, sizeof why) < 0) {
		fprintf(stderr, "mkbpe: %s\n", why);
		return 65;
	}
	for (int i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", b.sha256[i]);
	if (b.mapped || strcmp(hex, enc->sha256)) {
		fprintf(stderr, "mkbpe: %s: not the published %s data (sha256 %s, want %s)\n", argv[2], argv[1],
			b.mapped ? "of a .bin" : hex, enc->sha256);
		bpe_free(&b);
		return 65;
	}
	int rc = bpe_save(&b, argv[3], why, sizeof why);
	if (rc < 0)
		fprintf(stderr, "mkbpe: %s\n", why);
	bpe_free(&b);
	return rc < 0 ? 73 : 0;
}
