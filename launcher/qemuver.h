/* The version of a QEMU binary, for the qemu<X.Y conditions of expect
 * lists: learned by running `QEMU --version` once, then kept in a cache
 * file keyed by the binary's path, size and mtime, so that a run starts
 * QEMU once per test and no more. kvm-unit-tests(1), FILES. */
#ifndef KUT_QEMUVER_H
#define KUT_QEMUVER_H

#include <stdbool.h>
#include <stddef.h>

#include "expect.h"

#define QEMUVER_CACHE_FILE ".qemu-versions"
#define QEMUVER_TIMEOUT_S 10	/* a QEMU that prints no version by then */
#define QEMUVER_CACHE_MAX 64	/* entries kept; the oldest go first */

struct qemu_version {
	unsigned v[EXPECT_VERSION_PARTS];
	unsigned parts;		/* 0: unknown */
	bool probed;		/* learned by running QEMU, not cached */
};

/* Parses QEMU's --version output ("QEMU emulator version 7.2.0 (...)").
 * Returns the number of parts found, 0 when none. */
unsigned qemu_version_parse(const char *text, unsigned v[EXPECT_VERSION_PARTS]);

/*
 * The version of the QEMU at @path: from @cache_dir's cache when it holds
 * an entry for this path, size and mtime, else by running it. @cache_dir
 * may be NULL (no cache). Returns 0, or -1 with @why saying what failed.
 */
int qemu_version_get(const char *path, const char *cache_dir,
		     struct qemu_version *out, char *why, size_t whylen);
/* Writes @out for @path into @cache_dir's cache (which must exist).
 * Returns 0, or -1 with errno set. */
int qemu_version_save(const char *path, const char *cache_dir,
		      const struct qemu_version *ver);

#endif
