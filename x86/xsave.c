/*
 * XSAVE feature set: CPUID enumeration, XCR0 through XGETBV/XSETBV, and
 * an XSAVE/XRSTOR round trip of x87, SSE and (when present) AVX state.
 * SDM vol 1, chapter 13 ("Managing State Using the XSAVE Feature Set");
 * vol 2, CPUID leaf 0DH, XGETBV, XSETBV, XSAVE, XRSTOR.
 *
 * The runtime is built without SSE, so every SSE/AVX register access is
 * inline assembly on memory operands.
 */
#include "libcflat.h"
#include "x86/desc.h"
#include "x86/processor.h"
#include "x86/usermode.h"

#define X86_FEATURE_OSXSAVE	CPUID_FEATURE(1, 0, ECX, 27, "CPUID.01H:ECX[27] (OSXSAVE)")
#define X86_FEATURE_AVX		CPUID_FEATURE(1, 0, ECX, 28, "CPUID.01H:ECX[28] (AVX)")

/* XCR0 state components, SDM vol 1, 13.1 */
#define XFEATURE_X87		(1ull << 0)
#define XFEATURE_SSE		(1ull << 1)
#define XFEATURE_AVX		(1ull << 2)

/* XSAVE area layout, SDM vol 1, 13.4: legacy region, then the header. */
#define XSAVE_LEGACY_SIZE	512
#define XSAVE_HEADER_SIZE	64
#define XSAVE_FCW		0	/* x87 control word, 2 bytes */
#define XSAVE_MXCSR		24
#define XSAVE_XMM(n)		(160 + (n) * 16)
#define XSAVE_XSTATE_BV		512
#define FCW_INIT		0x37f	/* after FNINIT, SDM vol 1, 8.1.5 */
#define MXCSR_INIT		0x1f80	/* SDM vol 1, 10.2.3 */

#define XSAVE_AREA_MAX		4096

/* XMM registers outside 64-bit mode: XMM0-XMM7 (SDM vol 1, 10.2.2). */
#ifdef __x86_64__
#define NR_XMM			16
#else
#define NR_XMM			8
#endif

static u8 area[XSAVE_AREA_MAX] __aligned(64);
static u8 area2[XSAVE_AREA_MAX] __aligned(64);

static void xsave(void *p, u64 mask)
{
	asm volatile("xsave %0" : "+m"(*(u8 (*)[XSAVE_AREA_MAX])p)
		     : "a"((u32)mask), "d"((u32)(mask >> 32)) : "memory");
}

/* 0, or the vector raised (XRSTOR never raises #DE) */
static int xrstor_safe(void *p, u64 mask)
{
	return EX_FIXUP_INSN("xrstor %0", :: "m"(*(u8 (*)[XSAVE_AREA_MAX])p),
			     "a"((u32)mask), "d"((u32)(mask >> 32))
			     : "memory");
}

static u64 xsave_supported(void)
{
	struct cpuid r = cpuid_indexed(0xd, 0);

	return r.a | ((u64)r.d << 32);
}

/* Size of the standard-format area for @xcr0: the end of the highest
 * enabled component (CPUID.(EAX=0DH,ECX=i): EAX size, EBX offset). */
static u32 xsave_size_for(u64 xcr0)
{
	u32 size = XSAVE_LEGACY_SIZE + XSAVE_HEADER_SIZE;
	unsigned i;

	for (i = 2; i < 63; i++) {
		struct cpuid r;

		if (!(xcr0 & (1ull << i)))
			continue;
		r = cpuid_indexed(0xd, i);
		size = MAX(size, r.b + r.a);
	}
	return size;
}

static const char *vecname(int vec)
{
	return vec ? exception_mnemonic(vec) : "nothing";
}

