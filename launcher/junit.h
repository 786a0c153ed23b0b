/* --junit FILE: the results as JUnit XML, the Ant/Jenkins report format
 * that Jenkins, GitLab and most CI dashboards read (tests/junit.xsd is the
 * shape it follows). Written beside the TAP, never instead of it. */
#ifndef KUT_JUNIT_H
#define KUT_JUNIT_H

#include <stddef.h>
#include <stdio.h>

#include "result.h"

struct junit;

/* @suite names the <testsuite> and each case's classname ("kvm-unit-tests.
 * x86_64"); @props are name=value strings for the suite's <properties>. */
struct junit *junit_new(const char *suite, const char *const *props,
			size_t nprops);
/* Copies what the report needs from @r: call it before r->gout is freed. */
void junit_add(struct junit *j, const struct test_result *r);
/* The suite's time: the run's wall time (default: the sum of the cases'). */
void junit_set_wall(struct junit *j, double secs);
/* The run was cut short by @why; @not_run tests never started. Shown as the
 * suite property "interrupted" and a <system-err> line; the tests running
 * at that moment are <error type="interrupted"> cases. */
void junit_set_interrupted(struct junit *j, const char *why, size_t not_run);
/* The whole document; -1 with errno set when writing failed. */
int junit_write(const struct junit *j, FILE *out);
void junit_free(struct junit *j);

#endif
