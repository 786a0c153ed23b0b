/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A test-and-test-and-set spinlock on GCC's __atomic builtins, so it is the
 * same code on every arch.  Not fair and not recursive.  On arm the exclusive
 * monitors need normal cacheable memory: take locks only after the MMU is on.
 */
#ifndef SPINLOCK_H
#define SPINLOCK_H

#include <stdbool.h>

struct spinlock {
	int v;
};

#define SPINLOCK_INIT	{ 0 }

static inline bool spin_trylock(struct spinlock *lock)
{
	return !__atomic_exchange_n(&lock->v, 1, __ATOMIC_ACQUIRE);
}

static inline void spin_lock(struct spinlock *lock)
{
	while (!spin_trylock(lock)) {
		/* Spin on plain loads so waiters do not bounce the line. */
		while (__atomic_load_n(&lock->v, __ATOMIC_RELAXED))
			__asm__ __volatile__("" ::: "memory");
	}
}

static inline void spin_unlock(struct spinlock *lock)
{
	__atomic_store_n(&lock->v, 0, __ATOMIC_RELEASE);
}

#endif /* SPINLOCK_H */
