/*
 * Non-maskable interrupts sent through the local APIC (SDM vol 3, 11.6.1,
 * delivery mode 100B).
 *
 * - NMIs are not masked by RFLAGS.IF (6.8.1), to self and to another CPU.
 * - From the start of the NMI handler until the next IRET further NMIs
 *   are blocked; one of them is held pending and taken at the first
 *   instruction boundary after that IRET (6.7.1, 6.9). Any IRET ends the
 *   blocking, also the IRET of an exception handler the NMI handler
 *   raised, so a held NMI then nests into the running NMI handler.
 * - An exception handler does not block NMIs.
 * - MOV SS and POP SS inhibit interrupts until the boundary after the
 *   next instruction (6.8.3; vol 2B, MOV and POP), the NMI included (the
 *   POP text of older editions: "inhibits all interrupts, including the
 *   NMI interrupt"; vol 3, VMX guest interruptibility state, "Blocking by
 *   MOV SS"). After STI, NMIs "may be blocked for one macroinstruction"
 *   (vol 2B, STI): model specific, so only delivery is asserted there.
 * - Every destination form the ICR allows with the NMI delivery mode
 *   (11.6.1, table "Valid Combinations for the ... Local xAPIC Interrupt
 *   Command Register"): a physical ID, the physical broadcast ID, logical
 *   flat, and the all-excluding-self shorthand. The self and
 *   all-including-self shorthands are invalid with NMI and not used.
 */
#include "libcflat.h"
#include "x86/apic.h"
#include "x86/desc.h"
#include "x86/processor.h"
#include "x86/smp.h"

/* TSC cycles to wait for an NMI that must come (generous, TCG on a
 * loaded host), and to be sure one that must not come does not. */
#define WAIT_CYCLES		(1ull << 29)
#define HOLD_CYCLES		(1ull << 24)

/* Physical destination ID that names every APIC: 11.6.2.1 (xAPIC),
 * 11.12.9 (x2APIC). */
#define XAPIC_BROADCAST_ID	0xffu
#define X2APIC_BROADCAST_ID	0xffffffffu
/* Flat logical mode: one LDR bit per CPU, 8 CPUs at most (11.6.2.2). */
#define FLAT_MAX_CPUS		8

/* NMIs sent while CPU 0 runs the STI and MOV SS loops. */
#define SHADOW_NMIS		16

#define LOG_SIZE		32

/* What CPU 0's NMI handler saw, in the order the handlers started. */
struct nmi_event {
	unsigned long rip;
	unsigned long rflags;
	unsigned depth;		/* NMI handlers running, this one included */
};

static struct nmi_event log0[LOG_SIZE];
static volatile unsigned nmis[MAX_CPUS];
static volatile unsigned depth[MAX_CPUS], max_depth[MAX_CPUS];
/* Runs inside CPU 0's first NMI handler after a reset, NULL for none. */
static void (*volatile first_hook)(void);

static void send_nmi(u32 apic_id)
{
	/* The self shorthand allows fixed delivery only (11.6.1): name
	 * the destination instead. */
	apic_icr_write(APIC_DEST_PHYSICAL | APIC_DM_NMI | APIC_INT_ASSERT,
		       apic_id);
}

static void hold(u64 cycles)
{
	u64 start = rdtsc();

	while (rdtsc() - start < cycles)
		pause();
}

static bool wait_nmis(unsigned cpu, unsigned want, u64 cycles)
{
	u64 start = rdtsc();

	while (nmis[cpu] < want && rdtsc() - start < cycles)
		pause();
	return nmis[cpu] >= want;
}

static bool wait_flag(volatile bool *flag)
{
	u64 start = rdtsc();

	while (!*flag && rdtsc() - start < WAIT_CYCLES)
		pause();
	return *flag;
}

static void nmi_handler(struct ex_regs *regs)
{
	unsigned cpu = smp_id();
	unsigned n = nmis[cpu];
	unsigned d = ++depth[cpu];

	if (d > max_depth[cpu])
		max_depth[cpu] = d;
	if (cpu == 0 && n < LOG_SIZE) {
		log0[n].rip = regs->rip;
		log0[n].rflags = regs->rflags;
		log0[n].depth = d;
	}
	nmis[cpu] = n + 1;
	if (cpu == 0 && n == 0 && first_hook)
		first_hook();
	depth[cpu]--;
}

