#include "dynlib.h"
#include <dlfcn.h>
#include <stdio.h>

static void load(struct dynlib *d)
{
	void *h = dlopen(d->soname, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		const char *e = dlerror();
		snprintf(d->failure, sizeof d->failure, "cannot load %s: %s", d->soname, e ? e : "?");
		return;
	}
	for (size_t i = 0; i < d->nsyms; i++) {
		void *sym = dlsym(h, d->syms[i].name);
		if (!sym && !d->syms[i].optional) {
			snprintf(d->failure, sizeof d->failure, "%s lacks %s, which this program uses", d->soname,
				 d->syms[i].name);
			return;
		}
		*(void **)((char *)d->fns + d->syms[i].off) = sym;
	}
}

const void *dynlib_get(struct dynlib *d, char *why, size_t cap)
{
	pthread_mutex_lock(&d->mu);
	if (!d->tried) {
		load(d);
		d->tried = 1;
	}
	pthread_mutex_unlock(&d->mu);
	if (d->failure[0]) {
		if (why)
			snprintf(why, cap, "%s", d->failure);
		return NULL;
	}
	return d->fns;
}
