/*
 * I/O APIC: identification registers, redirection entries, edge and
 * level-triggered delivery with the remote IRR handshake (Intel 82093AA
 * data sheet, 3.2; SDM vol 3, 11.8.4 for the EOI that clears remote IRR
 * of a level-triggered interrupt), masking, and delivery to other CPUs
 * through physical and logical destinations, fixed and lowest priority.
 * Interrupt lines are driven through QEMU's pc-testdev.
 */
#include "libcflat.h"
#include "x86/apic.h"
#include "x86/desc.h"
#include "x86/ioapic.h"
#include "x86/irqcount.h"
#include "x86/pc_testdev.h"
#include "x86/processor.h"
#include "x86/smp.h"

/* ISA lines nothing drives in a -nodefaults pc machine's idle state
 * (14 and 15 belong to the PIIX IDE channels, which stay idle). */
#define PIN_EDGE		14
#define PIN_LEVEL		15
#define VEC_EDGE		0x60
#define VEC_LEVEL		0x61

/* I/O APIC versions: 11H in the 82093AA data sheet (3.2.2), 20H in
 * later ones and QEMU. The pc machine has 24 pins. */
#define IOAPIC_VERSION_MIN	0x11
#define PC_IOAPIC_PINS		24

#define WAIT_CYCLES		(1ull << 30)
/* Flat logical model, one bit per CPU (SDM vol 3, 11.6.2.2). */
#define FLAT_MAX_CPUS		8

/* The level-triggered pin's handler work, done by irqcount's hook
 * before the EOI: lower the line on interrupt number lower_at (so one
 * that is still asserted at EOI is delivered again), and with
 * hold_in_handler wait for release before the EOI. */
static volatile unsigned lower_at;
static volatile bool hold_in_handler, release;
static volatile unsigned held_on_cpu;	/* CPU + 1, 0: none yet */
static volatile u64 entry_in_handler;
static volatile bool tmr_in_handler;

static bool tmr_set(u8 vector)
{
	return (apic_read(APIC_TMR + (vector / 32) * 0x10) >> (vector % 32)) &
	       1;
}

static void level_hook(struct ex_regs *regs)
{
	unsigned cpu = smp_id();
	u64 start = rdtsc();

	if (regs->vector != VEC_LEVEL)
		return;
	entry_in_handler = ioapic_read_redir(PIN_LEVEL);
	tmr_in_handler = tmr_set(VEC_LEVEL);
	if (hold_in_handler) {
		held_on_cpu = cpu + 1;
		while (!release && rdtsc() - start < IRQ_WAIT_CYCLES)
			pause();
	}
	if (irq_count(cpu) + 1 >= lower_at)
		pc_testdev_set_irq(PIN_LEVEL, 0);
}

/* With IF=1, wait until @cpu has seen @want interrupts, or time out;
 * a timeout also serves to be sure nothing more arrives. */
static bool wait_hits(unsigned cpu, unsigned want)
{
	return irq_wait(cpu, want, WAIT_CYCLES);
}

static u64 all_cpus(void)
{
	return nr_cpus >= 64 ? ~0ull : (1ull << nr_cpus) - 1;
}

/* @dest: an APIC ID, or with IOAPIC_DEST_LOGICAL in @flags an MDA. */
static u64 entry_for(u8 vector, u32 dest, u64 flags)
{
	return vector | IOAPIC_DM_FIXED | flags |
	       (u64)dest << IOAPIC_DEST_SHIFT;
}

static void test_registers(void)
{
	u32 ver = ioapic_read(IOAPIC_REG_VERSION);
	unsigned version = ver & 0xff, pins = ioapic_nr_pins();
	u64 want, got;

	report(version >= IOAPIC_VERSION_MIN, "version (got %#x, want >= "
	       "%#x)", version, IOAPIC_VERSION_MIN);
	report(pins == PC_IOAPIC_PINS, "redirection entries (got %u, want "
	       "%u)", pins, PC_IOAPIC_PINS);

	/* Writable fields read back; delivery status and remote IRR are
	 * read-only (3.2.4). */
	want = entry_for(VEC_EDGE, 1, IOAPIC_MASKED | IOAPIC_TRIGGER_LEVEL |
			 IOAPIC_POLARITY_LOW | IOAPIC_DEST_LOGICAL);
	ioapic_write_redir(PIN_EDGE, want | IOAPIC_REMOTE_IRR);
	got = ioapic_read_redir(PIN_EDGE);
	report(got == want, "redirection entry reads back, remote IRR "
	       "read-only (got %#llx, want %#llx)", (unsigned long long)got,
	       (unsigned long long)want);
	ioapic_write_redir(PIN_EDGE, IOAPIC_MASKED);
}