static void reset(void)
{
	unsigned i;

	first_hook = NULL;
	for (i = 0; i < MAX_CPUS; i++)
		nmis[i] = depth[i] = max_depth[i] = 0;
	for (i = 0; i < LOG_SIZE; i++)
		log0[i] = (struct nmi_event){ 0, 0, 0 };
}

static void test_self(void)
{
	bool ok;

	reset();
	send_nmi(apic_id());
	ok = wait_nmis(0, 1, WAIT_CYCLES);
	report(ok && nmis[0] == 1 && !(log0[0].rflags & X86_EFLAGS_IF),
	       "NMI to self with IF=0 (got %u NMIs, saved IF %lu; want 1, "
	       "0)", nmis[0], (log0[0].rflags & X86_EFLAGS_IF) ? 1ul : 0ul);
}

/*
 * SDM vol 3, 6.7.1: NMIs sent while the handler runs are held; one is
 * delivered after the IRET, at the first instruction boundary (6.9:
 * nothing of higher priority is pending), so it interrupts the same
 * instruction the first one did.
 */
static unsigned nr_held_sends;
static volatile unsigned seen_in_handler;
static volatile bool in_first, remote_sent;

static void hook_self_held(void)
{
	unsigned i;

	for (i = 0; i < nr_held_sends; i++)
		send_nmi(apic_id());
	hold(HOLD_CYCLES);
	seen_in_handler = nmis[0];
}

static void hook_remote_held(void)
{
	in_first = true;
	wait_flag(&remote_sent);
	hold(HOLD_CYCLES);
	seen_in_handler = nmis[0];
}

static void remote_sender(void *data)
{
	unsigned i;

	(void)data;
	send_nmi(cpu_apic_id(0));
	if (!wait_flag(&in_first))
		return;
	for (i = 0; i < nr_held_sends; i++)
		send_nmi(cpu_apic_id(0));
	remote_sent = true;
}

/* NMI blocking belongs to the CPU that took the NMI (6.7.1). */
static volatile unsigned seen_on_cpu1;

static void hook_other_cpu_free(void)
{
	send_nmi(cpu_apic_id(1));
	wait_nmis(1, 1, WAIT_CYCLES);
	seen_on_cpu1 = nmis[1];
}

static void check_held(const char *from)
{
	wait_nmis(0, 2, WAIT_CYCLES);
	hold(HOLD_CYCLES);
	report(seen_in_handler == 1 && max_depth[0] == 1, "%s, %u sent in "
	       "the handler: held until IRET (got %u NMIs in the handler, "
	       "depth %u; want 1, 1)", from, nr_held_sends, seen_in_handler,
	       max_depth[0]);
	report(nmis[0] == 2, "%s, %u sent in the handler: one delivered "
	       "after IRET (got %u NMIs in all, want 2)", from,
	       nr_held_sends, nmis[0]);
	report(nmis[0] >= 2 && log0[1].rip == log0[0].rip &&
	       log0[1].depth == 1, "%s, %u sent in the handler: taken right "
	       "after IRET (got RIP %#lx depth %u, want RIP %#lx depth 1)",
	       from, nr_held_sends, log0[1].rip, log0[1].depth, log0[0].rip);
}

static void test_blocking(void)
{
	static const unsigned sends[] = { 1, 3 };
	unsigned i;

	report_prefix_push("blocking");
	for (i = 0; i < ARRAY_SIZE(sends); i++) {
		reset();
		nr_held_sends = sends[i];
		seen_in_handler = 0;
		first_hook = hook_self_held;
		send_nmi(apic_id());
		check_held("self");
	}

	if (nr_cpus < 2) {
		report_skip("NMIs from another CPU need 2 CPUs (have %u)",
			    nr_cpus);
		report_prefix_pop();
		return;
	}
	for (i = 0; i < ARRAY_SIZE(sends); i++) {
		reset();
		nr_held_sends = sends[i];
		seen_in_handler = 0;
		in_first = remote_sent = false;
		first_hook = hook_remote_held;
		on_cpu_async(1, remote_sender, NULL);
		check_held("from CPU 1");
		wait_cpu_idle(1);
	}

	reset();
	seen_on_cpu1 = 0;
	first_hook = hook_other_cpu_free;
	send_nmi(apic_id());
	wait_nmis(0, 1, WAIT_CYCLES);
	report(seen_on_cpu1 == 1, "NMI to CPU 1 taken while CPU 0 runs its "
	       "NMI handler (got %u, want 1)", seen_on_cpu1);
	report_prefix_pop();
}

