// SPDX-License-Identifier: GPL-2.0-only
/*
 * From entry.S to main(): interrupt endianness, the device tree, the
 * console, memory and heap, the timebase, the CPUs, argv; and the way out
 * (RTAS power-off after the EXIT: line, DESIGN.md "Exit").
 */
#include <libfdt.h>
#include "libcflat.h"
#include "devicetree.h"
#include "powerpc/console.h"
#include "powerpc/exceptions.h"
#include "powerpc/hcall.h"
#include "powerpc/processor.h"
#include "powerpc/rtas.h"
#include "powerpc/setup.h"
#include "powerpc/smp.h"

#define MAX_MEM_REGIONS	16
/* QEMU's pseries timebase when the tree says nothing (512 MHz) */
#define TB_HZ_DEFAULT	512000000ULL
#define ARGV0		"powerpc"

extern char __image_end[];	/* powerpc/flat.lds */

int main(int argc, char **argv);
void setup(const void *fdt) __attribute__((noreturn));

u64 tb_hz = TB_HZ_DEFAULT;
bool tb_hz_from_dt;
static u64 ram_bytes;
static char cmdline[ARGV_BUF_SIZE];

u64 ram_size(void)
{
	return ram_bytes;
}

void arch_exit(int code)
{
	(void)code;	/* the EXIT: line before this carries it */
	rtas_power_off();
	for (;;)
		hcall_status(H_CEDE);
}

void udelay(u64 us)
{
	u64 t0 = get_tb(), ticks = us * tb_hz / 1000000;

	while (get_tb() - t0 < ticks)
		cpu_relax();
}

/* Interrupts are taken in the partition's byte order: H_SET_MODE
 * resource 4 sets LPCR[ILE] (PAPR, H_SET_MODE). */
static void set_interrupt_endianness(void)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	long ret = hcall_status(H_SET_MODE, H_SET_MODE_ENDIAN_LITTLE,
				H_SET_MODE_RESOURCE_LE, 0UL, 0UL);

	if (ret != H_SUCCESS) {
		/* nothing can be caught: say so and stop */
		console_puts("ABORT: H_SET_MODE(little-endian interrupts) "
			     "refused\nEXIT: STATUS=1\n");
		rtas_power_off();
	}
#endif
}

/* A decrementer tick nobody asked for: push the next one far away. */
static void stray_decrementer(struct pt_regs *regs, void *data)
{
	(void)regs;
	(void)data;
	mtspr(SPR_DEC, 0x7fffffffUL);
}

static void find_timebase(void)
{
	int node = fdt_path_offset(dt_fdt(), "/cpus");
	const void *p;
	int len;

	if (node < 0)
		return;
	fdt_for_each_subnode(node, dt_fdt(), node) {
		p = dt_get_prop(node, "timebase-frequency", &len);
		if (p && (len == 4 || len == 8)) {
			tb_hz = dt_cells(p, len / 4);
			tb_hz_from_dt = true;
			return;
		}
	}
}

/* The heap: from the image's end up to the end of the memory region
 * holding it, or to the device tree if that is in the way. */
static void setup_heap(const void *fdt)
{
	struct dt_reg regs[MAX_MEM_REGIONS];
	u64 start = (u64)(uintptr_t)__image_end, end = 0;
	u64 fdt_start = (u64)(uintptr_t)fdt;
	int n, i;

	n = dt_get_memory(regs, MAX_MEM_REGIONS);
	assert_msg(n > 0, "no memory in the device tree (%d)", n);
	for (i = 0; i < n && i < MAX_MEM_REGIONS; i++) {
		ram_bytes += regs[i].size;
		if (regs[i].addr <= start && start < regs[i].addr + regs[i].size)
			end = regs[i].addr + regs[i].size;
	}
	assert_msg(end, "the image is in no memory region");
	if (fdt_start >= start && fdt_start < end)
		end = fdt_start;
	heap_init((void *)(uintptr_t)start, end - start);
}

/*
 * SLOF (cfg firmware = default) enters with no device tree in r3: it
 * offers its client interface instead. The tree QEMU built for the
 * firmware is still in memory (QEMU puts it on a 1 MiB boundary below the
 * top of the RMA, hw/ppc/spapr.c): find it. A probe past the end of RAM
 * may raise a machine check, which run_catching() absorbs.
 */
#define FDT_SCAN_TOP	(2 * GiB)
#define FDT_SCAN_STEP	(1 * MiB)

static u32 probed;

static void probe_word(void *p)
{
	probed = *(volatile u32 *)p;
}

static const void *find_qemu_fdt(void)
{
	u64 a;

	for (a = FDT_SCAN_TOP - FDT_SCAN_STEP;
	     a >= ALIGN_UP((u64)(uintptr_t)__image_end, FDT_SCAN_STEP);
	     a -= FDT_SCAN_STEP) {
		const void *fdt = (const void *)(uintptr_t)a;

		probed = 0;
		if (run_catching(probe_word, (void *)fdt, NULL) ||
		    fdt_magic(&probed) != FDT_MAGIC || fdt_check_header(fdt))
			continue;
		if (!fdt_node_check_compatible(fdt, 0, "qemu,pseries"))
			return fdt;
	}
	return NULL;
}

static void setup_args_from_dt(void)
{
	const char *args = dt_get_bootargs();

	snprintf(cmdline, sizeof(cmdline), "%s %s", ARGV0, args ? args : "");
	setup_args(cmdline);
}

void setup(const void *fdt)
{
	int ret;

	set_interrupt_endianness();
	/* FP, VMX and VSX on: tests use them in inline assembly (the
	 * library itself is built without them). */
	mtmsr(mfmsr() | MSR_FP | MSR_VEC | MSR_VSX);
	mtspr(SPR_DEC, 0x7fffffffUL);
	handle_exception(VEC_DECREMENTER, stray_decrementer, NULL);

	if (fdt_check_header(fdt)) {
		const void *found = find_qemu_fdt();

		if (found)
			fdt = found;
	}
	ret = dt_init(fdt);
	if (ret) {
		printf("ABORT: bad device tree at %p: %s\n", fdt,
		       fdt_strerror(ret));
		exit(1);
	}
	console_init();
	setup_heap(fdt);
	find_timebase();
	smp_init();
	setup_args_from_dt();
	exit(main(__argc, __argv));
}
