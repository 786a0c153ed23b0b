#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "progress.h"

#define PROGRESS_DEFAULT_WIDTH 80
#define ERASE_LINE "\r\033[K"	/* ECMA-48 EL: erase to the end of the line */

void progress_init(struct progress *p, size_t total, bool want)
{
	memset(p, 0, sizeof(*p));
	p->enabled = want && isatty(STDERR_FILENO);
	p->total = total;
}

void progress_finished(struct progress *p, const char *name, bool failed)
{
	size_t used = strlen(p->failed_names);

	p->done++;
	if (!failed)
		return;
	p->failed++;
	if (used + strlen(name) + 2 < sizeof(p->failed_names))
		snprintf(p->failed_names + used, sizeof(p->failed_names) - used,
			 "%s%s", used ? " " : "", name);
	else if (!strstr(p->failed_names, "..."))
		snprintf(p->failed_names + used, sizeof(p->failed_names) - used,
			 "%s", used + 4 < sizeof(p->failed_names) ? " ..." : "");
}

static size_t term_width(void)
{
	struct winsize ws;

	if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 10)
		return ws.ws_col;
	return PROGRESS_DEFAULT_WIDTH;
}

void progress_draw(struct progress *p, const char *const *running, size_t n)
{
	char line[512];
	size_t len, width;

	if (!p->enabled)
		return;
	len = (size_t)snprintf(line, sizeof(line), "[%zu/%zu] running:", p->done,
			       p->total);
	for (size_t i = 0; i < n && len < sizeof(line); i++)
		len += (size_t)snprintf(line + len, sizeof(line) - len, " %s", running[i]);
	if (p->failed && len < sizeof(line))
		len += (size_t)snprintf(line + len, sizeof(line) - len,
					"  failed: %zu (%s)", p->failed, p->failed_names);
	line[sizeof(line) - 1] = '\0';
	/* one column short, so that the terminal never wraps */
	width = term_width() - 1;
	if (strlen(line) > width)
		line[width] = '\0';
	if (p->shown && !strcmp(line, p->last))
		return;
	snprintf(p->last, sizeof(p->last), "%s", line);
	fprintf(stderr, ERASE_LINE "%s", line);
	fflush(stderr);
	p->shown = true;
}

void progress_clear(struct progress *p)
{
	if (!p->enabled || !p->shown)
		return;
	fputs(ERASE_LINE, stderr);
	fflush(stderr);
	p->shown = false;
}
