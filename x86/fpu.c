/*
 * x87 and SSE state and exceptions, the parts a hypervisor's lazy FPU
 * switching and CR0.TS/EM handling get wrong:
 *  - CR0.EM/MP/TS decide, per instruction class, whether an x87, WAIT,
 *    MMX or SSE instruction runs, raises #NM or raises #UD (SDM vol 3,
 *    2.5: table 2-2 for x87 and WAIT, the CR0.EM and CR0.TS text for MMX
 *    and SSE; vol 2, each instruction's exceptions); CLTS clears TS; SSE
 *    with CR4.OSFXSR clear raises #UD (vol 3, 2.5, CR4.OSFXSR);
 *  - an unmasked x87 exception is reported as #MF on the next waiting
 *    x87 instruction when CR0.NE is set, with FSW.ES and the flag set and
 *    FIP naming the instruction that caused it (vol 1, 8.7 and 8.1.8;
 *    vol 3, 6.15, interrupt 16); a masked one gives the default result
 *    and sets the flag only (vol 1, 8.4, 4.8.3.6);
 *  - FNINIT's defaults (vol 2A, FINIT/FNINIT, "Operation");
 *  - the FXSAVE image (vol 2A, FXSAVE, "Non-64-bit-Mode Layout of FXSAVE
 *    and FXRSTOR Memory Region") and an FXSAVE/FXRSTOR round trip;
 *    LDMXCSR/FXRSTOR of a reserved MXCSR bit raise #GP(0) (vol 1,
 *    11.6.6, MXCSR_MASK);
 *  - the x87 pointers (FIP, FDP) in the FXSAVE image, where the vendors
 *    differ: Intel always stores them (vol 2A, FXSAVE); AMD only while an
 *    unmasked exception is pending (FSW.ES) unless CPUID.80000008H:EBX[2]
 *    (XSaveErPtr) is set (APM vol 5, FXSAVE; APM vol 3, E.4.7). The image
 *    comparisons below leave those bytes out where they are undefined;
 *  - x87/SSE state kept across a CR0.TS toggle with an #NM in between and,
 *    with a second CPU, across HLT and IPIs on that CPU while the first
 *    CPU runs with different FPU state (a hypervisor that loses or swaps
 *    guest FPU state on an exit fails here).
 *
 * The runtime is built without SSE or x87 code, so every FPU access is
 * inline assembly and the state seen here is only what the test put there.
 */
#include "libcflat.h"
#include "x86/desc.h"
#include "x86/processor.h"
#include "x86/smp.h"

#define X86_FEATURE_FPU		CPUID_FEATURE(1, 0, EDX, 0, "CPUID.01H:EDX[0] (FPU)")
#define X86_FEATURE_MMX		CPUID_FEATURE(1, 0, EDX, 23, "CPUID.01H:EDX[23] (MMX)")
#define X86_FEATURE_FXSR	CPUID_FEATURE(1, 0, EDX, 24, "CPUID.01H:EDX[24] (FXSR)")
#define X86_FEATURE_SSE		CPUID_FEATURE(1, 0, EDX, 25, "CPUID.01H:EDX[25] (SSE)")
#define X86_FEATURE_XSAVEERPTR	CPUID_FEATURE(0x80000008, 0, EBX, 2, "CPUID.80000008H:EBX[2] (XSaveErPtr)")

/* x87 control word, SDM vol 1, 8.1.5 (figure 8-6) */
#define FCW_INIT		0x037f	/* after FNINIT, vol 2A, FINIT */
#define FCW_ZM			(1u << 2)
/* A non-default control word: RC = 10b (round up, bits 11:10), PC = 10b
 * (double precision, bits 9:8), all exceptions masked. */
#define FCW_TEST		0x0a7f

/* x87 status word, SDM vol 1, 8.1.3 (figure 8-4) */
#define FSW_IE			(1u << 0)
#define FSW_ZE			(1u << 2)
#define FSW_ES			(1u << 7)
#define FSW_B			(1u << 15)
#define FSW_TOP_SHIFT		11
#define FSW_EXC_MASK		0x3f	/* IE, DE, ZE, OE, UE, PE */

/* Full tag word, all empty (11b per register), SDM vol 1, 8.1.7 */
#define FTW_EMPTY		0xffff

/* FNSTENV image in 32-bit protected mode (also in 64-bit mode), SDM vol
 * 1, 8.1.10 ("32-Bit Format"): dwords FCW, FSW, FTW, FIP, FCS/FOP, FDP,
 * FDS. */
#define FENV_FCW		0
#define FENV_FSW		4
#define FENV_FTW		8
#define FENV_FIP		12
#define FENV_SIZE		28

/* FXSAVE image, SDM vol 2A, FXSAVE (non-64-bit-mode layout, which FXSAVE
 * without REX.W also uses in 64-bit mode) */
