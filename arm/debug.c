// SPDX-License-Identifier: GPL-2.0-only
/*
 * AArch64 self-hosted debug (Arm ARM D2): a hardware breakpoint on a
 * function (DBGBCR0_EL1/DBGBVR0_EL1, D2.8), a watchpoint on a variable for
 * loads and stores (DBGWCR0_EL1/DBGWVR0_EL1, D2.9), and software step of
 * EL0 code one instruction at a time (MDSCR_EL1.SS, D2.12), each checked
 * for its syndrome (ESR_EL1.EC 0x31/0x35/0x32).
 *
 * usage: debug bp|wp|sstep
 */
#include "libcflat.h"
#include "arm/esr.h"
#include "arm/exceptions.h"
#include "arm/smp.h"
#include "arm/sysreg.h"

#define MDSCR_SS	(1u << 0)
#define MDSCR_KDE	(1u << 13)
#define MDSCR_MDE	(1u << 15)
#define SPSR_SS		(1ul << 21)
#define DBGBCR_E	(1u << 0)
#define DBGBCR_PMC_EL1	(1u << 1)	/* PMC 0b01: EL1 */
#define DBGBCR_BAS_A64	(0xfu << 5)
#define DBGWCR_E	(1u << 0)
#define DBGWCR_PAC_EL1	(1u << 1)
#define DBGWCR_LSC_LS	(3u << 3)	/* loads and stores */
#define DBGWCR_BAS_8	(0xffu << 5)
#define ESR_ISS_DFSC(e)	((e) & 0x3f)
#define DFSC_DEBUG	0x22

static volatile u64 watched;
static uintptr_t step_pcs[16];
static volatile int steps;

static void __attribute__((noinline)) target(void *arg)
{
	(void)arg;
	__asm__ __volatile__("" ::: "memory");
}

static void debug_enable(u64 mdscr)
{
	write_sysreg(0, oslar_el1);		/* OS lock off (D2.5) */
	write_sysreg(mdscr, mdscr_el1);
	isb();
	__asm__ __volatile__("msr daifclr, #8" ::: "memory");	/* PSTATE.D */
}

static void debug_disable(void)
{
	__asm__ __volatile__("msr daifset, #8" ::: "memory");
	write_sysreg(0, dbgbcr0_el1);
	write_sysreg(0, dbgwcr0_el1);
	write_sysreg(0, mdscr_el1);
	isb();
}

static void test_bp(void)
{
	struct exc_info info;

	write_sysreg((uintptr_t)target, dbgbvr0_el1);
	write_sysreg(DBGBCR_E | DBGBCR_PMC_EL1 | DBGBCR_BAS_A64, dbgbcr0_el1);
	debug_enable(MDSCR_MDE | MDSCR_KDE);
	run_catching(target, NULL, &info);
	debug_disable();
	report(info.kind == EXC_BKPT && info.pc == (uintptr_t)target,
	       "breakpoint on a function (got %s at %#lx, want breakpoint at "
	       "%#lx)", exc_kind_name(info.kind), (unsigned long)info.pc,
	       (unsigned long)(uintptr_t)target);
	report(info.ec == ESR_EC_BKPT_CUR && ESR_ISS_DFSC(info.syndrome) ==
	       DFSC_DEBUG, "ESR_EL1 %#x (want EC %#x, IFSC debug event %#x)",
	       info.syndrome, ESR_EC_BKPT_CUR, DFSC_DEBUG);
	run_catching(target, NULL, &info);
	report(info.kind == EXC_NONE, "disabled breakpoint is silent (got %s)",
	       exc_kind_name(info.kind));
}

static void do_load(void *arg)
{
	(void)arg;
	(void)watched;
}

static void do_store(void *arg)
{
	(void)arg;
	watched = 0x1234;
}

