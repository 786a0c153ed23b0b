// SPDX-License-Identifier: GPL-2.0-only
/*
 * SVE (Arm ARM, "The Scalable Vector Extension"): with
 * CPACR_EL1.ZEN clear an SVE instruction traps with ESR_EL1.EC 0x19;
 * enabled, RDVL reports the vector length ZCR_EL1.LEN asks for, capped by
 * what the CPU has, in 128-bit steps (ZCR_EL1). SKIP when
 * ID_AA64PFR0_EL1.SVE (bits 35:32) is 0.
 */
#include "libcflat.h"
#include "arm/esr.h"
#include "arm/exceptions.h"
#include "arm/sysreg.h"

#define CPACR_ZEN	(3ul << 16)
#define ZCR_EL1		S3_0_C1_C2_0

static long vl_bytes;

static void do_rdvl(void *arg)
{
	long v;

	(void)arg;
	__asm__ __volatile__(".arch_extension sve\n\trdvl %0, #1" : "=r"(v));
	vl_bytes = v;
}

int main(void)
{
	unsigned sve = (read_sysreg(id_aa64pfr0_el1) >> 32) & 0xf;
	struct exc_info info;
	u64 cpacr = read_sysreg(cpacr_el1);
	long max_vl, prev = 0;

	report_prefix_push("sve");
	if (!sve) {
		report_skip("no SVE: ID_AA64PFR0_EL1.SVE is 0");
		return report_summary();
	}
	write_sysreg(cpacr & ~CPACR_ZEN, cpacr_el1);
	isb();
	run_catching(do_rdvl, NULL, &info);
	report(info.kind == EXC_OTHER && info.ec == ESR_EC_SVE,
	       "RDVL with CPACR_EL1.ZEN 0 traps (got %s, EC %#x, want EC "
	       "%#x; Arm ARM, CPACR_EL1 and ESR_EL1)",
	       exc_kind_name(info.kind), info.ec, ESR_EC_SVE);

	write_sysreg(cpacr | CPACR_ZEN, cpacr_el1);
	isb();
	write_sysreg(0xf, ZCR_EL1);		/* the largest there is */
	isb();
	run_catching(do_rdvl, NULL, &info);
	max_vl = vl_bytes;
	report(info.kind == EXC_NONE && max_vl >= 16 && max_vl <= 256 &&
	       max_vl % 16 == 0, "RDVL at ZCR_EL1.LEN 15: %ld bytes (want a "
	       "multiple of 16 in 16..256; Arm ARM, ZCR_EL1)", max_vl);
	for (unsigned len = 0; len < 4; len++) {
		long lo, hi;

		write_sysreg(len, ZCR_EL1);
		isb();
		do_rdvl(NULL);
		/* not above 16 * (LEN + 1) nor the largest, never shrinking
		 * as LEN grows; 128 bits is always there, so LEN 0 gives
		 * exactly 16 bytes */
		lo = len ? MAX(prev, 16L) : 16;
		hi = MIN(16L * (len + 1), max_vl);
		report(vl_bytes >= lo && vl_bytes <= hi, "ZCR_EL1.LEN %u: VL %ld "
		       "bytes (want %ld..%ld; Arm ARM, ZCR_EL1)", len,
		       vl_bytes, lo, hi);
		prev = vl_bytes;
	}
	write_sysreg(cpacr, cpacr_el1);
	isb();
	return report_summary();
}
