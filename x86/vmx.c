/*
 * Intel VMX: VMXON, a VMCS made current, VMREAD/VMWRITE, VMXOFF (SDM vol
 * 3, chapters 24-26 and vol 2B/2C instruction pages; 31.5 for entering
 * VMX operation).
 *
 * Needs CPUID.01H:ECX[5]. VMXON wants CR4.VMXE, CR0/CR4 within the
 * IA32_VMX_CR0/CR4_FIXED0/1 MSRs (A.7, A.8), IA32_FEATURE_CONTROL locked
 * with "VMX outside SMX" set, and a 4 KiB region starting with the VMCS
 * revision identifier of IA32_VMX_BASIC[30:0] (A.1). A region with the
 * wrong revision gives VMfailInvalid (CF=1). Success is CF=ZF=0 (SDM vol
 * 3, 31.2 "Conventions").
 *
 * Neither TCG nor the CI's KVM (no nested VMX) offers VMX: there the
 * test SKIPs with the CPUID reason, and the asserting path below has not
 * been run by its author.
 */
#include "libcflat.h"
#include "x86/processor.h"
#include "x86/vm.h"

#define MSR_IA32_FEATURE_CONTROL	0x03a	/* SDM vol 4, table 2-2 */
#define FEATURE_CONTROL_LOCK		(1ull << 0)
#define FEATURE_CONTROL_VMX_OUTSIDE_SMX	(1ull << 2)
#define MSR_IA32_VMX_BASIC		0x480
#define MSR_IA32_VMX_CR0_FIXED0		0x486
#define MSR_IA32_VMX_CR0_FIXED1		0x487
#define MSR_IA32_VMX_CR4_FIXED0		0x488
#define MSR_IA32_VMX_CR4_FIXED1		0x489
#define VMX_BASIC_REVISION_MASK		0x7fffffffull

#define X86_CR4_VMXE			(1ul << 13)	/* SDM vol 3, 2.5 */

/* VMCS field encoding: guest CR3, SDM vol 3, appendix B.4.3 */
#define VMCS_GUEST_CR3			0x6802

#define RFLAGS_VMFAIL			(X86_EFLAGS_CF | X86_EFLAGS_ZF)

/* Each returns RFLAGS after the instruction: CF, ZF report the result. */
static unsigned long vmxon(u64 pa)
{
	unsigned long f;

	asm volatile("vmxon %1; pushf; pop %0" : "=r"(f) : "m"(pa)
		     : "memory", "cc");
	return f;
}

static unsigned long vmxoff(void)
{
	unsigned long f;

	asm volatile("vmxoff; pushf; pop %0" : "=r"(f) :: "memory", "cc");
	return f;
}

static unsigned long vmclear(u64 pa)
{
	unsigned long f;

	asm volatile("vmclear %1; pushf; pop %0" : "=r"(f) : "m"(pa)
		     : "memory", "cc");
	return f;
}

static unsigned long vmptrld(u64 pa)
{
	unsigned long f;

	asm volatile("vmptrld %1; pushf; pop %0" : "=r"(f) : "m"(pa)
		     : "memory", "cc");
	return f;
}

static u64 vmptrst(void)
{
	u64 pa;

	asm volatile("vmptrst %0" : "=m"(pa) :: "memory");
	return pa;
}

static unsigned long vmwrite(u64 field, u64 val)
{
	unsigned long f;

	asm volatile("vmwrite %2, %1; pushf; pop %0" : "=r"(f)
		     : "r"(field), "r"(val) : "memory", "cc");
	return f;
}

static unsigned long vmread(u64 field, u64 *val)
{
	unsigned long f;

	asm volatile("vmread %2, %1; pushf; pop %0" : "=r"(f), "=r"(*val)
		     : "r"(field) : "memory", "cc");
	return f;
}

int main(void)
{
	u64 fc, basic, rev, *region, *vmcs, got;
	unsigned long f, cr0, cr4;

	report_prefix_push("vmx");
	if (!this_cpu_has(X86_FEATURE_VMX)) {
		report_skip("no VMX: CPUID.01H:ECX[5] clear");
		return report_summary();
	}
	fc = rdmsr(MSR_IA32_FEATURE_CONTROL);
	if ((fc & FEATURE_CONTROL_LOCK) &&
	    !(fc & FEATURE_CONTROL_VMX_OUTSIDE_SMX)) {
		report_skip("VMX disabled: IA32_FEATURE_CONTROL locked with bit "
			    "2 clear");
		return report_summary();
	}
	if (!(fc & FEATURE_CONTROL_LOCK))
		wrmsr(MSR_IA32_FEATURE_CONTROL, fc | FEATURE_CONTROL_LOCK |
		      FEATURE_CONTROL_VMX_OUTSIDE_SMX);

	basic = rdmsr(MSR_IA32_VMX_BASIC);
	rev = basic & VMX_BASIC_REVISION_MASK;
	report_info("IA32_VMX_BASIC %#lx, revision %#lx",
		    (unsigned long)basic, (unsigned long)rev);

	cr0 = read_cr0();
	cr4 = read_cr4();
	write_cr0((cr0 | rdmsr(MSR_IA32_VMX_CR0_FIXED0)) &
		  rdmsr(MSR_IA32_VMX_CR0_FIXED1));
	write_cr4(((cr4 | X86_CR4_VMXE) | rdmsr(MSR_IA32_VMX_CR4_FIXED0)) &
		  rdmsr(MSR_IA32_VMX_CR4_FIXED1));

	region = alloc_page();
	*(u32 *)region = rev ^ 1;
	f = vmxon(virt_to_phys(region));
	report((f & RFLAGS_VMFAIL) == X86_EFLAGS_CF, "VMXON with a wrong "
	       "revision: VMfailInvalid (got RFLAGS %#lx, want CF=1 ZF=0)", f);

	*(u32 *)region = rev;
	f = vmxon(virt_to_phys(region));
	report(!(f & RFLAGS_VMFAIL), "VMXON succeeds (got RFLAGS %#lx, want "
	       "CF=0 ZF=0)", f);
	if (f & RFLAGS_VMFAIL)
		goto out;

	vmcs = alloc_page();
	*(u32 *)vmcs = rev;
	f = vmclear(virt_to_phys(vmcs));
	report(!(f & RFLAGS_VMFAIL), "VMCLEAR (got RFLAGS %#lx)", f);
	f = vmptrld(virt_to_phys(vmcs));
	report(!(f & RFLAGS_VMFAIL), "VMPTRLD (got RFLAGS %#lx)", f);
	got = vmptrst();
	report(got == virt_to_phys(vmcs), "VMPTRST gives the current VMCS "
	       "(got %#lx, want %#lx)", (unsigned long)got,
	       (unsigned long)virt_to_phys(vmcs));
	f = vmwrite(VMCS_GUEST_CR3, 0x12345000);
	report(!(f & RFLAGS_VMFAIL), "VMWRITE guest CR3 (got RFLAGS %#lx)", f);
	got = 0;
	f = vmread(VMCS_GUEST_CR3, &got);
	report(!(f & RFLAGS_VMFAIL) && got == 0x12345000, "VMREAD guest CR3 "
	       "(got RFLAGS %#lx, value %#lx, want 0x12345000)", f,
	       (unsigned long)got);

	f = vmxoff();
	report(!(f & RFLAGS_VMFAIL), "VMXOFF succeeds (got RFLAGS %#lx)", f);
out:
	write_cr4(cr4);
	write_cr0(cr0);
	return report_summary();
}
