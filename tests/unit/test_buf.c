/* buf: adds stay within the cap and leave the buffer as it was when they
 * would pass it; room made for a read in place counts only once taken. */
#include "buf.h"
#include "tap.h"
#include <string.h>

int main(void)
{
	struct buf b = BUF_INIT(10);
	ok(buf_adds(&b, "hello") == 0 && b.len == 5, "an add within the cap");
	ok(buf_add(&b, "123456", 6) < 0 && b.len == 5, "an add past the cap fails, the buffer unchanged");
	is_str(buf_str(&b), "hello", "... and still NUL-terminated");

	char *room = buf_room(&b, 5);
	ok(room == b.p + 5 && b.len == 5, "room at the end, not yet counted");
	memcpy(room, "world", 5);
	buf_took(&b, 3);
	ok(b.len == 8, "only the bytes taken count");
	is_str(buf_str(&b), "hellowor", "... and the text ends after them");
	ok(buf_room(&b, 3) == NULL && b.len == 8, "room past the cap: none, the buffer unchanged");
	ok(buf_room(&b, (size_t)-1) == NULL, "room for more than memory holds: none");
	ok(buf_room(&b, 0) != NULL, "room for nothing is always there");
	buf_free(&b);

	struct buf big = BUF_INIT((size_t)1 << 20);
	room = buf_room(&big, 100000);
	ok(room != NULL && big.cap > 100000, "room grows the buffer as an add would");
	memset(room, 'x', 100000);
	buf_took(&big, 100000);
	ok(big.len == 100000 && big.p[99999] == 'x' && big.p[100000] == 0, "a large read taken in place");
	buf_free(&big);
	return tap_done();
}
