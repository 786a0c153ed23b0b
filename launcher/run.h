/* Running the selected tests' QEMUs: children, timeouts, parallelism,
 * signals, and printing each result as soon as its turn comes. */
#ifndef KUT_RUN_H
#define KUT_RUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "cfg.h"
#include "result.h"
#include "tap.h"
#include "verdict.h"

#define RUN_OUTPUT_CAP (16u << 20)	/* bytes of output before a flood */
#define RUN_TERM_GRACE_S 3.0	/* SIGTERM, then SIGKILL this much later */
#define RUN_LINGER_S 5.0	/* after the EXIT line, QEMU must be gone */
#define RUN_EOF_GRACE_S 2.0	/* after QEMU exits, its pipes must close */

struct run_item {
	const struct cfg_test *test;
	struct test_result res;	/* res.verdict is set already when skipped */
	bool skip;		/* decided before running: nothing to start */
	bool image_missing;	/* skip is a failure: the image is not there */
	double timeout;		/* seconds, scaled */
	char *image;		/* the image to boot */
	unsigned smp;		/* vCPUs, $MAX_SMP resolved */
	struct verdict_ctx vctx;
};

struct run_opts {
	unsigned jobs;		/* the CPU budget: a test takes min(smp, jobs) */
	const size_t *order;	/* the order to start items in; NULL: theirs */
	size_t output_cap;
	bool verbose;		/* guest output to stderr */
	bool progress;		/* the progress line, if stderr is a tty */
	const char *log_dir;	/* NULL: no logs */
	const char *qemu_base;	/* for recognising QEMU's error lines */
	FILE *tap;
	/* called with "start" and a test's name as its QEMU starts, with
	 * "done" when its verdict is decided (before it is printed, which
	 * waits for the tests before it), or NULL */
	void (*on_event)(const char *event, const char *name, void *arg);
	void *on_event_arg;
	enum tap_style style;	/* TAP, or --brief lines */
	/* called with each result right after its TAP line, or NULL */
	void (*on_result)(const struct test_result *r, void *arg);
	void *on_result_arg;
};

struct run_summary {
	size_t failed;
	struct tap_counts counts;	/* of the results printed */
	bool interrupted;
	int signal;		/* the signal that interrupted the run */
	bool output_error;	/* writing the TAP failed (EPIPE...) */
};

/* Runs every item not skipped, at most @o->jobs at a time, and prints
 * each item's TAP line in order. */
void run_all(struct run_item *items, size_t n, const struct run_opts *o,
	     struct run_summary *sum);

#endif
