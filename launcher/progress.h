/* The one-line progress report on a terminal's stderr:
 *   [12/40] running: apic ioapic  failed: 1 (eventinj)
 * redrawn in place with \r; never on stdout, which carries the TAP. */
#ifndef KUT_PROGRESS_H
#define KUT_PROGRESS_H

#include <stdbool.h>
#include <stddef.h>

#define PROGRESS_FAILED_NAMES 160	/* bytes of failed names shown */

struct progress {
	bool enabled;
	bool shown;	/* a line is on the screen */
	size_t total;
	size_t done;
	size_t failed;
	char failed_names[PROGRESS_FAILED_NAMES];
	char last[512];	/* what is on the screen: redraw only on change */
};

/* Enabled only when stderr is a terminal and @want. */
void progress_init(struct progress *p, size_t total, bool want);
void progress_finished(struct progress *p, const char *name, bool failed);
void progress_draw(struct progress *p, const char *const *running, size_t n);
/* Erases the line before anything else is written to the terminal. */
void progress_clear(struct progress *p);

#endif