static void test_enumeration(void)
{
	u64 cr4 = read_cr4(), v;
	int vec;

	write_cr4(cr4 & ~X86_CR4_OSXSAVE);
	report(!this_cpu_has(X86_FEATURE_OSXSAVE),
	       "CPUID.01H:ECX[27] (OSXSAVE) clear while CR4.OSXSAVE is clear");
	vec = xgetbv_safe(0, &v);
	report(vec == UD_VECTOR, "XGETBV with CR4.OSXSAVE clear raises #UD "
	       "(got %s)", vecname(vec));

	write_cr4(cr4 | X86_CR4_OSXSAVE);
	report(this_cpu_has(X86_FEATURE_OSXSAVE),
	       "CPUID.01H:ECX[27] (OSXSAVE) set with CR4.OSXSAVE");
}

static void test_xcr0(u64 supported)
{
	u64 v, bad;
	int vec;
	unsigned i;

	vec = xgetbv_safe(0, &v);
	report(!vec && v == XFEATURE_X87, "XCR0 after reset is 1 (got %#llx, "
	       "raised %s; SDM vol 1, 13.3)", (unsigned long long)v,
	       vecname(vec));

	report((supported & (XFEATURE_X87 | XFEATURE_SSE)) ==
	       (XFEATURE_X87 | XFEATURE_SSE),
	       "CPUID.(EAX=0DH,ECX=0):EAX has x87 and SSE (got %#llx)",
	       (unsigned long long)supported);

	vec = xsetbv_safe(0, XFEATURE_X87 | XFEATURE_SSE);
	xgetbv_safe(0, &v);
	report(!vec && v == (XFEATURE_X87 | XFEATURE_SSE),
	       "XSETBV x87|SSE reads back (got %#llx, raised %s)",
	       (unsigned long long)v, vecname(vec));

	vec = xsetbv_safe(0, XFEATURE_SSE);
	report(vec == GP_VECTOR, "XSETBV with XCR0[0] (x87) clear raises #GP "
	       "(got %s)", vecname(vec));

	if (supported & XFEATURE_AVX) {
		vec = xsetbv_safe(0, XFEATURE_X87 | XFEATURE_AVX);
		report(vec == GP_VECTOR, "XSETBV with AVX but not SSE raises "
		       "#GP (got %s)", vecname(vec));
	} else {
		report_skip("AVX without SSE: XCR0[2] not supported");
	}

	for (i = 2; i < 64 && (supported & (1ull << i)); i++)
		;
	bad = XFEATURE_X87 | XFEATURE_SSE | (1ull << i);
	vec = xsetbv_safe(0, bad);
	report(vec == GP_VECTOR, "XSETBV of unsupported bit %u raises #GP "
	       "(got %s)", i, vecname(vec));

	vec = xsetbv_safe(1, XFEATURE_X87);
	report(vec == GP_VECTOR, "XSETBV of XCR1 raises #GP (got %s)",
	       vecname(vec));

	xgetbv_safe(0, &v);
	report(v == (XFEATURE_X87 | XFEATURE_SSE), "XCR0 unchanged by the "
	       "faulting writes (got %#llx, want 0x3)", (unsigned long long)v);
}

static void test_sizes(u64 supported)
{
	u64 masks[3] = { XFEATURE_X87, XFEATURE_X87 | XFEATURE_SSE,
			 XFEATURE_X87 | XFEATURE_SSE | XFEATURE_AVX };
	struct cpuid r;
	unsigned i;

	for (i = 0; i < 3; i++) {
		u32 want = xsave_size_for(masks[i]);

		if ((masks[i] & supported) != masks[i])
			continue;
		xsetbv_safe(0, masks[i]);
		r = cpuid_indexed(0xd, 0);
		report(r.b == want, "CPUID.(EAX=0DH,ECX=0):EBX for XCR0 %#llx "
		       "(got %u, want %u)", (unsigned long long)masks[i], r.b,
		       want);
	}
	r = cpuid_indexed(0xd, 0);
	report(r.c == xsave_size_for(supported),
	       "CPUID.(EAX=0DH,ECX=0):ECX covers every supported component "
	       "(got %u, want %u)", r.c, xsave_size_for(supported));
	report(r.c <= XSAVE_AREA_MAX, "XSAVE area fits the test's buffer "
	       "(%u <= %u)", r.c, XSAVE_AREA_MAX);
	xsetbv_safe(0, XFEATURE_X87 | XFEATURE_SSE);
}

