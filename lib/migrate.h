/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Live migration, asked of the launcher (DESIGN.md, "Migration").
 *
 *   report(before == after, ...)  around  migrate();
 *
 * migrate() prints the protocol line "MIGRATE: NOW" and waits until a byte
 * arrives on the console's input: the launcher writes it to the destination
 * QEMU once the migration has completed, so the code after migrate() runs on
 * the destination.  Only a test whose cfg entry is in the group "migration"
 * may ask; such a test that never asks fails, unless it says why with
 * migrate_skip().  Other CPUs keep running while one CPU waits here.
 *
 * The arch provides console_getc() (lib/console.h); nothing else.
 */
#ifndef MIGRATE_H
#define MIGRATE_H

/* Migrates once more; returns on the destination. */
void migrate(void);

/* migrate() on the first call only; later calls return at once.  For code
 * that may run several times but wants one migration. */
void migrate_once(void);

/*
 * Prints "MIGRATE: SKIP <reason>": this run asks for no migration, and the
 * launcher reports it as a SKIP with @reason, never as a pass.  Call it
 * instead of migrate() when what the test would migrate is missing.
 */
void migrate_skip(const char *reason);

/* How many migrations this guest has gone through. */
unsigned migrate_count(void);

#endif /* MIGRATE_H */
