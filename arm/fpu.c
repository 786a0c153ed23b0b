// SPDX-License-Identifier: GPL-2.0-only
/*
 * FP/SIMD state: each CPU's registers are its own (a pattern loaded on every
 * CPU at once reads back intact on each), exceptions taken meanwhile leave
 * them alone, and FPCR/FPSCR.RMode rounds as Arm ARM (FPCR) and DDI 0406C
 * (FPSCR) say; with "trap", disabled FP traps
 * (CPACR_EL1.FPEN, FPEXC.EN).
 */
#include "libcflat.h"
#include "arm/exceptions.h"
#include "arm/smp.h"

#ifdef __aarch64__
#define SECT_FPREGS	"Arm ARM, the SIMD&FP registers"
#define SECT_RMODE	"Arm ARM, FPCR.RMode"
#else
#define SECT_FPREGS	"DDI 0406C, the Advanced SIMD and VFP registers"
#define SECT_RMODE	"DDI 0406C, FPSCR.RMode"
#endif

#define NR_D		16	/* checked: d0-d15 / v0-v15 low halves */
#define FPCR_RMODE_SHIFT 22
#define RMODE_RN	0
#define RMODE_RZ	3

static u64 patterns[MAX_CPUS][NR_D], readback[MAX_CPUS][NR_D];

/* CPU @cpu's value for d@i: distinct per CPU and per register, never 0 */
static u64 pattern_word(unsigned cpu, int i)
{
	return 0x0101010101010101ull * (cpu + 1) + ((u64)i << 56) + i;
}
static volatile int arrived;

#ifdef __aarch64__
static void fp_load(const u64 *p)
{
	__asm__ __volatile__(
		"ldp d0, d1, [%0, #0]\n\tldp d2, d3, [%0, #16]\n\t"
		"ldp d4, d5, [%0, #32]\n\tldp d6, d7, [%0, #48]\n\t"
		"ldp d8, d9, [%0, #64]\n\tldp d10, d11, [%0, #80]\n\t"
		"ldp d12, d13, [%0, #96]\n\tldp d14, d15, [%0, #112]"
		:: "r"(p) : "memory");
}

static void fp_store(u64 *p)
{
	__asm__ __volatile__(
		"stp d0, d1, [%0, #0]\n\tstp d2, d3, [%0, #16]\n\t"
		"stp d4, d5, [%0, #32]\n\tstp d6, d7, [%0, #48]\n\t"
		"stp d8, d9, [%0, #64]\n\tstp d10, d11, [%0, #80]\n\t"
		"stp d12, d13, [%0, #96]\n\tstp d14, d15, [%0, #112]"
		:: "r"(p) : "memory");
}

static u64 fp_add(u64 a, u64 b)
{
	u64 r;

	__asm__ __volatile__("fmov d16, %1\n\tfmov d17, %2\n\t"
			     "fadd d16, d16, d17\n\tfmov %0, d16"
			     : "=r"(r) : "r"(a), "r"(b));
	return r;
}

static u32 fpcr_read(void)
{
	u64 v;

	__asm__ __volatile__("mrs %0, fpcr" : "=r"(v));
	return v;
}

static void fpcr_write(u32 v)
{
	__asm__ __volatile__("msr fpcr, %0" :: "r"((u64)v));
}

#define CPACR_FPEN	(3ul << 20)

static void fp_touch(void *arg)
{
	(void)arg;
	__asm__ __volatile__("fmov d0, xzr" ::: "memory");
}

/* CPACR_EL1.FPEN 0b00 traps FP/SIMD at EL1 with EC 0x07 (Arm ARM, CPACR_EL1) */
static void test_trap(void)
{
	u64 cpacr = read_sysreg(cpacr_el1);
	struct exc_info info;

	write_sysreg(cpacr & ~CPACR_FPEN, cpacr_el1);
	isb();
	run_catching(fp_touch, NULL, &info);
	write_sysreg(cpacr, cpacr_el1);
	isb();
	report(info.kind == EXC_OTHER && info.ec == 0x07, "FMOV with "
	       "CPACR_EL1.FPEN 0 traps (got %s, EC %#x, want EC 0x07; Arm ARM, "
	       "CPACR_EL1 and ESR_EL1)",
	       exc_kind_name(info.kind), info.ec);
	run_catching(fp_touch, NULL, &info);
	report(info.kind == EXC_NONE, "with FPEN 0b11 it runs (got %s; Arm "
	       "ARM, CPACR_EL1)", exc_kind_name(info.kind));
}

static bool fp_present(void)
{
	/* ID_AA64PFR0_EL1.FP, bits 19:16: 0xf is not implemented */
	return ((read_sysreg(id_aa64pfr0_el1) >> 16) & 0xf) != 0xf;
}
#else
#define FPU_ASM	".fpu vfpv3\n\t"

static void fp_load(const u64 *p)
{
	__asm__ __volatile__(FPU_ASM "vldmia %0, {d0-d15}" :: "r"(p) : "memory");
}

static void fp_store(u64 *p)
{
	__asm__ __volatile__(FPU_ASM "vstmia %0, {d0-d15}" :: "r"(p) : "memory");
}

static u64 fp_add(u64 a, u64 b)
{
	u64 r;

	__asm__ __volatile__(FPU_ASM "vmov d16, %Q1, %R1\n\t"
			     "vmov d17, %Q2, %R2\n\tvadd.f64 d16, d16, d17\n\t"
			     "vmov %Q0, %R0, d16" : "=r"(r) : "r"(a), "r"(b));
	return r;
}

