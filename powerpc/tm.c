/*
 * Transactional memory (Power ISA v2.07/v3.0B Book II, "Transactional
 * Memory Facility"), where the CPU offers it (ibm,pa-features byte 22
 * bit 0, PAPR, CPU node properties): a committed transaction's stores are seen, an
 * aborted one's are rolled back with TEXASR holding tabort.'s code and
 * TFIAR the tabort.'s address.
 * test_args h_cede: H_CEDE with a transaction suspended (a case that once
 * lost the checkpointed state under KVM) returns still suspended, and
 * the transaction then ends normally.
 */
#include <libfdt.h>
#include "libcflat.h"
#include "devicetree.h"
#include "powerpc/exceptions.h"
#include "powerpc/hcall.h"
#include "powerpc/processor.h"

#define PA_TM_BYTE	22
#define PA_TM_BIT	0x80
#define TEXASR_ABORT	PPC_BIT(31)
#define TEXASR_CODE(t)	((t) >> 56)
#define MSR_TS_SUSPENDED PPC_BIT(30)
#define MSR_TS_TRANS	PPC_BIT(29)

static bool tm_offered(void)
{
	int node = fdt_path_offset(dt_fdt(), "/cpus");
	const u8 *pa;
	int len;

	fdt_for_each_subnode(node, dt_fdt(), node) {
		pa = dt_get_prop(node, "ibm,pa-features", &len);
		/* two header bytes: length, attribute-specifier */
		if (pa && len > PA_TM_BYTE + 2)
			return pa[PA_TM_BYTE + 2] & PA_TM_BIT;
	}
	return false;
}

static volatile u64 value;
extern char abort_at[];

/* 1: committed, 0: failed (then the failure handler ran) */
static int transaction(u64 newval, bool do_abort, u64 *texasr)
{
	int committed;

	__asm__ __volatile__(
		"	li	%0, 0\n"
		"	tbegin.\n"
		"	beq	1f\n"
		"	std	%2, 0(%1)\n"
		"	cmpdi	%3, 0\n"
		"	beq	2f\n"
		".globl abort_at\nabort_at:\n"
		"	tabort.	%4\n"
		"2:	tend.\n"
		"	li	%0, 1\n"
		"1:\n"
		: "=&r"(committed)
		: "b"(&value), "r"(newval), "r"((u64)do_abort), "r"(0x42UL)
		: "cr0", "memory");
	*texasr = mfspr(SPR_TEXASR);
	return committed;
}

static void test_tm(void)
{
	u64 texasr;
	int ok;

	value = 1;
	ok = transaction(2, false, &texasr);
	report(ok && value == 2, "tbegin./tend.: committed (%d), the store is "
	       "seen (value %lu, want 2)", ok, (unsigned long)value);
	if (!ok)
		report_info("TEXASR %#lx", (unsigned long)texasr);
	value = 1;
	ok = transaction(3, true, &texasr);
	report(!ok && value == 1, "tabort.: failed (committed %d), the store "
	       "rolled back (value %lu, want 1)", ok, (unsigned long)value);
	report(!ok && (texasr & TEXASR_ABORT) && TEXASR_CODE(texasr) == 0x42,
	       "TEXASR %#lx: Abort set, failure code 0x42", (unsigned long)texasr);
	report(!ok && mfspr(SPR_TFIAR) >> 2 == (u64)(uintptr_t)abort_at >> 2,
	       "TFIAR %#lx is the tabort. at %p", mfspr(SPR_TFIAR), abort_at);
}

static volatile int woke;

static void wake(struct pt_regs *regs, void *data)
{
	(void)regs;
	(void)data;
	woke++;
	mtspr(SPR_DEC, 0x7fffffffUL);
}

static void test_h_cede(void)
{
	u64 msr_in, msr_after;
	long ret = -1;
	int began;

	handle_exception(VEC_DECREMENTER, wake, NULL);
	value = 1;
	mtspr(SPR_DEC, tb_hz / 100);
	__asm__ __volatile__(
		"	li	%0, 0\n"
		"	tbegin.\n"
		"	beq	1f\n"
		"	li	%0, 1\n"
		"	tsuspend.\n"
		"1:\n" : "=&r"(began) :: "cr0", "memory");
	if (began) {
		msr_in = mfmsr();
		ret = hcall_status(H_CEDE);
		msr_after = mfmsr();
		__asm__ __volatile__("tresume.\n\ttend." ::: "cr0", "memory");
		local_irq_disable();
		report((msr_in & MSR_TS_MASK) == MSR_TS_SUSPENDED,
		       "suspended before H_CEDE (MSR %#lx)", (unsigned long)msr_in);
		report(ret == H_SUCCESS && woke == 1, "H_CEDE returned %ld, "
		       "woken by the decrementer (%d)", ret, woke);
		report((msr_after & MSR_TS_MASK) == MSR_TS_SUSPENDED,
		       "still suspended after it (MSR %#lx)",
		       (unsigned long)msr_after);
	} else {
		report_info("tbegin. failed at once (TEXASR %#lx): retried "
			    "nothing", mfspr(SPR_TEXASR));
	}
	report(!(mfmsr() & MSR_TS_MASK), "no transaction left (MSR %#lx)",
	       (unsigned long)mfmsr());
}

int main(int argc, char **argv)
{
	bool cede = argc > 1 && !strcmp(argv[1], "h_cede");

	report_prefix_push(cede ? "h_cede_tm" : "tm");
	if (!tm_offered()) {
		report_skip("no transactional memory: ibm,pa-features byte %d "
			    "bit 0 clear", PA_TM_BYTE);
		return report_summary();
	}
	mtmsr(mfmsr() | MSR_TM);
	if (!(mfmsr() & MSR_TM)) {
		report_skip("MSR[TM] does not stay set");
		return report_summary();
	}
	if (cede)
		test_h_cede();
	else
		test_tm();
	return report_summary();
}