/*
 * 6.7.1: the blocking lasts "until the next execution of the IRET
 * instruction", whichever handler executes it. An INT3 in the NMI
 * handler whose #BP handler returns with IRET lets a held NMI in.
 */
static volatile unsigned long bp_return_rip;
static volatile unsigned seen_before_int3, seen_after_int3;
static bool use_int3;

static void bp_handler(struct ex_regs *regs)
{
	bp_return_rip = regs->rip;
}

static void hook_int3(void)
{
	send_nmi(apic_id());
	hold(HOLD_CYCLES);
	seen_before_int3 = nmis[0];
	if (use_int3)
		asm volatile("int3" ::: "memory");
	wait_nmis(0, 2, use_int3 ? WAIT_CYCLES : HOLD_CYCLES);
	seen_after_int3 = nmis[0];
}

/* The gate's handler address, from the IDT (6.11, figure 6-2; 6.14.1,
 * figure 6-8). */
static void *idt_handler(unsigned vector)
{
	struct {
		u16 limit;
		unsigned long base;
	} __attribute__((packed)) idtr;
	const u8 *g;
	unsigned long addr;

	asm volatile("sidt %0" : "=m"(idtr));
#ifdef __x86_64__
	g = (const u8 *)idtr.base + vector * 16;
	addr = *(const u16 *)g | (unsigned long)*(const u16 *)(g + 6) << 16 |
	       (unsigned long)*(const u32 *)(g + 8) << 32;
#else
	g = (const u8 *)idtr.base + vector * 8;
	addr = *(const u16 *)g | (unsigned long)*(const u16 *)(g + 6) << 16;
#endif
	return (void *)addr;
}

static void test_iret_unblocks(void)
{
	report_prefix_push("IRET from #BP");
	handle_exception(BP_VECTOR, bp_handler);
	/* A nested NMI must not reuse the outer one's IST stack (6.14.5):
	 * the NMI gate runs on the interrupted stack here. */
	set_idt_entry(NMI_VECTOR, idt_handler(NMI_VECTOR), 0, 0);

	reset();
	use_int3 = true;
	bp_return_rip = 0;
	first_hook = hook_int3;
	send_nmi(apic_id());
	wait_nmis(0, 2, WAIT_CYCLES);
	hold(HOLD_CYCLES);
	report(seen_before_int3 == 1, "NMI held before the INT3 (got %u "
	       "NMIs, want 1)", seen_before_int3);
	report(seen_after_int3 == 2 && max_depth[0] == 2 &&
	       log0[1].depth == 2, "held NMI nests into the NMI handler "
	       "after the #BP handler's IRET (got %u NMIs, depth %u; want "
	       "2, 2)", seen_after_int3, max_depth[0]);
	report(nmis[0] >= 2 && log0[1].rip == bp_return_rip, "nested NMI "
	       "taken right after that IRET (got RIP %#lx, want %#lx)",
	       log0[1].rip, bp_return_rip);
	report(nmis[0] == 2, "no NMI after the outer IRET (got %u NMIs in "
	       "all, want 2)", nmis[0]);

	/* The same handler without the INT3: no IRET, no nesting. */
	reset();
	use_int3 = false;
	first_hook = hook_int3;
	send_nmi(apic_id());
	wait_nmis(0, 2, WAIT_CYCLES);
	hold(HOLD_CYCLES);
	report(seen_after_int3 == 1 && max_depth[0] == 1 && nmis[0] == 2 &&
	       log0[1].depth == 1, "without the INT3 no nesting (got %u NMIs "
	       "in the handler, depth %u, %u in all; want 1, 1, 2)",
	       seen_after_int3, max_depth[0], nmis[0]);

	reset_idt_entry(NMI_VECTOR);
	handle_exception(BP_VECTOR, NULL);
	report_prefix_pop();
}

static volatile unsigned nmis_in_ud;

static void ud_handler(struct ex_regs *regs)
{
	unsigned before = nmis[0];

	send_nmi(apic_id());
	wait_nmis(0, before + 1, WAIT_CYCLES);
	nmis_in_ud = nmis[0] - before;
	regs->rip += 2;	/* past the UD2 */
}

