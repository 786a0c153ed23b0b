/* A small blocking QMP client (QEMU's JSON monitor protocol, qemu's
 * docs/interop/qmp-spec) over a UNIX socket: greeting, capabilities
 * negotiation, one command at a time. Used by the migration driver. */
#ifndef KUT_QMP_H
#define KUT_QMP_H

#include <stddef.h>

#define QMP_MAX_LINE 65536	/* a reply longer than this is an error */
#define QMP_ERR_MAX 512

struct qmp {
	int fd;
	double deadline;	/* CLOCK_MONOTONIC seconds: give up then */
	char buf[QMP_MAX_LINE];
	size_t len;		/* bytes in buf not yet taken as lines */
	char err[QMP_ERR_MAX];	/* why the last call failed */
};

/* CLOCK_MONOTONIC, in seconds. */
double qmp_now(void);

/*
 * Connects to the QMP socket at @path, waiting (until @deadline) for QEMU
 * to create it, reads the greeting and leaves negotiation mode with
 * qmp_capabilities. Returns 0, or -1 with q->err.
 */
int qmp_open(struct qmp *q, const char *path, double deadline);

/*
 * Runs @cmd with @args (a JSON object's text, or NULL), skipping the events
 * that come before the reply. Returns 0 with the reply line in *@reply
 * (malloc'd, the caller frees), or -1 with q->err: for an error reply
 * QEMU's own "desc", else what went wrong with the connection.
 */
int qmp_execute(struct qmp *q, const char *cmd, const char *args, char **reply);

void qmp_close(struct qmp *q);

#endif
