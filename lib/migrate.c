// SPDX-License-Identifier: GPL-2.0-only
/* Asking the launcher for a live migration (lib/migrate.h). */
#include "libcflat.h"
#include "migrate.h"

#define MIGRATE_LINE	"MIGRATE: NOW"

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
	/* the launcher answers on the destination's console input */
	while (console_getc() < 0)
		barrier();
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
