#include "eachinput.h"
#include "diag.h"
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

int for_each_input(int n, char **files, input_fn fn, void *ctx)
{
	int status = 0;
	for (int i = 0; i < (n ? n : 1); i++) {
		int fd = 0;
		if (n && strcmp(files[i], "-")) {
			fd = open(files[i], O_RDONLY | O_CLOEXEC);
			if (fd < 0) {
				error("%s: %s", files[i], strerror(errno));
				status = EXIT_NOINPUT;
				continue;
			}
		}
		int r = fn(ctx, fd, n ? files[i] : "stdin");
		if (fd)
			close(fd);
		int fatal = r == EXIT_CANTCREAT || r == EXIT_CONFIG;
		if (r && (!status || fatal))
			status = r;
		if (fatal)
			break;
	}
	return status;
}