static void test_edge(void)
{
	u32 me = apic_id();
	bool ok;

	report_prefix_push("edge");
	pc_testdev_set_irq(PIN_EDGE, 0);
	ioapic_write_redir(PIN_EDGE, entry_for(VEC_EDGE, me, 0));

	irq_count_reset();
	pc_testdev_set_irq(PIN_EDGE, 1);
	ok = wait_hits(0, 1);
	report(ok && irq_log_vector(0) == VEC_EDGE, "rising edge delivers "
	       "the vector (got %u, vector %#x; want 1, %#x)", irq_count(0),
	       irq_log_vector(0), VEC_EDGE);
	wait_hits(0, 2);
	report(irq_count(0) == 1, "a line held high delivers once (got %u, "
	       "want 1)", irq_count(0));
	pc_testdev_set_irq(PIN_EDGE, 0);
	pc_testdev_set_irq(PIN_EDGE, 1);
	ok = wait_hits(0, 2);
	pc_testdev_set_irq(PIN_EDGE, 0);
	report(ok && irq_count(0) == 2, "a second edge delivers again (got "
	       "%u, want 2)", irq_count(0));

	ioapic_write_redir(PIN_EDGE, IOAPIC_MASKED);
	report_prefix_pop();
}

static void test_level(void)
{
	u32 me = apic_id();
	u64 e;
	bool ok;

	report_prefix_push("level");
	pc_testdev_set_irq(PIN_LEVEL, 0);
	ioapic_write_redir(PIN_LEVEL, entry_for(VEC_LEVEL, me,
						IOAPIC_TRIGGER_LEVEL));

	/* Remote IRR is set once the local APIC accepts the interrupt
	 * and cleared by its EOI; the local APIC's TMR marks it level
	 * (SDM vol 3, 11.8.4). */
	irq_count_reset();
	lower_at = 1;
	pc_testdev_set_irq(PIN_LEVEL, 1);
	ok = wait_hits(0, 1);
	report(ok && irq_log_vector(0) == VEC_LEVEL, "asserted line delivers "
	       "the vector (got %u, vector %#x; want 1, %#x)", irq_count(0),
	       irq_log_vector(0), VEC_LEVEL);
	report(entry_in_handler & IOAPIC_REMOTE_IRR, "remote IRR set until "
	       "EOI (entry in the handler %#llx)",
	       (unsigned long long)entry_in_handler);
	report(tmr_in_handler, "local APIC TMR bit set for the vector "
	       "(got %d, want 1)", tmr_in_handler);
	e = ioapic_read_redir(PIN_LEVEL);
	report(!(e & IOAPIC_REMOTE_IRR), "remote IRR clear after EOI "
	       "(entry %#llx)", (unsigned long long)e);

	/* Still asserted at EOI: delivered again (82093AA 3.2.4, remote
	 * IRR). */
	irq_count_reset();
	lower_at = 2;
	pc_testdev_set_irq(PIN_LEVEL, 1);
	ok = wait_hits(0, 2);
	report(ok && irq_count(0) == 2, "line still asserted at EOI is "
	       "delivered again (got %u, want 2)", irq_count(0));

	/* Masked: nothing while masked; unmasked with the line still
	 * asserted, delivered. */
	irq_count_reset();
	lower_at = 1;
	ioapic_write_redir(PIN_LEVEL, entry_for(VEC_LEVEL, me,
						IOAPIC_TRIGGER_LEVEL |
						IOAPIC_MASKED));
	pc_testdev_set_irq(PIN_LEVEL, 1);
	wait_hits(0, 1);
	e = ioapic_read_redir(PIN_LEVEL);
	report(irq_count(0) == 0 && !(e & IOAPIC_REMOTE_IRR), "masked: not "
	       "delivered (got %u, entry %#llx; want 0, remote IRR clear)",
	       irq_count(0), (unsigned long long)e);
	ioapic_write_redir(PIN_LEVEL, entry_for(VEC_LEVEL, me,
						IOAPIC_TRIGGER_LEVEL));
	ok = wait_hits(0, 1);
	report(ok && irq_count(0) == 1, "unmasked while asserted: delivered "
	       "(got %u, want 1)", irq_count(0));

	pc_testdev_set_irq(PIN_LEVEL, 0);
	ioapic_write_redir(PIN_LEVEL, IOAPIC_MASKED);
	report_prefix_pop();
}

