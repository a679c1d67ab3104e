/* keyinput: a key typed at the terminal without echo, or the first line
 * of a pipe, checked the way every program checks the keys it reads. */
#ifndef CHAT_KEYINPUT_H
#define CHAT_KEYINPUT_H
#include <stddef.h>

enum key_input_result {
	KEYIN_OK = 0,
	KEYIN_EMPTY = -1,     /* nothing, or only blanks */
	KEYIN_BAD = -2,       /* a control character, or longer than cap */
	KEYIN_IO = -3,        /* read or terminal error: errno */
};
/* Read a key from fd: from a terminal, prompt on prompt_fd and read one
 * line with echo off (the terminal is put back on every path: a signal
 * that ends the program puts it back before it dies, ^Z puts it back while
 * stopped and asks again after); else the first line of fd. The key is
 * trimmed as key_clean does and registered as a secret. */
int key_input_read(int fd, int prompt_fd, const char *prompt, char *out, size_t cap);
#endif
