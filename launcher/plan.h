/* For each selected test, what will happen here: the reason it is skipped,
 * or the accelerator, timeout and QEMU argv it runs with. */
#ifndef KUT_PLAN_H
#define KUT_PLAN_H

#include <stdbool.h>
#include <stdio.h>

#include "accel.h"
#include "arch.h"
#include "cfg.h"
#include "expect.h"
#include "qemu.h"
#include "run.h"

/* TCG emulates every instruction: its tests get this much more time. */
#define PLAN_TCG_TIMEOUT_FACTOR 2.0

struct plan_env {
	enum arch arch;
	enum accel accel;	/* --accel */
	bool kvm_ok;		/* KVM usable for arch */
	const char *kvm_why;	/* why not */
	const char *images;	/* NULL: no images folder */
	bool arch_built;	/* this build made the arch's images */
	const struct expect_list *expect;
	const struct qemu *qemu;	/* NULL: no argv (--list) */
	const char *bios;
	double timeout_factor;
	unsigned online_cpus;
	enum expect_outer outer;	/* for the results' YAML */
};

void plan_item(const struct plan_env *env, const struct cfg_test *t,
	       struct run_item *it);
/* The argv of a test plan_item() did not skip; needs env->qemu. */
void plan_argv(const struct plan_env *env, struct run_item *it);
void plan_item_free(struct run_item *it);
/* The --list table: name, arch, smp, groups, and what happens here. */
void plan_print_list(FILE *out, const struct run_item *items, size_t n);
/* The -n output: each argv shell-quoted on stdout, skips on stderr. */
void plan_print_dry_run(FILE *out, const struct run_item *items, size_t n);

#endif