#define FX_FCW			0	/* 2 bytes */
#define FX_FSW			2	/* 2 bytes */
#define FX_FTW			4	/* 1 byte: abridged tag, 1 = valid */
#define FX_FOP			6	/* FOP, FIP, FCS, FDP, FDS: bytes 6-23 */
#define FX_FIP			8
#define FX_FDP			16
#define FX_MXCSR		24
#define FX_MXCSR_MASK		28
#define FX_ST(n)		(32 + (n) * 16)
#define FX_XMM(n)		(160 + (n) * 16)
#define FX_SIZE			512

/* MXCSR, SDM vol 1, 10.2.3 (figure 10-3) */
#define MXCSR_INIT		0x1f80
#define MXCSR_IE		(1u << 0)
/* RC = 11b (round toward zero, bits 14:13), all masked, IE flag set */
#define MXCSR_TEST		(0x6000 | MXCSR_INIT | MXCSR_IE)
/* MXCSR_MASK to assume when FXSAVE stores 0 there, SDM vol 1, 11.6.6 */
#define MXCSR_MASK_DEFAULT	0xffbf

/* 64-bit doubles, SDM vol 1, 4.2.2 (table 4-3) and 4.8.3.7 */
#define DOUBLE_ONE		0x3ff0000000000000ull
#define DOUBLE_PLUS_INF		0x7ff0000000000000ull
#define DOUBLE_INDEFINITE	0xfff8000000000000ull	/* real indefinite */

/* XMM registers outside 64-bit mode: XMM0-XMM7 (SDM vol 1, 10.2.2). */
#ifdef __x86_64__
#define NR_XMM			16
#else
#define NR_XMM			8
#endif

/* Bytes of the FXSAVE image the processor defines (x87, MXCSR, XMM). */
#define FX_DEFINED		FX_XMM(NR_XMM)

struct fp80 {
	u64 mant;
	u16 se;	/* sign and exponent */
} __attribute__((packed));

/* Two normal extended-precision values (integer bit 63 set): 1.0 and
 * -pi; both tag as valid (00b) in the full tag word. */
static const struct fp80 fp_one = { 0x8000000000000000ull, 0x3fff };
static const struct fp80 fp_neg_pi = { 0xc90fdaa22168c235ull, 0xc000 };
static const u64 double_zero;

static u8 fx_a[FX_SIZE] __aligned(16);
static u8 fx_b[FX_SIZE] __aligned(16);
static u8 xmm_buf[NR_XMM][16] __aligned(16);

/*
 * Run one instruction under an exception fixup and return the vector it
 * raised, or -1. The variadic part is the asm operand list, starting with
 * its first colon.
 */
#define TRY(insn, ...) ({						\
	asm volatile(EX_FIXUP_BEGIN "1: " insn "\n\t2:\n\t"		\
		     EX_FIXUP_END __VA_ARGS__);				\
	exception_vector();						\
})

static const char *vecname(int vec)
{
	return vec < 0 ? "nothing" : exception_mnemonic(vec);
}

static u16 fx_u16(const u8 *fx, unsigned off)
{
	return fx[off] | (fx[off + 1] << 8);
}

static u32 fx_u32(const u8 *fx, unsigned off)
{
	return fx_u16(fx, off) | ((u32)fx_u16(fx, off + 2) << 16);
}

static void fninit(void)
{
	asm volatile("fninit" ::: "memory");
}

static u16 fnstcw(void)
{
	u16 v;

	asm volatile("fnstcw %0" : "=m"(v));
	return v;
}

static u16 fnstsw(void)
{
	u16 v;

	asm volatile("fnstsw %0" : "=m"(v));
	return v;
}

static void fldcw(u16 v)
{
	asm volatile("fldcw %0" :: "m"(v) : "memory");
}

static u32 stmxcsr(void)
{
	u32 v;

	asm volatile("stmxcsr %0" : "=m"(v));
	return v;
}

static void ldmxcsr(u32 v)
{
	asm volatile("ldmxcsr %0" :: "m"(v) : "memory");
}

static void fxsave(u8 *p)
{
	asm volatile("fxsave %0" : "=m"(*(u8 (*)[FX_SIZE])p) :: "memory");
}

static void fxrstor(const u8 *p)
{
	asm volatile("fxrstor %0" :: "m"(*(const u8 (*)[FX_SIZE])p)
		     : "memory");
}

static void fldt(const struct fp80 *v)
{
	asm volatile("fldt %0" :: "m"(*v) : "memory");
}

static void fstpt(struct fp80 *v)
{
	asm volatile("fstpt %0" : "=m"(*v) :: "memory");
}

/* XMM0..NR_XMM-1 from/to xmm_buf (no loop: the register is in the
 * opcode). */
