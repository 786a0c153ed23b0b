/*
 * I/O APIC: identification registers, redirection entries, edge and
 * level-triggered delivery with the remote IRR handshake (Intel 82093AA
 * data sheet, 3.2; SDM vol 3, 11.8.4 for the EOI that clears remote IRR
 * of a level-triggered interrupt), masking, and delivery to another CPU.
 * Interrupt lines are driven through QEMU's pc-testdev.
 */
#include "libcflat.h"
#include "x86/apic.h"
#include "x86/desc.h"
#include "x86/ioapic.h"
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

static volatile unsigned hits[MAX_CPUS];
static volatile unsigned last_vector;
/* level handler: lower the line on this hit, then EOI */
static volatile unsigned lower_at;
static volatile u64 entry_in_handler;
static volatile bool tmr_in_handler;

static bool tmr_set(u8 vector)
{
	return (apic_read(APIC_TMR + (vector / 32) * 0x10) >> (vector % 32)) &
	       1;
}

static void edge_handler(struct ex_regs *regs)
{
	hits[smp_id()]++;
	last_vector = regs->vector;
	apic_eoi();
}

static void level_handler(struct ex_regs *regs)
{
	unsigned cpu = smp_id(), n = hits[cpu] + 1;

	last_vector = regs->vector;
	entry_in_handler = ioapic_read_redir(PIN_LEVEL);
	tmr_in_handler = tmr_set(VEC_LEVEL);
	if (n >= lower_at)
		pc_testdev_set_irq(PIN_LEVEL, 0);
	apic_eoi();
	/* counted after the EOI: a waiter may then check remote IRR */
	hits[cpu] = n;
}

static void reset_counts(void)
{
	unsigned i;

	for (i = 0; i < MAX_CPUS; i++)
		hits[i] = 0;
	last_vector = 0;
}

/* With IF=1, wait until @cpu has seen @want interrupts, or time out;
 * a timeout also serves to be sure nothing more arrives. */
static bool wait_hits(unsigned cpu, unsigned want)
{
	u64 start = rdtsc();

	sti();
	while (hits[cpu] < want && rdtsc() - start < WAIT_CYCLES)
		pause();
	cli();
	return hits[cpu] >= want;
}

static u64 entry_for(u8 vector, u32 dest_apic_id, u64 flags)
{
	return vector | IOAPIC_DM_FIXED | flags |
	       (u64)dest_apic_id << IOAPIC_DEST_SHIFT;
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
	       "read-only (got %#lx, want %#lx)", got, want);
	ioapic_write_redir(PIN_EDGE, IOAPIC_MASKED);
}

static void test_edge(void)
{
	u32 me = apic_id();
	bool ok;

	report_prefix_push("edge");
	handle_exception(VEC_EDGE, edge_handler);
	pc_testdev_set_irq(PIN_EDGE, 0);
	ioapic_write_redir(PIN_EDGE, entry_for(VEC_EDGE, me, 0));

	reset_counts();
	pc_testdev_set_irq(PIN_EDGE, 1);
	ok = wait_hits(0, 1);
	report(ok && last_vector == VEC_EDGE, "rising edge delivers the "
	       "vector (got %u, vector %#x)", hits[0], last_vector);
	wait_hits(0, 2);
	report(hits[0] == 1, "a line held high delivers once (got %u)",
	       hits[0]);
	pc_testdev_set_irq(PIN_EDGE, 0);
	pc_testdev_set_irq(PIN_EDGE, 1);
	ok = wait_hits(0, 2);
	pc_testdev_set_irq(PIN_EDGE, 0);
	report(ok && hits[0] == 2, "a second edge delivers again (got %u)",
	       hits[0]);

	ioapic_write_redir(PIN_EDGE, IOAPIC_MASKED);
	report_prefix_pop();
}

