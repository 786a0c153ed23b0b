// SPDX-License-Identifier: GPL-2.0-only
/*
 * Self-hosted debug (Arm ARM, AArch64 self-hosted debug; ARMv7: DDI 0406C,
 * monitor debug-mode): a hardware breakpoint on a function
 * (DBGBCR0/DBGBVR0), a watchpoint on a variable for loads and stores
 * (DBGWCR0/DBGWVR0), and, on
 * aarch64, software step of EL0 code one instruction at a time
 * (MDSCR_EL1.SS), each checked for its syndrome (ESR_EL1.EC
 * 0x31/0x35/0x32; IFSR/DFSR debug event on arm).
 *
 * With "migrate" after the sub-test, the guest is migrated (lib/migrate.h)
 * between arming the breakpoint, watchpoint or step and using it: the
 * debug registers read back the same on the destination (got/want) and
 * still fire there.
 *
 * With "drop" after "migrate", the destination clears the breakpoint or
 * watchpoint value register (MDSCR_EL1.SS for sstep) first, as a migration
 * that lost it would: those checks must FAIL.
 *
 * usage: debug bp|wp|sstep [migrate [drop]]
 */
#include "libcflat.h"
#include "arm/esr.h"
#include "arm/exceptions.h"
#include "arm/smp.h"
#include "arm/sysreg.h"
#include "migrate.h"

#define DBGBCR_E	(1u << 0)
#define DBGBCR_PMC_PL1	(1u << 1)	/* PMC 0b01: EL1 / PL1 */
#define DBGBCR_BAS_WORD	(0xfu << 5)	/* the whole A64 / A32 word */
/* MDSCR_EL1.MDE / DBGDSCRext.MDBGen: debug_enable() sets it, so it must
 * read 1 after a migration (comparing with a read before it passed when
 * the bit had never been set at all) */
#define MDE_BIT		(1u << 15)
#define DBGWCR_E	(1u << 0)
#define DBGWCR_PAC_PL1	(1u << 1)
#define DBGWCR_LSC_LS	(3u << 3)	/* loads and stores */
#define DBGWCR_BAS_4	(0xfu << 5)
#define DFSC_DEBUG	0x22

static volatile u32 watched __aligned(8);
static volatile int steps;

static void __attribute__((noinline)) target(void *arg)
{
	(void)arg;
	__asm__ __volatile__("" ::: "memory");
}

#ifdef __aarch64__
#define MDSCR_SS	(1u << 0)
#define MDSCR_KDE	(1u << 13)
#define MDSCR_MDE	(1u << 15)
#define SPSR_SS		(1ul << 21)
#define ESR_ISS_DFSC(e)	((e) & 0x3f)

static uintptr_t step_pcs[16];

static void bp_set(uintptr_t addr, u32 ctrl)
{
	write_sysreg(addr, dbgbvr0_el1);
	write_sysreg(ctrl, dbgbcr0_el1);
	isb();
}

static void wp_set(uintptr_t addr, u32 ctrl)
{
	write_sysreg(addr, dbgwvr0_el1);
	write_sysreg(ctrl, dbgwcr0_el1);
	isb();
}

static u64 bvr_read(void) { return read_sysreg(dbgbvr0_el1); }
static u32 bcr_read(void) { return read_sysreg(dbgbcr0_el1); }
static u64 wvr_read(void) { return read_sysreg(dbgwvr0_el1); }
static u32 wcr_read(void) { return read_sysreg(dbgwcr0_el1); }
static u32 mdscr_read(void) { return read_sysreg(mdscr_el1); }
#define MDE_NAME	"MDSCR_EL1.MDE"
#define SECT_BP		"Arm ARM, Breakpoint exceptions"
#define SECT_WP		"Arm ARM, Watchpoint exceptions"