static void xmm_load_all(void)
{
	asm volatile("movdqu 0x00(%0), %%xmm0\n\t"
		     "movdqu 0x10(%0), %%xmm1\n\t"
		     "movdqu 0x20(%0), %%xmm2\n\t"
		     "movdqu 0x30(%0), %%xmm3\n\t"
		     "movdqu 0x40(%0), %%xmm4\n\t"
		     "movdqu 0x50(%0), %%xmm5\n\t"
		     "movdqu 0x60(%0), %%xmm6\n\t"
		     "movdqu 0x70(%0), %%xmm7\n\t"
#ifdef __x86_64__
		     "movdqu 0x80(%0), %%xmm8\n\t"
		     "movdqu 0x90(%0), %%xmm9\n\t"
		     "movdqu 0xa0(%0), %%xmm10\n\t"
		     "movdqu 0xb0(%0), %%xmm11\n\t"
		     "movdqu 0xc0(%0), %%xmm12\n\t"
		     "movdqu 0xd0(%0), %%xmm13\n\t"
		     "movdqu 0xe0(%0), %%xmm14\n\t"
		     "movdqu 0xf0(%0), %%xmm15\n\t"
#endif
		     :: "r"(xmm_buf) : "memory");
}

static void xmm_store_all(void)
{
	asm volatile("movdqu %%xmm0, 0x00(%0)\n\t"
		     "movdqu %%xmm1, 0x10(%0)\n\t"
		     "movdqu %%xmm2, 0x20(%0)\n\t"
		     "movdqu %%xmm3, 0x30(%0)\n\t"
		     "movdqu %%xmm4, 0x40(%0)\n\t"
		     "movdqu %%xmm5, 0x50(%0)\n\t"
		     "movdqu %%xmm6, 0x60(%0)\n\t"
		     "movdqu %%xmm7, 0x70(%0)\n\t"
#ifdef __x86_64__
		     "movdqu %%xmm8, 0x80(%0)\n\t"
		     "movdqu %%xmm9, 0x90(%0)\n\t"
		     "movdqu %%xmm10, 0xa0(%0)\n\t"
		     "movdqu %%xmm11, 0xb0(%0)\n\t"
		     "movdqu %%xmm12, 0xc0(%0)\n\t"
		     "movdqu %%xmm13, 0xd0(%0)\n\t"
		     "movdqu %%xmm14, 0xe0(%0)\n\t"
		     "movdqu %%xmm15, 0xf0(%0)\n\t"
#endif
		     :: "r"(xmm_buf) : "memory");
}

/* Byte j of XMM i in the pattern @seed selects. */
static u8 xmm_pattern(unsigned seed, unsigned i, unsigned j)
{
	return (u8)(seed * 0x35 + i * 16 + j + 1);
}

static void xmm_fill(unsigned seed)
{
	unsigned i, j;

	for (i = 0; i < NR_XMM; i++)
		for (j = 0; j < 16; j++)
			xmm_buf[i][j] = xmm_pattern(seed, i, j);
}

/* First XMM register whose bytes differ from the pattern, or -1. */
static int xmm_mismatch(const u8 *base, unsigned stride, unsigned seed)
{
	unsigned i, j;

	for (i = 0; i < NR_XMM; i++)
		for (j = 0; j < 16; j++)
			if (base[i * stride + j] != xmm_pattern(seed, i, j))
				return i;
	return -1;
}

/*
 * Whether this CPU stores the x87 pointers (FOP, FIP, FCS, FDP, FDS) in
 * an FXSAVE image whose FSW is @fsw. Intel: always (SDM vol 2A, FXSAVE).
 * AMD: only with FSW.ES set, an unmasked exception pending (APM vol 5,
 * FXSAVE), unless XSaveErPtr says always (APM vol 3, E.4.7,
 * CPUID Fn8000_0008_EBX[2]).
 */
static bool fx_saves_pointers(u16 fsw)
{
	if (!cpu_is_amd() || (fsw & FSW_ES))
		return true;
	return cpuid(0x80000000).a >= 0x80000008 &&
	       this_cpu_has(X86_FEATURE_XSAVEERPTR);
}

/*
 * First differing byte offset of two FXSAVE images among the bytes the
 * processor defines (FX_DEFINED), or -1. The x87 pointers count only
 * where both images hold them.
 */
static int fx_first_diff(const u8 *a, const u8 *b)
{
	bool ptrs = fx_saves_pointers(fx_u16(a, FX_FSW)) &&
		    fx_saves_pointers(fx_u16(b, FX_FSW));
	unsigned i;

	for (i = 0; i < FX_DEFINED; i++) {
		if (!ptrs && i >= FX_FOP && i < FX_MXCSR)
			continue;
		if (a[i] != b[i])
			return i;
	}
	return -1;
}

/*
 * A known state: FCW_TEST, 1.0 then -pi pushed (ST0 = -pi, ST1 = 1.0,
 * TOP = 6, physical registers 7 and 6 valid), XMM pattern @seed and
 * MXCSR_TEST.
 */
static void load_known_state(unsigned seed)
{
	fninit();
	fldcw(FCW_TEST);
	fldt(&fp_one);
	fldt(&fp_neg_pi);
	xmm_fill(seed);
	xmm_load_all();
	ldmxcsr(MXCSR_TEST);
}

static bool has_sse;

/* ---- CR0.EM/MP/TS, SDM vol 3, 2.5 ---- */