static void test_in_exception(void)
{
	/* An exception handler reached through an interrupt gate runs
	 * with IF=0 but NMIs unblocked (6.8.1, 6.7.1). */
	reset();
	nmis_in_ud = 0;
	handle_exception(UD_VECTOR, ud_handler);
	asm volatile("ud2" ::: "memory");
	handle_exception(UD_VECTOR, NULL);
	report(nmis_in_ud == 1, "NMI taken inside a #UD handler (got %u)",
	       nmis_in_ud);
}

static volatile bool spinning, stop_spin;

static void spin_cli(void *data)
{
	(void)data;
	cli();
	spinning = true;
	while (!stop_spin)
		pause();
	spinning = false;
}

static void test_other_cpu(void)
{
	unsigned last = nr_cpus - 1;
	bool ok;

	if (nr_cpus < 2) {
		report_skip("NMI to another CPU needs 2 CPUs (have %u)",
			    nr_cpus);
		return;
	}

	reset();
	send_nmi(cpu_apic_id(last));
	ok = wait_nmis(last, 1, WAIT_CYCLES);
	report(ok && nmis[last] == 1 && nmis[0] == 0, "NMI to CPU %u, "
	       "halted (got %u there, %u on CPU 0)", last, nmis[last],
	       nmis[0]);

	reset();
	stop_spin = false;
	spinning = false;
	on_cpu_async(last, spin_cli, NULL);
	wait_flag(&spinning);
	send_nmi(cpu_apic_id(last));
	ok = wait_nmis(last, 1, WAIT_CYCLES);
	stop_spin = true;
	wait_cpu_idle(last);
	report(ok && nmis[last] == 1, "NMI to CPU %u, running with IF=0 "
	       "(got %u)", last, nmis[last]);
}

/*
 * CPU 1 sends SHADOW_NMIS NMIs to CPU 0, one at a time, at varying
 * moments, while CPU 0 runs a loop of STI or MOV SS; loop_stop ends it.
 */
static volatile bool loop_stop;

static void shadow_sender(void *data)
{
	unsigned i;

	(void)data;
	for (i = 0; i < SHADOW_NMIS; i++) {
		hold(100 + (i * 37) % 211);
		send_nmi(cpu_apic_id(0));
		if (!wait_nmis(0, i + 1, WAIT_CYCLES))
			break;
	}
	loop_stop = true;
}

/* Of the logged NMIs, how many interrupted the instruction at @rip. */
static unsigned count_at(unsigned long rip)
{
	unsigned i, n = 0;

	for (i = 0; i < nmis[0] && i < LOG_SIZE; i++)
		n += log0[i].rip == rip;
	return n;
}

static void test_shadows(void)
{
	unsigned long after_sti, after_mov_ss;
	u32 ss;
	unsigned n;

	if (nr_cpus < 2) {
		report_skip("interrupt shadows: need 2 CPUs (have %u)",
			    nr_cpus);
		return;
	}
	report_prefix_push("interrupt shadow");

	reset();
	loop_stop = false;
	on_cpu_async(1, shadow_sender, NULL);
	asm volatile("lea " ASM_IP_REL("2f") ", %0\n"
		     "1:\tsti\n"
		     "2:\tcli\n\t"
		     "cmpb $0, %1\n\t"
		     "je 1b"
		     : "=&r"(after_sti) : "m"(loop_stop) : "memory");
	wait_cpu_idle(1);
	n = count_at(after_sti);
	report(nmis[0] == SHADOW_NMIS, "STI/CLI loop: every NMI delivered "
	       "(got %u, want %u)", nmis[0], SHADOW_NMIS);
	/* vol 2B, STI: NMIs "may be blocked" after STI; either is right. */
	report_info("STI: %u of %u NMIs taken in the STI shadow", n,
		    nmis[0]);

	reset();
	loop_stop = false;
	asm volatile("mov %%ss, %0" : "=r"(ss));
	on_cpu_async(1, shadow_sender, NULL);
	asm volatile("lea " ASM_IP_REL("2f") ", %0\n"
		     "1:\tmov %2, %%ss\n"
		     "2:\tnop\n\t"
		     "cmpb $0, %1\n\t"
		     "je 1b"
		     : "=&r"(after_mov_ss) : "m"(loop_stop), "r"(ss)
		     : "memory");
	wait_cpu_idle(1);
	n = count_at(after_mov_ss);
	report(nmis[0] == SHADOW_NMIS, "MOV SS loop: every NMI delivered "
	       "(got %u, want %u)", nmis[0], SHADOW_NMIS);
	report(n == 0, "MOV SS: no NMI on the boundary right after it "
	       "(got %u of %u there, want 0)", n, nmis[0]);
	report_prefix_pop();
}

