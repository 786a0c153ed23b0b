/* unittests.cfg: the catalog of tests, format in kvm-unit-tests.cfg(5). */
#ifndef KUT_CFG_H
#define KUT_CFG_H

#include <stdbool.h>
#include <stddef.h>

#include "accel.h"
#include "cond.h"
#include "strv.h"

#define CFG_MAX_SIZE (4u << 20)	/* no real catalog comes near 4 MiB */
#define CFG_MAX_LINE 4096	/* longest upstream line is about 300 bytes */
#define CFG_MAX_SMP 4096	/* QEMU's own ceiling (x86 q35, max_cpus) */
#define CFG_DEFAULT_TIMEOUT 90.0	/* seconds, as upstream's default */

/* The firmware an x86 test boots through, kvm-unit-tests.cfg(5). */
enum cfg_firmware {
	CFG_FIRMWARE_QBOOT,	/* qboot when installed (fast), else the default */
	CFG_FIRMWARE_DEFAULT,	/* QEMU's own for the machine (SeaBIOS on pc) */
};

struct cfg_check {
	char *path;	/* absolute */
	char *want;	/* the file's first line must equal this */
};

struct cfg_test {
	char *name;
	unsigned line;		/* of the [name] header */
	char *file;
	unsigned smp;		/* 0: $MAX_SMP, the online CPUs, or smp_expr */
	char *smp_expr;		/* "$((...))" over $MAX_SMP, or NULL */
	char *smp_topology;	/* ",threads=2" kept for -smp, or NULL */
	struct strv extra;	/* extra_params words, -append removed */
	struct strv append;	/* the guest's command line, in pieces joined
				 * by one blank: the test_args words, then
				 * each -append argument */
	struct strv groups;
	unsigned arches;	/* ARCH_BIT() mask; 0: any arch */
	enum accel accel;	/* ACCEL_AUTO: no requirement */
	char *accel_opts;	/* ",thread=single" passed on to -accel, or NULL */
	double timeout;		/* seconds; 0: the default */
	struct cfg_check *checks;
	size_t nchecks;
	struct cond *disabled_if;	/* any true: the test is disabled */
	size_t ndisabled_if;
	char *machine;		/* -machine type, or NULL for the arch's */
	enum cfg_firmware firmware;
	char *needs_shell;	/* set: a shell expansion we never perform */
	bool nodefault;
};

struct cfg {
	char *name;	/* file name for messages */
	struct cfg_test *tests;
	size_t ntests;
};

/*
 * Parses @len bytes of @buf, named @name in messages. Returns 0, or -1 with
 * @err holding "NAME:LINE: what: why". An empty file is a valid catalog
 * without tests.
 */
int cfg_parse(const char *name, const char *buf, size_t len, struct cfg *out,
	      char *err, size_t errlen);
/* The vCPU count of @t when $MAX_SMP is @max_smp; 0 with @why when its
 * smp expression gives no count from 1 to CFG_MAX_SMP. */
unsigned cfg_test_smp(const struct cfg_test *t, unsigned max_smp, char *why,
		      size_t whylen);
const struct cfg_test *cfg_find(const struct cfg *cfg, const char *name);
bool cfg_test_in_group(const struct cfg_test *t, const char *group);
void cfg_free(struct cfg *cfg);

#endif