static int try_x87(void)
{
	return TRY("fld1", ::: "memory");
}

static int try_wait(void)
{
	return TRY("fwait", ::: "memory");
}

static int try_mmx(void)
{
	return TRY("movq %%mm0, %%mm1", ::: "memory");
}

static int try_sse(void)
{
	return TRY("xorps %%xmm7, %%xmm7", ::: "memory");
}

static const char *cr0_name(unsigned em, unsigned mp, unsigned ts)
{
	static char buf[32];

	snprintf(buf, sizeof(buf), "EM=%u MP=%u TS=%u", em, mp, ts);
	return buf;
}

static void test_cr0_table(void)
{
	unsigned long cr0 = read_cr0();
	unsigned em, mp, ts;

	/* x87 and WAIT per table 2-2 (SDM vol 3, 2.5). MMX and SSE: #UD
	 * when EM is set, whatever TS (with EM set, TS has no effect on
	 * them: 2.5, CR0.TS), else #NM when TS is set. */
	report_prefix_push("CR0");
	for (em = 0; em < 2; em++)
	for (mp = 0; mp < 2; mp++)
	for (ts = 0; ts < 2; ts++) {
		unsigned long v = cr0 & ~(X86_CR0_EM | X86_CR0_MP | X86_CR0_TS);
		int x87, wait, mmx, sse;
		int want_x87 = (em || ts) ? NM_VECTOR : -1;
		int want_wait = (mp && ts) ? NM_VECTOR : -1;
		int want_simd = em ? UD_VECTOR : ts ? NM_VECTOR : -1;

		if (em)
			v |= X86_CR0_EM;
		if (mp)
			v |= X86_CR0_MP;
		if (ts)
			v |= X86_CR0_TS;
		fninit();
		write_cr0(v);
		x87 = try_x87();
		wait = try_wait();
		mmx = try_mmx();
		sse = has_sse ? try_sse() : -1;
		write_cr0(cr0);
		fninit();

		report(x87 == want_x87, "%s: x87 FLD1 raises %s (want %s)",
		       cr0_name(em, mp, ts), vecname(x87), vecname(want_x87));
		report(wait == want_wait, "%s: FWAIT raises %s (want %s)",
		       cr0_name(em, mp, ts), vecname(wait), vecname(want_wait));
		report(mmx == want_simd, "%s: MMX MOVQ raises %s (want %s)",
		       cr0_name(em, mp, ts), vecname(mmx), vecname(want_simd));
		if (has_sse)
			report(sse == want_simd, "%s: SSE XORPS raises %s "
			       "(want %s)", cr0_name(em, mp, ts), vecname(sse),
			       vecname(want_simd));
	}
	report_prefix_pop();
}

static void test_clts_and_fxsave_ts(void)
{
	unsigned long cr0 = read_cr0();
	int vec;

	write_cr0(cr0 | X86_CR0_TS);
	vec = TRY("fxsave %0", : "=m"(fx_a) :: "memory");
	report(vec == NM_VECTOR, "FXSAVE with CR0.TS set raises %s (want #NM; "
	       "SDM vol 2A, FXSAVE)", vecname(vec));
	vec = TRY("fxrstor %0", :: "m"(fx_a) : "memory");
	report(vec == NM_VECTOR, "FXRSTOR with CR0.TS set raises %s (want "
	       "#NM; SDM vol 2A, FXRSTOR)", vecname(vec));
	asm volatile("clts" ::: "memory");
	report(!(read_cr0() & X86_CR0_TS), "CLTS clears CR0.TS (CR0 %#lx, "
	       "want TS (bit 3) clear; SDM vol 2A, CLTS)", read_cr0());
	vec = try_x87();
	report(vec < 0, "x87 FLD1 after CLTS raises %s (want nothing)",
	       vecname(vec));
	write_cr0(cr0);
	fninit();
}

static void test_osfxsr(void)
{
	unsigned long cr4 = read_cr4();
	u32 m = MXCSR_INIT;
	int vec;

	write_cr4(cr4 & ~X86_CR4_OSFXSR);
	vec = try_sse();
	report(vec == UD_VECTOR, "CR4.OSFXSR=0: SSE XORPS raises %s (want "
	       "#UD; SDM vol 3, 2.5 and vol 2B, XORPS)", vecname(vec));
	vec = TRY("ldmxcsr %0", :: "m"(m) : "memory");
	report(vec == UD_VECTOR, "CR4.OSFXSR=0: LDMXCSR raises %s (want "
	       "#UD; SDM vol 2A, LDMXCSR)", vecname(vec));
	write_cr4(cr4);
	vec = try_sse();
	report(vec < 0, "CR4.OSFXSR=1: SSE XORPS raises %s (want nothing)",
	       vecname(vec));
}

/* ---- FNINIT, SDM vol 2A, FINIT/FNINIT ---- */