static const u64 xmm0_val[2] = { 0x0123456789abcdef, 0xfedcba9876543210 };
static const u64 xmm7_val[2] = { 0x1111222233334444, 0x5555666677778888 };

static void test_round_trip(void)
{
	u64 out[2] = { 0, 0 }, zero[2] = { 0, 0 };
	u64 *bv = (u64 *)&area[XSAVE_XSTATE_BV];
	u16 fcw;
	u32 mxcsr;
	int vec;

	memset(area, 0, sizeof(area));
	asm volatile("fninit\n\t"
		     "fld1\n\t"
		     "fldpi\n\t"
		     "movdqu %0, %%xmm0\n\t"
		     "movdqu %1, %%xmm7"
		     :: "m"(xmm0_val), "m"(xmm7_val) : "memory");
	xsave(area, ~0ull);

	memcpy(&fcw, &area[XSAVE_FCW], 2);
	memcpy(&mxcsr, &area[XSAVE_MXCSR], 4);
	report((*bv & 3) == 3, "XSAVE: XSTATE_BV has x87 and SSE (got %#llx)",
	       (unsigned long long)*bv);
	report(fcw == FCW_INIT && mxcsr == MXCSR_INIT,
	       "XSAVE: FCW and MXCSR (got %#x/%#x, want %#x/%#x)", fcw, mxcsr,
	       FCW_INIT, MXCSR_INIT);
	report(!memcmp(&area[XSAVE_XMM(0)], xmm0_val, 16) &&
	       !memcmp(&area[XSAVE_XMM(7)], xmm7_val, 16),
	       "XSAVE: XMM0 and XMM7 in the legacy region");

	/* Clobber, restore, save again: the same state must come back. */
	asm volatile("fninit\n\t"
		     "pxor %%xmm0, %%xmm0\n\t"
		     "pxor %%xmm7, %%xmm7" ::: "memory");
	vec = xrstor_safe(area, ~0ull);
	asm volatile("movdqu %%xmm0, %0" : "=m"(out));
	report(!vec && !memcmp(out, xmm0_val, 16),
	       "XRSTOR: XMM0 back (got %#llx:%#llx, raised %s)",
	       (unsigned long long)out[1], (unsigned long long)out[0],
	       vecname(vec));
	memset(area2, 0, sizeof(area2));
	xsave(area2, ~0ull);
	report(!memcmp(area + 32, area2 + 32, 8 * 16),
	       "XRSTOR: x87 registers ST0-ST7 back");
	report(!memcmp(area + XSAVE_XMM(0), area2 + XSAVE_XMM(0), NR_XMM * 16),
	       "XRSTOR: XMM0-XMM%u back", NR_XMM - 1);

	/* XSTATE_BV[1] clear: XRSTOR puts SSE in its initial state (SDM
	 * vol 1, 13.8.1), zero XMM registers. */
	*bv &= ~XFEATURE_SSE;
	vec = xrstor_safe(area, ~0ull);
	asm volatile("movdqu %%xmm0, %0" : "=m"(out));
	report(!vec && !memcmp(out, zero, 16),
	       "XRSTOR with XSTATE_BV[1] clear zeroes XMM0 (got %#llx:%#llx)",
	       (unsigned long long)out[1], (unsigned long long)out[0]);

	/* SDM vol 2B, XRSTOR: #GP when XSTATE_BV has a bit XCR0 lacks. */
	*bv |= 1ull << 62;
	vec = xrstor_safe(area, ~0ull);
	report(vec == GP_VECTOR, "XRSTOR with XSTATE_BV bit 62 set raises "
	       "#GP (got %s)", vecname(vec));
	*bv &= ~(1ull << 62);
}

