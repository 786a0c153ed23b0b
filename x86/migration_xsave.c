/*
 * Extended state across a live migration (SDM vol 1, chapter 13): XCR0,
 * MXCSR, the x87 stack and control word, and every XMM/YMM register with
 * a distinct pattern in both halves, loaded before the migration and
 * stored back after it. The C code of the guest uses no SSE (the build
 * has -mno-sse), so nothing but the migration can change them.
 *
 * test_args: drop   VZEROUPPER on the destination only, as a migration
 *                   that lost the upper YMM halves would: FAIL.
 */
#include "libcflat.h"
#include "migrate.h"
#include "x86/processor.h"

#define XCR0_X87	(1ull << 0)	/* SDM vol 1, 13.3 */
#define XCR0_SSE	(1ull << 1)
#define XCR0_AVX	(1ull << 2)
#define MXCSR_DEFAULT	0x1f80
#define MXCSR_TEST	0x7f80	/* round toward zero, FTZ clear, all masked */
#define X87_CW_TEST	0x0e7f	/* round toward zero, 53-bit precision, all masked */

#ifdef __x86_64__
#define NR_VREGS 16
#else
#define NR_VREGS 8
#endif

struct ymm {
	u64 q[4];
} __aligned(32);

static struct ymm in[NR_VREGS], out[NR_VREGS];
static bool drop;

#define FEATURE_AVX CPUID_FEATURE(1, 0, ECX, 28, "CPUID.01H:ECX[28] (AVX)")

#define YMM_LOAD(n)  asm volatile("vmovdqu %0, %%ymm" #n :: "m"(in[n]))
#define YMM_STORE(n) asm volatile("vmovdqu %%ymm" #n ", %0" : "=m"(out[n]))

static void load_all(void)
{
	YMM_LOAD(0); YMM_LOAD(1); YMM_LOAD(2); YMM_LOAD(3);
	YMM_LOAD(4); YMM_LOAD(5); YMM_LOAD(6); YMM_LOAD(7);
#ifdef __x86_64__
	YMM_LOAD(8); YMM_LOAD(9); YMM_LOAD(10); YMM_LOAD(11);
	YMM_LOAD(12); YMM_LOAD(13); YMM_LOAD(14); YMM_LOAD(15);
#endif
}

static void store_all(void)
{
	YMM_STORE(0); YMM_STORE(1); YMM_STORE(2); YMM_STORE(3);
	YMM_STORE(4); YMM_STORE(5); YMM_STORE(6); YMM_STORE(7);
#ifdef __x86_64__
	YMM_STORE(8); YMM_STORE(9); YMM_STORE(10); YMM_STORE(11);
	YMM_STORE(12); YMM_STORE(13); YMM_STORE(14); YMM_STORE(15);
#endif
}

static void check_vregs(void)
{
	unsigned bad = 0;

	for (unsigned r = 0; r < NR_VREGS; r++) {
		for (unsigned q = 0; q < 4; q++) {
			if (out[r].q[q] == in[r].q[q])
				continue;
			if (bad++ < 4)
				report_fail("YMM%u qword %u%s (got %#llx, want %#llx)", r, q,
					    q >= 2 ? " (upper half)" : "",
					    (unsigned long long)out[r].q[q],
					    (unsigned long long)in[r].q[q]);
		}
	}
	report(!bad, "YMM0-%u, both halves (got %u qwords differing, want 0)",
	       NR_VREGS - 1, bad);
}

int main(int argc, char **argv)
{
	u64 xcr0, xcr0_after;
	u32 mxcsr = MXCSR_TEST, mxcsr_after;
	u16 cw = X87_CW_TEST, cw_after;
	/* 80-bit values in and out of the x87 stack, as doubles */
	double x87_in[3] = { 1.25, -3.0e100, 0.1 }, x87_out[3];

	drop = argc > 1 && !strcmp(argv[1], "drop");
	report_prefix_push("migration-xsave");
	if (!this_cpu_has(X86_FEATURE_XSAVE) || !this_cpu_has(FEATURE_AVX)) {
		report_skip("no XSAVE or AVX: %s, %s", X86_FEATURE_XSAVE.name,
			    FEATURE_AVX.name);
		return report_summary();
	}
	write_cr4(read_cr4() | X86_CR4_OSXSAVE);
	xcr0 = XCR0_X87 | XCR0_SSE | XCR0_AVX;
	report(!xsetbv_safe(0, xcr0), "XCR0 = %#llx accepted", (unsigned long long)xcr0);
	for (unsigned r = 0; r < NR_VREGS; r++)
		for (unsigned q = 0; q < 4; q++)
			in[r].q[q] = 0x0101010101010101ull * (r + 1) ^ ((u64)q << 60) ^ 0x5a5a;
	asm volatile("ldmxcsr %0" :: "m"(mxcsr));
	asm volatile("fninit; fldcw %0" :: "m"(cw));
	asm volatile("fldl %0; fldl %1; fldl %2"
		     :: "m"(x87_in[2]), "m"(x87_in[1]), "m"(x87_in[0]));
	load_all();

	migrate();
	if (drop)
		asm volatile("vzeroupper");

	store_all();
	asm volatile("stmxcsr %0" : "=m"(mxcsr_after));
	asm volatile("fnstcw %0" : "=m"(cw_after));
	asm volatile("fstpl %0; fstpl %1; fstpl %2"
		     : "=m"(x87_out[0]), "=m"(x87_out[1]), "=m"(x87_out[2]));
	xgetbv_safe(0, &xcr0_after);

	report(xcr0_after == xcr0, "XCR0 (got %#llx, want %#llx)",
	       (unsigned long long)xcr0_after, (unsigned long long)xcr0);
	report(mxcsr_after == mxcsr, "MXCSR (got %#x, want %#x)", mxcsr_after, mxcsr);
	report(cw_after == cw, "x87 control word (got %#x, want %#x)", cw_after, cw);
	for (unsigned i = 0; i < 3; i++) {
		u64 got, want;

		memcpy(&got, &x87_out[i], 8);
		memcpy(&want, &x87_in[i], 8);
		report(got == want, "x87 ST(%u) (got bits %#llx, want %#llx)", i,
		       (unsigned long long)got, (unsigned long long)want);
	}
	check_vregs();
	mxcsr = MXCSR_DEFAULT;
	asm volatile("ldmxcsr %0; fninit" :: "m"(mxcsr));
	report_prefix_pop();
	return report_summary();
}
