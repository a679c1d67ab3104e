/* dynlib: a shared library opened the first time a program needs it
 * rather than linked, so the runs that never use it do not pay for loading
 * it at start; its functions are filled into a struct of pointers. */
#ifndef CHAT_DYNLIB_H
#define CHAT_DYNLIB_H
#include <pthread.h>
#include <stddef.h>

struct dynlib_sym {
	const char *name;          /* the symbol in the library */
	size_t off;                /* where its pointer goes in the struct */
	int optional;              /* a newer version's: NULL when absent */
};
/* A symbol of prefix##member for member of type. */
#define DYNLIB_SYM(type, prefix, member) { prefix #member, offsetof(type, member), 0 }

struct dynlib {
	const char *soname;
	const struct dynlib_sym *syms;
	size_t nsyms;
	void *fns;                 /* the struct of pointers */
	pthread_mutex_t mu;        /* PTHREAD_MUTEX_INITIALIZER */
	int tried;
	char failure[256];
};

/* d->fns once the library is open and every symbol found (tried once,
 * thread-safe); else NULL with why (why may be NULL). */
const void *dynlib_get(struct dynlib *d, char *why, size_t cap);
#endif
