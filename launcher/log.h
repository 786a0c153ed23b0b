/* One log file per test: the QEMU argv, the full output, the verdict. */
#ifndef KUT_LOG_H
#define KUT_LOG_H

#include <stddef.h>
#include <stdio.h>

#include "result.h"

/* Creates @dir (and its parents) if needed and checks it is writable.
 * Returns 0, or -1 with @err "DIR: why". */
int log_prepare_dir(const char *dir, char *err, size_t errlen);
/* Opens DIR/TEST.log for writing; NULL on failure. *@path gets its name. */
FILE *log_open(const char *dir, const char *test, char **path);
void log_header(FILE *f, const char *test, const struct strv *argv,
		const char *accel, double timeout);
/* @stream: 1 the guest console (QEMU's stdout), 2 QEMU's stderr. */
void log_line(FILE *f, int stream, const char *line);
void log_footer(FILE *f, const struct test_result *r);

#endif
