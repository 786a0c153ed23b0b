/* --host-kernel KERNEL: the selected tests run under the KVM of another
 * Linux kernel, booted in QEMU (docs/host-kernel.md). The launcher here is
 * the outer one: it boots KERNEL with an initramfs built on the fly, shares
 * the host's root read-only and the log folder read-write over 9p, runs an
 * inner launcher with --accel kvm inside, and prints the inner results as
 * its own. The outer guest's console is watched for crashes, which end the
 * boot; --host-retries boots again for the tests not yet run. */
#ifndef KUT_HOSTKERNEL_H
#define KUT_HOSTKERNEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "accel.h"
#include "junit.h"
#include "strv.h"
#include "tap.h"

/* The reason of a result the outer guest's crash cut short; make check-kvm
 * and users tell infrastructure from tests by it. */
#define HOSTKERNEL_CRASHED "host kernel crashed"

/* A test running when the outer guest dies runs again on the next boot,
 * if there is one; cut short this many times, it is reported crashed. */
#define HOSTKERNEL_CUTS 2

/* --host-retries when not given: QEMU 7.2's TCG dies in more than half
 * of the full-set boots (docs/host-kernel.md, "measured"). */
#define HOSTKERNEL_DEFAULT_RETRIES 2

/* Inner timeouts are multiplied by this much: the test guests run under a
 * KVM that itself runs on TCG (measured in docs/host-kernel.md). */
#define HOSTKERNEL_TCG_TIMEOUT_FACTOR 4.0
#define HOSTKERNEL_KVM_TIMEOUT_FACTOR 1.5

struct hostkernel_opts {
	const char *kernel;
	const char *modules;	/* --host-modules; NULL: KERNEL's own */
	unsigned retries;	/* --host-retries */
	const char *log_dir;	/* the host's log folder, or NULL */
	const char *exe;	/* this launcher, run again inside */
	const char *exe_dir;
	bool verbose;		/* the outer console to stderr too */
	char *const *names;	/* the selected tests, in order */
	size_t n;
	const double *timeouts;	/* each one's cfg timeout, unscaled */
	double timeout_factor;	/* --timeout-factor */
	struct strv inner_args;	/* options for the inner launcher (without
				 * --accel, --timeout-factor, --log-dir and
				 * the names, which hostkernel_run adds) */
	FILE *tap;
	enum tap_style style;	/* TAP, or --brief lines */
	struct junit *junit;	/* or NULL */
};

/* Runs it all and prints the TAP (plan included). Returns the launcher's
 * exit status (exitcode.h). Messages go to stderr. */
int hostkernel_run(const struct hostkernel_opts *o);

/* True for a line of the outer guest's console that means its kernel is
 * gone or wedged: panic, oops, BUG, soft/hard lockup, RCU stall. */
bool hostkernel_crash_line(const char *line);

/*
 * The outer accelerator: @want is $KUT_HOST_ACCEL ("kvm", "tcg", "auto" or
 * unset), @kvm_ok whether this host's KVM is usable and offers nested
 * virtualization (@why says why not). auto picks KVM when it can, TCG
 * otherwise; kvm without it is an error. Returns 0, or -1 with @err.
 */
int hostkernel_outer_choice(const char *want, bool kvm_ok, const char *why,
			    enum accel *outer, char *err, size_t errlen);

#endif
