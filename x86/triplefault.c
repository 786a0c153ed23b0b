/*
 * A guest that triple-faults on purpose, for the launcher's fault tests
 * (tests/e2e/faults.sh); it is in no default set (groups = nodefault).
 *
 * With an IDT limit of 0 no vector can be delivered: #UD (vector 6) finds
 * its gate beyond the limit and raises #GP, which cannot be delivered
 * either, so the processor raises #DF, whose failure is a triple fault and
 * a shutdown (SDM vol 3, 6.15, interrupt 8, "Double Fault Exception").
 * QEMU resets on a shutdown; under -no-reboot it exits without the guest's
 * status, and the launcher must call that a failure.
 */
#include "libcflat.h"

/* The operand of LIDT (SDM vol 2A, LGDT/LIDT). */
struct idt_pseudo_desc {
	u16 limit;
	unsigned long base;
} __attribute__((packed));

int main(void)
{
	static const struct idt_pseudo_desc empty = { .limit = 0, .base = 0 };

	report_info("triplefault: loading an empty IDT, then UD2");
	asm volatile("lidt %0\n\tud2" : : "m"(empty) : "memory");
	report_fail("triplefault: still running after UD2 with an empty IDT");
	return report_summary();
}
