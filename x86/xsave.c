/*
 * XSAVE feature set: CPUID enumeration and area sizes, XCR0 through
 * XGETBV/XSETBV and its validity rules, XINUSE (XGETBV ECX=1), the XSAVE
 * header rules of XSAVE and XRSTOR, XSAVEOPT, the compacted format of
 * XSAVEC, and x87, SSE and AVX state through XSAVE/XRSTOR, per CPU.
 * SDM vol 1, chapter 13 ("Managing State Using the XSAVE Feature Set");
 * vol 2, CPUID leaf 0DH, XGETBV, XSETBV, XSAVE, XRSTOR.
 *
 * The runtime is built without SSE, so every SSE/AVX register access is
 * inline assembly on memory operands.
 */
#include "libcflat.h"
#include "x86/desc.h"
#include "x86/processor.h"
#include "x86/smp.h"
#include "x86/usermode.h"

#define X86_FEATURE_OSXSAVE	CPUID_FEATURE(1, 0, ECX, 27, "CPUID.01H:ECX[27] (OSXSAVE)")
#define X86_FEATURE_AVX		CPUID_FEATURE(1, 0, ECX, 28, "CPUID.01H:ECX[28] (AVX)")

/* XCR0 state components, SDM vol 1, 13.1 */
#define XFEATURE_X87		(1ull << 0)
#define XFEATURE_SSE		(1ull << 1)
#define XFEATURE_AVX		(1ull << 2)
#define XFEATURE_OPMASK		(1ull << 5)
#define XFEATURE_ZMM_HI256	(1ull << 6)
#define XFEATURE_HI16_ZMM	(1ull << 7)
#define XFEATURE_AVX512		(XFEATURE_OPMASK | XFEATURE_ZMM_HI256 | \
				 XFEATURE_HI16_ZMM)
#define XFEATURE_TILECFG	(1ull << 17)
#define XFEATURE_TILEDATA	(1ull << 18)
#define XFEATURE_X87_SSE	(XFEATURE_X87 | XFEATURE_SSE)

/* CPUID.(EAX=0DH,ECX=1):EAX, SDM vol 2A, CPUID */
#define XSAVE_SUB1_XSAVEOPT	(1u << 0)
#define XSAVE_SUB1_XSAVEC	(1u << 1)
#define XSAVE_SUB1_XGETBV1	(1u << 2)
#define XSAVE_SUB1_XSAVES	(1u << 3)
/* CPUID.(EAX=0DH,ECX=i):ECX[1]: component 64-byte aligned when compacted */
#define XSAVE_COMP_ALIGN64	(1u << 1)

#define MSR_IA32_XSS		0xda0	/* SDM vol 4, table 2-2 */

/* AVX state: YMM0-15[255:128], 16 bytes each (SDM vol 1, 13.5.3) */
#define AVX_STATE_SIZE		256

/* XSAVE area layout, SDM vol 1, 13.4: legacy region, then the header. */
#define XSAVE_LEGACY_SIZE	512
#define XSAVE_HEADER_SIZE	64
#define XSAVE_FCW		0	/* x87 control word, 2 bytes */
#define XSAVE_MXCSR		24
#define XSAVE_XMM(n)		(160 + (n) * 16)
#define XSAVE_FSW		2
#define XSAVE_XSTATE_BV		512
#define XSAVE_XCOMP_BV		520
#define XSAVE_HDR_RSVD		528	/* bytes 23:16 of the header */
#define XCOMP_BV_COMPACTED	(1ull << 63)
#define XSAVE_EXT_BASE		(XSAVE_LEGACY_SIZE + XSAVE_HEADER_SIZE)
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

/* The _any variants take any address, for the alignment checks. */
static int xsave_any(void *p, u64 mask)
{
	return EX_FIXUP_INSN("xsave %0", : "+m"(*(u8 (*)[XSAVE_EXT_BASE])p)
			     : "a"((u32)mask), "d"((u32)(mask >> 32))
			     : "memory");
}

static int xsaveopt_any(void *p, u64 mask)
{
	return EX_FIXUP_INSN("xsaveopt %0",
			     : "+m"(*(u8 (*)[XSAVE_EXT_BASE])p)
			     : "a"((u32)mask), "d"((u32)(mask >> 32))
			     : "memory");
}

static int xrstor_any(void *p, u64 mask)
{
	return EX_FIXUP_INSN("xrstor %0",
			     :: "m"(*(u8 (*)[XSAVE_EXT_BASE])p),
			     "a"((u32)mask), "d"((u32)(mask >> 32))
			     : "memory");
}

