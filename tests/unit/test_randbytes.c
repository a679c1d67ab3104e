/* randbytes fills every byte it is asked for, and two draws differ. */
#include "randbytes.h"
#include "tap.h"
#include <string.h>

int main(void)
{
	unsigned char a[300], b[300];
	memset(a, 0, sizeof a);
	memset(b, 0, sizeof b);
	randbytes(a, sizeof a, 0);
	randbytes(b, sizeof b, 0);
	ok(memcmp(a, b, sizeof a) != 0, "two draws of 300 bytes differ");
	int zeros = 0;
	for (size_t i = 0; i < sizeof a; i++)
		zeros += a[i] == 0;
	ok(zeros < 20, "the bytes are filled (%d of 300 zero)", zeros);
	unsigned char one[1] = { 0 }, guard[2] = { 0x5a, 0x5a };
	randbytes(guard, 1, 0);
	ok(guard[1] == 0x5a, "no byte past the count is written");
	randbytes(one, 0, 0);
	ok(one[0] == 0, "a count of 0 writes nothing");
	return tap_done();
}