static void test_fninit(void)
{
	u8 env[FENV_SIZE];
	u16 fcw, fsw, ftw;

	/* dirty everything FNINIT resets first */
	fninit();
	fldcw(FCW_TEST);
	fldt(&fp_one);
	asm volatile("fldz; fdivl %0" :: "m"(double_zero) : "memory");
	fninit();
	fcw = fnstcw();
	fsw = fnstsw();
	asm volatile("fnstenv %0" : "=m"(env));
	ftw = fx_u16(env, FENV_FTW);
	report(fcw == FCW_INIT, "FNINIT: FCW %#x (want %#x)", fcw, FCW_INIT);
	report(fsw == 0, "FNINIT: FSW %#x (want 0)", fsw);
	report(ftw == FTW_EMPTY, "FNINIT: FTW %#x (want %#x, all empty)", ftw,
	       FTW_EMPTY);
	fxsave(fx_a);
	report(fx_a[FX_FTW] == 0, "FNINIT: FXSAVE abridged FTW %#x (want 0, "
	       "all empty; SDM vol 2A, FXSAVE)", fx_a[FX_FTW]);
}

/* ---- x87 exceptions, SDM vol 1, 8.4 and 8.7; vol 3, 6.15 #MF ---- */

extern char fpu_mf_fdiv[], fpu_mf_wait[], fpu_mf_fld[];

struct mf_result {
	int vec;
	unsigned long rip;
	u16 fsw;
	u32 fip;
};

/*
 * 1.0 / 0.0 with ZM clear: the FDIV completes and leaves the exception
 * pending (FSW.ES); the next waiting instruction (FLD1 if @use_fld, else
 * FWAIT) raises #MF before it executes, with the saved RIP pointing at
 * it. noinline: the global labels must exist once.
 */
static __attribute__((noinline)) struct mf_result
mf_divide_by_zero(bool use_fld)
{
	struct mf_result r;
	u8 env[FENV_SIZE];
	u16 fcw = FCW_INIT & ~FCW_ZM;

	fninit();
	asm volatile("fldcw %0\n\t"
		     "fld1\n\t"
		     ".globl fpu_mf_fdiv\n"
		     "fpu_mf_fdiv: fdivl %1\n\t"
		     :: "m"(fcw), "m"(double_zero) : "memory");
	if (use_fld)
		r.vec = TRY(".globl fpu_mf_fld\nfpu_mf_fld:\n1: fld1",
			    ::: "memory");
	else
		r.vec = TRY(".globl fpu_mf_wait\nfpu_mf_wait:\n1: fwait",
			    ::: "memory");
	r.rip = this_cpu()->ex_rip;
	r.fsw = fnstsw();
	asm volatile("fnstenv %0" : "=m"(env));
	r.fip = fx_u32(env, FENV_FIP);
	fninit();
	return r;
}

static void test_mf(void)
{
	struct mf_result r;
	int i;

	report_prefix_push("#MF");
	if (!(read_cr0() & X86_CR0_NE)) {
		report_skip("CR0.NE clear: x87 errors go to FERR#, not #MF");
		report_prefix_pop();
		return;
	}
	for (i = 0; i < 2; i++) {
		const char *what = i ? "FLD1" : "FWAIT";
		unsigned long want_rip = (uintptr_t)(i ? fpu_mf_fld :
						     fpu_mf_wait);

		r = mf_divide_by_zero(i);
		report(r.vec == MF_VECTOR, "unmasked divide by zero, then %s: "
		       "raised %s (want #MF; SDM vol 1, 8.7.1)", what,
		       vecname(r.vec));
		if (r.vec != MF_VECTOR)
			continue;
		report(r.rip == want_rip, "%s: #MF RIP %#lx (want the %s at "
		       "%#lx)", what, r.rip, what, want_rip);
		report((r.fsw & (FSW_ES | FSW_ZE | FSW_B)) ==
		       (FSW_ES | FSW_ZE | FSW_B), "%s: FSW %#x has ES, ZE and "
		       "B (want bits %#x set)", what, r.fsw,
		       FSW_ES | FSW_ZE | FSW_B);
		report(r.fip == (u32)(uintptr_t)fpu_mf_fdiv, "%s: FIP %#x "
		       "(want the FDIV at %#x; SDM vol 1, 8.1.8)", what, r.fip,
		       (u32)(uintptr_t)fpu_mf_fdiv);
	}
	report_prefix_pop();
}

