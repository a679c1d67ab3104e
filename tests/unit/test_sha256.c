/* SHA-256 against the FIPS 180-4 examples and sha256sum. */
#include "sha256.h"
#include "tap.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(void)
{
	char hex[65];
	sha256_hex("abc", 3, hex);
	is_str(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", "FIPS 180-4: abc");
	sha256_hex("", 0, hex);
	is_str(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "the empty string");
	const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	sha256_hex(two, strlen(two), hex);
	is_str(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1", "FIPS 180-4: two blocks");
	/* a million 'a's, fed in uneven pieces */
	struct sha256 s;
	unsigned char d[32];
	char piece[997];
	memset(piece, 'a', sizeof piece);
	sha256_init(&s);
	size_t left = 1000000;
	while (left) {
		size_t n = left < sizeof piece ? left : sizeof piece;
		sha256_update(&s, piece, n);
		left -= n;
	}
	sha256_final(&s, d);
	for (int i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", d[i]);
	is_str(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0", "one million a's in pieces");
	return tap_done();
}
