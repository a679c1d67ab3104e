/* randbytes: bytes for ids and boundaries that must not repeat. */
#ifndef CHAT_RANDBYTES_H
#define CHAT_RANDBYTES_H
#include <stddef.h>

/* n bytes from the kernel's generator (one getrandom call, no file to
 * open); should it fail, from the clock, the pid and salt mixed, which
 * still differ from run to run. */
void randbytes(void *out, size_t n, unsigned long salt);
#endif