static u32 fpcr_read(void)
{
	u32 v;

	__asm__ __volatile__(FPU_ASM "vmrs %0, fpscr" : "=r"(v));
	return v;
}

static void fpcr_write(u32 v)
{
	__asm__ __volatile__(FPU_ASM "vmsr fpscr, %0" :: "r"(v));
}

#define FPEXC_EN	(1u << 30)

static void fp_touch(void *arg)
{
	(void)arg;
	__asm__ __volatile__(FPU_ASM "vmov.f64 d0, #1.0" ::: "memory");
}

static u32 fpexc_read(void)
{
	u32 v;

	__asm__ __volatile__(FPU_ASM "vmrs %0, fpexc" : "=r"(v));
	return v;
}

static void fpexc_write(u32 v)
{
	__asm__ __volatile__(FPU_ASM "vmsr fpexc, %0" :: "r"(v));
	isb();
}

/* FPEXC.EN 0 makes VFP/Advanced SIMD instructions UNDEFINED (DDI 0406C,
 * FPEXC) */
static void test_trap(void)
{
	u32 fpexc = fpexc_read();
	struct exc_info info;

	fpexc_write(fpexc & ~FPEXC_EN);
	run_catching(fp_touch, NULL, &info);
	fpexc_write(fpexc);
	report(info.kind == EXC_UNDEF, "VMOV with FPEXC.EN 0 is undefined "
	       "(got %s; DDI 0406C, FPEXC.EN)", exc_kind_name(info.kind));
	run_catching(fp_touch, NULL, &info);
	report(info.kind == EXC_NONE, "with FPEXC.EN 1 it runs (got %s; DDI "
	       "0406C, FPEXC.EN)", exc_kind_name(info.kind));
}

static bool fp_present(void)
{
	u32 mvfr0;

	/* MVFR0.A_SIMD registers (3:0), DDI 0406C, MVFR0; 2: 32 x 64 bit */
	__asm__ __volatile__(FPU_ASM "vmrs %0, mvfr0" : "=r"(mvfr0));
	return (mvfr0 & 0xf) == 2;
}
#endif

static void fill_and_check(void *arg)
{
	unsigned cpu = smp_id();
	struct exc_info info;

	(void)arg;
	for (int i = 0; i < NR_D; i++)
		patterns[cpu][i] = pattern_word(cpu, i);
	fp_load(patterns[cpu]);
	__atomic_add_fetch(&arrived, 1, __ATOMIC_SEQ_CST);
	while (arrived < (int)nr_cpus)
		;
	/* an exception in between: the handlers run on general registers */
	run_catching((void (*)(void *))(uintptr_t)0x10, NULL, &info);
	fp_store(readback[cpu]);
}

int main(int argc, char **argv)
{
	/* IEEE 754 doubles: 1.0, and 1.5 ulp of 1.0 (2^-52 * 1.5) */
	const u64 one = 0x3ff0000000000000ull, tiny = 0x3cb8000000000000ull;
	u64 sum;
	u32 fpcr;

	report_prefix_push("fpu");
	if (!fp_present()) {
		report_skip("no FP/SIMD with 32 registers (ID_AA64PFR0_EL1.FP "
			    "/ MVFR0.A_SIMD)");
		return report_summary();
	}
	if (argc > 1 && !strcmp(argv[1], "trap")) {
		report_prefix_push("trap");
		test_trap();
		return report_summary();
	}
	on_cpus(fill_and_check, NULL);
	/* against pattern_word(), not patterns[]: a CPU that never ran the
	 * work leaves both arrays 0, and they would agree */
	for (unsigned c = 0; c < nr_cpus; c++) {
		int bad = -1;

		for (int i = 0; i < NR_D && bad < 0; i++)
			if (readback[c][i] != pattern_word(c, i))
				bad = i;
		if (bad < 0)
			report_pass("CPU %u keeps its own d0-d15 across the "
				    "other CPUs' loads and an exception", c);
		else
			report_fail("CPU %u: d%d changed (got %#llx, want "
				    "%#llx; each PE has its own registers, %s)",
				    c, bad,
				    (unsigned long long)readback[c][bad],
				    (unsigned long long)pattern_word(c, bad),
				    SECT_FPREGS);
	}

	fpcr = fpcr_read();
	fpcr_write((fpcr & ~(3u << FPCR_RMODE_SHIFT)) |
		   RMODE_RZ << FPCR_RMODE_SHIFT);
	report(((fpcr_read() >> FPCR_RMODE_SHIFT) & 3) == RMODE_RZ,
	       "RMode reads back round-towards-zero (FPCR/FPSCR %#x; %s)",
	       fpcr_read(), SECT_RMODE);
	sum = fp_add(one, tiny);
	report(sum == one + 1, "RZ: 1.0 + 1.5 ulp rounds down to 1.0 + 1 ulp "
	       "(got %#llx, want %#llx; %s)", (unsigned long long)sum,
	       (unsigned long long)(one + 1), SECT_RMODE);
	fpcr_write(fpcr & ~(3u << FPCR_RMODE_SHIFT));
	sum = fp_add(one, tiny);
	report(sum == one + 2, "RN: 1.0 + 1.5 ulp rounds to 1.0 + 2 ulp "
	       "(got %#llx, want %#llx; %s)", (unsigned long long)sum,
	       (unsigned long long)(one + 2), SECT_RMODE);
	fpcr_write(fpcr);
	return report_summary();
}
