// SPDX-License-Identifier: GPL-2.0-only
/*
 * Caches: CTR_EL0/CTR describes them in the ARMv7+ format, and code written
 * through the data side runs after the maintenance the Arm ARM requires
 * ("Concurrent modification and execution of instructions" / DDI 0406C,
 * cache maintenance: clean to the point of unification, invalidate the
 * instruction cache, ISB), rewritten more than once at the same address.
 */
#include "libcflat.h"
#include "arm/mmu.h"
#include "arm/sysreg.h"

#ifdef __aarch64__
#define SECT_CTR	"Arm ARM, CTR_EL0"
#define SECT_SMC	"Arm ARM, Concurrent modification and execution " \
			"of instructions"
#else
#define SECT_CTR	"DDI 0406C, CTR"
#define SECT_SMC	"DDI 0406C, cache maintenance for instructions"
#endif

#define CTR_FORMAT(c)	(((c) >> 29) & 7)	/* 0b100: ARMv7 and later */
#define CTR_IDC		(1u << 28)		/* AArch64 only */
#define CTR_DIC		(1u << 29)
#define CTR_DMINLINE(c)	(4u << (((c) >> 16) & 0xf))
#define CTR_IMINLINE(c)	(4u << ((c) & 0xf))

#ifdef __aarch64__
/* MOVZ W0, #imm; RET */
#define INSN_MOV_RET(imm)	(0x52800000u | (imm) << 5)
#define INSN_RET		0xd65f03c0u
#else
/* MOV r0, #imm (encoding A1); BX lr */
#define INSN_MOV_RET(imm)	(0xe3a00000u | (imm))
#define INSN_RET		0xe12fff1eu
#endif

int main(void)
{
	u64 ctr = ctr_read();
	u32 *page = memalign(PAGE_SIZE, PAGE_SIZE);
	u32 *code;
	int (*fn)(void);

	report_prefix_push("cache");
	report(CTR_FORMAT(ctr) == 4, "CTR format is ARMv7+ (got %#llx, want "
	       "bits 31:29 = 0b100; %s)", (unsigned long long)ctr, SECT_CTR);
	report(CTR_DMINLINE(ctr) >= 16 && CTR_IMINLINE(ctr) >= 16,
	       "smallest cache lines: D %u, I %u bytes (want >= 16; %s)",
	       CTR_DMINLINE(ctr), CTR_IMINLINE(ctr), SECT_CTR);
#ifdef __aarch64__
	report_info("CTR_EL0.IDC %d, DIC %d", !!(ctr & CTR_IDC),
		    !!(ctr & CTR_DIC));
#endif
	assert(page);
	/* a kernel-only executable alias: a user-writable page is never
	 * privileged-executable (Arm ARM, VMSAv8-64 permissions) */
	code = vmap_prot(virt_to_phys(page), PAGE_SIZE, MEM_NORMAL, PROT_EXEC);
	fn = (int (*)(void))(uintptr_t)code;
	for (int round = 1; round <= 3; round++) {
		int got;

		code[0] = INSN_MOV_RET(round);
		code[1] = INSN_RET;
		sync_icache_range((uintptr_t)code, (uintptr_t)(code + 2));
		got = fn();
		report(got == round, "code rewritten %d times runs the latest "
		       "(got %d, want %d; %s)", round, got, round, SECT_SMC);
	}
	return report_summary();
}
