/* TAP version 13 on stdout: one test point per selected test, the guest's
 * assertions as an indented subtest, a YAML block on failure. */
#ifndef KUT_TAP_H
#define KUT_TAP_H

#include <stddef.h>
#include <stdio.h>

#include "result.h"

void tap_begin(FILE *out, size_t plan);
/*
 *   ok 1 - selftest # accel=tcg 0.21s
 *   not ok 2 - eventinj # accel=kvm 1.02s          + YAML block
 *   ok 3 - pmu # SKIP check: /sys/...: holds 'N', want 'Y'
 *   not ok 4 - emulator # TODO kvm_pvm: movbe (accel=kvm 0.50s)
 *   ok 5 - apic # TODO fixed bug (accel=kvm 0.20s)   (on the list, passed)
 * A directive must follow the first '#' for TAP consumers to see it, so
 * SKIP and TODO lines carry the accelerator and time in the reason.
 */
void tap_result(FILE *out, unsigned num, const struct test_result *r);
void tap_bail_out(FILE *out, const char *why);

#endif