static void test_level(void)
{
	u32 me = apic_id();
	u64 e;
	bool ok;

	report_prefix_push("level");
	handle_exception(VEC_LEVEL, level_handler);
	pc_testdev_set_irq(PIN_LEVEL, 0);
	ioapic_write_redir(PIN_LEVEL, entry_for(VEC_LEVEL, me,
						IOAPIC_TRIGGER_LEVEL));

	/* Remote IRR is set once the local APIC accepts the interrupt
	 * and cleared by its EOI; the local APIC's TMR marks it level
	 * (SDM vol 3, 11.8.4). */
	reset_counts();
	lower_at = 1;
	pc_testdev_set_irq(PIN_LEVEL, 1);
	ok = wait_hits(0, 1);
	report(ok && last_vector == VEC_LEVEL, "asserted line delivers the "
	       "vector (got %u, vector %#x)", hits[0], last_vector);
	report(entry_in_handler & IOAPIC_REMOTE_IRR, "remote IRR set until "
	       "EOI (entry in the handler %#lx)", entry_in_handler);
	report(tmr_in_handler, "local APIC TMR bit set for the vector");
	e = ioapic_read_redir(PIN_LEVEL);
	report(!(e & IOAPIC_REMOTE_IRR), "remote IRR clear after EOI "
	       "(entry %#lx)", e);

	/* Still asserted at EOI: delivered again (82093AA 3.2.4, remote
	 * IRR). */
	reset_counts();
	lower_at = 2;
	pc_testdev_set_irq(PIN_LEVEL, 1);
	ok = wait_hits(0, 2);
	report(ok && hits[0] == 2, "line still asserted at EOI is delivered "
	       "again (got %u, want 2)", hits[0]);

	/* Masked: nothing while masked; unmasked with the line still
	 * asserted, delivered. */
	reset_counts();
	lower_at = 1;
	ioapic_write_redir(PIN_LEVEL, entry_for(VEC_LEVEL, me,
						IOAPIC_TRIGGER_LEVEL |
						IOAPIC_MASKED));
	pc_testdev_set_irq(PIN_LEVEL, 1);
	wait_hits(0, 1);
	e = ioapic_read_redir(PIN_LEVEL);
	report(hits[0] == 0 && !(e & IOAPIC_REMOTE_IRR), "masked: not "
	       "delivered (got %u, entry %#lx)", hits[0], e);
	ioapic_write_redir(PIN_LEVEL, entry_for(VEC_LEVEL, me,
						IOAPIC_TRIGGER_LEVEL));
	ok = wait_hits(0, 1);
	report(ok && hits[0] == 1, "unmasked while asserted: delivered (got "
	       "%u)", hits[0]);

	pc_testdev_set_irq(PIN_LEVEL, 0);
	ioapic_write_redir(PIN_LEVEL, IOAPIC_MASKED);
	report_prefix_pop();
}

static void test_other_cpu(void)
{
	unsigned last = nr_cpus - 1;
	bool ok;

	report_prefix_push("other CPU");
	if (nr_cpus < 2) {
		report_skip("needs 2 CPUs (have %u)", nr_cpus);
		report_prefix_pop();
		return;
	}

	handle_exception(VEC_EDGE, edge_handler);
	pc_testdev_set_irq(PIN_EDGE, 0);
	ioapic_write_redir(PIN_EDGE, entry_for(VEC_EDGE, cpu_apic_id(last),
					       0));
	reset_counts();
	pc_testdev_set_irq(PIN_EDGE, 1);
	ok = wait_hits(last, 1);
	pc_testdev_set_irq(PIN_EDGE, 0);
	report(ok && hits[0] == 0, "edge to APIC ID %u reaches CPU %u only "
	       "(got %u there, %u on CPU 0)", cpu_apic_id(last), last,
	       hits[last], hits[0]);

	/* Level to the other CPU: its EOI clears remote IRR. */
	handle_exception(VEC_LEVEL, level_handler);
	lower_at = 1;
	ioapic_write_redir(PIN_LEVEL, entry_for(VEC_LEVEL, cpu_apic_id(last),
						IOAPIC_TRIGGER_LEVEL));
	reset_counts();
	pc_testdev_set_irq(PIN_LEVEL, 1);
	ok = wait_hits(last, 1);
	report(ok && hits[0] == 0 &&
	       !(ioapic_read_redir(PIN_LEVEL) & IOAPIC_REMOTE_IRR),
	       "level to CPU %u, remote IRR cleared by its EOI (got %u "
	       "there, %u on CPU 0)", last, hits[last], hits[0]);

	pc_testdev_set_irq(PIN_LEVEL, 0);
	ioapic_write_redir(PIN_EDGE, IOAPIC_MASKED);
	ioapic_write_redir(PIN_LEVEL, IOAPIC_MASKED);
	report_prefix_pop();
}

int main(void)
{
	report_prefix_push("ioapic");
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