/* OS lock off (OSLAR_EL1), MDSCR_EL1.MDE and KDE, PSTATE.D clear */
static void debug_enable(void)
{
	write_sysreg(0, oslar_el1);
	write_sysreg(MDSCR_MDE | MDSCR_KDE, mdscr_el1);
	isb();
	__asm__ __volatile__("msr daifclr, #8" ::: "memory");
}

static void debug_disable(void)
{
	__asm__ __volatile__("msr daifset, #8" ::: "memory");
	write_sysreg(0, mdscr_el1);
	isb();
}

static bool syndrome_ok(const struct exc_info *info, unsigned ec)
{
	return info->ec == ec && ESR_ISS_DFSC(info->syndrome) == DFSC_DEBUG;
}
#define EC_BKPT		ESR_EC_BKPT_CUR
#define EC_WATCH	ESR_EC_WATCH_CUR
#else
/* ARMv7 debug through CP14 (DDI 0406C, the debug registers): DBGBVR0/DBGBCR0,
 * DBGWVR0/DBGWCR0, DBGOSLAR, DBGDSCRext.MDBGen (monitor debug-mode) */
#define DBGDSCR_MDBGEN	(1u << 15)

static void bp_set(uintptr_t addr, u32 ctrl)
{
	__asm__ __volatile__("mcr p14, 0, %0, c0, c0, 4" :: "r"(addr));
	__asm__ __volatile__("mcr p14, 0, %0, c0, c0, 5" :: "r"(ctrl));
	isb();
}

static void wp_set(uintptr_t addr, u32 ctrl)
{
	__asm__ __volatile__("mcr p14, 0, %0, c0, c0, 6" :: "r"(addr));
	__asm__ __volatile__("mcr p14, 0, %0, c0, c0, 7" :: "r"(ctrl));
	isb();
}

#define P14_READ(crm, op2) ({						\
	u32 v_;								\
	__asm__ __volatile__("mrc p14, 0, %0, c0, " #crm ", " #op2	\
			     : "=r"(v_));				\
	v_;								\
})
static u64 bvr_read(void) { return P14_READ(c0, 4); }
static u32 bcr_read(void) { return P14_READ(c0, 5); }
static u64 wvr_read(void) { return P14_READ(c0, 6); }
static u32 wcr_read(void) { return P14_READ(c0, 7); }
static u32 mdscr_read(void) { return P14_READ(c2, 2); }	/* DBGDSCRext */
#define MDE_NAME	"DBGDSCRext.MDBGen"
#define SECT_BP		"DDI 0406C, Breakpoint debug events"
#define SECT_WP		"DDI 0406C, Watchpoint debug events"

static void debug_enable(void)
{
	u32 dscr;

	__asm__ __volatile__("mcr p14, 0, %0, c1, c0, 4" :: "r"(0));
	__asm__ __volatile__("mrc p14, 0, %0, c0, c2, 2" : "=r"(dscr));
	__asm__ __volatile__("mcr p14, 0, %0, c0, c2, 2"
			     :: "r"(dscr | DBGDSCR_MDBGEN));
	isb();
}

static void debug_disable(void)
{
	u32 dscr;

	__asm__ __volatile__("mrc p14, 0, %0, c0, c2, 2" : "=r"(dscr));
	__asm__ __volatile__("mcr p14, 0, %0, c0, c2, 2"
			     :: "r"(dscr & ~DBGDSCR_MDBGEN));
	isb();
}

/* IFSR/DFSR (LPAE format) STATUS 0x22: debug event (DDI 0406C, DFSR/IFSR) */
static bool syndrome_ok(const struct exc_info *info, unsigned ec)
{
	(void)ec;
	return info->fsc == DFSC_DEBUG;
}
#define EC_BKPT		0
#define EC_WATCH	0
#endif

static bool migrating, drop;

/* After migrate(): @name must still hold @want (its @mask bits), as the
 * debug architecture section @sect defines it. */
