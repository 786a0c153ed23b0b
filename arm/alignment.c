// SPDX-License-Identifier: GPL-2.0-only
/*
 * Alignment faults (Arm ARM, "Alignment support" and SCTLR_EL1.A;
 * DDI 0406C, "Unaligned data access" and SCTLR.A): an unaligned load from
 * Normal memory faults only with SCTLR.A set, and on aarch64 an unaligned
 * access to Device memory always faults (Arm ARM, "Alignment support"),
 * with DFSC 0b100001 (alignment fault). ARMv7 leaves the Device case
 * UNPREDICTABLE (DDI 0406C, "Unaligned data access"), so arm does not
 * check it.
 */
#include "libcflat.h"
#include "devicetree.h"
#include "arm/exceptions.h"
#include "arm/io.h"
#include "arm/sysreg.h"

#ifdef __aarch64__
#define SECT_ALIGN	"Arm ARM, Alignment support, SCTLR_EL1.A"
#else
#define SECT_ALIGN	"DDI 0406C, Unaligned data access, SCTLR.A"
#endif

#define SCTLR_A		(1u << 1)

#ifdef __aarch64__
static u64 sctlr_read(void) { return read_sysreg(sctlr_el1); }
static void sctlr_write(u64 v) { write_sysreg(v, sctlr_el1); isb(); }
#else
static u64 sctlr_read(void) { return cp15_read32(0, c1, c0, 0); }
static void sctlr_write(u64 v) { cp15_write32(v, 0, c1, c0, 0); isb(); }
#endif

static u32 buf[4] __aligned(16);

/* One unaligned 32-bit load; -mstrict-align code makes none of its own. */
static void unaligned_load(void *p)
{
	u32 v;

#ifdef __aarch64__
	__asm__ __volatile__("ldr %w0, [%1]" : "=r"(v) : "r"(p) : "memory");
#else
	__asm__ __volatile__("ldr %0, [%1]" : "=r"(v) : "r"(p) : "memory");
#endif
	(void)v;
}

static void load_with_a(void *p)
{
	sctlr_write(sctlr_read() | SCTLR_A);
	unaligned_load(p);
}

int main(void)
{
	u8 *p = (u8 *)buf + 1;
	struct exc_info info;
	u64 sctlr = sctlr_read();
	int node;
	struct dt_reg reg;

	report_prefix_push("alignment");
	run_catching(unaligned_load, p, &info);
	report(info.kind == EXC_NONE, "SCTLR.A clear: unaligned load from "
	       "Normal memory works (got %s; %s)", exc_kind_name(info.kind),
	       SECT_ALIGN);
	run_catching(load_with_a, p, &info);
	sctlr_write(sctlr);
	report(info.kind == EXC_DABT && info.fsc == FSC_ALIGNMENT &&
	       info.far == (uintptr_t)p, "SCTLR.A set: alignment fault (got "
	       "%s, FSC %#x, FAR %#lx; want FSC %#x, FAR %p; %s)",
	       exc_kind_name(info.kind), info.fsc, (unsigned long)info.far,
	       FSC_ALIGNMENT, p, SECT_ALIGN);

#ifndef __aarch64__
	report_skip("Device memory: an unaligned access is UNPREDICTABLE on "
		    "ARMv7 (DDI 0406C, Unaligned data access)");
	return report_summary();
#endif
	node = dt_find_compatible("arm,pl031");
	if (node < 0 || dt_get_reg(node, 0, &reg)) {
		report_skip("Device memory: no arm,pl031 node to read from");
		return report_summary();
	}
	/* PL031 RTCPeriphID0, harmless to read (DDI 0224, 3.3.10) */
	p = (u8 *)ioremap(reg.addr, reg.size) + 0xfe0 + 1;
	run_catching(unaligned_load, p, &info);
	report(info.kind == EXC_DABT && info.fsc == FSC_ALIGNMENT,
	       "unaligned load from Device memory: alignment fault (got %s, "
	       "FSC %#x; want FSC %#x; Arm ARM, Alignment support)",
	       exc_kind_name(info.kind), info.fsc, FSC_ALIGNMENT);
	return report_summary();
}
