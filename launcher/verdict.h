/* From a guest's output and QEMU's end to one verdict per test. */
#ifndef KUT_VERDICT_H
#define KUT_VERDICT_H

#include <stdbool.h>
#include <stddef.h>

#include "accel.h"
#include "arch.h"
#include "expect.h"

/* The report line kinds of DESIGN.md, "Report lines". */
enum report_kind {
	REPORT_PASS,
	REPORT_FAIL,
	REPORT_SKIP,
	REPORT_XFAIL,
	REPORT_XPASS,
	REPORT_INFO,
	REPORT_KINDS,
};

/* Memory stays bounded whatever a guest prints: beyond these, report lines
 * are counted but not kept (the log file has them all). */
#define GUEST_MAX_REPORT_LINES 4096
#define GUEST_MAX_REPORT_BYTES (1u << 20)
#define GUEST_MAX_LINE 1024	/* longer lines are cut for the report */
#define GUEST_TAIL_LINES 16	/* last lines kept for a failure's YAML */

/* The guest's exit status when it skipped everything (DESIGN.md). */
#define GUEST_STATUS_SKIP 77

struct report_line {
	enum report_kind kind;
	char *text;				/* after "KIND: " */
	const struct expect_entry *known;	/* on an expect list */
};

struct line_tail {
	char *v[GUEST_TAIL_LINES];
	size_t next;
	size_t n;
};

struct guest_output {
	struct report_line *lines;
	size_t n;
	size_t cap;
	size_t bytes;		/* text kept in lines */
	size_t dropped;		/* report lines counted but not kept */
	unsigned counts[REPORT_KINDS];
	bool have_exit_line;
	int exit_status;	/* from "EXIT: STATUS=n" */
	bool aborted;		/* an "ABORT: " line: the test did not finish */
	struct line_tail out_tail;	/* the guest's last lines */
	struct line_tail err_tail;	/* QEMU's last stderr lines */
};

/* One complete line (no newline) of the guest's console / QEMU's stderr. */
void guest_output_line(struct guest_output *g, const char *line);
void guest_stderr_line(struct guest_output *g, const char *line);
void guest_output_free(struct guest_output *g);
/* Oldest first: calls @fn for each kept tail line. */
void line_tail_each(const struct line_tail *t, void (*fn)(const char *, void *),
		    void *arg);

/* True for a QEMU stderr line that means the run is over (KVM internal
 * error, emulation failure, TCG fatal, "<qemu>: " errors but warnings). */
bool qemu_fatal_line(const char *qemu_base, const char *line);

enum run_end_kind {
	END_NOT_RUN,		/* skipped before starting */
	END_EXITED,		/* code: QEMU's exit status */
	END_SIGNALED,		/* code: the signal that killed QEMU */
	END_TIMEOUT,		/* killed after the timeout */
	END_FLOOD,		/* killed after the output cap */
	END_FATAL,		/* killed after a fatal QEMU line (detail) */
	END_LINGER,		/* killed: no exit after the EXIT line */
	END_EXEC_FAILED,	/* QEMU did not start (detail) */
	END_INTERRUPTED,	/* killed: the launcher was interrupted */
};

struct run_end {
	enum run_end_kind kind;
	int code;
	char *detail;
	double timeout;		/* seconds, for END_TIMEOUT */
	size_t cap;		/* bytes, for END_FLOOD */
};

enum verdict_kind {
	VERDICT_PASS,
	VERDICT_FAIL,
	VERDICT_SKIP,
	VERDICT_KNOWN,	/* a failure on an expect list: TAP "not ok # TODO" */
	VERDICT_FIXED,	/* on an expect list, yet passed: TAP "ok # TODO" */
};

struct verdict {
	enum verdict_kind kind;
	char *reason;		/* why it failed or was skipped */
	bool have_status;
	int status;		/* the guest's exit status */
	char *note;		/* extra remark for the YAML block, or NULL */
};

struct verdict_ctx {
	const char *test;
	enum arch arch;
	enum accel accel;
	bool exit_device;	/* the arch has a status-carrying exit device */
	const struct expect_list *expect;
};

void verdict_decide(struct guest_output *g, const struct run_end *end,
		    const struct verdict_ctx *ctx, struct verdict *v);
void verdict_free(struct verdict *v);
void run_end_free(struct run_end *end);
const char *report_kind_name(enum report_kind k);

#endif
