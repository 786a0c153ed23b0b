/*
 * One physical page mapped at thousands of linear addresses.
 *
 * A shadow-paging hypervisor keeps, per guest page, the list of shadow
 * entries that map it (its reverse map); thousands of aliases make that
 * list long. Whatever the hypervisor does, every alias must read what
 * was last written through any other (SDM vol 3, 4.1: translation is a
 * pure function of the paging structures), an unmapped alias must fault
 * (#PF, P=0, CR2 the address: SDM vol 3, 4.7), and an alias moved to
 * another page must show that page once its TLB entry is invalidated
 * (SDM vol 3, 4.10.4.1).
 */
#include "libcflat.h"
#include "x86/desc.h"
#include "x86/processor.h"
#include "x86/vm.h"

#define NR_ALIASES		4096
/* Aliases start here: far from vmap()'s area, in tables of our own. */
#ifdef __x86_64__
#define ALIAS_BASE		(VMAP_BASE + (2ull << 40))
#else
/* i386: 16 MiB of the 32-bit space above vmap()'s first pages and below
 * the PCI hole; install_page() splits the boot identity map there. */
#define ALIAS_BASE		(VMAP_BASE + 0x08000000ull)
#endif

static u8 *alias(unsigned i)
{
	return (u8 *)(uintptr_t)(ALIAS_BASE + (u64)i * PAGE_SIZE);
}

/* One native-width access, so CR2 is the alias itself: i386 splits a
 * u64 access in two, in an order of the compiler's choosing. */
static volatile unsigned long *probe_addr;
static unsigned long probe_val;

static void do_write(void *unused)
{
	(void)unused;
	*probe_addr = 0xdead;
}

static void do_read(void *unused)
{
	(void)unused;
	probe_val = *probe_addr;
}

/* Mismatches between each alias's first word and @want. */
static unsigned check_all(u64 want, unsigned step, unsigned first)
{
	unsigned i, bad = 0;

	for (i = first; i < NR_ALIASES; i += step)
		bad += *(volatile u64 *)alias(i) != want;
	return bad;
}

int main(void)
{
	u64 *page = alloc_page(), *other = alloc_page();
	u64 phys = virt_to_phys(page), ophys = virt_to_phys(other);
	unsigned i, bad, faults;
	struct ex_result r;

	report_prefix_push("rmap_chain");
	for (i = 0; i < NR_ALIASES; i++)
		install_page(alias(i), phys, PT_WRITABLE);

	*(volatile u64 *)alias(NR_ALIASES - 1) = 0x1234abcd;
	bad = check_all(0x1234abcd, 1, 0);
	report(!bad && *page == 0x1234abcd, "write through the last alias, "
	       "read through all %u (mismatches %u, want 0; page %#lx)",
	       NR_ALIASES, bad, (unsigned long)*page);

	/* Each alias writes in turn; the page must follow. */
	bad = 0;
	for (i = 0; i < NR_ALIASES; i++) {
		*(volatile u64 *)alias(i) = i;
		bad += *(volatile u64 *)alias((i * 7 + 1) % NR_ALIASES) != i;
	}
	report(!bad, "write through each alias, read through another "
	       "(mismatches %u, want 0)", bad);

	/* Drop every odd alias. */
	for (i = 1; i < NR_ALIASES; i += 2)
		unmap_page(alias(i));
	faults = 0;
	for (i = 1; i < NR_ALIASES; i += 2) {
		probe_addr = (volatile unsigned long *)alias(i);
		r = run_catching(do_read, NULL);
		faults += r.raised && r.vector == PF_VECTOR &&
			  !(r.error_code & PFERR_PRESENT) &&
			  r.cr2 == (uintptr_t)alias(i);
	}
	report(faults == NR_ALIASES / 2, "unmapped aliases fault (#PF, P=0, "
	       "CR2 exact: %u of %u, want all)", faults, NR_ALIASES / 2);
	*page = 0x5555;
	bad = check_all(0x5555, 2, 0);
	report(!bad, "remaining %u aliases still read the page (mismatches "
	       "%u, want 0)", NR_ALIASES / 2, bad);

	/* Map the odd ones to another page. */
	*other = 0x6666;
	for (i = 1; i < NR_ALIASES; i += 2)
		install_page(alias(i), ophys, PT_WRITABLE);
	bad = check_all(0x6666, 2, 1) + check_all(0x5555, 2, 0);
	report(!bad, "odd aliases moved to a second page, even ones kept "
	       "(mismatches %u, want 0)", bad);

	/* And all of them back, by rewriting the PTEs and INVLPG. */
	for (i = 1; i < NR_ALIASES; i += 2) {
		*get_pte(alias(i)) = phys | PT_PRESENT | PT_WRITABLE;
		invlpg(alias(i));
	}
	*(volatile u64 *)alias(1) = 0x7777;
	bad = check_all(0x7777, 1, 0);
	report(!bad && *other == 0x6666, "all back on the first page "
	       "(mismatches %u, want 0; second page %#lx, want 0x6666)", bad,
	       (unsigned long)*other);

	/* Read-only aliases: a write through one faults, memory unchanged. */
	for (i = 0; i < NR_ALIASES; i += 2) {
		*get_pte(alias(i)) &= ~PT_WRITABLE;
		invlpg(alias(i));
	}
	faults = 0;
	bad = 0;
	for (i = 0; i < NR_ALIASES; i += 2) {
		probe_addr = (volatile unsigned long *)alias(i);
		r = run_catching(do_write, NULL);
		faults += r.raised && r.vector == PF_VECTOR &&
			  r.error_code == (PFERR_PRESENT | PFERR_WRITE) &&
			  r.cr2 == (uintptr_t)alias(i);
	}
	report(faults == NR_ALIASES / 2 && *page == 0x7777,
	       "writes through read-only aliases fault (#PF, P=1 W=1: %u of "
	       "%u, want all; page %#lx, want 0x7777)", faults,
	       NR_ALIASES / 2, (unsigned long)*page);
	*(volatile u64 *)alias(1) = 0x8888;
	bad = check_all(0x8888, 1, 0);
	report(!bad, "write through a writable alias beside them, read "
	       "through all (mismatches %u, want 0)", bad);

	for (i = 0; i < NR_ALIASES; i++)
		unmap_page(alias(i));
	return report_summary();
}
