/* A tiny TAP producer for the unit tests: "ok N - name" / "not ok N - name". */
#ifndef TAP_H
#define TAP_H
#include <stddef.h>
int ok(int cond, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int is_str(const char *got, const char *want, const char *name);
int is_mem(const void *got, size_t glen, const void *want, size_t wlen, const char *name);
void skip(const char *why);
int tap_done(void);
/* The shared data folder (../shared beside the project), or NULL when absent. */
const char *shared_dir(void);
#endif