static const u64 ymm0_val[4] = {
	0x0101010102020202, 0x0303030304040404,
	0x0505050506060606, 0x0707070708080808,
};

static void test_avx(u64 supported)
{
	u64 out[4];
	struct cpuid r = cpuid_indexed(0xd, 2);
	u64 *bv = (u64 *)&area[XSAVE_XSTATE_BV];
	int vec;

	if (!this_cpu_has(X86_FEATURE_AVX) || !(supported & XFEATURE_AVX)) {
		report_skip("no AVX: %s or XCR0[2] support clear",
			    X86_FEATURE_AVX.name);
		return;
	}
	xsetbv_safe(0, XFEATURE_X87 | XFEATURE_SSE | XFEATURE_AVX);
	memset(area, 0, sizeof(area));
	asm volatile("vmovdqu %0, %%ymm0" :: "m"(ymm0_val) : "memory");
	xsave(area, ~0ull);
	report((*bv & XFEATURE_AVX) &&
	       !memcmp(&area[r.b], &ymm0_val[2], 16),
	       "XSAVE: YMM0[255:128] at CPUID.(EAX=0DH,ECX=2):EBX = %u "
	       "(XSTATE_BV %#llx)", r.b, (unsigned long long)*bv);

	asm volatile("vzeroall" ::: "memory");
	vec = xrstor_safe(area, ~0ull);
	asm volatile("vmovdqu %%ymm0, %0" : "=m"(out));
	report(!vec && !memcmp(out, ymm0_val, 32), "XRSTOR: YMM0 back (got "
	       "upper %#llx:%#llx, raised %s)", (unsigned long long)out[3],
	       (unsigned long long)out[2], vecname(vec));
	asm volatile("vzeroall" ::: "memory");
	xsetbv_safe(0, XFEATURE_X87 | XFEATURE_SSE);
}

static u64 user_xcr0;
static int user_xsetbv_vec;

static void user_xcr_access(void *unused)
{
	(void)unused;
	xgetbv_safe(0, &user_xcr0);
	user_xsetbv_vec = xsetbv_safe(0, XFEATURE_X87 | XFEATURE_SSE);
}

/* XGETBV works at any CPL; XSETBV is CPL 0 only (SDM vol 2B, XSETBV). */
static void test_cpl3(void)
{
	struct ex_result res;

	user_xcr0 = 0;
	user_xsetbv_vec = -1;
	res = run_in_usermode(user_xcr_access, NULL);
	report(!res.raised && user_xcr0 == (XFEATURE_X87 | XFEATURE_SSE),
	       "XGETBV at CPL 3 (got %#llx, raised %s)",
	       (unsigned long long)user_xcr0,
	       res.raised ? exception_mnemonic(res.vector) : "nothing");
	report(user_xsetbv_vec == GP_VECTOR, "XSETBV at CPL 3 raises #GP "
	       "(got vector %d)", user_xsetbv_vec);
}

int main(void)
{
	u64 cr0 = read_cr0(), cr4 = read_cr4(), supported;

	report_prefix_push("xsave");
	if (!this_cpu_has(X86_FEATURE_XSAVE)) {
		report_skip("no XSAVE: %s clear", X86_FEATURE_XSAVE.name);
		return report_summary();
	}
	supported = xsave_supported();
	report_info("XCR0 supported mask %#llx", (unsigned long long)supported);

	/* SSE instructions need CR4.OSFXSR and CR0.EM/TS clear (SDM vol
	 * 3, 14.1.3). */
	write_cr0(cr0 & ~(X86_CR0_EM | X86_CR0_TS));
	write_cr4(cr4 | X86_CR4_OSFXSR);

	test_enumeration();
	test_xcr0(supported);
	test_sizes(supported);
	test_round_trip();
	test_avx(supported);
	test_cpl3();

	xsetbv_safe(0, XFEATURE_X87);
	write_cr4(cr4);
	write_cr0(cr0);
	return report_summary();
}