/* One edge on PIN_EDGE through @entry: exactly the CPUs in @want take
 * it, once each. */
static void check_edge(const char *what, u64 entry, u64 want)
{
	unsigned n, want_n = cpu_mask_weight(want);
	u64 got;

	pc_testdev_set_irq(PIN_EDGE, 0);
	ioapic_write_redir(PIN_EDGE, entry);
	irq_count_reset();
	pc_testdev_set_irq(PIN_EDGE, 1);
	irq_wait_cpus(want, IRQ_WAIT_CYCLES);
	irq_settle(IRQ_SETTLE_CYCLES);
	pc_testdev_set_irq(PIN_EDGE, 0);
	ioapic_write_redir(PIN_EDGE, IOAPIC_MASKED);
	got = irq_count_cpus();
	n = irq_count_total();
	report(got == want && n == want_n, "%s (got CPUs %#llx, %u "
	       "interrupts; want CPUs %#llx, %u)", what,
	       (unsigned long long)got, n, (unsigned long long)want, want_n);
}

/*
 * A level-triggered interrupt that @cpu takes through @entry: remote IRR
 * stays set while @cpu handles it, an EOI from CPU 0, which has nothing
 * in service, sends no EOI message and leaves it set (SDM vol 3, 11.8.5:
 * only the EOI of a level-triggered vector is broadcast to the I/O
 * APICs), and @cpu's EOI clears it.
 */
static void check_level_eoi(const char *what, unsigned cpu, u64 entry)
{
	u64 start, during, after_eoi0, after;
	bool ok;

	report_prefix_push(what);
	pc_testdev_set_irq(PIN_LEVEL, 0);
	lower_at = 1;
	release = false;
	held_on_cpu = 0;
	hold_in_handler = true;
	ioapic_write_redir(PIN_LEVEL, entry);
	irq_count_reset();
	pc_testdev_set_irq(PIN_LEVEL, 1);

	start = rdtsc();
	while (!held_on_cpu && rdtsc() - start < IRQ_WAIT_CYCLES)
		pause();
	during = ioapic_read_redir(PIN_LEVEL);
	report(held_on_cpu == cpu + 1 && (during & IOAPIC_REMOTE_IRR),
	       "remote IRR set while CPU %u handles it (got CPU %d, entry "
	       "%#llx; want CPU %u, remote IRR set)", cpu,
	       (int)held_on_cpu - 1, (unsigned long long)during, cpu);

	apic_eoi();
	after_eoi0 = ioapic_read_redir(PIN_LEVEL);
	report(after_eoi0 & IOAPIC_REMOTE_IRR, "an EOI from CPU 0 with "
	       "nothing in service leaves it set (got entry %#llx, want "
	       "remote IRR set)",
	       (unsigned long long)after_eoi0);

	release = true;
	ok = wait_hits(cpu, 1);
	after = ioapic_read_redir(PIN_LEVEL);
	report(ok && irq_count_cpus() == 1ull << cpu &&
	       !(after & IOAPIC_REMOTE_IRR), "CPU %u's EOI clears it (got "
	       "CPUs %#llx, entry %#llx; want CPUs %#llx, remote IRR clear)",
	       cpu, (unsigned long long)irq_count_cpus(),
	       (unsigned long long)after, 1ull << cpu);

	hold_in_handler = false;
	pc_testdev_set_irq(PIN_LEVEL, 0);
	ioapic_write_redir(PIN_LEVEL, IOAPIC_MASKED);
	report_prefix_pop();
}