static void test_masked(void)
{
	u64 res = 0;
	u16 fsw;
	int vec;

	report_prefix_push("masked");
	fninit();
	asm volatile("fld1; fdivl %1; fstpl %0"
		     : "=m"(res) : "m"(double_zero) : "memory");
	fsw = fnstsw();
	vec = try_wait();
	report(res == DOUBLE_PLUS_INF, "1.0 / 0.0 gives %#llx (want +inf "
	       "%#llx; SDM vol 1, 4.9.1.3)", (unsigned long long)res,
	       DOUBLE_PLUS_INF);
	report((fsw & (FSW_ZE | FSW_ES)) == FSW_ZE, "1.0 / 0.0: FSW %#x "
	       "(want ZE (bit 2) set, ES (bit 7) clear)", fsw);
	report(vec < 0, "FWAIT after a masked exception raises %s (want "
	       "nothing)", vecname(vec));

	fninit();
	asm volatile("fldz; fdivl %1; fstpl %0"
		     : "=m"(res) : "m"(double_zero) : "memory");
	fsw = fnstsw();
	report(res == DOUBLE_INDEFINITE, "0.0 / 0.0 gives %#llx (want real "
	       "indefinite %#llx; SDM vol 1, 4.8.3.7)",
	       (unsigned long long)res, DOUBLE_INDEFINITE);
	report((fsw & (FSW_EXC_MASK | FSW_ES)) == FSW_IE, "0.0 / 0.0: FSW "
	       "%#x (want IE (bit 0) only of the flags, ES clear)", fsw);

	fninit();
	asm volatile("fld1; fstpl %0" : "=m"(res) :: "memory");
	report(res == DOUBLE_ONE, "FLD1 stored as a double: %#llx (want "
	       "%#llx)", (unsigned long long)res, DOUBLE_ONE);
	report_prefix_pop();
}

/* ---- FXSAVE layout and FXSAVE/FXRSTOR, SDM vol 2A ---- */

static void test_fxsave_layout(void)
{
	int bad;

	report_prefix_push("FXSAVE");
	load_known_state(1);
	fxsave(fx_a);
	fninit();

	report(fx_u16(fx_a, FX_FCW) == FCW_TEST, "FCW at byte 0: %#x (want "
	       "%#x)", fx_u16(fx_a, FX_FCW), FCW_TEST);
	report(fx_u16(fx_a, FX_FSW) == 6 << FSW_TOP_SHIFT, "FSW at byte 2: "
	       "%#x (want TOP=6: %#x)", fx_u16(fx_a, FX_FSW),
	       6 << FSW_TOP_SHIFT);
	report(fx_a[FX_FTW] == 0xc0, "abridged FTW at byte 4: %#x (want "
	       "0xc0: physical registers 6 and 7 valid)", fx_a[FX_FTW]);
	report(fx_u32(fx_a, FX_MXCSR) == MXCSR_TEST, "MXCSR at byte 24: %#x "
	       "(want %#x)", fx_u32(fx_a, FX_MXCSR), MXCSR_TEST);
	report(!memcmp(fx_a + FX_ST(0), &fp_neg_pi, sizeof(fp_neg_pi)),
	       "ST0 at byte 32: se %#x mant %#llx (want -pi: se %#x)",
	       fx_u16(fx_a, FX_ST(0) + 8),
	       (unsigned long long)(fx_u32(fx_a, FX_ST(0)) |
				    (u64)fx_u32(fx_a, FX_ST(0) + 4) << 32),
	       fp_neg_pi.se);
	report(!memcmp(fx_a + FX_ST(1), &fp_one, sizeof(fp_one)),
	       "ST1 at byte 48: se %#x (want 1.0: se %#x)",
	       fx_u16(fx_a, FX_ST(1) + 8), fp_one.se);
	bad = xmm_mismatch(fx_a + FX_XMM(0), 16, 1);
	report(bad < 0, "XMM0-%u at byte 160: first wrong register %d (want "
	       "none)", NR_XMM - 1, bad);
	report_prefix_pop();
}

static void test_fxrstor(void)
{
	struct fp80 st0, st1;
	u8 env[FENV_SIZE];
	u16 fcw, fsw, ftw;
	u32 mxcsr;
	int bad;

	report_prefix_push("FXRSTOR");
	load_known_state(2);
	fxsave(fx_a);

	/* scramble, then restore */
	fninit();
	ldmxcsr(MXCSR_INIT);
	memset(xmm_buf, 0, sizeof(xmm_buf));
	xmm_load_all();
	fxrstor(fx_a);

	fxsave(fx_b);
	bad = fx_first_diff(fx_a, fx_b);
	report(bad < 0, "FXSAVE after FXRSTOR gives the same image (first "
	       "differing byte %d, want none)", bad);

	fcw = fnstcw();
	fsw = fnstsw();
	mxcsr = stmxcsr();
	asm volatile("fnstenv %0" : "=m"(env));
	fldcw(FCW_TEST);	/* FNSTENV masked all exceptions */
	ftw = fx_u16(env, FENV_FTW);
	fstpt(&st0);
	fstpt(&st1);
	memset(xmm_buf, 0, sizeof(xmm_buf));
	xmm_store_all();
	fninit();

	report(fcw == FCW_TEST, "FCW %#x (want %#x)", fcw, FCW_TEST);
	report(fsw == 6 << FSW_TOP_SHIFT, "FSW %#x (want %#x)", fsw,
	       6 << FSW_TOP_SHIFT);
	/* physical 7 and 6 valid (00b), the others empty (11b) */
	report(ftw == 0x0fff, "full FTW %#x (want 0xfff)", ftw);
	report(!memcmp(&st0, &fp_neg_pi, sizeof(st0)) &&
	       !memcmp(&st1, &fp_one, sizeof(st1)), "ST0 se %#x, ST1 se %#x "
	       "(want -pi %#x and 1.0 %#x)", st0.se, st1.se, fp_neg_pi.se,
	       fp_one.se);
	report(mxcsr == MXCSR_TEST, "MXCSR %#x (want %#x)", mxcsr,
	       MXCSR_TEST);
	bad = xmm_mismatch(&xmm_buf[0][0], 16, 2);
	report(bad < 0, "XMM0-%u: first wrong register %d (want none)",
	       NR_XMM - 1, bad);
	ldmxcsr(MXCSR_INIT);
	report_prefix_pop();
}