static void xsaveopt(void *p, u64 mask)
{
	asm volatile("xsaveopt %0" : "+m"(*(u8 (*)[XSAVE_AREA_MAX])p)
		     : "a"((u32)mask), "d"((u32)(mask >> 32)) : "memory");
}

static void xsavec(void *p, u64 mask)
{
	asm volatile("xsavec %0" : "+m"(*(u8 (*)[XSAVE_AREA_MAX])p)
		     : "a"((u32)mask), "d"((u32)(mask >> 32)) : "memory");
}

static u64 hdr(const u8 *p, unsigned off)
{
	u64 v;

	memcpy(&v, p + off, 8);
	return v;
}

static void set_hdr(u8 *p, unsigned off, u64 v)
{
	memcpy(p + off, &v, 8);
}

static void set_xmm0(const u64 *v)
{
	asm volatile("movdqu %0, %%xmm0" :: "m"(*(const u64 (*)[2])v));
}

static void get_xmm0(u64 *v)
{
	asm volatile("movdqu %%xmm0, %0" : "=m"(*(u64 (*)[2])v));
}

static void set_ymm0(const u64 *v)
{
	asm volatile("vmovdqu %0, %%ymm0" :: "m"(*(const u64 (*)[4])v));
}

static void get_ymm0(u64 *v)
{
	asm volatile("vmovdqu %%ymm0, %0" : "=m"(*(u64 (*)[4])v));
}

static u32 xsave_sub1(void)
{
	return cpuid_indexed(0xd, 1).a;
}

