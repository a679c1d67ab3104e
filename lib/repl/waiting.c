#include "repl/waiting.h"
#include "fdio.h"
#include <errno.h>
#include <stdio.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define FRAME_MS 100

static int locale_is_utf8(void)
{
	const char *v = getenv("LC_ALL");
	if (!v || !*v)
		v = getenv("LC_CTYPE");
	if (!v || !*v)
		v = getenv("LANG");
	return v && (strstr(v, "UTF-8") || strstr(v, "utf8") || strstr(v, "UTF8") || strstr(v, "utf-8"));
}

static void *draw(void *arg)
{
	struct waiting *w = arg;
	static const char *const dots[] = { "⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏" };
	static const char *const bars[] = { "|", "/", "-", "\\" };
	const char *const *frames = w->utf8 ? dots : bars;
	size_t nframes = w->utf8 ? 10 : 4, i = 0;
	pthread_mutex_lock(&w->mu);
	while (!w->stop) {
		char line[32];
		int n = snprintf(line, sizeof line, "\r%s ", frames[i++ % nframes]);
		write_all(w->fd, line, (size_t)n);
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += FRAME_MS * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		while (!w->stop && pthread_cond_timedwait(&w->cv, &w->mu, &until) != ETIMEDOUT)
			;
	}
	write_all(w->fd, "\r\033[K", 4);
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

void waiting_start(struct waiting *w, int fd)
{
	memset(w, 0, sizeof *w);
	w->fd = fd;
	w->utf8 = locale_is_utf8();
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->cv, NULL);
	/* signals stay with the main thread, whose reading and transfer they stop */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	w->running = pthread_create(&w->thread, NULL, draw, w) == 0;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

void waiting_stop(struct waiting *w)
{
	if (!w->running)
		return;
	pthread_mutex_lock(&w->mu);
	w->stop = 1;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
	pthread_join(w->thread, NULL);
	w->running = 0;
	pthread_mutex_destroy(&w->mu);
	pthread_cond_destroy(&w->cv);
}

void waiting_stop_hook(void *w)
{
	waiting_stop(w);
}
