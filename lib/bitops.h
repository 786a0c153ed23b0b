/* SPDX-License-Identifier: GPL-2.0-only */
/* Bit masks and bit scans, arch-neutral. */
#ifndef BITOPS_H
#define BITOPS_H

#include <stdbool.h>

#define BITS_PER_LONG		(__SIZEOF_LONG__ * __CHAR_BIT__)

#define BIT(n)			(1UL << (n))
#define BIT_ULL(n)		(1ULL << (n))
/* Bits @h down to @l set, e.g. GENMASK(7, 4) == 0xf0. */
#define GENMASK(h, l) \
	((~0UL << (l)) & (~0UL >> (BITS_PER_LONG - 1 - (h))))
#define GENMASK_ULL(h, l) \
	((~0ULL << (l)) & (~0ULL >> (64 - 1 - (h))))

/* Index of the lowest set bit; @x must not be 0. */
static inline unsigned int ffs_nz(unsigned long x)
{
	return __builtin_ctzl(x);
}

/* Index of the highest set bit; @x must not be 0. */
static inline unsigned int fls_nz(unsigned long x)
{
	return BITS_PER_LONG - 1 - __builtin_clzl(x);
}

/* Atomic bit operations on arrays of unsigned long, any CPU. */
static inline void set_bit(unsigned int nr, unsigned long *addr)
{
	__atomic_fetch_or(&addr[nr / BITS_PER_LONG],
			  1UL << (nr % BITS_PER_LONG), __ATOMIC_SEQ_CST);
}

static inline void clear_bit(unsigned int nr, unsigned long *addr)
{
	__atomic_fetch_and(&addr[nr / BITS_PER_LONG],
			   ~(1UL << (nr % BITS_PER_LONG)), __ATOMIC_SEQ_CST);
}

static inline bool test_bit(unsigned int nr, const unsigned long *addr)
{
	return (__atomic_load_n(&addr[nr / BITS_PER_LONG], __ATOMIC_ACQUIRE) >>
		(nr % BITS_PER_LONG)) & 1;
}

static inline bool test_and_set_bit(unsigned int nr, unsigned long *addr)
{
	unsigned long mask = 1UL << (nr % BITS_PER_LONG);

	return __atomic_fetch_or(&addr[nr / BITS_PER_LONG], mask,
				 __ATOMIC_SEQ_CST) & mask;
}

#endif /* BITOPS_H */
