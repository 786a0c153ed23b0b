/* The shell arithmetic upstream unittests.cfg files write in smp:
 * $(( ($MAX_SMP < 8) ? $MAX_SMP : 8 )), evaluated here, never by a shell.
 * kvm-unit-tests.cfg(5), "smp". */
#ifndef KUT_ARITH_H
#define KUT_ARITH_H

#include <stdbool.h>
#include <stddef.h>

#define ARITH_MAX_DEPTH 64	/* nesting of parentheses and operators */

/*
 * Evaluates @s, which must be "$((EXPR))" as a whole, with $MAX_SMP (or
 * ${MAX_SMP}, or MAX_SMP as POSIX arithmetic allows) standing for
 * @max_smp. EXPR takes decimal integers, ( ), unary - + ! ~, * / %, + -,
 * << >>, < <= > >=, == !=, &, ^, |, &&, || and ?: with C's precedence, in
 * 64-bit signed arithmetic. Returns 0 with *@out, or -1 with @why (a
 * syntax error, division by zero, overflow).
 */
int arith_eval(const char *s, long long max_smp, long long *out, char *why,
	       size_t whylen);
/* Whether @s has the $(( )) form (it may still be malformed). */
bool arith_is_expr(const char *s);

#endif
