/* fileserve: a small HTTP server on 127.0.0.1 for the tests of fetching
 * URLs (-a URL, -f URL). It serves files and the awkward replies a fetch
 * must survive:
 *
 *     GET /files/NAME        DIR/NAME, with a Content-Type that lies (text/html)
 *     GET /redirect?URL      302 to URL
 *     GET /big/N             N bytes of "a", with a Content-Length
 *     GET /chunked/N         N bytes of "a", chunked (no length given)
 *     GET /slow              a length of a million, then a byte each 100 ms
 *
 * Each request is logged as "METHOD PATH" on a line of --log. It exits
 * after --idle seconds without a connection (60), so a test that dies
 * leaves nothing running for long.
 *
 * usage: fileserve --port-file FILE [--dir DIR] [--log FILE] [--idle S] */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *dir = ".", *logpath;

static int put(int fd, const void *p, size_t n)
{
	const char *c = p;
	while (n) {
		ssize_t w = write(fd, c, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		c += w, n -= (size_t)w;
	}
	return 0;
}

static void head(int fd, const char *status, const char *type, long long len, const char *extra)
{
	char h[1024];
	int n = snprintf(h, sizeof h, "HTTP/1.1 %s\r\nContent-Type: %s\r\nConnection: close\r\n%s", status, type, extra);
	if (len >= 0)
		n += snprintf(h + n, sizeof h - n, "Content-Length: %lld\r\n", len);
	else
		n += snprintf(h + n, sizeof h - n, "Transfer-Encoding: chunked\r\n");
	n += snprintf(h + n, sizeof h - n, "\r\n");
	put(fd, h, (size_t)n);
}

static void as(int fd, long long n, int chunked)
{
	char a[8192];
	memset(a, 'a', sizeof a);
	head(fd, "200 OK", "text/plain", chunked ? -1 : n, "");
	while (n > 0) {
		size_t k = n > (long long)sizeof a ? sizeof a : (size_t)n;
		char len[32];
		int ln = snprintf(len, sizeof len, "%zx\r\n", k);
		if ((chunked && put(fd, len, (size_t)ln) < 0) || put(fd, a, k) < 0 || (chunked && put(fd, "\r\n", 2) < 0))
			return;
		n -= (long long)k;
	}
	if (chunked)
		put(fd, "0\r\n\r\n", 5);
}

static void serve_file(int fd, const char *name)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	int f = strstr(name, "..") ? -1 : open(path, O_RDONLY);
	struct stat sb;
	if (f < 0 || fstat(f, &sb) < 0) {
		head(fd, "404 Not Found", "text/plain", 10, "");
		put(fd, "not found\n", 10);
		if (f >= 0)
			close(f);
		return;
	}
	head(fd, "200 OK", "text/html", (long long)sb.st_size, "");
	char buf[65536];
	ssize_t n;
	while ((n = read(f, buf, sizeof buf)) > 0)
		if (put(fd, buf, (size_t)n) < 0)
			break;
	close(f);
}

static void answer(int fd)
{
	char req[8192];
	size_t got = 0;
	while (got < sizeof req - 1 && !strstr(req, "\r\n\r\n")) {
		ssize_t n = read(fd, req + got, sizeof req - 1 - got);
		if (n <= 0)
			return;
		got += (size_t)n;
		req[got] = 0;
	}
	char method[16], path[4096];
	if (sscanf(req, "%15s %4095s", method, path) != 2)
		return;
	if (logpath) {
		FILE *l = fopen(logpath, "a");
		if (l) {
			fprintf(l, "%s %s\n", method, path);
			fclose(l);
		}
	}
	if (!strncmp(path, "/files/", 7)) {
		serve_file(fd, path + 7);
	} else if (!strncmp(path, "/redirect?", 10)) {
		char loc[4200];
		snprintf(loc, sizeof loc, "Location: %s\r\n", path + 10);
		head(fd, "302 Found", "text/plain", 0, loc);
	} else if (!strncmp(path, "/big/", 5)) {
		as(fd, atoll(path + 5), 0);
	} else if (!strncmp(path, "/chunked/", 9)) {
		as(fd, atoll(path + 9), 1);
	} else if (!strcmp(path, "/slow")) {
		head(fd, "200 OK", "text/plain", 1000000, "");
		struct timespec tick = { 0, 100 * 1000 * 1000 };
		for (int i = 0; i < 600 && put(fd, "a", 1) == 0; i++) /* a minute at most */
			nanosleep(&tick, NULL);
	} else {
		head(fd, "404 Not Found", "text/plain", 10, "");
		put(fd, "not found\n", 10);
	}
}

int main(int argc, char **argv)
{
	const char *portfile = NULL;
	int idle = 60;
	for (int i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--port-file"))
			portfile = argv[i + 1];
		else if (!strcmp(argv[i], "--dir"))
			dir = argv[i + 1];
		else if (!strcmp(argv[i], "--log"))
			logpath = argv[i + 1];
		else if (!strcmp(argv[i], "--idle"))
			idle = atoi(argv[i + 1]);
	}
	if (!portfile) {
		fprintf(stderr, "usage: fileserve --port-file FILE [--dir DIR] [--log FILE] [--idle S]\n");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	signal(SIGCHLD, SIG_IGN); /* children are reaped by the kernel */
	int s = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t al = sizeof a;
	if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof a) < 0 || listen(s, 16) < 0 ||
	    getsockname(s, (struct sockaddr *)&a, &al) < 0) {
		perror("fileserve");
		return 1;
	}
	char tmp[4200];
	snprintf(tmp, sizeof tmp, "%s.tmp", portfile);
	FILE *pf = fopen(tmp, "w");
	if (!pf || fprintf(pf, "%d\n", ntohs(a.sin_port)) < 0 || fclose(pf) || rename(tmp, portfile)) {
		perror(portfile);
		return 1;
	}
	for (;;) {
		struct pollfd p = { s, POLLIN, 0 };
		int r = poll(&p, 1, idle * 1000);
		if (r == 0)
			return 0;
		if (r < 0)
			continue;
		int c = accept(s, NULL, NULL);
		if (c < 0)
			continue;
		pid_t pid = fork();
		if (pid == 0) {
			close(s);
			answer(c);
			shutdown(c, SHUT_WR);
			close(c);
			_exit(0);
		}
		close(c);
	}
}