static void set_flat_id(void *data)
{
	unsigned cpu = smp_id();

	(void)data;
	apic_set_logical_id(APIC_DFR_FLAT, cpu < FLAT_MAX_CPUS ? 1u << cpu
							     : 0);
}

static void clear_logical_id(void *data)
{
	(void)data;
	apic_set_logical_id(APIC_DFR_FLAT, 0);
}

static void test_other_cpu(void)
{
	unsigned last = nr_cpus < FLAT_MAX_CPUS ? nr_cpus - 1
						: FLAT_MAX_CPUS - 1;
	u64 flat = all_cpus() & ((1u << FLAT_MAX_CPUS) - 1), others, got;
	u32 id = cpu_apic_id(last);

	report_prefix_push("other CPU");
	if (nr_cpus < 2) {
		report_skip("needs 2 CPUs (have %u)", nr_cpus);
		report_prefix_pop();
		return;
	}

	/* Physical destination: the APIC ID (82093AA 3.2.4). */
	check_edge("physical: edge to the last CPU's APIC ID",
		   entry_for(VEC_EDGE, id, 0), 1ull << last);
	check_level_eoi("physical: level", last,
			entry_for(VEC_LEVEL, id, IOAPIC_TRIGGER_LEVEL));

	/* Logical destination: an MDA matched against the LDRs, here the
	 * flat model (SDM vol 3, 11.6.2.2). */
	on_cpus(set_flat_id, NULL);
	others = flat & ~1ull;
	check_edge("logical: edge to the last CPU",
		   entry_for(VEC_EDGE, 1u << last, IOAPIC_DEST_LOGICAL),
		   1ull << last);
	check_edge("logical: fixed edge to all but CPU 0",
		   entry_for(VEC_EDGE, others, IOAPIC_DEST_LOGICAL), others);
	check_edge("logical: MDA 0 reaches no CPU",
		   entry_for(VEC_EDGE, 0, IOAPIC_DEST_LOGICAL), 0);
	check_level_eoi("logical: level", last,
			entry_for(VEC_LEVEL, 1u << last,
				  IOAPIC_DEST_LOGICAL | IOAPIC_TRIGGER_LEVEL));

	/* Lowest priority (82093AA 3.2.4, SDM vol 3, 11.6.2.4): exactly one
	 * CPU of the set; which one is the hardware's choice. */
	pc_testdev_set_irq(PIN_EDGE, 0);
	ioapic_write_redir(PIN_EDGE, entry_for(VEC_EDGE, flat,
					       IOAPIC_DEST_LOGICAL |
					       IOAPIC_DM_LOWEST));
	irq_count_reset();
	pc_testdev_set_irq(PIN_EDGE, 1);
	irq_wait_total(1, IRQ_WAIT_CYCLES);
	irq_settle(IRQ_SETTLE_CYCLES);
	pc_testdev_set_irq(PIN_EDGE, 0);
	ioapic_write_redir(PIN_EDGE, IOAPIC_MASKED);
	got = irq_count_cpus();
	report(irq_count_total() == 1 && !(got & ~flat), "logical: lowest "
	       "priority to all CPUs, exactly one of them (got CPUs %#llx, "
	       "%u interrupts; want one of %#llx, 1)", (unsigned long long)got,
	       irq_count_total(), (unsigned long long)flat);

	on_cpus(clear_logical_id, NULL);
	report_prefix_pop();
}

int main(void)
{
	report_prefix_push("ioapic");
	irq_count_install(VEC_EDGE);
	irq_count_install(VEC_LEVEL);
	irq_count_set_hook(level_hook);
	cli();
	test_registers();

	if (!pc_testdev_present()) {
		report_skip("no pc-testdev at port %#x to drive interrupt "
			    "lines (-device pc-testdev)", PC_TESTDEV_SCRATCH);
		return report_summary();
	}
	test_edge();
	test_level();
	test_other_cpu();
	return report_summary();
}
