/*
 * Cache-line flushes and memory fences.
 *
 * CLFLUSH (CPUID.01H:EDX[19]), CLFLUSHOPT (CPUID.07H.0:EBX[23]) and CLWB
 * (CPUID.07H.0:EBX[24]) write a line back and (but for CLWB) invalidate
 * it, without changing what memory holds; a later read, through any
 * mapping of the same physical line, returns the last value written (SDM
 * vol 2A, CLFLUSH, CLFLUSHOPT; vol 2A, CLWB). Each raises #UD where its
 * CPUID bit is clear, #GP(0) for a non-canonical address and #PF for an
 * address that does not translate. MFENCE, LFENCE (CPUID.01H:EDX[26],
 * SSE2) and SFENCE (CPUID.01H:EDX[25], SSE) order accesses and never
 * fault (SDM vol 2B).
 *
 * Under KVM these instructions run natively and the host CPU decides;
 * the cfg enables the flush features, so the #UD checks run only where
 * the whole machine lacks them.
 */
#include "libcflat.h"
#include "x86/desc.h"
#include "x86/processor.h"
#include "x86/vm.h"

#define X86_FEATURE_CLFLUSH	CPUID_FEATURE(1, 0, EDX, 19, "CPUID.01H:EDX[19] (CLFLUSH)")
#define X86_FEATURE_SSE		CPUID_FEATURE(1, 0, EDX, 25, "CPUID.01H:EDX[25] (SSE)")
#define X86_FEATURE_SSE2	CPUID_FEATURE(1, 0, EDX, 26, "CPUID.01H:EDX[26] (SSE2)")
#define X86_FEATURE_CLFLUSHOPT	CPUID_FEATURE(7, 0, EBX, 23, "CPUID.07H.0:EBX[23] (CLFLUSHOPT)")
#define X86_FEATURE_CLWB	CPUID_FEATURE(7, 0, EBX, 24, "CPUID.07H.0:EBX[24] (CLWB)")

#ifdef __x86_64__
/* Non-canonical for 4-level paging: bits 63:47 differ. */
#define NONCANONICAL		((void *)0x8000000000001000ull)
/* Mapped by nothing: an address of our own, left not present. */
#define UNMAPPED		((void *)(uintptr_t)(VMAP_BASE + (3ull << 40)))
#else
/*
 * i386 has no non-canonical addresses; the 32-bit counterpart of that
 * #GP(0) is an offset beyond a segment limit (SDM vol 2A, CLFLUSH,
 * "Protected Mode Exceptions"). GS is the per-CPU segment, whose limit
 * is sizeof(struct percpu) - 1 (desc.c), so this offset is beyond it.
 */
#define GS_BEYOND_LIMIT		0x10000ul
/* The low 4 GiB are identity mapped: this page, between vmap()'s first
 * pages and the PCI hole, is made not present by main(). */
#define UNMAPPED		((void *)(uintptr_t)(VMAP_BASE + 0x10000000ull))
#endif

enum flush { FL_CLFLUSH, FL_CLFLUSHOPT, FL_CLWB, NR_FLUSH };

static const struct {
	const char *name;
	struct cpuid_feature feat;
} flushes[NR_FLUSH] = {
	{ "CLFLUSH", X86_FEATURE_CLFLUSH },
	{ "CLFLUSHOPT", X86_FEATURE_CLFLUSHOPT },
	{ "CLWB", X86_FEATURE_CLWB },
};

/* The vector the flush raised, or -1; the error code and CR2 land in
 * *ec and *cr2. */
static int flush_safe(enum flush f, volatile void *p, u64 *ec, u64 *cr2)
{
	switch (f) {
	case FL_CLFLUSH:
		asm volatile(EX_FIXUP_BEGIN "1: clflush %0\n\t2:\n\t"
			     EX_FIXUP_END :: "m"(*(volatile u8 *)p) : "memory");
		break;
	case FL_CLFLUSHOPT:
		/* 66 0F AE /7 */
		asm volatile(EX_FIXUP_BEGIN "1: .byte 0x66; clflush %0\n\t"
			     "2:\n\t" EX_FIXUP_END
			     :: "m"(*(volatile u8 *)p) : "memory");
		break;
	default:
		/* 66 0F AE /6 */
		asm volatile(EX_FIXUP_BEGIN "1: .byte 0x66; xsaveopt %0\n\t"
			     "2:\n\t" EX_FIXUP_END
			     :: "m"(*(volatile u8 *)p) : "memory");
		break;
	}
	*ec = exception_error_code();
	*cr2 = this_cpu()->ex_cr2;
	return exception_vector();
}

