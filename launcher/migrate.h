/*
 * Live migration of a running test (DESIGN.md, "Migration"): the state of
 * one test's migrations, the argv of each QEMU, and the driver that runs
 * the QMP conversation of one migration in a child process, so that the
 * launcher's loop keeps reading every test's output meanwhile. run.c owns
 * the QEMU processes and moves the console over.
 *
 * The guest's protocol lines (lib/migrate.h):
 *   MIGRATE: NOW            migrate me, then send a byte to my console
 *   MIGRATE: SKIP <reason>  this run asks for no migration
 */
#ifndef KUT_MIGRATE_H
#define KUT_MIGRATE_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "cfg.h"
#include "qmp.h"
#include "strv.h"
#include "verdict.h"

#define MIG_GROUP "migration"	/* cfg group of the tests that migrate */
#define MIG_NOW_LINE "MIGRATE: NOW"
#define MIG_SKIP_PREFIX "MIGRATE: SKIP "
#define MIG_GO_BYTE "\n"	/* written to the destination's console */
/* Throughput and pause QEMU may use: its defaults (32 MiB/s in 7.2) make
 * a 256 MiB guest take seconds. Bytes per second, milliseconds. */
#define MIG_MAX_BANDWIDTH (1ull << 34)
#define MIG_DOWNTIME_MS 500
#define MIG_POLL_NS 20000000L	/* query-migrate every 20 ms */

struct mig {
	char *dir;		/* the private folder (mkdtemp); NULL: none yet */
	unsigned next;		/* number of the next QEMU; 0 is the first */
	unsigned done;		/* migrations completed */
	double secs;		/* time they took, request to go-on byte */
	char *qmp;		/* QMP socket of the QEMU running the guest */
	char *skip;		/* the guest's MIGRATE: SKIP reason */
	/* the migration in flight */
	bool active;
	double started;
	char *dst_qmp;
	char *uri;
	pid_t drv_pid;		/* the driver; 0: none */
	int drv_fd;		/* its report pipe; -1: closed */
	char drv_buf[QMP_ERR_MAX + 64];
	size_t drv_len;
	char status[32];	/* the source's last query-migrate status */
	char *error;		/* the driver's error, when it failed */
};

/* True when the cfg entry says the test migrates (groups = migration). */
bool mig_wanted(const struct cfg_test *t);

/* Creates the private folder in $TMPDIR (or /tmp). Returns 0, or -1
 * with @err. */
int mig_init(struct mig *m, char *err, size_t errlen);

/*
 * @base plus this test's next QEMU's QMP socket (-qmp
 * unix:<dir>/qmp<N>,server=on,wait=off) and, for a destination,
 * -incoming unix:<dir>/mig<N>: into @out. The first call is the source.
 */
void mig_argv(struct mig *m, const struct strv *base, struct strv *out);

/* Forks the driver of migration number m->done + 1 from m->qmp to the
 * destination mig_argv() set up last; @mask is restored in it. */
int mig_driver_start(struct mig *m, double deadline, const sigset_t *mask);

/* Reads the driver's pipe: 0 it still runs, 1 the migration completed and
 * the destination runs, -1 it failed (m->error says why). */
int mig_driver_read(struct mig *m);

/* Kills and reaps the driver, if any. */
void mig_driver_stop(struct mig *m);

/* The destination took over: it is the source of the next migration. */
void mig_switched(struct mig *m, double now);

/* Removes the sockets and the folder; frees everything. */
void mig_cleanup(struct mig *m);

/*
 * Adjusts a decided verdict: a test of the migration group that passed
 * without migrating fails (or is a SKIP when it said why with MIGRATE:
 * SKIP); a timeout during a migration names it and QEMU's last status.
 */
void mig_verdict(const struct mig *m, bool wanted, const struct run_end *end,
		 struct verdict *v);

#endif
