/*
 * 5-level paging (SDM vol 3, 4.5; CPUID.07H.0:ECX[16]).
 *
 * CR4.LA57 selects 4- or 5-level paging and can change only outside
 * IA-32e mode: MOV to CR4 that changes it while IA32_EFER.LMA=1 raises
 * #GP(0) (SDM vol 2B, MOV to/from control registers; vol 3, 4.1.1).
 * Without the CPUID bit, CR4.LA57 is reserved and setting it is #GP(0)
 * too. These tests run in 64-bit mode, so they check only that the bit
 * cannot change here; building 5-level tables needs leaving long mode,
 * which this test does not do.
 */
#include "libcflat.h"
#include "x86/desc.h"
#include "x86/processor.h"

static int write_cr4_safe(unsigned long v)
{
	asm volatile(EX_FIXUP_BEGIN "1: mov %0, %%cr4\n\t2:\n\t" EX_FIXUP_END
		     :: "r"(v) : "memory");
	return exception_vector();
}

int main(void)
{
	unsigned long cr4 = read_cr4();
	int v;

	report_prefix_push("la57");
	v = write_cr4_safe(cr4 | X86_CR4_LA57);
	if (read_cr4() != cr4)
		write_cr4(cr4);
	report(v == GP_VECTOR, "setting CR4.LA57 in IA-32e mode raises #GP "
	       "(got %s, want #GP)", v < 0 ? "none" : exception_mnemonic(v));
	if (!this_cpu_has(X86_FEATURE_LA57))
		report_skip("no 5-level paging: CPUID.07H.0:ECX[16] clear; "
			    "5-level tables not tested");
	else
		report_info("5-level paging present; 5-level tables and 57-bit "
			    "addresses are not tested (needs leaving long "
			    "mode)");
	return report_summary();
}