/*
 * Destination forms: after sending, wait until each wanted CPU has its
 * NMI, let strays arrive, and compare the set and the counts.
 */
static u64 all_cpus(void)
{
	return nr_cpus >= 64 ? ~0ull : (1ull << nr_cpus) - 1;
}

static void check_dest(const char *what, u64 want)
{
	u64 start = rdtsc(), got;
	unsigned cpu, extra;

	for (;;) {
		got = 0;
		for (cpu = 0; cpu < nr_cpus; cpu++)
			if (nmis[cpu])
				got |= 1ull << cpu;
		if ((got & want) == want || rdtsc() - start > WAIT_CYCLES)
			break;
		pause();
	}
	hold(HOLD_CYCLES);
	got = extra = 0;
	for (cpu = 0; cpu < nr_cpus; cpu++) {
		if (nmis[cpu])
			got |= 1ull << cpu;
		if (nmis[cpu] > 1)
			extra += nmis[cpu] - 1;
	}
	report(got == want && !extra, "%s (got CPUs %#llx and %u extra NMIs, "
	       "want CPUs %#llx, one each)", what, (unsigned long long)got,
	       extra, (unsigned long long)want);
}

static void send_allbut(void *data)
{
	(void)data;
	apic_icr_write(APIC_DEST_ALLBUT | APIC_DM_NMI | APIC_INT_ASSERT, 0);
}

static void set_flat_id(void *data)
{
	(void)data;
	apic_set_logical_id(APIC_DFR_FLAT, 1u << smp_id());
}

static void clear_flat_id(void *data)
{
	(void)data;
	apic_set_logical_id(APIC_DFR_FLAT, 0);
}

static void test_destinations(void)
{
	unsigned cpu, last = nr_cpus - 1;
	u64 all = all_cpus(), want;
	char what[64];

	if (nr_cpus < 2) {
		report_skip("destinations: need 2 CPUs (have %u)", nr_cpus);
		return;
	}
	report_prefix_push("destination");

	for (cpu = 0; cpu < nr_cpus; cpu++) {
		reset();
		send_nmi(cpu_apic_id(cpu));
		snprintf(what, sizeof(what), "physical, APIC ID of CPU %u",
			 cpu);
		check_dest(what, 1ull << cpu);
	}

	reset();
	send_nmi(apic_is_x2apic() ? X2APIC_BROADCAST_ID : XAPIC_BROADCAST_ID);
	check_dest("physical broadcast ID, all including self", all);

	reset();
	send_allbut(NULL);
	check_dest("all-excluding-self shorthand from CPU 0", all & ~1ull);

	reset();
	on_cpu(last, send_allbut, NULL);
	snprintf(what, sizeof(what), "all-excluding-self shorthand from "
		 "CPU %u", last);
	check_dest(what, all & ~(1ull << last));

	if (apic_is_x2apic() || nr_cpus > FLAT_MAX_CPUS) {
		report_skip("logical flat: needs xAPIC mode and at most %u "
			    "CPUs (x2APIC %d, %u CPUs)", FLAT_MAX_CPUS,
			    apic_is_x2apic(), nr_cpus);
	} else {
		/* Every other CPU, starting with CPU 1. */
		want = all & 0xaaull;
		on_cpus(set_flat_id, NULL);
		reset();
		apic_icr_write(APIC_DEST_LOGICAL | APIC_DM_NMI |
			       APIC_INT_ASSERT, (u32)want);
		check_dest("logical flat, odd CPUs", want);
		on_cpus(clear_flat_id, NULL);
	}
	report_prefix_pop();
}

int main(void)
{
	report_prefix_push("nmi");
	handle_exception(NMI_VECTOR, nmi_handler);
	cli();
	test_self();
	test_blocking();
	test_iret_unblocks();
	test_in_exception();
	test_other_cpu();
	test_shadows();
	test_destinations();
	return report_summary();
}