#ifndef __x86_64__
/* The same flushes on GS:@off, for the segment-limit check. */
static int flush_gs_safe(enum flush f, unsigned long off, u64 *ec)
{
	switch (f) {
	case FL_CLFLUSH:
		asm volatile(EX_FIXUP_BEGIN "1: clflush %%gs:(%0)\n\t2:\n\t"
			     EX_FIXUP_END :: "r"(off) : "memory");
		break;
	case FL_CLFLUSHOPT:
		asm volatile(EX_FIXUP_BEGIN "1: .byte 0x66; clflush %%gs:(%0)"
			     "\n\t2:\n\t" EX_FIXUP_END :: "r"(off) : "memory");
		break;
	default:
		asm volatile(EX_FIXUP_BEGIN "1: .byte 0x66; xsaveopt %%gs:(%0)"
			     "\n\t2:\n\t" EX_FIXUP_END :: "r"(off) : "memory");
		break;
	}
	*ec = exception_error_code();
	return exception_vector();
}
#endif

static const char *vec_name(int v)
{
	return v < 0 ? "none" : exception_mnemonic(v);
}

static void test_flush(enum flush f, u64 *line, volatile u64 *alias)
{
	u64 ec, cr2, got;
	int v;

	report_prefix_push(flushes[f].name);
	if (!this_cpu_has(flushes[f].feat)) {
		v = flush_safe(f, line, &ec, &cr2);
		report(v == UD_VECTOR, "raises #UD without %s (got %s, want "
		       "#UD)", flushes[f].feat.name, vec_name(v));
		report_skip("not present: %s clear", flushes[f].feat.name);
		report_prefix_pop();
		return;
	}

	*line = 0x1122334455667700ull | f;
	v = flush_safe(f, line, &ec, &cr2);
	got = *alias;
	report(v < 0 && got == (0x1122334455667700ull | f),
	       "line keeps its value, seen through a second mapping (got %s, "
	       "%#llx; want none, %#llx)", vec_name(v),
	       (unsigned long long)got, 0x1122334455667700ull | f);

	*alias = 0xcafe0000ull | f;
	v = flush_safe(f, alias, &ec, &cr2);
	got = *line;
	report(v < 0 && got == (0xcafe0000ull | f),
	       "write through the alias, flush, read (got %s, %#llx; want "
	       "none, %#llx)", vec_name(v), (unsigned long long)got,
	       0xcafe0000ull | f);

#ifdef __x86_64__
	v = flush_safe(f, NONCANONICAL, &ec, &cr2);
	report(v == GP_VECTOR && ec == 0, "non-canonical address raises "
	       "#GP(0) (got %s error code %#lx)", vec_name(v),
	       (unsigned long)ec);
#else
	v = flush_gs_safe(f, GS_BEYOND_LIMIT, &ec);
	report(v == GP_VECTOR && ec == 0, "offset beyond the GS limit raises "
	       "#GP(0) (got %s error code %#lx)", vec_name(v),
	       (unsigned long)ec);
#endif

	v = flush_safe(f, UNMAPPED, &ec, &cr2);
	report(v == PF_VECTOR && !(ec & PFERR_PRESENT) &&
	       cr2 == (uintptr_t)UNMAPPED,
	       "not-present page raises #PF (got %s error code %#lx cr2 %#lx; "
	       "want #PF, P=0, cr2 %p)", vec_name(v), (unsigned long)ec,
	       (unsigned long)cr2, UNMAPPED);
	report_prefix_pop();
}

static void test_fences(volatile u64 *line, volatile u64 *alias)
{
	unsigned i;
	bool ok = true;

	report_prefix_push("fences");
	if (!this_cpu_has(X86_FEATURE_SSE2)) {
		report_skip("no MFENCE/LFENCE: %s clear",
			    X86_FEATURE_SSE2.name);
	} else {
		for (i = 0; i < 1000 && ok; i++) {
			*line = i;
			asm volatile("mfence" ::: "memory");
			ok = *alias == i;
			asm volatile("lfence" ::: "memory");
			ok = ok && *alias == i;
		}
		report(ok, "MFENCE and LFENCE: each write seen through the "
		       "alias (good rounds %u, want 1000)", ok ? i : i - 1);
	}
	if (!this_cpu_has(X86_FEATURE_SSE)) {
		report_skip("no SFENCE: %s clear", X86_FEATURE_SSE.name);
	} else {
		ok = true;
		for (i = 0; i < 1000 && ok; i++) {
			*alias = ~(u64)i;
			asm volatile("sfence" ::: "memory");
			ok = *line == ~(u64)i;
		}
		report(ok, "SFENCE: each write seen through the alias (good "
		       "rounds %u, want 1000)", ok ? i : i - 1);
	}
	report_prefix_pop();
}

int main(void)
{
	u64 *line = alloc_page();
	volatile u64 *alias = vmap(virt_to_phys(line), PAGE_SIZE);
	int f;

	report_prefix_push("memory");
	unmap_page(UNMAPPED);
	for (f = 0; f < NR_FLUSH; f++)
		test_flush(f, line, alias);
	test_fences(line, alias);
	return report_summary();
}
