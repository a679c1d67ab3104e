/* Images in the session: shown inline where the terminal speaks an image
 * protocol (asked once, the first time there is an image to show). Their
 * paths are printed by whoever made or attached them either way. */
#include "repl/repl.h"
#include "diag.h"
#include "term/termimg.h"
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <unistd.h>

/* long enough for a terminal reached through ssh to answer */
#define DETECT_TIMEOUT_MS 1000

static enum termimg_proto protocol(struct repl *r)
{
	if (r->images >= 0)
		return (enum termimg_proto)r->images;
	enum termimg_proto p = TERMIMG_NONE;
	if (termimg_from_env(&p) < 0 && isatty(1)) {
		int tty = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);
		char *typed = NULL;
		size_t ntyped = 0;
		if (tty >= 0) {
			p = termimg_detect(tty, DETECT_TIMEOUT_MS, &typed, &ntyped);
			close(tty);
		}
		/* keys typed while the terminal was asked are the next prompt's */
		if (typed && r->le)
			lineedit_push(r->le, typed, ntyped);
		free(typed);
	}
	r->images = (int)p;
	if (verbose)
		warn("images in this terminal: %s", termimg_name(p));
	return p;
}

void repl_show_image(struct repl *r, const char *path)
{
	enum termimg_proto p = protocol(r);
	if (p == TERMIMG_NONE)
		return;
	char why[300];
	struct winsize ws;
	/* at most half the window's height, so the prompt stays in sight */
	int rows = ioctl(1, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 3 ? ws.ws_row / 2 : 12;
	fflush(stdout);
	if (termimg_show(1, p, path, 0, rows, why, sizeof why) < 0 && verbose)
		warn("%s: cannot show it here: %s", path, why);
}