static void check_after(const char *name, u64 got, u64 want, u64 mask,
			const char *sect)
{
	report((got & mask) == (want & mask), "%s after the migration (got "
	       "%#llx, want %#llx under mask %#llx; %s)", name,
	       (unsigned long long)(got & mask),
	       (unsigned long long)(want & mask), (unsigned long long)mask,
	       sect);
}

static void test_bp(void)
{
	struct exc_info info;
	u32 bcr = DBGBCR_E | DBGBCR_PMC_PL1 | DBGBCR_BAS_WORD;

	bp_set((uintptr_t)target, bcr);
	debug_enable();
	if (migrating) {
		migrate();
		if (drop)
			bp_set(0, bcr);
		check_after("DBGBVR0", bvr_read(), (uintptr_t)target, ~0ull,
			    SECT_BP);
		check_after("DBGBCR0", bcr_read(), bcr, bcr, SECT_BP);
		check_after(MDE_NAME, mdscr_read(), MDE_BIT, MDE_BIT, SECT_BP);
	}
	run_catching(target, NULL, &info);
	bp_set(0, 0);
	report(info.kind == EXC_BKPT && info.pc == (uintptr_t)target,
	       "breakpoint on a function (got %s at %#lx, want breakpoint at "
	       "%#lx; %s)", exc_kind_name(info.kind), (unsigned long)info.pc,
	       (unsigned long)(uintptr_t)target, SECT_BP);
	report(syndrome_ok(&info, EC_BKPT), "syndrome %#x (want EC %#x on "
	       "aarch64, fault status debug event %#x; %s)", info.syndrome,
	       EC_BKPT, DFSC_DEBUG, SECT_BP);
	run_catching(target, NULL, &info);
	debug_disable();
	report(info.kind == EXC_NONE, "disabled breakpoint is silent (got %s; "
	       "%s)", exc_kind_name(info.kind), SECT_BP);
}

static void do_load(void *arg)
{
	u32 v = watched;

	(void)arg;
	__asm__ __volatile__("" :: "r"(v));	/* the load must happen */
}

static void do_store(void *arg)
{
	(void)arg;
	watched = 0x1234;
}

static void test_wp(void)
{
	struct exc_info info;
	u32 wcr = DBGWCR_E | DBGWCR_PAC_PL1 | DBGWCR_LSC_LS | DBGWCR_BAS_4;

	wp_set((uintptr_t)&watched, wcr);
	debug_enable();
	if (migrating) {
		migrate();
		if (drop)
			wp_set(0, wcr);
		check_after("DBGWVR0", wvr_read(), (uintptr_t)&watched,
			    ~0ull, SECT_WP);
		check_after("DBGWCR0", wcr_read(), wcr, wcr, SECT_WP);
		check_after(MDE_NAME, mdscr_read(), MDE_BIT, MDE_BIT, SECT_WP);
	}
	run_catching(do_load, NULL, &info);
	wp_set(0, 0);
	report(info.kind == EXC_WATCH, "load hits the watchpoint (got %s; %s)",
	       exc_kind_name(info.kind), SECT_WP);
	report(syndrome_ok(&info, EC_WATCH), "syndrome %#x (want EC %#x on "
	       "aarch64, fault status debug event %#x; %s)", info.syndrome,
	       EC_WATCH, DFSC_DEBUG, SECT_WP);
#ifdef __aarch64__
	/* ARMv7 leaves DFAR UNKNOWN for a watchpoint (DDI 0406C, DFAR) */
	report(info.far == (uintptr_t)&watched && !info.write, "load: FAR "
	       "%#lx, WnR %d (want %p, read; %s)", (unsigned long)info.far,
	       info.write, &watched, SECT_WP);
#endif
	wp_set((uintptr_t)&watched, DBGWCR_E | DBGWCR_PAC_PL1 | DBGWCR_LSC_LS |
	       DBGWCR_BAS_4);
	run_catching(do_store, NULL, &info);
	wp_set(0, 0);	/* report() below reads the watched word */
	report(info.kind == EXC_WATCH, "store hits the watchpoint (got %s; %s)",
	       exc_kind_name(info.kind), SECT_WP);
#ifdef __aarch64__
	report(info.write && watched != 0x1234, "store: WnR %d, the word not "
	       "written (%#x; a watchpoint is taken before the access, %s)",
	       info.write, watched, SECT_WP);
#endif
	run_catching(do_store, NULL, &info);
	debug_disable();
	report(info.kind == EXC_NONE && watched == 0x1234, "disabled "
	       "watchpoint is silent (got %s; %s)", exc_kind_name(info.kind),
	       SECT_WP);
}