static u64 xcr0_read(void)
{
	u64 v;

	xgetbv_safe(0, &v);
	return v;
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
	/* And back down: EBX follows every XCR0 write (SDM vol 2A, CPUID). */
	for (i = 3; i-- > 0;) {
		u32 want = xsave_size_for(masks[i]);

		if ((masks[i] & supported) != masks[i])
			continue;
		xsetbv_safe(0, masks[i]);
		r = cpuid_indexed(0xd, 0);
		report(r.b == want && r.c == xsave_size_for(supported),
		       "CPUID.(EAX=0DH,ECX=0) after lowering XCR0 to %#llx: "
		       "EBX %u (want %u), ECX %u (want %u)",
		       (unsigned long long)masks[i], r.b, want, r.c,
		       xsave_size_for(supported));
	}
	if (supported & XFEATURE_AVX) {
		r = cpuid_indexed(0xd, 2);
		report(r.a == AVX_STATE_SIZE && r.b == XSAVE_EXT_BASE,
		       "CPUID.(EAX=0DH,ECX=2): AVX size %u at offset %u "
		       "(want %u at %u; SDM vol 1, 13.5.3)", r.a, r.b,
		       AVX_STATE_SIZE, XSAVE_EXT_BASE);
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
/*
 * XCR0 rules (SDM vol 1, 13.3; vol 2B, XSETBV): bits outside
 * CPUID.(EAX=0DH,ECX=0):EDX:EAX, AVX-512 state (bits 7:5) all or none and
 * only with AVX, AMX TILECFG and TILEDATA (bits 17, 18) together.
 */
static void test_xcr0_rules(u64 supported)
{
	static const unsigned high_bits[] = { 32, 63 };
	u64 v, want;
	unsigned i;
	int vec;

	report_prefix_push("XCR0 rules");
	for (i = 0; i < ARRAY_SIZE(high_bits); i++) {
		u64 bit = 1ull << high_bits[i];

		if (supported & bit)
			continue;
		vec = xsetbv_safe(0, XFEATURE_X87_SSE | bit);
		report(vec == GP_VECTOR, "XSETBV with unsupported bit %u "
		       "(EDX half) raises #GP (got %s)", high_bits[i],
		       vecname(vec));
	}

	if ((supported & (XFEATURE_AVX512 | XFEATURE_AVX)) ==
	    (XFEATURE_AVX512 | XFEATURE_AVX)) {
		u64 base = XFEATURE_X87_SSE | XFEATURE_AVX;

		vec = xsetbv_safe(0, base | XFEATURE_OPMASK);
		report(vec == GP_VECTOR, "opmask without ZMM state raises #GP "
		       "(got %s)", vecname(vec));
		vec = xsetbv_safe(0, base | XFEATURE_ZMM_HI256 |
				  XFEATURE_HI16_ZMM);
		report(vec == GP_VECTOR, "ZMM state without opmask raises #GP "
		       "(got %s)", vecname(vec));
		vec = xsetbv_safe(0, XFEATURE_X87_SSE | XFEATURE_AVX512);
		report(vec == GP_VECTOR, "AVX-512 state without AVX raises "
		       "#GP (got %s)", vecname(vec));
		want = base | XFEATURE_AVX512;
		vec = xsetbv_safe(0, want);
		v = xcr0_read();
		report(!vec && v == want, "all AVX-512 bits with AVX read back "
		       "(got %#llx, want %#llx, raised %s)",
		       (unsigned long long)v, (unsigned long long)want,
		       vecname(vec));
		xsetbv_safe(0, XFEATURE_X87_SSE);
	} else {
		report_skip("AVX-512 bits: CPUID.(EAX=0DH,ECX=0):EAX[7:5] "
			    "clear");
	}

	if ((supported & (XFEATURE_TILECFG | XFEATURE_TILEDATA)) ==
	    (XFEATURE_TILECFG | XFEATURE_TILEDATA)) {
		vec = xsetbv_safe(0, XFEATURE_X87_SSE | XFEATURE_TILECFG);
		report(vec == GP_VECTOR, "TILECFG without TILEDATA raises #GP "
		       "(got %s)", vecname(vec));
		xsetbv_safe(0, XFEATURE_X87_SSE);
	} else {
		report_skip("AMX bits: CPUID.(EAX=0DH,ECX=0):EAX[18:17] clear");
	}

	v = xcr0_read();
	report(v == XFEATURE_X87_SSE, "XCR0 unchanged by the faulting writes "
	       "(got %#llx, want 0x3)", (unsigned long long)v);

	vec = xgetbv_safe(2, &v);
	report(vec == GP_VECTOR, "XGETBV of XCR2 raises #GP (got %s)",
	       vecname(vec));
	report_prefix_pop();
}

/*
 * XGETBV with ECX = 1 reads XCR0 AND XINUSE (SDM vol 1, 13.6; vol 2B,
 * XGETBV) where CPUID.(EAX=0DH,ECX=1):EAX[2] says so, else #GP. A state
 * component out of its initial configuration has its XINUSE bit set.
 */
static void test_xgetbv1(void)
{
	u64 v = 0, xcr0 = xcr0_read();
	int vec;

	asm volatile("fninit\n\tfld1" ::: "memory");
	set_xmm0(xmm0_val);
	vec = xgetbv_safe(1, &v);
	if (!(xsave_sub1() & XSAVE_SUB1_XGETBV1)) {
		report(vec == GP_VECTOR, "XGETBV ECX=1 without "
		       "CPUID.(EAX=0DH,ECX=1):EAX[2] raises #GP (got %s)",
		       vecname(vec));
		asm volatile("fninit" ::: "memory");
		return;
	}
	report(!vec && (v & XFEATURE_X87_SSE) == XFEATURE_X87_SSE &&
	       !(v & ~xcr0), "XGETBV ECX=1 after FLD1 and a write to XMM0: "
	       "x87 and SSE in use, nothing outside XCR0 (got %#llx, "
	       "XCR0 %#llx, raised %s)", (unsigned long long)v,
	       (unsigned long long)xcr0, vecname(vec));
	asm volatile("fninit" ::: "memory");
}

/*
 * The XSAVE header (SDM vol 1, 13.4.2, 13.7, 13.8; vol 2B, XRSTOR
 * exceptions). XSAVE sets XSTATE_BV[i] to XINUSE[i] for i in RFBM and
 * leaves the rest of the header alone; a component out of its initial
 * configuration always gets 1, one in it may get 0 or 1.
 */
static void test_header(void)
{
	static const u64 xmm_new[2] = { 0x4242424242424242, 0x2424242424242424 };
	u64 out[2], zero[2] = { 0, 0 };
	u16 fcw = 0x27f, fsw, tags;
	u32 mxcsr, env[7];
	int vec;

	report_prefix_push("header");

	/* Everything in its initial configuration, then only XMM0 touched. */
	memset(area2, 0, sizeof(area2));
	mxcsr = MXCSR_INIT;
	memcpy(&area2[XSAVE_MXCSR], &mxcsr, 4);
	vec = xrstor_safe(area2, ~0ull);
	set_xmm0(xmm_new);
	memset(area, 0, sizeof(area));
	set_hdr(area, XSAVE_XSTATE_BV, XFEATURE_AVX);
	set_hdr(area, XSAVE_XCOMP_BV, 0x5a5a5a5a5a5a5a5aull);
	xsave(area, ~0ull);
	report(!vec && (hdr(area, XSAVE_XSTATE_BV) & XFEATURE_SSE),
	       "XSAVE after XRSTOR of init state and a write to XMM0: "
	       "XSTATE_BV[1] set (got %#llx)",
	       (unsigned long long)hdr(area, XSAVE_XSTATE_BV));
	report(hdr(area, XSAVE_XSTATE_BV) & XFEATURE_AVX,
	       "XSAVE keeps XSTATE_BV[2] outside RFBM (got %#llx)",
	       (unsigned long long)hdr(area, XSAVE_XSTATE_BV));
	report(hdr(area, XSAVE_XCOMP_BV) == 0x5a5a5a5a5a5a5a5aull,
	       "XSAVE leaves XCOMP_BV alone (got %#llx)",
	       (unsigned long long)hdr(area, XSAVE_XCOMP_BV));

	asm volatile("fldcw %0\n\tfld1" :: "m"(fcw) : "memory");
	set_hdr(area, XSAVE_XSTATE_BV, 0);
	set_hdr(area, XSAVE_XCOMP_BV, 0);
	xsave(area, ~0ull);
	report((hdr(area, XSAVE_XSTATE_BV) & XFEATURE_X87_SSE) ==
	       XFEATURE_X87_SSE, "XSAVE after FLDCW and FLD1: XSTATE_BV[0] "
	       "set (got %#llx)",
	       (unsigned long long)hdr(area, XSAVE_XSTATE_BV));

	/* XSTATE_BV[0] clear: x87 goes to its initial state (13.6). */
	set_hdr(area, XSAVE_XSTATE_BV, XFEATURE_SSE);
	vec = xrstor_safe(area, ~0ull);
	asm volatile("fnstcw %0\n\tfnstsw %1\n\tfnstenv %2"
		     : "=m"(fcw), "=m"(fsw), "=m"(env) :: "memory");
	tags = env[2];
	report(!vec && fcw == FCW_INIT && fsw == 0 && tags == 0xffff,
	       "XRSTOR with XSTATE_BV[0] clear: FCW %#x FSW %#x FTW %#x "
	       "(want %#x 0 0xffff, raised %s)", fcw, fsw, tags, FCW_INIT,
	       vecname(vec));
	asm volatile("fninit" ::: "memory");

	/*
	 * Standard form: MXCSR comes from memory when RFBM[1] or RFBM[2]
	 * is set, whatever XSTATE_BV[1] (SDM vol 2B, XRSTOR, Operation).
	 */
	mxcsr = MXCSR_INIT | (1u << 13);	/* RC = round down */
	memcpy(&area[XSAVE_MXCSR], &mxcsr, 4);
	set_hdr(area, XSAVE_XSTATE_BV, XFEATURE_X87);
	vec = xrstor_safe(area, XFEATURE_X87_SSE);
	asm volatile("stmxcsr %0" : "=m"(mxcsr));
	get_xmm0(out);
	report(!vec && mxcsr == (MXCSR_INIT | (1u << 13)) &&
	       !memcmp(out, zero, 16), "XRSTOR with XSTATE_BV[1] clear: "
	       "MXCSR from memory, XMM0 zeroed (MXCSR %#x want %#x, XMM0 "
	       "%#llx:%#llx, raised %s)", mxcsr, MXCSR_INIT | (1u << 13),
	       (unsigned long long)out[1], (unsigned long long)out[0],
	       vecname(vec));

	mxcsr = MXCSR_INIT | (1u << 31);
	memcpy(&area[XSAVE_MXCSR], &mxcsr, 4);
	set_hdr(area, XSAVE_XSTATE_BV, XFEATURE_X87_SSE);
	vec = xrstor_safe(area, ~0ull);
	report(vec == GP_VECTOR, "XRSTOR of MXCSR with reserved bit 31 "
	       "raises #GP (got %s)", vecname(vec));
	mxcsr = MXCSR_INIT;
	memcpy(&area[XSAVE_MXCSR], &mxcsr, 4);
	asm volatile("ldmxcsr %0" :: "m"(mxcsr));

	/* Standard form #GP(0): bytes 23:8 of the header not all zero. */
	set_hdr(area, XSAVE_XCOMP_BV, XFEATURE_X87);
	vec = xrstor_safe(area, ~0ull);
	report(vec == GP_VECTOR, "XRSTOR with XCOMP_BV = 1 (standard form) "
	       "raises #GP (got %s)", vecname(vec));
	set_hdr(area, XSAVE_XCOMP_BV, 0);
	set_hdr(area, XSAVE_HDR_RSVD, 1);
	vec = xrstor_safe(area, ~0ull);
	report(vec == GP_VECTOR, "XRSTOR with header bytes 23:16 nonzero "
	       "raises #GP (got %s)", vecname(vec));
	set_hdr(area, XSAVE_HDR_RSVD, 0);

	/*
	 * XCOMP_BV[63] alone: without XSAVEC, #GP; with it, the compacted
	 * form sees XSTATE_BV bits missing from XCOMP_BV, #GP too.
	 */
	set_hdr(area, XSAVE_XCOMP_BV, XCOMP_BV_COMPACTED);
	vec = xrstor_safe(area, ~0ull);
	report(vec == GP_VECTOR, "XRSTOR with XCOMP_BV = bit 63 only and "
	       "XSTATE_BV 0x3 raises #GP (got %s)", vecname(vec));
	set_hdr(area, XSAVE_XCOMP_BV, 0);

	/* XSTATE_BV[2] with XCR0[2] clear: a bit XCR0 lacks (XRSTOR #GP). */
	set_hdr(area, XSAVE_XSTATE_BV, XFEATURE_X87_SSE | XFEATURE_AVX);
	vec = xrstor_safe(area, ~0ull);
	report(vec == GP_VECTOR, "XRSTOR with XSTATE_BV[2] and XCR0 %#llx "
	       "raises #GP (got %s)", (unsigned long long)xcr0_read(),
	       vecname(vec));
	set_hdr(area, XSAVE_XSTATE_BV, XFEATURE_X87_SSE);

	vec = xrstor_safe(area, ~0ull);
	report(!vec, "XRSTOR of the repaired area (raised %s)", vecname(vec));

	/* 64-byte alignment, SDM vol 2B, XSAVE/XRSTOR/XSAVEOPT #GP(0). */
	vec = xsave_any(area2 + 16, ~0ull);
	report(vec == GP_VECTOR, "XSAVE to a 16-byte aligned area raises "
	       "#GP (got %s)", vecname(vec));
	memcpy(area2 + 32, area, XSAVE_EXT_BASE);
	vec = xrstor_any(area2 + 32, ~0ull);
	report(vec == GP_VECTOR, "XRSTOR from a 32-byte aligned area raises "
	       "#GP (got %s)", vecname(vec));
	if (xsave_sub1() & XSAVE_SUB1_XSAVEOPT) {
		vec = xsaveopt_any(area2 + 48, ~0ull);
		report(vec == GP_VECTOR, "XSAVEOPT to a 16-byte aligned area "
		       "raises #GP (got %s)", vecname(vec));
	}
	report_prefix_pop();
}

/* Byte ranges XSAVE writes for x87, SSE (no MXCSR) and AVX (13.4.1). */
static bool same_state(const u8 *a, const u8 *b, u64 xcr0, u32 avx_off)
{
	if (memcmp(a, b, 24) || memcmp(a + 32, b + 32, 128))
		return false;
	if (memcmp(a + XSAVE_XMM(0), b + XSAVE_XMM(0), NR_XMM * 16))
		return false;
	if ((xcr0 & XFEATURE_AVX) &&
	    memcmp(a + avx_off, b + avx_off, NR_XMM * 16))
		return false;
	return true;
}

/*
 * XSAVEOPT (SDM vol 1, 13.9): like XSAVE, but may skip components in
 * their initial configuration and, when the area is the one last used
 * by XRSTOR, components unmodified since then. A component modified
 * since that XRSTOR is always written.
 */
static void test_xsaveopt(u64 supported)
{
	static const u64 xmm_new[2] = { 0x7777777788888888, 0x9999aaaabbbbcccc };
	u64 xcr0 = XFEATURE_X87_SSE | (supported & XFEATURE_AVX);
	u32 avx_off = cpuid_indexed(0xd, 2).b;
	u64 bv1, bv2;

	report_prefix_push("XSAVEOPT");
	if (!(xsave_sub1() & XSAVE_SUB1_XSAVEOPT)) {
		report_skip("no XSAVEOPT: CPUID.(EAX=0DH,ECX=1):EAX[0] clear");
		report_prefix_pop();
		return;
	}
	xsetbv_safe(0, xcr0);
	asm volatile("fninit\n\tfld1\n\tfldpi" ::: "memory");
	set_xmm0(xmm0_val);
	if (xcr0 & XFEATURE_AVX)
		set_ymm0(ymm0_val);
	memset(area, 0, sizeof(area));
	memset(area2, 0, sizeof(area2));
	xsave(area, ~0ull);
	xsaveopt(area2, ~0ull);
	bv1 = hdr(area, XSAVE_XSTATE_BV);
	bv2 = hdr(area2, XSAVE_XSTATE_BV);
	report(bv1 == bv2 && (bv2 & xcr0) == xcr0 &&
	       same_state(area, area2, xcr0, avx_off),
	       "XSAVEOPT to a fresh area matches XSAVE (XSTATE_BV %#llx and "
	       "%#llx, want %#llx set)", (unsigned long long)bv1,
	       (unsigned long long)bv2, (unsigned long long)xcr0);

	/* XRSTOR from area2, change XMM0, XSAVEOPT into area2 again. */
	xrstor_safe(area2, ~0ull);
	set_xmm0(xmm_new);
	xsaveopt(area2, ~0ull);
	report(!memcmp(&area2[XSAVE_XMM(0)], xmm_new, 16) &&
	       (hdr(area2, XSAVE_XSTATE_BV) & XFEATURE_SSE),
	       "XSAVEOPT after XRSTOR from the same area writes the modified "
	       "XMM0 (got %#llx:%#llx, XSTATE_BV %#llx)",
	       (unsigned long long)hdr(area2, XSAVE_XMM(0) + 8),
	       (unsigned long long)hdr(area2, XSAVE_XMM(0)),
	       (unsigned long long)hdr(area2, XSAVE_XSTATE_BV));
	if (xcr0 & XFEATURE_AVX)
		asm volatile("vzeroall" ::: "memory");
	asm volatile("fninit" ::: "memory");
	xsetbv_safe(0, XFEATURE_X87_SSE);
	report_prefix_pop();
}

/* Size of the compacted area for @mask (SDM vol 1, 13.4.3). */
static u32 xsave_compacted_size(u64 mask)
{
	u32 size = XSAVE_EXT_BASE;
	unsigned i;

	for (i = 2; i < 63; i++) {
		struct cpuid r;

		if (!(mask & (1ull << i)))
			continue;
		r = cpuid_indexed(0xd, i);
		if (r.c & XSAVE_COMP_ALIGN64)
			size = ALIGN_UP(size, 64);
		size += r.a;
	}
	return size;
}

/*
 * XSAVEC (SDM vol 1, 13.10): XCOMP_BV = RFBM with bit 63 set, XSTATE_BV =
 * XINUSE AND RFBM, components packed from offset 576 in bit order.
 */
static void test_xsavec(u64 supported)
{
	u32 sub1 = xsave_sub1();
	u64 xcr0 = XFEATURE_X87_SSE | (supported & XFEATURE_AVX);
	u64 xss = 0, bv, comp, out[4];
	u32 size, want;
	int vec;

	report_prefix_push("XSAVEC");
	if (!(sub1 & XSAVE_SUB1_XSAVEC)) {
		report_skip("no XSAVEC: CPUID.(EAX=0DH,ECX=1):EAX[1] clear");
		report_prefix_pop();
		return;
	}
	xsetbv_safe(0, xcr0);
	if (sub1 & XSAVE_SUB1_XSAVES)
		rdmsr_safe(MSR_IA32_XSS, &xss);
	size = cpuid_indexed(0xd, 1).b;
	want = xsave_compacted_size(xcr0 | xss);
	report(size == want, "CPUID.(EAX=0DH,ECX=1):EBX for XCR0|IA32_XSS "
	       "%#llx (got %u, want %u)", (unsigned long long)(xcr0 | xss),
	       size, want);

	asm volatile("fninit\n\tfld1" ::: "memory");
	set_xmm0(xmm0_val);
	if (xcr0 & XFEATURE_AVX)
		set_ymm0(ymm0_val);
	memset(area, 0, sizeof(area));
	set_hdr(area, XSAVE_XSTATE_BV, ~0ull);
	xsavec(area, ~0ull);
	bv = hdr(area, XSAVE_XSTATE_BV);
	comp = hdr(area, XSAVE_XCOMP_BV);
	report(comp == (XCOMP_BV_COMPACTED | xcr0), "XCOMP_BV (got %#llx, "
	       "want %#llx)", (unsigned long long)comp,
	       (unsigned long long)(XCOMP_BV_COMPACTED | xcr0));
	report(bv == xcr0, "XSTATE_BV: modified components set, nothing "
	       "outside RFBM (got %#llx, want %#llx)", (unsigned long long)bv,
	       (unsigned long long)xcr0);
	if (xcr0 & XFEATURE_AVX)
		report(!memcmp(&area[XSAVE_EXT_BASE], &ymm0_val[2], 16),
		       "YMM0[255:128] right after the header, at %u",
		       XSAVE_EXT_BASE);

	asm volatile("fninit" ::: "memory");
	set_xmm0(ymm0_val);
	if (xcr0 & XFEATURE_AVX)
		asm volatile("vzeroall" ::: "memory");
	vec = xrstor_safe(area, ~0ull);
	memset(out, 0, sizeof(out));
	if (xcr0 & XFEATURE_AVX)
		get_ymm0(out);
	else
		get_xmm0(out);
	report(!vec && !memcmp(out, (xcr0 & XFEATURE_AVX) ? ymm0_val :
			       xmm0_val, (xcr0 & XFEATURE_AVX) ? 32 : 16),
	       "XRSTOR of the compacted area restores %s (got %#llx:%#llx, "
	       "raised %s)", (xcr0 & XFEATURE_AVX) ? "YMM0" : "XMM0",
	       (unsigned long long)out[1], (unsigned long long)out[0],
	       vecname(vec));

	/* Compacted-form #GP(0) rules, SDM vol 2B, XRSTOR exceptions. */
	set_hdr(area, XSAVE_XCOMP_BV, comp | (1ull << 62));
	vec = xrstor_safe(area, ~0ull);
	report(vec == GP_VECTOR, "XCOMP_BV bit 62 (not in XCR0) raises #GP "
	       "(got %s)", vecname(vec));
	set_hdr(area, XSAVE_XCOMP_BV, XCOMP_BV_COMPACTED | XFEATURE_X87);
	vec = xrstor_safe(area, ~0ull);
	report(vec == GP_VECTOR, "XSTATE_BV %#llx with XCOMP_BV[1] clear "
	       "raises #GP (got %s)", (unsigned long long)bv, vecname(vec));
	set_hdr(area, XSAVE_XCOMP_BV, comp);
	area[XSAVE_XSTATE_BV + 40] = 1;
	vec = xrstor_safe(area, ~0ull);
	report(vec == GP_VECTOR, "header byte 40 nonzero raises #GP (got %s)",
	       vecname(vec));
	area[XSAVE_XSTATE_BV + 40] = 0;

	if (xcr0 & XFEATURE_AVX)
		asm volatile("vzeroall" ::: "memory");
	asm volatile("fninit" ::: "memory");
	xsetbv_safe(0, XFEATURE_X87_SSE);
	report_prefix_pop();
}

/*
 * AVX state: XSTATE_BV[2] clear initializes YMM upper halves (13.6), and
 * RFBM without bit 2 leaves them alone (13.8).
 */
static void test_avx_header(u64 supported)
{
	static const u64 zero[2] = { 0, 0 };
	u32 avx_off = cpuid_indexed(0xd, 2).b;
	u64 out[4];
	int vec;

	report_prefix_push("AVX header");
	if (!this_cpu_has(X86_FEATURE_AVX) || !(supported & XFEATURE_AVX)) {
		report_skip("no AVX: %s or XCR0[2] support clear",
			    X86_FEATURE_AVX.name);
		report_prefix_pop();
		return;
	}
	xsetbv_safe(0, XFEATURE_X87_SSE | XFEATURE_AVX);
	set_ymm0(ymm0_val);
	memset(area, 0, sizeof(area));
	xsave(area, ~0ull);

	asm volatile("vzeroall" ::: "memory");
	vec = xrstor_safe(area, XFEATURE_X87_SSE);
	get_ymm0(out);
	report(!vec && !memcmp(out, ymm0_val, 16) &&
	       !memcmp(&out[2], zero, 16), "XRSTOR with RFBM 0x3 leaves "
	       "YMM0[255:128] alone (got %#llx:%#llx, want 0:0 as VZEROALL "
	       "left it, raised %s)",
	       (unsigned long long)out[3], (unsigned long long)out[2],
	       vecname(vec));

	set_ymm0(ymm0_val);
	memset(&area[avx_off], 0xee, 16);
	set_hdr(area, XSAVE_XSTATE_BV, XFEATURE_X87_SSE);
	vec = xrstor_safe(area, ~0ull);
	get_ymm0(out);
	report(!vec && !memcmp(out, ymm0_val, 16) &&
	       !memcmp(&out[2], zero, 16), "XRSTOR with XSTATE_BV[2] clear "
	       "zeroes YMM0[255:128] (got %#llx:%#llx, raised %s)",
	       (unsigned long long)out[3], (unsigned long long)out[2],
	       vecname(vec));
	asm volatile("vzeroall" ::: "memory");
	xsetbv_safe(0, XFEATURE_X87_SSE);
	report_prefix_pop();
}

static const u64 ymm_ap_val[4] = {
	0xa1a1a1a1b2b2b2b2, 0xc3c3c3c3d4d4d4d4,
	0xe5e5e5e5f6f6f6f6, 0x1717171728282828,
};
static u64 ymm_ap_out[4];
static int ap_xsetbv_vec;

static void ap_enable_avx(void)
{
	write_cr0(read_cr0() & ~(X86_CR0_EM | X86_CR0_TS));
	write_cr4(read_cr4() | X86_CR4_OSFXSR | X86_CR4_OSXSAVE);
	ap_xsetbv_vec = xsetbv_safe(0, XFEATURE_X87_SSE | XFEATURE_AVX);
}

static void ap_set_ymm0(void *unused)
{
	(void)unused;
	ap_enable_avx();
	if (!ap_xsetbv_vec)
		set_ymm0(ymm_ap_val);
}

static void ap_get_ymm0(void *unused)
{
	(void)unused;
	get_ymm0(ymm_ap_out);
}

static void ap_disable_avx(void *unused)
{
	(void)unused;
	asm volatile("vzeroall" ::: "memory");
	xsetbv_safe(0, XFEATURE_X87);
}

/*
 * YMM state is per logical processor: what CPU 1 loads stays there
 * across the IPIs that bring it work, and does not reach CPU 0.
 */
static void test_avx_smp(u64 supported)
{
	u64 out[4];

	report_prefix_push("AVX SMP");
	if (!this_cpu_has(X86_FEATURE_AVX) || !(supported & XFEATURE_AVX)) {
		report_skip("no AVX: %s or XCR0[2] support clear",
			    X86_FEATURE_AVX.name);
		report_prefix_pop();
		return;
	}
	if (nr_cpus < 2) {
		report_skip("one CPU (cfg smp = 1)");
		report_prefix_pop();
		return;
	}
	xsetbv_safe(0, XFEATURE_X87_SSE | XFEATURE_AVX);
	set_ymm0(ymm0_val);
	on_cpu(1, ap_set_ymm0, NULL);
	memset(ymm_ap_out, 0, sizeof(ymm_ap_out));
	on_cpu(1, ap_get_ymm0, NULL);
	get_ymm0(out);
	report(!ap_xsetbv_vec && !memcmp(ymm_ap_out, ymm_ap_val, 32),
	       "CPU 1 YMM0 kept across an IPI (upper got %#llx:%#llx, want "
	       "%#llx:%#llx, XSETBV raised %s)",
	       (unsigned long long)ymm_ap_out[3],
	       (unsigned long long)ymm_ap_out[2],
	       (unsigned long long)ymm_ap_val[3],
	       (unsigned long long)ymm_ap_val[2], vecname(ap_xsetbv_vec));
	report(!memcmp(out, ymm0_val, 32), "CPU 0 YMM0 untouched by CPU 1 "
	       "(upper got %#llx:%#llx)", (unsigned long long)out[3],
	       (unsigned long long)out[2]);
	on_cpu(1, ap_disable_avx, NULL);
	asm volatile("vzeroall" ::: "memory");
	xsetbv_safe(0, XFEATURE_X87_SSE);
	report_prefix_pop();
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
	test_xcr0_rules(supported);
	test_xgetbv1();
	test_sizes(supported);
	test_round_trip();
	test_header();
	test_xsaveopt(supported);
	test_xsavec(supported);
	test_avx(supported);
	test_avx_header(supported);
	test_avx_smp(supported);
	test_cpl3();

	xsetbv_safe(0, XFEATURE_X87);
	write_cr4(cr4);
	write_cr0(cr0);
	return report_summary();
}
