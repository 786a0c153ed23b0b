/* The launcher's exit statuses, as kvm-unit-tests(1) documents them. */
#ifndef KUT_EXITCODE_H
#define KUT_EXITCODE_H

#define EXIT_PASS 0		/* every selected test passed, was skipped or is a known failure */
#define EXIT_FAILED 1		/* at least one test failed */
#define EXIT_USAGE 2		/* bad option, unknown test, malformed cfg or expect list */
#define EXIT_ENV 3		/* no QEMU, no images, no KVM when --accel kvm */
#define EXIT_HOST_CRASHED 4	/* --host-kernel: no test failed, but the host
				 * kernel crashed and some were not run */
#define EXIT_INTERRUPTED 130	/* SIGINT, SIGTERM or SIGHUP: 128 + SIGINT by convention */

#endif
