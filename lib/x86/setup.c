/*
 * From long mode to main(): per-CPU state, console, descriptor tables,
 * memory (fw_cfg and the e820 map), heap, APIC, the other CPUs, argv.
 */
#include "libcflat.h"
#include "x86/apic.h"
#include "x86/desc.h"
#include "x86/fwcfg.h"
#include "x86/multiboot.h"
#include "x86/processor.h"
#include "x86/serial.h"
#include "x86/setup.h"
#include "x86/smp.h"
#include "x86/vm.h"

#define FOUR_GIB	(1ull << 32)
/* -device isa-debug-exit,iobase=0xf4,iosize=0x4 (the launcher's argv) */
#define ISA_DEBUG_EXIT_PORT	0xf4
#define MAX_E820	32

/* Highest address QEMU's pc machine puts low RAM at when etc/e820 is
 * missing (its default max-ram-below-4g, hw/i386/pc_piix.c). */
#define PC_LOWMEM_LIMIT	0xe0000000ull

extern char __image_end[];	/* x86/flat.lds */

int main(int argc, char **argv);
void x86_setup(u32 mbi_phys) __attribute__((noreturn));

static char cmdline[ARGV_BUF_SIZE];
static u64 ram_bytes, ram_top, heap_start, heap_bytes;

u64 ram_size(void)
{
	return ram_bytes;
}

u64 ram_end(void)
{
	return ram_top;
}

void heap_range(u64 *start, u64 *size)
{
	*start = heap_start;
	*size = heap_bytes;
}

const char *boot_cmdline(void)
{
	return cmdline;
}

void arch_exit(int code)
{
	/* QEMU then exits with status (code << 1) | 1 */
	outl(code, ISA_DEBUG_EXIT_PORT);
	for (;;) {
		cli();
		hlt();
	}
}

void cpu_features_init(void)
{
	/* Let tests use SSE if they want it: CR0.MP set, CR0.EM clear,
	 * CR4.OSFXSR/OSXMMEXCPT set (SDM vol 3, 14.1.3). CR0.NE selects
	 * native x87 error reporting (#MF). */
	write_cr0((read_cr0() & ~X86_CR0_EM) | X86_CR0_MP | X86_CR0_NE);
	write_cr4(read_cr4() | X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT);
}

static void copy_cmdline(const struct mb_info *mbi)
{
	const char *src;
	size_t i;

	if (!(mbi->flags & MB_INFO_CMDLINE) || !mbi->cmdline)
		return;
	src = (const char *)(uintptr_t)mbi->cmdline;
	for (i = 0; i + 1 < sizeof(cmdline) && src[i]; i++)
		cmdline[i] = src[i];
	cmdline[i] = 0;
}

static struct e820_entry e820[MAX_E820];
static unsigned e820_count;

/* The RAM range [*start, *end) that holds the image; sets ram_top. */
static void find_memory(u64 image_end, u64 *start, u64 *end)
{
	unsigned i;

	e820_count = fwcfg_e820(e820, MAX_E820);
	*start = image_end;
	*end = 0;
	ram_top = 0;
	for (i = 0; i < e820_count; i++) {
		u64 lo = e820[i].address, hi = lo + e820[i].length;

		if (e820[i].type != E820_RAM)
			continue;
		if (hi > ram_top)
			ram_top = hi;
		if (lo <= image_end && image_end < hi)
			*end = hi;
	}
	if (!*end) {
		/* No etc/e820 (not QEMU's pc?): trust the RAM size. */
		*end = ram_bytes < PC_LOWMEM_LIMIT ? ram_bytes
						   : PC_LOWMEM_LIMIT;
		ram_top = *end;
	}
}

/* cstart64.S mapped the low 4 GiB; map the RAM above. */
static void map_high_memory(void)
{
	unsigned i;

	/* i386 addresses stop at 4 GiB: RAM above is not mapped. */
	if (sizeof(void *) < 8)
		return;

	for (i = 0; i < e820_count; i++) {
		u64 lo = e820[i].address, hi = lo + e820[i].length;

		if (e820[i].type == E820_RAM && hi > FOUR_GIB)
			identity_map_range(lo > FOUR_GIB ? lo : FOUR_GIB, hi);
	}
}

void x86_setup(u32 mbi_phys)
{
	const struct mb_info *mbi = (const void *)(uintptr_t)mbi_phys;
	u64 start, end;

	percpu_init(0);
	serial_init();
	idt_init();
	cpu_desc_init(0);
	cpu_features_init();
	mask_pic();

	/* The command line sits just past the image: copy it before the
	 * heap takes that memory. */
	copy_cmdline(mbi);

	if (!fwcfg_present()) {
		printf("setup: no fw_cfg at port %#x\n", FW_CFG_PORT_SEL);
		abort();
	}
	ram_bytes = fwcfg_ram_size();

	find_memory(ALIGN_UP((u64)(uintptr_t)__image_end, PAGE_SIZE),
		    &start, &end);
	heap_start = start;
	heap_bytes = end - start;
	heap_init((void *)(uintptr_t)heap_start, heap_bytes);
	/* needs the heap for its page tables */
	map_high_memory();

	apic_setup_cpu();
	smp_init();

	setup_args(cmdline);
	exit(main(__argc, __argv));
}
