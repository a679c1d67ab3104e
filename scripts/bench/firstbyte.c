/* firstbyte: run a command N times with stdout on a pipe and time it.
 *
 *   firstbyte [-n RUNS] [-w WARMUP] [-d] -- COMMAND [ARG...]
 *
 * Each run: the clock (CLOCK_MONOTONIC) starts just before fork; the first
 * byte read from the child's stdout stops the first-byte clock; the output is
 * drained to EOF and the child reaped with wait4, which stops the total clock
 * and gives ru_maxrss (for `sh -c` pipelines: the largest process, as the
 * kernel folds reaped children's peak into the parent's).  With -d the child's
 * stdout is /dev/null instead and only the total is timed.
 *
 * Prints one line of key=value pairs (times in ms, rss in KiB):
 *   runs= fails= first_med= first_p90= total_med= total_p90= total_max= bytes= rss_kb= cpu_med=
 * cpu_med is the median of the child's user + system CPU time.
 * fails counts runs that exited non-zero, were killed, or wrote nothing
 * (without -d); bytes and rss_kb are the largest seen over the timed runs.
 * A first-byte figure is -1 when no run wrote anything (always so with -d). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "benchtime.h"

/* Nearest-rank percentile of a sorted array. */
static double pct(const double *v, int n, int p)
{
	int k = (p * n + 99) / 100;
	return n ? v[k > 0 ? k - 1 : 0] : -1;
}

int main(int argc, char **argv)
{
	int runs = 30, warm = 3, devnull = 0, c;
	while ((c = getopt(argc, argv, "+n:w:d")) != -1) {
		if (c == 'n') runs = atoi(optarg);
		else if (c == 'w') warm = atoi(optarg);
		else if (c == 'd') devnull = 1;
		else return 64;
	}
	if (optind >= argc || runs < 1 || warm < 0) {
		fprintf(stderr, "usage: firstbyte [-n RUNS] [-w WARMUP] [-d] -- COMMAND [ARG...]\n");
		return 64;
	}
	double *first = calloc(runs, sizeof *first), *total = calloc(runs, sizeof *total);
	double *cpu = calloc(runs, sizeof *cpu);
	if (!first || !total || !cpu) { perror("firstbyte"); return 70; }
	static char buf[1 << 16];
	long long maxbytes = 0;
	long maxrss = 0;
	int fails = 0, nfirst = 0;
	for (int r = 0; r < warm + runs; r++) {
		int fd[2];
		if (pipe2(fd, O_CLOEXEC) < 0) { perror("firstbyte: pipe"); return 70; }
		double t0 = now_ms(), t1 = -1;
		pid_t pid = fork();
		if (pid < 0) { perror("firstbyte: fork"); return 70; }
		if (pid == 0) {
			int in = open("/dev/null", O_RDONLY);
			int out = devnull ? open("/dev/null", O_WRONLY) : fd[1];
			dup2(in, 0);
			dup2(out, 1);
			execvp(argv[optind], argv + optind);
			perror(argv[optind]);
			_exit(127);
		}
		close(fd[1]);
		long long bytes = 0;
		ssize_t got;
		while ((got = read(fd[0], buf, sizeof buf)) != 0) {
			if (got < 0 && errno == EINTR)
				continue;
			if (got < 0) {
				perror("firstbyte: read");
				break;
			}
			if (!bytes)
				t1 = now_ms();
			bytes += got;
		}
		close(fd[0]);
		int st;
		struct rusage ru;
		while (wait4(pid, &st, 0, &ru) < 0)
			if (errno != EINTR) {
				perror("firstbyte: wait4");
				return 70;
			}
		double t2 = now_ms();
		if (r < warm)
			continue;
		if (!WIFEXITED(st) || WEXITSTATUS(st) || (!devnull && !bytes))
			fails++;
		if (t1 >= 0)
			first[nfirst++] = t1 - t0;
		total[r - warm] = t2 - t0;
		cpu[r - warm] = (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
				(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
		if (bytes > maxbytes) maxbytes = bytes;
		if (ru.ru_maxrss > maxrss) maxrss = ru.ru_maxrss;
	}
	qsort(first, nfirst, sizeof *first, cmp_double);
	qsort(total, runs, sizeof *total, cmp_double);
	qsort(cpu, runs, sizeof *cpu, cmp_double);
	printf("runs=%d fails=%d first_med=%.2f first_p90=%.2f total_med=%.2f total_p90=%.2f "
	       "total_max=%.2f bytes=%lld rss_kb=%ld cpu_med=%.2f\n", runs, fails, pct(first, nfirst, 50),
	       pct(first, nfirst, 90), pct(total, runs, 50), pct(total, runs, 90), total[runs - 1],
	       maxbytes, maxrss, pct(cpu, runs, 50));
	return 0;
}