/* ---- x87 pointers in the FXSAVE image: Intel and AMD differ ---- */

extern char fpu_ptr_fld[], fpu_ptr_fdiv[];
static const u64 double_one = DOUBLE_ONE;

/*
 * FIP and FDP name the last non-control x87 instruction and its memory
 * operand (SDM vol 1, 8.1.8). FXSAVE does not check for a
 * pending exception (SDM vol 2A, FXSAVE), so it can save the image of an
 * FDIV that left one pending. The image is stored without REX.W: FIP
 * and FDP are 32-bit offsets there, and this test's code and data lie
 * below 4 GiB. noinline: the global labels must exist once.
 */
static __attribute__((noinline)) void fxsave_after_fld(u8 *fx)
{
	fninit();
	asm volatile(".globl fpu_ptr_fld\n"
		     "fpu_ptr_fld: fldl %1\n\t"
		     "fxsave %0"
		     : "=m"(*(u8 (*)[FX_SIZE])fx) : "m"(double_one)
		     : "memory");
	fninit();
}

static __attribute__((noinline)) void fxsave_after_pending(u8 *fx)
{
	u16 fcw = FCW_INIT & ~FCW_ZM;

	fninit();
	asm volatile("fldcw %1\n\t"
		     "fld1\n\t"
		     ".globl fpu_ptr_fdiv\n"
		     "fpu_ptr_fdiv: fdivl %2\n\t"
		     "fxsave %0"
		     : "=m"(*(u8 (*)[FX_SIZE])fx) : "m"(fcw), "m"(double_zero)
		     : "memory");
	fninit();
}

static void check_pointers(const char *what, const u8 *fx, const void *insn,
			   const void *operand)
{
	u32 fip = fx_u32(fx, FX_FIP), fdp = fx_u32(fx, FX_FDP);
	u32 want_ip = (u32)(uintptr_t)insn, want_dp = (u32)(uintptr_t)operand;

	report(fip == want_ip && fdp == want_dp, "%s: FIP %#x FDP %#x (want "
	       "the instruction at %#x, its operand at %#x; SDM vol 1, 8.1.8; "
	       "SDM vol 2A, FXSAVE; APM vol 5, FXSAVE)", what, fip, fdp,
	       want_ip, want_dp);
}

static void test_fxsave_pointers(void)
{
	u16 fsw;

	report_prefix_push("FXSAVE pointers");
	memset(fx_a, 0xa5, sizeof(fx_a));
	fxsave_after_pending(fx_a);
	fsw = fx_u16(fx_a, FX_FSW);
	report(fsw & FSW_ES, "FDIV by 0 with ZM clear: FSW %#x has ES (want "
	       "bit 7 set; SDM vol 1, 8.1.3)", fsw);
	/* Both vendors store them with an exception pending. */
	check_pointers("exception pending", fx_a, fpu_ptr_fdiv, &double_zero);

	memset(fx_a, 0xa5, sizeof(fx_a));
	fxsave_after_fld(fx_a);
	fsw = fx_u16(fx_a, FX_FSW);
	if (fx_saves_pointers(fsw))
		check_pointers("no exception pending", fx_a, fpu_ptr_fld,
			       &double_one);
	else
		report_skip("no exception pending: AMD vendor without %s: "
			    "FXSAVE leaves FOP/FIP/FDP unsaved while FSW.ES "
			    "is 0 (APM vol 5, FXSAVE)",
			    X86_FEATURE_XSAVEERPTR.name);
	report_prefix_pop();
}

/* ---- MXCSR reserved bits, SDM vol 1, 11.6.6 ---- */

