#include "progress.h"
#include "clock.h"
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#define REDRAW_MS 200

void progress_start(struct progress *p, const char *label, long long total, int wanted)
{
	memset(p, 0, sizeof *p);
	p->on = wanted && total > 0 && isatty(2);
	p->total = total;
	struct winsize ws;
	p->cols = ioctl(2, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 20 ? ws.ws_col : 80;
	if (p->cols > 150)
		p->cols = 150;
	p->start_ms = now_ms();
	/* a long name keeps its end, where the distinguishing part usually is */
	size_t n = strlen(label), room = sizeof p->label - 1;
	snprintf(p->label, sizeof p->label, "%s%s", n > room ? "..." : "", n > room ? label + n - (room - 3) : label);
}

void progress_start_line(struct progress *p, int wanted, long every_ms)
{
	memset(p, 0, sizeof *p);
	p->on = wanted && isatty(2);
	p->text = 1;
	p->every_ms = every_ms;
	p->start_ms = p->drawn_ms = now_ms();
}

int progress_due(const struct progress *p)
{
	return p->on && now_ms() - p->drawn_ms >= p->every_ms;
}

/* A text line starts with a carriage return and an erase to the end of the
 * row, so a shorter line leaves nothing of a longer one behind. */
#define LINE_START "\r\033[K"

void progress_line(struct progress *p, const char *fmt, ...)
{
	if (!p->on)
		return;
	char line[512] = LINE_START;
	size_t at = sizeof LINE_START - 1;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(line + at, sizeof line - at, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	at += (size_t)n < sizeof line - at ? (size_t)n : sizeof line - at - 1;
	if (write(2, line, at) < 0)
		p->on = 0;
	p->shown = 1;
	p->drawn_ms = now_ms();
}

/* 1234567 -> "1.2 MB": short enough for one line on a narrow terminal. */
static void human(char *out, size_t cap, double v)
{
	static const char *const unit[] = { "B", "kB", "MB", "GB", "TB" };
	int u = 0;
	while (v >= 1000 && u < 4)
		v /= 1000, u++;
	snprintf(out, cap, u ? "%.1f %s" : "%.0f %s", v, unit[u]);
}

static void draw(struct progress *p, long now)
{
	char line[200], done[24], total[24], rate[24];
	int pct = (int)(p->done * 100 / p->total);
	double secs = (now - p->start_ms) / 1000.0;
	human(done, sizeof done, (double)p->done);
	human(total, sizeof total, (double)p->total);
	if (secs >= 0.5 && p->done > p->first)
		human(rate, sizeof rate, (double)(p->done - p->first) / secs);
	else
		snprintf(rate, sizeof rate, "-");
	char bar[21];
	int fill = pct / 5;
	for (int i = 0; i < 20; i++)
		bar[i] = i < fill ? '#' : '.';
	bar[20] = 0;
	int n = snprintf(line, sizeof line, "\r%s [%s] %3d%% %s of %s, %s/s", p->label, bar, pct, done, total, rate);
	/* one row of the terminal (a wrapped line would not go back with \r),
	 * padded over whatever was drawn before, in one write */
	if (n > p->cols)
		n = p->cols;
	while (n < p->cols)
		line[n++] = ' ';
	if (write(2, line, (size_t)n) < 0)
		p->on = 0;
	p->shown = 1;
	p->drawn_ms = now;
}

void progress_update(struct progress *p, long long done)
{
	if (!p->on)
		return;
	if (done < 0)
		done = 0;
	if (done > p->total)
		done = p->total;
	if (done < p->done)
		p->first = done; /* a restart: measure the rate afresh */
	p->done = done;
	long now = now_ms();
	if (!p->shown || now - p->drawn_ms >= REDRAW_MS || done == p->total)
		draw(p, now);
}

void progress_clear(struct progress *p)
{
	if (p->text) {
		if (p->on && p->shown && write(2, LINE_START, sizeof LINE_START - 1) < 0)
			p->on = 0;
		p->shown = 0;
		return;
	}
	char blank[160];
	int n = 0;
	blank[n++] = '\r';
	while (n < p->cols)
		blank[n++] = ' ';
	blank[n++] = '\r';
	if (p->on && p->shown && write(2, blank, (size_t)n) < 0)
		p->on = 0;
	p->shown = 0;
}

void progress_end(struct progress *p)
{
	progress_clear(p);
	p->on = 0;
}
