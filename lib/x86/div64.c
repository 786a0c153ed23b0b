/*
 * 64-bit division for i386 guests. A 32-bit CPU has no 64-bit DIV, so
 * GCC turns u64 '/' and '%' into calls to these libgcc routines (GCC
 * internals manual, "Routines for integer arithmetic"); we define them
 * here so an i386 build needs no 32-bit libgcc (gcc-multilib).
 *
 * Plain shift-and-subtract: one quotient bit per step, 64 steps at most.
 * Division by zero is the caller's bug; it returns an all-ones quotient.
 */
#include "libcflat.h"

u64 __udivmoddi4(u64 n, u64 d, u64 *rem);
u64 __udivdi3(u64 n, u64 d);
u64 __umoddi3(u64 n, u64 d);
s64 __divdi3(s64 n, s64 d);
s64 __moddi3(s64 n, s64 d);

u64 __udivmoddi4(u64 n, u64 d, u64 *rem)
{
	u64 q = 0, r = 0;
	int bit;

	if (d == 0) {
		if (rem)
			*rem = n;
		return ~0ull;
	}
	/* 32-bit operands: the CPU's DIV does it in one step. */
	if ((n >> 32) == 0 && (d >> 32) == 0) {
		u32 q32 = (u32)n / (u32)d;

		if (rem)
			*rem = (u32)n - q32 * (u32)d;
		return q32;
	}
	for (bit = 63; bit >= 0; bit--) {
		r = (r << 1) | ((n >> bit) & 1);
		if (r >= d) {
			r -= d;
			q |= 1ull << bit;
		}
	}
	if (rem)
		*rem = r;
	return q;
}

u64 __udivdi3(u64 n, u64 d)
{
	return __udivmoddi4(n, d, NULL);
}

u64 __umoddi3(u64 n, u64 d)
{
	u64 r;

	__udivmoddi4(n, d, &r);
	return r;
}

/* C11 6.5.5: the quotient truncates toward zero, the remainder has the
 * dividend's sign. */
static u64 magnitude(s64 v)
{
	return v < 0 ? -(u64)v : (u64)v;
}

s64 __divdi3(s64 n, s64 d)
{
	u64 q = __udivmoddi4(magnitude(n), magnitude(d), NULL);

	return (n < 0) != (d < 0) ? -(s64)q : (s64)q;
}

s64 __moddi3(s64 n, s64 d)
{
	u64 r;

	__udivmoddi4(magnitude(n), magnitude(d), &r);
	return n < 0 ? -(s64)r : (s64)r;
}
