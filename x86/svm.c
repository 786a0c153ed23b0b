/*
 * AMD SVM: VMRUN of a trivial guest and the #VMEXIT codes it produces
 * (AMD APM vol 2, chapter 15; VMCB layout appendix B, exit codes C).
 *
 * Needs CPUID.80000001H:ECX[2] and VM_CR.SVMDIS clear (APM vol 2, 15.4).
 * VMRUN is #UD while EFER.SVME is clear (APM vol 3, VMRUN). The guest
 * shares the host's page tables, GDT and IDT; it runs one instruction
 * that is intercepted. A VMCB with guest ASID 0 is illegal and VMRUN
 * must exit at once with VMEXIT_INVALID (APM vol 2, 15.5.1).
 *
 * QEMU's TCG emulates SVM (cfg: -cpu qemu64,+svm); a KVM host needs
 * nested SVM, which the CI host lacks: the test SKIPs there.
 */
#include "libcflat.h"
#include "x86/desc.h"
#include "x86/processor.h"
#include "x86/vm.h"

#define MSR_VM_CR		0xc0010114	/* APM vol 2, 15.30.1 */
#define VM_CR_SVMDIS		(1ull << 4)
#define MSR_VM_HSAVE_PA		0xc0010117	/* APM vol 2, 15.30.4 */

/* VMCB control area offsets (APM vol 2, table B-1) */
#define VMCB_INTERCEPT_MISC1	0x00c
#define VMCB_INTERCEPT_MISC2	0x010
#define VMCB_ASID		0x058
#define VMCB_EXITCODE		0x070
#define VMCB_NEXT_RIP		0x0c8
#define INTERCEPT1_HLT		(1u << 24)
#define INTERCEPT2_VMRUN	(1u << 0)
#define INTERCEPT2_VMMCALL	(1u << 1)

/* VMCB state save area offsets (APM vol 2, table B-2) */
#define VMCB_ES			0x400
#define VMCB_CS			0x410
#define VMCB_SS			0x420
#define VMCB_DS			0x430
#define VMCB_GDTR		0x460
#define VMCB_IDTR		0x480
#define VMCB_CPL		0x4cb
#define VMCB_EFER		0x4d0
#define VMCB_CR4		0x548
#define VMCB_CR3		0x550
#define VMCB_CR0		0x558
#define VMCB_DR7		0x560
#define VMCB_DR6		0x568
#define VMCB_RFLAGS		0x570
#define VMCB_RIP		0x578
#define VMCB_RSP		0x5d8
#define VMCB_RAX		0x5f8
#define VMCB_G_PAT		0x668

/* Segment attributes: descriptor bits 47:40 and 55:52 (APM vol 2,
 * 15.5.1): 64-bit code (P, S, type B, L) and writable data. */
#define SEG_ATTR_CODE64		0x029b
#define SEG_ATTR_DATA		0x0c93

/* #VMEXIT codes, APM vol 2, appendix C */
#define VMEXIT_HLT		0x78
#define VMEXIT_VMMCALL		0x81
#define VMEXIT_INVALID		(-1ull)


struct seg {
	u16 sel, attr;
	u32 limit;
	u64 base;
} __packed;

struct dtr {
	u16 limit;
	u64 base;
} __packed;

static u8 *vmcb;
static u8 guest_stack[4096] __aligned(16);

extern char guest_vmmcall[], guest_hlt[];
asm(".text\n"
    "guest_vmmcall: vmmcall\n\t"
    "ud2\n"
    "guest_hlt: hlt\n\t"
    "ud2\n");

#define VMCB_FIELD(type, off)	(*(type *)(vmcb + (off)))

static void set_seg(unsigned off, u16 sel, u16 attr)
{
	struct seg *s = (struct seg *)(vmcb + off);

	s->sel = sel;
	s->attr = attr;
	s->limit = 0xffffffff;
	s->base = 0;
}

static void vmcb_init(void *rip)
{
	struct dtr gdtr, idtr;

	memset(vmcb, 0, PAGE_SIZE);
	VMCB_FIELD(u32, VMCB_INTERCEPT_MISC1) = INTERCEPT1_HLT;
	VMCB_FIELD(u32, VMCB_INTERCEPT_MISC2) = INTERCEPT2_VMRUN |
						INTERCEPT2_VMMCALL;
	VMCB_FIELD(u32, VMCB_ASID) = 1;

	set_seg(VMCB_CS, KERNEL_CS, SEG_ATTR_CODE64);
	set_seg(VMCB_SS, KERNEL_DS, SEG_ATTR_DATA);
	set_seg(VMCB_DS, KERNEL_DS, SEG_ATTR_DATA);
	set_seg(VMCB_ES, KERNEL_DS, SEG_ATTR_DATA);
	asm volatile("sgdt %0" : "=m"(gdtr));
	asm volatile("sidt %0" : "=m"(idtr));
	VMCB_FIELD(u32, VMCB_GDTR + 4) = gdtr.limit;
	VMCB_FIELD(u64, VMCB_GDTR + 8) = gdtr.base;
	VMCB_FIELD(u32, VMCB_IDTR + 4) = idtr.limit;
	VMCB_FIELD(u64, VMCB_IDTR + 8) = idtr.base;
	VMCB_FIELD(u8, VMCB_CPL) = 0;
	VMCB_FIELD(u64, VMCB_EFER) = rdmsr(MSR_EFER);
	VMCB_FIELD(u64, VMCB_CR0) = read_cr0();
	VMCB_FIELD(u64, VMCB_CR3) = read_cr3();
	VMCB_FIELD(u64, VMCB_CR4) = read_cr4();
	VMCB_FIELD(u64, VMCB_DR6) = 0xffff0ff0;	/* reset values, SDM vol 3, 18.2 */
	VMCB_FIELD(u64, VMCB_DR7) = 0x400;
	VMCB_FIELD(u64, VMCB_RFLAGS) = X86_EFLAGS_FIXED;
	VMCB_FIELD(u64, VMCB_RIP) = (uintptr_t)rip;
	VMCB_FIELD(u64, VMCB_RSP) = (uintptr_t)guest_stack + sizeof(guest_stack);
	VMCB_FIELD(u64, VMCB_G_PAT) = rdmsr(MSR_IA32_CR_PAT);
}