#ifdef __aarch64__
/* EL0 code stepped from its first instruction: three NOPs and RET */
void stepped_fn(void *arg);
__asm__(".pushsection .text\n\t.globl stepped_fn\n\t.balign 4\n"
	"stepped_fn:\n\tnop\n\tnop\n\tnop\n\tret\n\t.popsection");

#define ESR_SS_ISV	(1u << 24)
#define SECT_SS		"Arm ARM, Software Step exceptions"
static u32 step_esr[16];

/*
 * ERET to EL0 with MDSCR_EL1.SS set and SPSR_EL1.SS clear is the
 * active-pending state: a step exception before the first instruction
 * (ISV 0). Each return with SPSR.SS set then runs one instruction and
 * steps (ISV 1). Stepping stops at user_return (Arm ARM, Software Step
 * exceptions).
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
	write_sysreg(0, oslar_el1);		/* OS lock off */
	write_sysreg(MDSCR_SS, mdscr_el1);
	isb();
	/* SS steps EL0 only here (KDE clear): migrate() at EL1 runs on */
	if (migrating) {
		migrate();
		if (drop) {
			write_sysreg(0, mdscr_el1);
			isb();
		}
		check_after("MDSCR_EL1", mdscr_read(), MDSCR_SS, ~0ull,
			    SECT_SS);
	}
	steps = 0;
	run_in_user(stepped_fn, NULL, &info);
	write_sysreg(0, mdscr_el1);
	isb();
	install_ec_handler(true, ESR_EC_SSTEP_LOW, NULL);
	report(steps == 5, "step exceptions from EL0 (got %d, want 5: before "
	       "the first instruction and after each of four; %s)",
	       steps, SECT_SS);
	for (int i = 0; i < MIN(steps, 5); i++)
		report(step_pcs[i] == want[i] && ESR_EC(step_esr[i]) ==
		       ESR_EC_SSTEP_LOW && !!(step_esr[i] & ESR_SS_ISV) == (i > 0),
		       "step %d: ELR %#lx, ESR %#x (want ELR %#lx, EC %#x, "
		       "ISV %d; %s)", i, (unsigned long)step_pcs[i],
		       step_esr[i], (unsigned long)want[i], ESR_EC_SSTEP_LOW,
		       i > 0, SECT_SS);
	report(info.kind == EXC_NONE, "the stepped function returned (got %s; "
	       "%s)", exc_kind_name(info.kind), SECT_SS);
}

#endif

int main(int argc, char **argv)
{
	report_prefix_push("debug");
	if (argc < 2) {
		report_fail("usage: debug bp|wp|sstep [migrate [drop]]");
		return report_summary();
	}
	report_prefix_push(argv[1]);
	migrating = argc > 2 && !strcmp(argv[2], "migrate");
	drop = migrating && argc > 3 && !strcmp(argv[3], "drop");
	if (migrating)
		report_prefix_push("migration");
	if (!strcmp(argv[1], "bp"))
		test_bp();
	else if (!strcmp(argv[1], "wp"))
		test_wp();
#ifdef __aarch64__
	else if (!strcmp(argv[1], "sstep"))
		test_sstep();
#endif
	else
		report_fail("unknown sub-test '%s'", argv[1]);
	return report_summary();
}
