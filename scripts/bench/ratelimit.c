/* ratelimit: the cost of one ratelimit_take, alone and with other
 * processes taking from the same file at the same time.
 *
 *   make lib/libchat.a
 *   cc -O2 -D_GNU_SOURCE -Ilib -o /tmp/rlbench scripts/bench/ratelimit.c \
 *       lib/libchat.a -ljq -lsqlite3 -lm -pthread
 *   /tmp/rlbench [-n TAKES] [-p PROCS] [DIR]
 *
 * DIR (default: a new folder under $TMPDIR or /tmp) holds the state file;
 * point it at the real data folder's filesystem to measure that one. Each
 * phase prints one line: takes, then the median, 90th and 99th percentile
 * and mean of one call in microseconds (CLOCK_MONOTONIC around each call).
 *   granted   limits so high every take goes: a read and a write each
 *   refused   an empty bucket: a read only, the answer is a wait
 *   unlimited rpm = 0, tpm = 0 (ollama's default)
 *   open+take ratelimit_open, one take, ratelimit_close: once per program run
 *   Nproc     N processes granted at once, each timing its own calls
 * Figures are printed, never asserted. */
#include "config.h"
#include "diag.h"
#include "net/ratelimit.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "benchtime.h"

static double now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

/* limits so high that nothing waits: every take reads and writes */
#define HIGH "[openai]\nrpm = 1000000000\ntpm = 1000000000\n"

static struct ratelimit *open_cfg(const char *text)
{
	struct config c = { 0 };
	char why[512];
	config_parse(&c, text, "bench");
	struct ratelimit *rl = ratelimit_open(&c, NULL, why, sizeof why);
	config_free(&c);
	if (!rl)
		die(70, "%s", why);
	return rl;
}

/* Time n takes; fill t[] with each call's microseconds. */
static void run(struct ratelimit *rl, const char *prov, int n, double *t, long *refused)
{
	*refused = 0;
	for (int i = 0; i < n; i++) {
		double a = now_us();
		long w = ratelimit_take(rl, prov, 1000);
		t[i] = now_us() - a;
		*refused += w > 0;
	}
}

static void report(const char *name, double *t, int n, long refused)
{
	double sum = 0;
	for (int i = 0; i < n; i++)
		sum += t[i];
	qsort(t, (size_t)n, sizeof *t, cmp_double);
	printf("%-10s takes=%d refused=%ld med_us=%.1f p90_us=%.1f p99_us=%.1f mean_us=%.1f\n", name, n, refused,
	       t[n / 2], t[n * 9 / 10], t[n * 99 / 100], sum / n);
	fflush(stdout);
}

int main(int argc, char **argv)
{
	int n = 20000, procs = 8, opt;
	diag_init(argv[0]);
	while ((opt = getopt(argc, argv, "n:p:")) != -1) {
		if (opt == 'n')
			n = atoi(optarg);
		else if (opt == 'p')
			procs = atoi(optarg);
		else
			die(64, "usage: ratelimit [-n TAKES] [-p PROCS] [DIR]");
	}
	if (n < 100 || procs < 1)
		die(64, "need -n 100 or more and -p 1 or more");
	char dir[512], path[600];
	if (optind < argc) {
		snprintf(dir, sizeof dir, "%s", argv[optind]);
	} else {
		const char *tmp = getenv("TMPDIR");
		snprintf(dir, sizeof dir, "%s/rlbench-XXXXXX", tmp && *tmp ? tmp : "/tmp");
		if (!mkdtemp(dir))
			die(73, "mkdtemp: %s", dir);
	}
	snprintf(path, sizeof path, "%s/ratelimit-bench.db", dir);
	unlink(path);
	setenv("CHAT_RATE_DB", path, 1);
	printf("# state file %s\n", path);

	/* n takes, one more slot for a child's count, and the 500 open+take rounds */
	double *t = malloc(sizeof *t * ((size_t)(n > 500 ? n : 500) + 1));
	long refused;
	if (!t)
		die(70, "out of memory");
	struct ratelimit *rl = open_cfg(HIGH "[anthropic]\nrpm = 1\ntpm = 0\n[ollama]\nrpm = 0\ntpm = 0\n");
	run(rl, "openai", n / 10, t, &refused);  /* warm up: page cache, statements */
	run(rl, "openai", n, t, &refused);
	report("granted", t, n, refused);
	run(rl, "anthropic", n, t, &refused);
	report("refused", t, n, refused);
	run(rl, "ollama", n, t, &refused);
	report("unlimited", t, n, refused);
	ratelimit_close(rl);
	for (int i = 0; i < 500; i++) {  /* what a program pays once per run */
		double a = now_us();
		rl = open_cfg(HIGH);
		ratelimit_take(rl, "openai", 1000);
		ratelimit_close(rl);
		t[i] = now_us() - a;
	}
	report("open+take", t, 500, 0);

	for (int p = 2; p <= procs; p *= 2) {
		int each = n / p;
		double wall = now_us();
		for (int k = 0; k < p; k++) {
			if (fork() == 0) {
				struct ratelimit *r = open_cfg(HIGH);
				long ref;
				run(r, "openai", each, t, &ref);
				ratelimit_close(r);
				t[each] = (double)ref;
				char tp[700];
				snprintf(tp, sizeof tp, "%s/times.%d", dir, k);
				FILE *f = fopen(tp, "wb");
				_exit(!f || fwrite(t, sizeof *t, (size_t)each + 1, f) != (size_t)each + 1 || fclose(f) != 0);
			}
		}
		while (wait(NULL) > 0)
			;
		wall = now_us() - wall;
		/* each child's timings from its own file */
		int got = 0;
		long refused_all = 0;
		for (int k = 0; k < p; k++) {
			char tp[700];
			snprintf(tp, sizeof tp, "%s/times.%d", dir, k);
			FILE *f = fopen(tp, "rb");
			if (f) {
				if (fread(t + got, sizeof *t, (size_t)each + 1, f) == (size_t)each + 1) {
					refused_all += (long)t[got + each];
					got += each;
				}
				fclose(f);
			}
			unlink(tp);
		}
		char name[32];
		snprintf(name, sizeof name, "%dproc", p);
		report(name, t, got, refused_all);
		printf("%-10s all processes together: %.0f takes/s\n", name, got / (wall / 1e6));
	}
	free(t);
	unlink(path);
	char journal[700];
	snprintf(journal, sizeof journal, "%s-journal", path);  /* kept, empty, in TRUNCATE mode */
	unlink(journal);
	if (optind >= argc)
		rmdir(dir);
	return 0;
}
