// SPDX-License-Identifier: GPL-2.0-only
/* Asking the launcher for a live migration (lib/migrate.h). */
#include "libcflat.h"
#include "migrate.h"

#define MIGRATE_LINE	"MIGRATE: NOW"
#define MIGRATE_POLL_SPIN 20000	/* loop turns between two console reads */

static unsigned migrations;
static int migrated_once;

void migrate(void)
{
	/*
	 * A byte already waiting (typed at a terminal, or left from an
	 * earlier hop) must not let the guest go on before the migration.
	 */
	while (console_getc() >= 0)
		;
	printf("%s\n", MIGRATE_LINE);
	/*
	 * The launcher answers on the destination's console input. Reading
	 * the port is an exit to the hypervisor each time (and takes QEMU's
	 * global lock under TCG): space the reads out so that the guest does
	 * not slow down the migration it waits for.
	 */
	while (console_getc() < 0)
		for (volatile unsigned i = 0; i < MIGRATE_POLL_SPIN; i++)
			;
	migrations++;
}

void migrate_once(void)
{
	if (__atomic_exchange_n(&migrated_once, 1, __ATOMIC_SEQ_CST))
		return;
	migrate();
}

void migrate_skip(const char *reason)
{
	printf("MIGRATE: SKIP %s\n", reason && *reason ? reason : "no reason given");
}

unsigned migrate_count(void)
{
	return migrations;
}