/*
 * VMRUN; back here at #VMEXIT with GIF clear and every register but RAX,
 * RSP and RIP as the guest left it (APM vol 2, 15.6), so the callee-saved
 * ones are kept on the stack.
 */
static void vmrun(void)
{
	u64 pa = virt_to_phys(vmcb);

	asm volatile("push %%rbx; push %%rbp; push %%r12; push %%r13;"
		     "push %%r14; push %%r15\n\t"
		     "vmrun\n\t"
		     "stgi\n\t"
		     "pop %%r15; pop %%r14; pop %%r13; pop %%r12;"
		     "pop %%rbp; pop %%rbx"
		     : "+a"(pa)
		     :: "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11",
		        "memory", "cc");
}

static int vmrun_safe(void)
{
	u64 pa = virt_to_phys(vmcb);

	asm volatile(EX_FIXUP_BEGIN "1: vmrun\n\t2:\n\t" EX_FIXUP_END
		     : "+a"(pa) :: "memory");
	return exception_vector();
}

int main(void)
{
	u64 code, efer;
	int v;

	report_prefix_push("svm");
	if (!this_cpu_has(X86_FEATURE_SVM)) {
		report_skip("no SVM: CPUID.80000001H:ECX[2] clear");
		return report_summary();
	}
	if (rdmsr(MSR_VM_CR) & VM_CR_SVMDIS) {
		report_skip("SVM disabled: VM_CR.SVMDIS (MSR C001_0114H bit 4) "
			    "set");
		return report_summary();
	}

	vmcb = alloc_page();
	efer = rdmsr(MSR_EFER);
	vmcb_init(guest_vmmcall);
	wrmsr(MSR_EFER, efer & ~EFER_SVME);
	v = vmrun_safe();
	report(v == UD_VECTOR, "VMRUN with EFER.SVME=0 raises #UD (got %s, "
	       "want #UD)", v < 0 ? "none" : exception_mnemonic(v));

	wrmsr(MSR_EFER, efer | EFER_SVME);
	wrmsr(MSR_VM_HSAVE_PA, virt_to_phys(alloc_page()));

	vmcb_init(guest_vmmcall);
	vmrun();
	code = VMCB_FIELD(u64, VMCB_EXITCODE);
	report(code == VMEXIT_VMMCALL, "VMMCALL exits with VMEXIT_VMMCALL "
	       "(got %#lx, want %#x)", (unsigned long)code, VMEXIT_VMMCALL);
	report(VMCB_FIELD(u64, VMCB_RIP) == (uintptr_t)guest_vmmcall,
	       "guest RIP at the VMMCALL (got %#lx, want %p)",
	       (unsigned long)VMCB_FIELD(u64, VMCB_RIP), guest_vmmcall);

	/* Resume past the VMMCALL: the guest runs HLT, intercepted. */
	VMCB_FIELD(u64, VMCB_RIP) = (uintptr_t)guest_hlt;
	vmrun();
	code = VMCB_FIELD(u64, VMCB_EXITCODE);
	report(code == VMEXIT_HLT, "HLT exits with VMEXIT_HLT (got %#lx, "
	       "want %#x)", (unsigned long)code, VMEXIT_HLT);

	vmcb_init(guest_vmmcall);
	VMCB_FIELD(u32, VMCB_ASID) = 0;
	vmrun();
	code = VMCB_FIELD(u64, VMCB_EXITCODE);
	report(code == VMEXIT_INVALID, "guest ASID 0 exits with "
	       "VMEXIT_INVALID (got %#lx, want %#llx)", (unsigned long)code,
	       VMEXIT_INVALID);

	vmcb_init(guest_vmmcall);
	VMCB_FIELD(u32, VMCB_INTERCEPT_MISC2) = INTERCEPT2_VMMCALL;
	vmrun();
	code = VMCB_FIELD(u64, VMCB_EXITCODE);
	report(code == VMEXIT_INVALID, "VMRUN intercept clear exits with "
	       "VMEXIT_INVALID (got %#lx, want %#llx)", (unsigned long)code,
	       VMEXIT_INVALID);

	wrmsr(MSR_EFER, efer);
	return report_summary();
}