static void test_wp(void)
{
	struct exc_info info;

	write_sysreg((uintptr_t)&watched, dbgwvr0_el1);
	write_sysreg(DBGWCR_E | DBGWCR_PAC_EL1 | DBGWCR_LSC_LS | DBGWCR_BAS_8,
		     dbgwcr0_el1);
	debug_enable(MDSCR_MDE | MDSCR_KDE);
	run_catching(do_load, NULL, &info);
	report(info.kind == EXC_WATCH && info.far == (uintptr_t)&watched &&
	       !info.write, "load hits the watchpoint (got %s, FAR %#lx, WnR "
	       "%d; want FAR %p, read)", exc_kind_name(info.kind),
	       (unsigned long)info.far, info.write, &watched);
	report(info.ec == ESR_EC_WATCH_CUR && ESR_ISS_DFSC(info.syndrome) ==
	       DFSC_DEBUG, "ESR_EL1 %#x (want EC %#x, DFSC %#x)",
	       info.syndrome, ESR_EC_WATCH_CUR, DFSC_DEBUG);
	run_catching(do_store, NULL, &info);
	debug_disable();	/* report() below reads the watched word */
	report(info.kind == EXC_WATCH && info.write && watched != 0x1234,
	       "store hits it before writing (got %s, WnR %d, value %#llx)",
	       exc_kind_name(info.kind), info.write,
	       (unsigned long long)watched);
	run_catching(do_store, NULL, &info);
	report(info.kind == EXC_NONE && watched == 0x1234, "disabled "
	       "watchpoint is silent (got %s)", exc_kind_name(info.kind));
}

/* EL0 code stepped from its first instruction: three NOPs and RET */
void stepped_fn(void *arg);
__asm__(".pushsection .text\n\t.globl stepped_fn\n\t.balign 4\n"
	"stepped_fn:\n\tnop\n\tnop\n\tnop\n\tret\n\t.popsection");

#define ESR_SS_ISV	(1u << 24)
static u32 step_esr[16];

/*
 * ERET to EL0 with MDSCR_EL1.SS set and SPSR_EL1.SS clear is the
 * active-pending state: a step exception before the first instruction
 * (ISV 0). Each return with SPSR.SS set then runs one instruction and
 * steps (ISV 1). Stepping stops at user_return (D2.12.x).
 */
static void on_step(struct pt_regs *regs, const struct exc_info *info)
{
	if (steps < (int)ARRAY_SIZE(step_pcs)) {
		step_pcs[steps] = info->pc;
		step_esr[steps] = info->syndrome;
	}
	steps++;
	if (info->pc == (uintptr_t)user_return) {
		write_sysreg(0, mdscr_el1);
		isb();
	} else {
		regs->pstate |= SPSR_SS;
	}
}

static void test_sstep(void)
{
	struct exc_info info;
	uintptr_t base = (uintptr_t)stepped_fn;
	uintptr_t want[5] = { base, base + 4, base + 8, base + 12,
			      (uintptr_t)user_return };

	install_ec_handler(true, ESR_EC_SSTEP_LOW, on_step);
	write_sysreg(0, oslar_el1);		/* OS lock off (D2.5) */
	write_sysreg(MDSCR_SS, mdscr_el1);
	isb();
	steps = 0;
	run_in_user(stepped_fn, NULL, &info);
	write_sysreg(0, mdscr_el1);
	isb();
	install_ec_handler(true, ESR_EC_SSTEP_LOW, NULL);
	report(steps == 5, "step exceptions from EL0 (got %d, want 5: before "
	       "the first instruction and after each of four)", steps);
	for (int i = 0; i < MIN(steps, 5); i++)
		report(step_pcs[i] == want[i] && ESR_EC(step_esr[i]) ==
		       ESR_EC_SSTEP_LOW && !!(step_esr[i] & ESR_SS_ISV) == (i > 0),
		       "step %d: ELR %#lx, ESR %#x (want ELR %#lx, EC %#x, "
		       "ISV %d)", i, (unsigned long)step_pcs[i], step_esr[i],
		       (unsigned long)want[i], ESR_EC_SSTEP_LOW, i > 0);
	report(info.kind == EXC_NONE, "the stepped function returned (got %s)",
	       exc_kind_name(info.kind));
}

int main(int argc, char **argv)
{
	report_prefix_push("debug");
	if (argc < 2) {
		report_fail("usage: debug bp|wp|sstep");
		return report_summary();
	}
	report_prefix_push(argv[1]);
	if (!strcmp(argv[1], "bp"))
		test_bp();
	else if (!strcmp(argv[1], "wp"))
		test_wp();
	else if (!strcmp(argv[1], "sstep"))
		test_sstep();
	else
		report_fail("unknown sub-test '%s'", argv[1]);
	return report_summary();
}
