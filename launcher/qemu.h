/* Finding QEMU and building the argv of one test's run. */
#ifndef KUT_QEMU_H
#define KUT_QEMU_H

#include <stddef.h>

#include "accel.h"
#include "arch.h"
#include "cfg.h"
#include "strv.h"

#define QEMU_DEFAULT_MEM_MB 256

struct qemu {
	char *path;
	char *base;	/* basename, the prefix of QEMU's own error lines */
};

/*
 * Finds QEMU for @arch: @opt (--qemu) or $QEMU; else the arch's QEMU names
 * on $PATH (arch.h: i386 also takes qemu-system-x86_64); else
 * /usr/libexec/qemu-kvm when @arch is the host's. Returns 0, or -1 with @err
 * naming what was tried and the packages that provide it.
 */
int qemu_find(const char *opt, enum arch arch, enum arch host, struct qemu *q,
	      char *err, size_t errlen);

/* QEMU's qboot firmware, when installed where distributions put it. */
char *qemu_find_qboot(const struct qemu *q);

struct qemu_run {
	enum arch arch;
	enum accel accel;	/* KVM or TCG, never auto */
	unsigned smp;		/* resolved: $MAX_SMP is already a number */
	const char *image;
	const char *bios;	/* -bios (qboot, our ROM), or NULL for QEMU's own */
};

void qemu_build_argv(const struct qemu *q, const struct cfg_test *t,
		     const struct qemu_run *run, struct strv *argv);
void qemu_free(struct qemu *q);

#endif