static void test_mxcsr_reserved(void)
{
	u32 mask, bad_bit, v, before;
	int vec;
	u64 err;

	report_prefix_push("MXCSR");
	ldmxcsr(MXCSR_INIT);
	memset(fx_a, 0, sizeof(fx_a));
	fxsave(fx_a);
	mask = fx_u32(fx_a, FX_MXCSR_MASK);
	if (!mask)
		mask = MXCSR_MASK_DEFAULT;
	report((mask & MXCSR_MASK_DEFAULT) == MXCSR_MASK_DEFAULT,
	       "MXCSR_MASK %#x covers the architectural bits (want %#x set)",
	       mask, MXCSR_MASK_DEFAULT);
	for (bad_bit = 0; bad_bit < 32 && (mask & (1u << bad_bit)); bad_bit++)
		;
	if (bad_bit == 32) {
		report_skip("MXCSR_MASK %#x leaves no reserved bit", mask);
		report_prefix_pop();
		return;
	}

	before = stmxcsr();
	v = MXCSR_INIT | (1u << bad_bit);
	vec = TRY("ldmxcsr %0", :: "m"(v) : "memory");
	err = exception_error_code();
	report(vec == GP_VECTOR && err == 0, "LDMXCSR with reserved bit %u "
	       "raises %s, error code %#llx (want #GP(0); SDM vol 2A, "
	       "LDMXCSR)", bad_bit, vecname(vec), (unsigned long long)err);
	report(stmxcsr() == before, "MXCSR after LDMXCSR with reserved bit "
	       "%u: %#x (want unchanged %#x)", bad_bit, stmxcsr(), before);

	fx_a[FX_MXCSR + bad_bit / 8] |= 1u << (bad_bit % 8);
	vec = TRY("fxrstor %0", :: "m"(fx_a) : "memory");
	err = exception_error_code();
	report(vec == GP_VECTOR && err == 0, "FXRSTOR of an MXCSR with "
	       "reserved bit %u raises %s, error code %#llx (want #GP(0); "
	       "SDM vol 2A, FXRSTOR)", bad_bit, vecname(vec),
	       (unsigned long long)err);
	fninit();
	ldmxcsr(MXCSR_INIT);
	report_prefix_pop();
}

/* ---- state kept across CR0.TS, #NM, HLT and IPIs ---- */

static void test_ts_preserves(void)
{
	unsigned long cr0 = read_cr0();
	int vec, bad;

	load_known_state(3);
	fxsave(fx_a);
	write_cr0(cr0 | X86_CR0_TS);
	vec = try_x87();
	asm volatile("clts" ::: "memory");
	write_cr0(cr0);
	fxsave(fx_b);
	bad = fx_first_diff(fx_a, fx_b);
	report(vec == NM_VECTOR && bad < 0, "x87/SSE state across CR0.TS "
	       "set, #NM, CLTS: raised %s (want #NM), first changed FXSAVE "
	       "byte %d (want none)", vecname(vec), bad);
	fninit();
	ldmxcsr(MXCSR_INIT);
}

static u8 ap_before[FX_SIZE] __aligned(16);
static u8 ap_after[FX_SIZE] __aligned(16);

static void ap_load(void *data)
{
	(void)data;
	load_known_state(4);
	fxsave(ap_before);
}

static void ap_nothing(void *data)
{
	(void)data;
}

static void ap_save(void *data)
{
	(void)data;
	fxsave(ap_after);
	fninit();
	ldmxcsr(MXCSR_INIT);
}

#define IPI_ROUNDS	20

static void test_smp_preserves(void)
{
	int bad, i;

	if (nr_cpus < 2) {
		report_skip("state across IPIs on another CPU: one CPU only");
		return;
	}
	/* CPU 1 holds state A and halts; CPU 0 works with state B and wakes
	 * CPU 1 with IPIs whose handler touches no FPU state. */
	on_cpu(1, ap_load, NULL);
	load_known_state(5);
	fldcw(FCW_INIT);
	fxsave(fx_a);
	for (i = 0; i < IPI_ROUNDS; i++)
		on_cpu(1, ap_nothing, NULL);
	on_cpu(1, ap_save, NULL);
	fxsave(fx_b);

	bad = fx_first_diff(ap_before, ap_after);
	report(bad < 0, "CPU 1: x87/SSE state across HLT and %d IPIs: first "
	       "changed FXSAVE byte %d (want none)", IPI_ROUNDS, bad);
	bad = fx_first_diff(fx_a, fx_b);
	report(bad < 0, "CPU 0: x87/SSE state while CPU 1 ran: first "
	       "changed FXSAVE byte %d (want none)", bad);
	fninit();
	ldmxcsr(MXCSR_INIT);
}

int main(void)
{
	report_prefix_push("fpu");
	if (!this_cpu_has(X86_FEATURE_FPU) || !this_cpu_has(X86_FEATURE_MMX) ||
	    !this_cpu_has(X86_FEATURE_FXSR)) {
		report_skip("no x87/MMX/FXSR: CPUID.01H:EDX[0], [23] or [24] "
			    "clear");
		return report_summary();
	}
	has_sse = this_cpu_has(X86_FEATURE_SSE);

	test_fninit();
	test_cr0_table();
	test_clts_and_fxsave_ts();
	test_mf();
	test_masked();
	if (!has_sse) {
		report_skip("SSE parts: %s clear", X86_FEATURE_SSE.name);
		return report_summary();
	}
	test_osfxsr();
	test_fxsave_layout();
	test_fxrstor();
	test_fxsave_pointers();
	test_mxcsr_reserved();
	test_ts_preserves();
	test_smp_preserves();
	return report_summary();
}
