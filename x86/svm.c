/*
 * AMD SVM: a guest at CPL 0 in 64-bit mode, sharing the host's page
 * tables and GDT, run with VMRUN; the #VMEXITs it produces and the VMCB
 * fields they fill in (AMD APM vol 2, chapter 15; VMCB layout appendix
 * B, exit codes appendix C). Covered: guest state saved at #VMEXIT;
 * instruction, CR, DR, MSR-bitmap, I/O-bitmap, exception, INTR, NMI and
 * VINTR intercepts; TSC_OFFSET; event injection and EXITINTINFO;
 * VMLOAD/VMSAVE; the VMRUN consistency checks (15.5.1); nested paging
 * faults (15.25).
 *
 * Needs CPUID.80000001H:ECX[2] and VM_CR.SVMDIS clear (APM vol 2, 15.4);
 * nested paging also needs CPUID.8000000AH:EDX[0], next-RIP checks
 * CPUID.8000000AH:EDX[3] (NRIPS) and the CR/INVLPG operand checks
 * CPUID.8000000AH:EDX[7] (decode assists); each group SKIPs without.
 *
 * The guest gets its own IDT: every exception vector and vector 80H
 * lead to a stub that puts the vector in R13, the error code (or -1) in
 * R14 and the interrupted RIP in R15, then executes VMMCALL. So a guest
 * exception the test did not intercept ends as VMEXIT_VMMCALL with R13
 * naming it.
 *
 * QEMU's TCG emulates SVM (cfg: -cpu qemu64,+svm,+npt); a KVM host needs
 * nested SVM, which the CI host lacks: the test SKIPs there.
 */
#include "libcflat.h"
#include "x86/apic.h"
#include "x86/desc.h"
#include "x86/processor.h"
#include "x86/vm.h"

#define MSR_VM_CR		0xc0010114	/* APM vol 2, 15.30.1 */
#define VM_CR_SVMDIS		(1ull << 4)
#define MSR_VM_HSAVE_PA		0xc0010117	/* APM vol 2, 15.30.4 */

/* SVM feature identification, CPUID Fn8000_000A_EDX (APM vol 3, E.4.9) */
#define SVM_FEATURE_NPT		CPUID_FEATURE(0x8000000a, 0, EDX, 0, \
				"CPUID.8000000AH:EDX[0] (nested paging)")
#define SVM_FEATURE_NRIPS	CPUID_FEATURE(0x8000000a, 0, EDX, 3, \
				"CPUID.8000000AH:EDX[3] (NRIPS)")
#define SVM_FEATURE_DECODE	CPUID_FEATURE(0x8000000a, 0, EDX, 7, \
				"CPUID.8000000AH:EDX[7] (decode assists)")

/* VMCB control area offsets (APM vol 2, table B-1) */
#define VMCB_CR_INTERCEPTS	0x000	/* 15:0 reads, 31:16 writes */
#define VMCB_EXC_INTERCEPTS	0x008	/* one bit per vector */
#define VMCB_INTERCEPT_MISC1	0x00c
#define VMCB_INTERCEPT_MISC2	0x010
#define VMCB_DR_INTERCEPTS	0x004	/* 15:0 reads, 31:16 writes */
#define VMCB_IOPM_BASE		0x040
#define VMCB_MSRPM_BASE		0x048
#define VMCB_TSC_OFFSET		0x050
#define VMCB_ASID		0x058
#define VMCB_TLB_CONTROL	0x05c
#define VMCB_VINTR		0x060
#define VMCB_VINTR_VECTOR	0x064
#define VMCB_INT_STATE		0x068	/* bit 0: interrupt shadow */
#define VMCB_EXITCODE		0x070
#define VMCB_EXITINFO1		0x078
#define VMCB_EXITINFO2		0x080
#define VMCB_EXITINTINFO	0x088
#define VMCB_NP_CONTROL		0x090
#define VMCB_EVENTINJ		0x0a8
#define VMCB_N_CR3		0x0b0
#define VMCB_NEXT_RIP		0x0c8

#define INTERCEPT1_INTR		(1u << 0)
#define INTERCEPT1_NMI		(1u << 1)
#define INTERCEPT1_VINTR	(1u << 4)
#define INTERCEPT1_CR0_SEL	(1u << 5)
#define INTERCEPT1_IDTR_READ	(1u << 6)
#define INTERCEPT1_GDTR_READ	(1u << 7)
#define INTERCEPT1_RDTSC	(1u << 14)
#define INTERCEPT1_PUSHF	(1u << 16)
#define INTERCEPT1_POPF		(1u << 17)
#define INTERCEPT1_CPUID	(1u << 18)
#define INTERCEPT1_IRET		(1u << 20)
#define INTERCEPT1_INTN		(1u << 21)
#define INTERCEPT1_INVD		(1u << 22)
#define INTERCEPT1_PAUSE	(1u << 23)
#define INTERCEPT1_HLT		(1u << 24)
#define INTERCEPT1_INVLPG	(1u << 25)
#define INTERCEPT1_IOIO		(1u << 27)
#define INTERCEPT1_MSR		(1u << 28)
#define INTERCEPT2_VMRUN	(1u << 0)
#define INTERCEPT2_VMMCALL	(1u << 1)
#define INTERCEPT2_VMLOAD	(1u << 2)
#define INTERCEPT2_VMSAVE	(1u << 3)
#define INTERCEPT2_STGI		(1u << 4)
#define INTERCEPT2_CLGI		(1u << 5)
#define INTERCEPT2_WBINVD	(1u << 9)
#define TLB_CONTROL_FLUSH_ALL	1
/* Virtual interrupt control, VMCB offset 60H (APM vol 2, table B-1) */
#define VINTR_V_IRQ		(1u << 8)
#define VINTR_PRIO_SHIFT	16
#define VINTR_IGN_TPR		(1u << 20)
#define VINTR_MASKING		(1u << 24)
#define NP_ENABLE		(1ull << 0)

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
#define VMCB_KERNEL_GS_BASE	0x620
#define VMCB_CR2		0x640
#define VMCB_G_PAT		0x668

/* Segment attributes: descriptor bits 47:40 and 55:52 (APM vol 2,
 * 15.5.1): 64-bit code (P, S, type B, L) and writable data; bit 10 is
 * the D/B bit. */
#define SEG_ATTR_CODE64		0x029b
#define SEG_ATTR_DATA		0x0c93
#define SEG_ATTR_DB		(1u << 10)

/* #VMEXIT codes, APM vol 2, appendix C */
#define VMEXIT_CR_READ(n)	(0x00 + (n))
#define VMEXIT_CR_WRITE(n)	(0x10 + (n))
#define VMEXIT_DR_READ(n)	(0x20 + (n))
#define VMEXIT_DR_WRITE(n)	(0x30 + (n))
#define VMEXIT_EXCP(v)		(0x40 + (v))
#define VMEXIT_INTR		0x60
#define VMEXIT_NMI		0x61
#define VMEXIT_VINTR		0x64
#define VMEXIT_CR0_SEL_WRITE	0x65
#define VMEXIT_IDTR_READ	0x66
#define VMEXIT_GDTR_READ	0x67
#define VMEXIT_RDTSC		0x6e
#define VMEXIT_PUSHF		0x70
#define VMEXIT_POPF		0x71
#define VMEXIT_CPUID		0x72
#define VMEXIT_IRET		0x74
#define VMEXIT_SWINT		0x75
#define VMEXIT_INVD		0x76
#define VMEXIT_PAUSE		0x77
#define VMEXIT_HLT		0x78
#define VMEXIT_INVLPG		0x79
#define VMEXIT_IOIO		0x7b
#define VMEXIT_MSR		0x7c
#define VMEXIT_VMRUN		0x80
#define VMEXIT_VMMCALL		0x81
#define VMEXIT_VMLOAD		0x82
#define VMEXIT_VMSAVE		0x83
#define VMEXIT_STGI		0x84
#define VMEXIT_CLGI		0x85
#define VMEXIT_WBINVD		0x89
#define VMEXIT_NPF		0x400
#define VMEXIT_INVALID		(-1ull)

/* IOIO EXITINFO1, APM vol 2, 15.10.2 (figure 15-2) */
#define IOIO_TYPE_IN		(1ull << 0)
#define IOIO_STR		(1ull << 2)
#define IOIO_REP		(1ull << 3)
#define IOIO_SZ8		(1ull << 4)
#define IOIO_SZ16		(1ull << 5)
#define IOIO_SZ32		(1ull << 6)
#define IOIO_A64		(1ull << 9)
#define IOIO_ASIZE_MASK		(7ull << 7)	/* A16, A32, A64 */
#define IOIO_PORT_SHIFT		16

/* MSR intercept EXITINFO1, APM vol 2, 15.11 */
#define MSR_EXIT_RDMSR		0
#define MSR_EXIT_WRMSR		1

/* Decode assists, APM vol 2, 15.33.1: MOV CRn EXITINFO1 */
#define CR_EXIT_MOV		(1ull << 63)
#define GPR_RDX			2
#define GPR_RBX			3

/* EVENTINJ and EXITINTINFO, APM vol 2, 15.20 (figure 15-4) */
#define EVENT_TYPE_EXCEPTION	(3u << 8)
#define EVENT_TYPE_SOFT_INT	(4u << 8)
#define EVENT_EV		(1u << 11)
#define EVENT_VALID		(1u << 31)
#define EVENT_ERRCODE_SHIFT	32

/* #NPF EXITINFO1 above the #PF error code bits, APM vol 2, 15.25.6 */
#define NPF_FINAL_GPA		(1ull << 32)
#define NPF_GUEST_WALK		(1ull << 33)

/* Selector error code, SDM vol 3, 6.13 (figure 6-6) */
#define SEL_ERR_EXT		(1u << 0)
#define SEL_ERR_IDT		(1u << 1)

/* Bitmap sizes, APM vol 2, 15.10.1 and 15.11 */
#define IOPM_SIZE		(3 * PAGE_SIZE)
#define MSRPM_SIZE		(2 * PAGE_SIZE)

#define IRQ_VECTOR		0xe0
#define SOFT_INT_VECTOR		0x80
#define IDT_GATE_INTR64		0x8e	/* P, DPL 0, type 1110b */

struct seg {
	u16 sel, attr;
	u32 limit;
	u64 base;
} __packed;

struct dtr {
	u16 limit;
	u64 base;
} __packed;

/* Guest GPRs the #VMEXIT leaves in the host's registers (APM vol 2,
 * 15.6); RAX and RSP live in the VMCB. Offsets used by svm_vmrun_regs. */
struct guest_regs {
	u64 rbx, rcx, rdx, rsi, rdi, rbp;
	u64 r8, r9, r10, r11, r12, r13, r14, r15;
};

static u8 *vmcb;
static struct guest_regs gregs;
static u8 guest_stack[4096] __aligned(16);
static u64 guest_idt[512] __aligned(16);
static u8 iopm[IOPM_SIZE] __aligned(4096);
static u8 msrpm[MSRPM_SIZE] __aligned(4096);
static volatile u32 guest_marker;
static bool has_nrips, has_decode;

/*
 * VMRUN with the guest GPRs from *regs (RSI), VMCB physical address in
 * RDI; at #VMEXIT the guest's GPRs are stored back. GIF stays clear
 * (APM vol 2, 15.17): the caller sets it.
 */
extern void svm_vmrun_regs(u64 vmcb_pa, struct guest_regs *regs);
asm(".text\n"
    "svm_vmrun_regs:\n\t"
    "push %rbx; push %rbp; push %r12; push %r13; push %r14; push %r15\n\t"
    "push %rsi\n\t"
    "mov %rdi, %rax\n\t"
    "mov 0x00(%rsi), %rbx; mov 0x08(%rsi), %rcx; mov 0x10(%rsi), %rdx\n\t"
    "mov 0x20(%rsi), %rdi; mov 0x28(%rsi), %rbp\n\t"
    "mov 0x30(%rsi), %r8; mov 0x38(%rsi), %r9\n\t"
    "mov 0x40(%rsi), %r10; mov 0x48(%rsi), %r11\n\t"
    "mov 0x50(%rsi), %r12; mov 0x58(%rsi), %r13\n\t"
    "mov 0x60(%rsi), %r14; mov 0x68(%rsi), %r15\n\t"
    "mov 0x18(%rsi), %rsi\n\t"
    "vmrun\n\t"
    "xchg %rsi, (%rsp)\n\t"
    "mov %rbx, 0x00(%rsi); mov %rcx, 0x08(%rsi); mov %rdx, 0x10(%rsi)\n\t"
    "mov %rdi, 0x20(%rsi); mov %rbp, 0x28(%rsi)\n\t"
    "mov %r8, 0x30(%rsi); mov %r9, 0x38(%rsi)\n\t"
    "mov %r10, 0x40(%rsi); mov %r11, 0x48(%rsi)\n\t"
    "mov %r12, 0x50(%rsi); mov %r13, 0x58(%rsi)\n\t"
    "mov %r14, 0x60(%rsi); mov %r15, 0x68(%rsi)\n\t"
    "pop %rbx; mov %rbx, 0x18(%rsi)\n\t"
    "pop %r15; pop %r14; pop %r13; pop %r12; pop %rbp; pop %rbx\n\t"
    "ret\n");

/*
 * Guest IDT stubs. Vectors 8, 10-14, 17, 21, 29 and 30 push an error
 * code (SDM vol 3, table 6-1; APM vol 2, 8.2); the others get -1.
 */
extern u64 guest_isr_table[32];
extern char guest_isr_soft[];
asm(".text\n"
    ".irp v,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,"
    "23,24,25,26,27,28,29,30,31\n"
    "guest_isr_\\v:\n\t"
    ".if (\\v == 8) || ((\\v >= 10) && (\\v <= 14)) || (\\v == 17) || "
    "(\\v == 21) || (\\v == 29) || (\\v == 30)\n\t"
    "pop %r14\n\t"
    ".else\n\t"
    "mov $-1, %r14\n\t"
    ".endif\n\t"
    "mov $\\v, %r13d\n\t"
    "mov (%rsp), %r15\n\t"
    "vmmcall\n\t"
    "ud2\n"
    ".endr\n"
    "guest_isr_soft:\n\t"
    "mov $-1, %r14\n\t"
    "mov $" __stringify_x86(SOFT_INT_VECTOR) ", %r13d\n\t"
    "mov (%rsp), %r15\n\t"
    "vmmcall\n\t"
    "ud2\n"
    ".section .rodata\n"
    ".balign 8\n"
    "guest_isr_table:\n"
    ".irp v,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,"
    "23,24,25,26,27,28,29,30,31\n\t"
    ".quad guest_isr_\\v\n"
    ".endr\n"
    ".text\n");

/*
 * Guest code. Each piece ends in VMMCALL; a label *_next marks the
 * instruction after the one under test (the next RIP, APM vol 2, 15.7.1).
 */
extern char g_vmmcall[], g_hlt[], g_hlt_next[], g_state[], g_state_end[];
extern char g_cpuid[], g_cpuid_next[], g_rdtsc[], g_rdtsc_next[];
extern char g_invlpg[], g_invlpg_next[], g_rdmsr[], g_rdmsr_next[];
extern char g_wrmsr[], g_wrmsr_next[];
extern char g_outb[], g_outb_next[], g_inb[], g_inb_next[];
extern char g_inl_dx[], g_inl_dx_next[], g_inw_dx[], g_inw_dx_next[];
extern char g_outsb[], g_outsb_next[];
extern char g_rd_cr0[], g_rd_cr3[], g_rd_cr4[];
extern char g_wr_cr0[], g_wr_cr0_next[], g_wr_cr3[], g_wr_cr4[];
extern char g_ud2[], g_read[], g_write[], g_load_ds[], g_nops[];
extern char g_marker[];
asm(".text\n"
    "g_vmmcall: vmmcall\n\tud2\n"
    "g_hlt: hlt\n"
    "g_hlt_next: vmmcall\n\tud2\n"
    "g_state: movabs $0x1122334455667788, %rax\n\t"
    "mov $0xbadcafe, %ebx\n\t"
    "sub $0x40, %rsp\n\t"
    "mov %rax, %cr2\n"
    "g_state_end: vmmcall\n\tud2\n"
    "g_cpuid: cpuid\n"
    "g_cpuid_next: vmmcall\n\tud2\n"
    "g_rdtsc: rdtsc\n"
    "g_rdtsc_next: vmmcall\n\tud2\n"
    "g_invlpg: invlpg (%rbx)\n"
    "g_invlpg_next: vmmcall\n\tud2\n"
    "g_rdmsr: rdmsr\n"
    "g_rdmsr_next: vmmcall\n\tud2\n"
    "g_wrmsr: wrmsr\n"
    "g_wrmsr_next: vmmcall\n\tud2\n"
    "g_outb: outb %al, $0x80\n"
    "g_outb_next: vmmcall\n\tud2\n"
    "g_inb: inb $0x80, %al\n"
    "g_inb_next: vmmcall\n\tud2\n"
    "g_inl_dx: inl %dx, %eax\n"
    "g_inl_dx_next: vmmcall\n\tud2\n"
    "g_inw_dx: inw %dx, %ax\n"
    "g_inw_dx_next: vmmcall\n\tud2\n"
    "g_outsb: rep outsb\n"
    "g_outsb_next: vmmcall\n\tud2\n"
    "g_rd_cr0: mov %cr0, %rbx\n\tvmmcall\n\tud2\n"
    "g_rd_cr3: mov %cr3, %rbx\n\tvmmcall\n\tud2\n"
    "g_rd_cr4: mov %cr4, %rbx\n\tvmmcall\n\tud2\n"
    "g_wr_cr0: mov %rdx, %cr0\n"
    "g_wr_cr0_next: vmmcall\n\tud2\n"
    "g_wr_cr3: mov %rdx, %cr3\n\tvmmcall\n\tud2\n"
    "g_wr_cr4: mov %rdx, %cr4\n\tvmmcall\n\tud2\n"
    "g_ud2: ud2\n\tvmmcall\n"
    "g_read: mov (%rbx), %rax\n\tvmmcall\n\tud2\n"
    "g_write: mov %rax, (%rbx)\n\tvmmcall\n\tud2\n"
    "g_load_ds: mov %dx, %ds\n\tvmmcall\n\tud2\n"
    "g_nops: nop\n\tnop\n\tnop\n\tvmmcall\n\tud2\n"
    "g_marker: movl $1, guest_marker(%rip)\n\tvmmcall\n\tud2\n"
    "g_sti: sti\n" "g_sti_next: vmmcall\n\tud2\n"
    "g_flags: stc\n\tstd\n\tvmmcall\n\tud2\n"
    "g_div0: xor %ecx, %ecx\n" "g_div0_div: divl %ecx\n\tvmmcall\n\tud2\n"
    "g_int3: int3\n" "g_int3_next: vmmcall\n\tud2\n"
    "g_pause: pause\n" "g_pause_next: vmmcall\n\tud2\n"
    "g_invd: invd\n" "g_invd_next: vmmcall\n\tud2\n"
    "g_wbinvd: wbinvd\n" "g_wbinvd_next: vmmcall\n\tud2\n"
    "g_pushf: pushf\n" "g_pushf_next: vmmcall\n\tud2\n"
    "g_popf: popf\n" "g_popf_next: vmmcall\n\tud2\n"
    "g_iret: iretq\n" "g_iret_next: vmmcall\n\tud2\n"
    "g_int80: int $0x80\n" "g_int80_next: vmmcall\n\tud2\n"
    "g_sidt: sidt (%rbx)\n" "g_sidt_next: vmmcall\n\tud2\n"
    "g_sgdt: sgdt (%rbx)\n" "g_sgdt_next: vmmcall\n\tud2\n"
    "g_rd_dr7: mov %dr7, %rbx\n" "g_rd_dr7_next: vmmcall\n\tud2\n"
    "g_wr_dr0: mov %rdx, %dr0\n" "g_wr_dr0_next: vmmcall\n\tud2\n"
    "g_vmrun: vmrun\n" "g_vmrun_next: vmmcall\n\tud2\n"
    "g_vmload: vmload\n" "g_vmload_next: vmmcall\n\tud2\n"
    "g_vmsave: vmsave\n" "g_vmsave_next: vmmcall\n\tud2\n"
    "g_stgi: stgi\n" "g_stgi_next: vmmcall\n\tud2\n"
    "g_clgi: clgi\n" "g_clgi_next: vmmcall\n\tud2\n");
extern char g_sti[], g_sti_next[], g_flags[], g_div0[], g_div0_div[];
extern char g_int3[], g_int3_next[];
extern char g_pause[], g_pause_next[], g_invd[], g_invd_next[];
extern char g_wbinvd[], g_wbinvd_next[], g_pushf[], g_pushf_next[];
extern char g_popf[], g_popf_next[], g_iret[], g_iret_next[];
extern char g_int80[], g_int80_next[], g_sidt[], g_sidt_next[];
extern char g_sgdt[], g_sgdt_next[], g_rd_dr7[], g_rd_dr7_next[];
extern char g_wr_dr0[], g_wr_dr0_next[], g_vmrun[], g_vmrun_next[];
extern char g_vmload[], g_vmload_next[], g_vmsave[], g_vmsave_next[];
extern char g_stgi[], g_stgi_next[], g_clgi[], g_clgi_next[];

#define VMCB_FIELD(type, off)	(*(volatile type *)(vmcb + (off)))
#define VMCB64(off)		VMCB_FIELD(u64, off)

static void set_seg(unsigned off, u16 sel, u16 attr)
{
	struct seg *s = (struct seg *)(vmcb + off);

	s->sel = sel;
	s->attr = attr;
	s->limit = 0xffffffff;
	s->base = 0;
}

static void set_idt_gate(u64 *idt, unsigned vector, void *handler)
{
	u64 addr = (uintptr_t)handler;

	/* 64-bit interrupt gate, SDM vol 3, 6.14.1 (figure 6-8) */
	idt[2 * vector] = (addr & 0xffff) | ((u64)KERNEL_CS << 16) |
			  ((u64)IDT_GATE_INTR64 << 40) |
			  ((addr >> 16) & 0xffff) << 48;
	idt[2 * vector + 1] = addr >> 32;
}

static void guest_idt_init(void)
{
	unsigned v;

	memset(guest_idt, 0, sizeof(guest_idt));
	for (v = 0; v < 32; v++)
		set_idt_gate(guest_idt, v, (void *)guest_isr_table[v]);
	set_idt_gate(guest_idt, SOFT_INT_VECTOR, guest_isr_soft);
}

/*
 * A guest at CPL 0 in the host's mode and address space: same CR0, CR3,
 * CR4, EFER, PAT and GDT; its own IDT and stack. Intercepts VMRUN (which
 * APM vol 2, 15.5.1 requires), VMMCALL and HLT; the I/O and MSR bitmaps
 * are empty and not in use until their intercept bit is set.
 */
static void vmcb_init(void *rip)
{
	struct dtr gdtr;
	u64 pa = virt_to_phys(vmcb);

	memset(vmcb, 0, PAGE_SIZE);
	memset(iopm, 0, sizeof(iopm));
	memset(msrpm, 0, sizeof(msrpm));
	memset(&gregs, 0, sizeof(gregs));
	gregs.r13 = -1ull;
	guest_idt_init();
	guest_marker = 0;

	/* FS, GS, TR, LDTR and the syscall MSRs are VMLOAD/VMSAVE state
	 * (APM vol 2, 15.5.2): keep the VMCB's copy equal to the host's. */
	asm volatile("vmsave" :: "a"(pa) : "memory");

	VMCB_FIELD(u32, VMCB_INTERCEPT_MISC1) = INTERCEPT1_HLT;
	VMCB_FIELD(u32, VMCB_INTERCEPT_MISC2) = INTERCEPT2_VMRUN |
						INTERCEPT2_VMMCALL;
	VMCB64(VMCB_IOPM_BASE) = virt_to_phys(iopm);
	VMCB64(VMCB_MSRPM_BASE) = virt_to_phys(msrpm);
	VMCB_FIELD(u32, VMCB_ASID) = 1;
	/* The tests change the shared page tables between runs. */
	VMCB_FIELD(u8, VMCB_TLB_CONTROL) = TLB_CONTROL_FLUSH_ALL;

	set_seg(VMCB_CS, KERNEL_CS, SEG_ATTR_CODE64);
	set_seg(VMCB_SS, KERNEL_DS, SEG_ATTR_DATA);
	set_seg(VMCB_DS, KERNEL_DS, SEG_ATTR_DATA);
	set_seg(VMCB_ES, KERNEL_DS, SEG_ATTR_DATA);
	asm volatile("sgdt %0" : "=m"(gdtr));
	VMCB_FIELD(u32, VMCB_GDTR + 4) = gdtr.limit;
	VMCB64(VMCB_GDTR + 8) = gdtr.base;
	VMCB_FIELD(u32, VMCB_IDTR + 4) = sizeof(guest_idt) - 1;
	VMCB64(VMCB_IDTR + 8) = (uintptr_t)guest_idt;
	VMCB_FIELD(u8, VMCB_CPL) = 0;
	VMCB64(VMCB_EFER) = rdmsr(MSR_EFER);
	VMCB64(VMCB_CR0) = read_cr0();
	VMCB64(VMCB_CR3) = read_cr3();
	VMCB64(VMCB_CR4) = read_cr4();
	VMCB64(VMCB_DR6) = 0xffff0ff0;	/* reset values, SDM vol 3, 18.2 */
	VMCB64(VMCB_DR7) = 0x400;
	VMCB64(VMCB_RFLAGS) = X86_EFLAGS_FIXED;
	VMCB64(VMCB_RIP) = (uintptr_t)rip;
	VMCB64(VMCB_RSP) = (uintptr_t)guest_stack + sizeof(guest_stack);
	VMCB64(VMCB_G_PAT) = rdmsr(MSR_IA32_CR_PAT);
}

/* Run the guest to its next #VMEXIT; returns EXITCODE with GIF set. */
static u64 vmrun(void)
{
	svm_vmrun_regs(virt_to_phys(vmcb), &gregs);
	asm volatile("stgi" ::: "memory");
	return VMCB64(VMCB_EXITCODE);
}

static int vmrun_safe(void)
{
	u64 pa = virt_to_phys(vmcb);

	asm volatile(EX_FIXUP_BEGIN "1: vmrun\n\t2:\n\t" EX_FIXUP_END
		     : "+a"(pa) :: "memory");
	return exception_vector();
}

/* Assert the exit code; on a surprise VMMCALL, say which guest
 * exception (if any) led there. */
static bool check_exit(const char *what, u64 want)
{
	u64 got = VMCB64(VMCB_EXITCODE);

	if (got != want && got == VMEXIT_VMMCALL && gregs.r13 != -1ull)
		report_info("%s: guest took vector %lu (error code %#lx) at "
			    "%#lx", what, (unsigned long)gregs.r13,
			    (unsigned long)gregs.r14,
			    (unsigned long)gregs.r15);
	return report(got == want, "%s: exit code (got %#lx, want %#lx)",
		      what, (unsigned long)got, (unsigned long)want);
}

static void check_u64(const char *what, const char *field, u64 got, u64 want)
{
	report(got == want, "%s: %s (got %#lx, want %#lx)", what, field,
	       (unsigned long)got, (unsigned long)want);
}

static void check_rip(const char *what, void *want)
{
	check_u64(what, "guest RIP", VMCB64(VMCB_RIP), (uintptr_t)want);
}

/* With NRIPS, an intercepted instruction's exit stores the address of
 * the next instruction (APM vol 2, 15.7.1). */
static void check_nrip(const char *what, void *want)
{
	if (has_nrips)
		check_u64(what, "next RIP", VMCB64(VMCB_NEXT_RIP),
			  (uintptr_t)want);
}

static void intercept1(u32 bits)
{
	VMCB_FIELD(u32, VMCB_INTERCEPT_MISC1) |= bits;
}

static void test_basic(void)
{
	u64 rsp0 = (uintptr_t)guest_stack + sizeof(guest_stack);
	u64 code;

	report_prefix_push("vmrun");
	vmcb_init(g_vmmcall);
	code = vmrun();
	report(code == VMEXIT_VMMCALL, "VMMCALL exits with VMEXIT_VMMCALL "
	       "(got %#lx, want %#x)", (unsigned long)code, VMEXIT_VMMCALL);
	report(VMCB64(VMCB_RIP) == (uintptr_t)g_vmmcall,
	       "guest RIP at the VMMCALL (got %#lx, want %p)",
	       (unsigned long)VMCB64(VMCB_RIP), g_vmmcall);

	/* Resume elsewhere: the guest runs HLT, intercepted. */
	VMCB64(VMCB_RIP) = (uintptr_t)g_hlt;
	code = vmrun();
	report(code == VMEXIT_HLT, "HLT exits with VMEXIT_HLT (got %#lx, "
	       "want %#x)", (unsigned long)code, VMEXIT_HLT);
	check_rip("HLT", g_hlt);
	check_nrip("HLT", g_hlt_next);

	/* The guest changes RAX, RBX, RSP and CR2; #VMEXIT saves them
	 * (APM vol 2, 15.6). */
	vmcb_init(g_state);
	vmrun();
	check_exit("guest state", VMEXIT_VMMCALL);
	check_u64("guest state", "VMCB RAX", VMCB64(VMCB_RAX),
		  0x1122334455667788ull);
	check_u64("guest state", "RBX", gregs.rbx, 0xbadcafe);
	check_u64("guest state", "VMCB RSP", VMCB64(VMCB_RSP), rsp0 - 0x40);
	check_u64("guest state", "VMCB CR2", VMCB64(VMCB_CR2),
		  0x1122334455667788ull);
	check_u64("guest state", "VMCB RIP", VMCB64(VMCB_RIP),
		  (uintptr_t)g_state_end);
	check_u64("guest state", "VMCB CPL", VMCB_FIELD(u8, VMCB_CPL), 0);
	check_u64("guest state", "VMCB CR3", VMCB64(VMCB_CR3), read_cr3());
	check_u64("guest state", "VMCB EFER", VMCB64(VMCB_EFER),
		  rdmsr(MSR_EFER));

	vmcb_init(g_flags);
	vmrun();
	check_exit("STC; STD", VMEXIT_VMMCALL);
	check_u64("STC; STD", "VMCB RFLAGS", VMCB64(VMCB_RFLAGS),
		  X86_EFLAGS_FIXED | X86_EFLAGS_CF | X86_EFLAGS_DF);

	/* An exit on the instruction after STI is inside its interrupt
	 * shadow; the VMCB says so (APM vol 2, 15.21.5). */
	vmcb_init(g_sti);
	vmrun();
	check_exit("STI; VMMCALL", VMEXIT_VMMCALL);
	check_rip("STI; VMMCALL", g_sti_next);
	check_u64("STI; VMMCALL", "interrupt shadow",
		  VMCB64(VMCB_INT_STATE) & 1, 1);
	vmcb_init(g_vmmcall);
	vmrun();
	check_u64("VMMCALL alone", "interrupt shadow",
		  VMCB64(VMCB_INT_STATE) & 1, 0);
	report_prefix_pop();
}

static void test_simple_intercepts(void)
{
	u8 *page = alloc_page();

	vmcb_init(g_cpuid);
	intercept1(INTERCEPT1_CPUID);
	vmrun();
	check_exit("CPUID", VMEXIT_CPUID);
	check_rip("CPUID", g_cpuid);
	check_nrip("CPUID", g_cpuid_next);

	vmcb_init(g_cpuid);
	vmrun();
	check_exit("CPUID not intercepted", VMEXIT_VMMCALL);

	vmcb_init(g_rdtsc);
	intercept1(INTERCEPT1_RDTSC);
	vmrun();
	check_exit("RDTSC", VMEXIT_RDTSC);
	check_rip("RDTSC", g_rdtsc);
	check_nrip("RDTSC", g_rdtsc_next);

	vmcb_init(g_invlpg);
	intercept1(INTERCEPT1_INVLPG);
	gregs.rbx = (uintptr_t)page + 0x123;
	vmrun();
	check_exit("INVLPG", VMEXIT_INVLPG);
	check_rip("INVLPG", g_invlpg);
	check_nrip("INVLPG", g_invlpg_next);
	/* APM vol 2, 15.33.4: the linear address operand */
	if (has_decode)
		check_u64("INVLPG", "EXITINFO1", VMCB64(VMCB_EXITINFO1),
			  (uintptr_t)page + 0x123);
}

/*
 * One instruction, one intercept bit, one exit code (APM vol 2, 15.9 to
 * 15.14 and appendix C). The instruction never runs: every one of them
 * exits before it executes, so the guest RIP stays on it.
 */
struct insn_intercept {
	const char *what;
	char *rip, *next;
	unsigned off;	/* VMCB intercept word */
	u32 bit;
	u64 exit;
};

static const struct insn_intercept insn_intercepts[] = {
	{ "PAUSE", g_pause, g_pause_next, VMCB_INTERCEPT_MISC1,
	  INTERCEPT1_PAUSE, VMEXIT_PAUSE },
	{ "INVD", g_invd, g_invd_next, VMCB_INTERCEPT_MISC1,
	  INTERCEPT1_INVD, VMEXIT_INVD },
	{ "WBINVD", g_wbinvd, g_wbinvd_next, VMCB_INTERCEPT_MISC2,
	  INTERCEPT2_WBINVD, VMEXIT_WBINVD },
	{ "PUSHF", g_pushf, g_pushf_next, VMCB_INTERCEPT_MISC1,
	  INTERCEPT1_PUSHF, VMEXIT_PUSHF },
	{ "POPF", g_popf, g_popf_next, VMCB_INTERCEPT_MISC1,
	  INTERCEPT1_POPF, VMEXIT_POPF },
	{ "IRET", g_iret, g_iret_next, VMCB_INTERCEPT_MISC1,
	  INTERCEPT1_IRET, VMEXIT_IRET },
	{ "INT 80H", g_int80, g_int80_next, VMCB_INTERCEPT_MISC1,
	  INTERCEPT1_INTN, VMEXIT_SWINT },
	{ "SIDT", g_sidt, g_sidt_next, VMCB_INTERCEPT_MISC1,
	  INTERCEPT1_IDTR_READ, VMEXIT_IDTR_READ },
	{ "SGDT", g_sgdt, g_sgdt_next, VMCB_INTERCEPT_MISC1,
	  INTERCEPT1_GDTR_READ, VMEXIT_GDTR_READ },
	{ "MOV RBX, DR7", g_rd_dr7, g_rd_dr7_next, VMCB_DR_INTERCEPTS,
	  1u << 7, VMEXIT_DR_READ(7) },
	{ "MOV DR0, RDX", g_wr_dr0, g_wr_dr0_next, VMCB_DR_INTERCEPTS,
	  1u << 16, VMEXIT_DR_WRITE(0) },
	{ "VMRUN in the guest", g_vmrun, g_vmrun_next, VMCB_INTERCEPT_MISC2,
	  INTERCEPT2_VMRUN, VMEXIT_VMRUN },
	{ "VMLOAD", g_vmload, g_vmload_next, VMCB_INTERCEPT_MISC2,
	  INTERCEPT2_VMLOAD, VMEXIT_VMLOAD },
	{ "VMSAVE", g_vmsave, g_vmsave_next, VMCB_INTERCEPT_MISC2,
	  INTERCEPT2_VMSAVE, VMEXIT_VMSAVE },
	{ "STGI", g_stgi, g_stgi_next, VMCB_INTERCEPT_MISC2,
	  INTERCEPT2_STGI, VMEXIT_STGI },
	{ "CLGI", g_clgi, g_clgi_next, VMCB_INTERCEPT_MISC2,
	  INTERCEPT2_CLGI, VMEXIT_CLGI },
};

static void test_insn_intercepts(void)
{
	const struct insn_intercept *t;
	static u8 buf[16];
	u8 *spare = alloc_page();
	unsigned i;

	for (i = 0; i < ARRAY_SIZE(insn_intercepts); i++) {
		t = &insn_intercepts[i];
		vmcb_init(t->rip);
		VMCB_FIELD(u32, t->off) |= t->bit;
		/* operands that would be harmless if the intercept failed:
		 * a spare VMCB-sized page for VMRUN/VMLOAD/VMSAVE, a buffer
		 * for SIDT/SGDT, DR0's own value */
		VMCB64(VMCB_RAX) = virt_to_phys(spare);
		gregs.rbx = (uintptr_t)buf;
		vmrun();
		check_exit(t->what, t->exit);
		check_rip(t->what, t->rip);
		check_nrip(t->what, t->next);
	}
}

/* With TSC_OFFSET, a guest RDTSC not intercepted returns the host TSC
 * plus the offset (APM vol 2, 15.30.5). */
static void test_tsc_offset(void)
{
	const u64 off = 1ull << 40;
	u64 t0, t1, guest;

	vmcb_init(g_rdtsc);
	VMCB64(VMCB_TSC_OFFSET) = off;
	t0 = rdtsc();
	vmrun();
	t1 = rdtsc();
	check_exit("RDTSC with TSC_OFFSET", VMEXIT_VMMCALL);
	guest = (VMCB64(VMCB_RAX) & 0xffffffff) | (gregs.rdx << 32);
	report(guest - off >= t0 && guest - off <= t1,
	       "RDTSC with TSC_OFFSET: guest TSC minus offset (got %#lx, "
	       "want %#lx..%#lx)", (unsigned long)(guest - off),
	       (unsigned long)t0, (unsigned long)t1);
	t0 = rdtsc();
	report(t0 < t1 + off, "RDTSC with TSC_OFFSET: host TSC after "
	       "#VMEXIT has no offset (got %#lx, want < %#lx)",
	       (unsigned long)t0, (unsigned long)(t1 + off));
}

/* MSR permission map, APM vol 2, 15.11 : two bits per MSR,
 * read then write, for three 8K-MSR ranges. */
static void msrpm_set(u32 msr, bool rd, bool wr)
{
	u32 bit;

	if (msr < 0x2000)
		bit = msr * 2;
	else if (msr - 0xc0000000u < 0x2000)
		bit = 0x800 * 8 + (msr - 0xc0000000u) * 2;
	else
		bit = 0x1000 * 8 + (msr - 0xc0010000u) * 2;
	if (rd)
		msrpm[bit / 8] |= 1 << (bit % 8);
	if (wr)
		msrpm[bit / 8] |= 2 << (bit % 8);
}

static void msr_case(void *rip, u32 msr, u64 val,
		     bool rd_bit, bool wr_bit)
{
	vmcb_init(rip);
	intercept1(INTERCEPT1_MSR);
	msrpm_set(msr, rd_bit, wr_bit);
	gregs.rcx = msr;
	VMCB64(VMCB_RAX) = (u32)val;
	gregs.rdx = val >> 32;
	vmrun();
}

static void test_msr(void)
{
	u64 cs = rdmsr(MSR_IA32_SYSENTER_CS);
	u64 esp = rdmsr(MSR_IA32_SYSENTER_ESP);
	u64 got;

	report_prefix_push("MSR bitmap");
	msr_case(g_rdmsr, MSR_IA32_SYSENTER_CS, 0, true, false);
	check_exit("RDMSR 174H, read bit set", VMEXIT_MSR);
	check_u64("RDMSR 174H, read bit set", "EXITINFO1",
		  VMCB64(VMCB_EXITINFO1), MSR_EXIT_RDMSR);
	check_rip("RDMSR 174H, read bit set", g_rdmsr);
	check_nrip("RDMSR 174H, read bit set", g_rdmsr_next);

	msr_case(g_wrmsr, MSR_IA32_SYSENTER_CS, 0x5a, true, false);
	got = rdmsr(MSR_IA32_SYSENTER_CS);
	wrmsr(MSR_IA32_SYSENTER_CS, cs);
	check_exit("WRMSR 174H, only the read bit set", VMEXIT_VMMCALL);
	check_u64("WRMSR 174H, only the read bit set", "MSR written", got,
		  0x5a);

	msr_case(g_wrmsr, MSR_IA32_SYSENTER_ESP, 0x1234, false, true);
	got = rdmsr(MSR_IA32_SYSENTER_ESP);
	wrmsr(MSR_IA32_SYSENTER_ESP, esp);
	check_exit("WRMSR 175H, write bit set", VMEXIT_MSR);
	check_u64("WRMSR 175H, write bit set", "EXITINFO1",
		  VMCB64(VMCB_EXITINFO1), MSR_EXIT_WRMSR);
	check_nrip("WRMSR 175H, write bit set", g_wrmsr_next);
	check_u64("WRMSR 175H, write bit set", "MSR left alone", got, esp);

	msr_case(g_rdmsr, MSR_IA32_SYSENTER_ESP, 0, false, true);
	check_exit("RDMSR 175H, only the write bit set", VMEXIT_VMMCALL);
	check_u64("RDMSR 175H, only the write bit set", "EDX:EAX",
		  (VMCB64(VMCB_RAX) & 0xffffffff) | (gregs.rdx << 32), esp);

	msr_case(g_rdmsr, MSR_KERNEL_GS_BASE, 0, true, false);
	check_exit("RDMSR C0000102H, read bit set", VMEXIT_MSR);
	msr_case(g_rdmsr, MSR_VM_HSAVE_PA, 0, true, false);
	check_exit("RDMSR C0010117H, read bit set", VMEXIT_MSR);

	/* MSRs outside the three ranges always exit (APM vol 2, 15.11). */
	msr_case(g_rdmsr, 0x2000, 0, false, false);
	check_exit("RDMSR 2000H, outside the map", VMEXIT_MSR);
	report_prefix_pop();
}

/*
 * The address-size bits are compared for the string form only, where
 * the instruction has a memory operand they describe; for IN and OUT
 * EXITINFO1 is compared without them.
 */
static void io_case(const char *what, void *rip, void *next, u16 dx,
		    u64 want_exit, u64 want_info1)
{
	static u8 buf[4];
	u64 info1;

	vmcb_init(rip);
	intercept1(INTERCEPT1_IOIO);
	/* APM vol 2, 15.10.1: one bit per port; every port an access
	 * touches is checked. */
	iopm[0x80 / 8] |= 1 << (0x80 % 8);
	gregs.rdx = dx;
	gregs.rcx = 1;
	gregs.rsi = (uintptr_t)buf;
	vmrun();
	if (!check_exit(what, want_exit) || want_exit != VMEXIT_IOIO)
		return;
	info1 = VMCB64(VMCB_EXITINFO1);
	if (!(want_info1 & IOIO_STR))
		info1 &= ~IOIO_ASIZE_MASK;
	check_u64(what, "EXITINFO1", info1, want_info1);
	/* APM vol 2, 15.10.2: EXITINFO2 is the next RIP. */
	check_u64(what, "EXITINFO2", VMCB64(VMCB_EXITINFO2),
		  (uintptr_t)next);
	check_rip(what, rip);
}

static void test_io(void)
{
	u64 p80 = 0x80ull << IOIO_PORT_SHIFT;

	report_prefix_push("I/O bitmap");
	io_case("OUT 80H, AL", g_outb, g_outb_next, 0, VMEXIT_IOIO,
		p80 | IOIO_SZ8);
	io_case("IN AL, 80H", g_inb, g_inb_next, 0, VMEXIT_IOIO,
		p80 | IOIO_TYPE_IN | IOIO_SZ8);
	io_case("IN EAX, DX=7DH (bytes 7DH-80H)", g_inl_dx, g_inl_dx_next,
		0x7d, VMEXIT_IOIO, (0x7dull << IOIO_PORT_SHIFT) |
		IOIO_TYPE_IN | IOIO_SZ32);
	io_case("REP OUTSB, DX=80H", g_outsb, g_outsb_next, 0x80, VMEXIT_IOIO,
		p80 | IOIO_STR | IOIO_REP | IOIO_SZ8 | IOIO_A64);
	io_case("IN AX, DX=7EH (bits clear)", g_inw_dx, g_inw_dx_next, 0x7e,
		VMEXIT_VMMCALL, 0);
	report_prefix_pop();
}

static void cr_case(const char *what, void *rip, u32 intercept, u64 rdx,
		    u64 want, unsigned gpr)
{
	vmcb_init(rip);
	VMCB_FIELD(u32, VMCB_CR_INTERCEPTS) = intercept;
	gregs.rdx = rdx;
	vmrun();
	check_exit(what, want);
	check_rip(what, rip);
	if (has_decode)
		check_u64(what, "EXITINFO1", VMCB64(VMCB_EXITINFO1),
			  CR_EXIT_MOV | gpr);
}

static void test_cr(void)
{
	u64 cr0 = read_cr0();

	report_prefix_push("CR access");
	cr_case("MOV RBX, CR0", g_rd_cr0, 1u << 0, 0, VMEXIT_CR_READ(0),
		GPR_RBX);
	cr_case("MOV RBX, CR3", g_rd_cr3, 1u << 3, 0, VMEXIT_CR_READ(3),
		GPR_RBX);
	cr_case("MOV RBX, CR4", g_rd_cr4, 1u << 4, 0, VMEXIT_CR_READ(4),
		GPR_RBX);
	cr_case("MOV CR0, RDX", g_wr_cr0, 1u << 16, cr0, VMEXIT_CR_WRITE(0),
		GPR_RDX);
	cr_case("MOV CR3, RDX", g_wr_cr3, 1u << 19, read_cr3(),
		VMEXIT_CR_WRITE(3), GPR_RDX);
	cr_case("MOV CR4, RDX", g_wr_cr4, 1u << 20, read_cr4(),
		VMEXIT_CR_WRITE(4), GPR_RDX);
	/* A read intercept does not catch writes. */
	vmcb_init(g_wr_cr3);
	VMCB_FIELD(u32, VMCB_CR_INTERCEPTS) = 1u << 3;
	gregs.rdx = read_cr3();
	vmrun();
	check_exit("MOV CR3, RDX with only the read intercept",
		   VMEXIT_VMMCALL);

	/* Selective CR0 write: only changes to bits other than TS and MP
	 * exit (APM vol 2, 15.9.2). */
	vmcb_init(g_wr_cr0);
	intercept1(INTERCEPT1_CR0_SEL);
	gregs.rdx = cr0 ^ X86_CR0_TS;
	vmrun();
	check_exit("selective CR0 write, TS toggled", VMEXIT_VMMCALL);
	check_u64("selective CR0 write, TS toggled", "guest CR0",
		  VMCB64(VMCB_CR0), cr0 ^ X86_CR0_TS);

	vmcb_init(g_wr_cr0);
	intercept1(INTERCEPT1_CR0_SEL);
	gregs.rdx = cr0 ^ X86_CR0_AM;
	vmrun();
	check_exit("selective CR0 write, AM toggled", VMEXIT_CR0_SEL_WRITE);
	check_rip("selective CR0 write, AM toggled", g_wr_cr0);
	check_nrip("selective CR0 write, AM toggled", g_wr_cr0_next);
	check_u64("selective CR0 write, AM toggled", "guest CR0",
		  VMCB64(VMCB_CR0), cr0);
	report_prefix_pop();
}

static void test_exceptions(void)
{
	u8 *absent = alloc_page(), *ro = alloc_page();
	struct dtr gdtr;
	u16 sel;

	report_prefix_push("exception intercept");
	vmcb_init(g_ud2);
	VMCB_FIELD(u32, VMCB_EXC_INTERCEPTS) = 1u << UD_VECTOR;
	vmrun();
	check_exit("#UD", VMEXIT_EXCP(UD_VECTOR));
	check_rip("#UD", g_ud2);

	/* #DE is a fault: RIP stays on the DIV. #BP is a trap raised by
	 * INT3; only the exit code is compared. */
	vmcb_init(g_div0);
	VMCB_FIELD(u32, VMCB_EXC_INTERCEPTS) = 1u << DE_VECTOR;
	vmrun();
	check_exit("#DE", VMEXIT_EXCP(DE_VECTOR));
	check_rip("#DE", g_div0_div);
	vmcb_init(g_int3);
	VMCB_FIELD(u32, VMCB_EXC_INTERCEPTS) = 1u << BP_VECTOR;
	vmrun();
	check_exit("#BP", VMEXIT_EXCP(BP_VECTOR));

	/* Not intercepted: the guest's own handler runs. */
	vmcb_init(g_ud2);
	vmrun();
	check_exit("#UD not intercepted", VMEXIT_VMMCALL);
	check_u64("#UD not intercepted", "vector in the guest handler",
		  gregs.r13, UD_VECTOR);

	/* #PF: EXITINFO1 the error code, EXITINFO2 the faulting address
	 * (APM vol 2, 15.12.15). */
	unmap_page(absent);
	vmcb_init(g_read);
	VMCB_FIELD(u32, VMCB_EXC_INTERCEPTS) = 1u << PF_VECTOR;
	gregs.rbx = (uintptr_t)absent + 0x18;
	vmrun();
	check_exit("#PF read, not present", VMEXIT_EXCP(PF_VECTOR));
	check_u64("#PF read, not present", "EXITINFO1",
		  VMCB64(VMCB_EXITINFO1), 0);
	check_u64("#PF read, not present", "EXITINFO2",
		  VMCB64(VMCB_EXITINFO2), (uintptr_t)absent + 0x18);
	check_rip("#PF read, not present", g_read);

	install_page(ro, virt_to_phys(ro), 0);
	vmcb_init(g_write);
	VMCB_FIELD(u32, VMCB_EXC_INTERCEPTS) = 1u << PF_VECTOR;
	gregs.rbx = (uintptr_t)ro + 0x20;
	vmrun();
	install_page(ro, virt_to_phys(ro), PT_WRITABLE);
	check_exit("#PF write, read-only", VMEXIT_EXCP(PF_VECTOR));
	check_u64("#PF write, read-only", "EXITINFO1",
		  VMCB64(VMCB_EXITINFO1), PFERR_PRESENT | PFERR_WRITE);
	check_u64("#PF write, read-only", "EXITINFO2",
		  VMCB64(VMCB_EXITINFO2), (uintptr_t)ro + 0x20);

	/* #GP(selector) for a selector past the GDT limit (SDM vol 2B,
	 * MOV, 64-Bit Mode Exceptions). */
	asm volatile("sgdt %0" : "=m"(gdtr));
	sel = (gdtr.limit | 7) + 1;
	vmcb_init(g_load_ds);
	VMCB_FIELD(u32, VMCB_EXC_INTERCEPTS) = 1u << GP_VECTOR;
	gregs.rdx = sel;
	vmrun();
	check_exit("#GP loading DS past the GDT", VMEXIT_EXCP(GP_VECTOR));
	check_u64("#GP loading DS past the GDT", "EXITINFO1",
		  VMCB64(VMCB_EXITINFO1), sel);
	report_prefix_pop();
}

static volatile unsigned irqs, nmis;

static void irq_handler(struct ex_regs *regs)
{
	(void)regs;
	irqs++;
	apic_eoi();
}

static void nmi_handler(struct ex_regs *regs)
{
	(void)regs;
	nmis++;
}

/*
 * INTR and NMI intercepts (APM vol 2, 15.13): an interrupt pending at
 * VMRUN is taken in the guest and exits instead of being delivered;
 * it stays pending for the host.
 */
static void test_intr_nmi(void)
{
	unsigned i;

	report_prefix_push("interrupt intercept");
	handle_exception(IRQ_VECTOR, irq_handler);
	handle_exception(NMI_VECTOR, nmi_handler);

	/* Host RFLAGS.IF clear holds the IPI pending; V_INTR_MASKING clear
	 * lets the guest's RFLAGS.IF decide (APM vol 2, 15.21.1). */
	cli();
	irqs = 0;
	vmcb_init(g_nops);
	intercept1(INTERCEPT1_INTR);
	VMCB64(VMCB_RFLAGS) = X86_EFLAGS_FIXED | X86_EFLAGS_IF;
	apic_send_ipi(apic_id(), IRQ_VECTOR);
	vmrun();
	check_exit("INTR", VMEXIT_INTR);
	check_u64("INTR", "host handler runs before STI", irqs, 0);
	sti();
	for (i = 0; i < 1000 && !irqs; i++)
		pause();
	cli();
	check_u64("INTR", "host handler runs after STI", irqs, 1);

	/* GIF clear holds the NMI pending until VMRUN sets it. */
	nmis = 0;
	vmcb_init(g_nops);
	intercept1(INTERCEPT1_NMI);
	asm volatile("clgi");
	apic_icr_write(APIC_DEST_PHYSICAL | APIC_DM_NMI | APIC_INT_ASSERT,
		       apic_id());
	check_u64("NMI", "host handler runs while GIF is clear", nmis, 0);
	vmrun();
	for (i = 0; i < 1000 && !nmis; i++)
		pause();
	check_exit("NMI", VMEXIT_NMI);
	check_u64("NMI", "host handler runs after STGI", nmis, 1);

	handle_exception(IRQ_VECTOR, NULL);
	handle_exception(NMI_VECTOR, NULL);
	report_prefix_pop();
}

/*
 * Virtual interrupts (APM vol 2, 15.21.4): V_IRQ pending, priority above
 * V_TPR (V_IGN_TPR set here), is taken by a guest with RFLAGS.IF set
 * through the guest IDT at V_INTR_VECTOR, and V_IRQ is cleared; with the
 * VINTR intercept the guest exits instead when it could take it.
 */
static void vintr_init(u64 rflags)
{
	vmcb_init(g_nops);
	VMCB_FIELD(u32, VMCB_VINTR) = VINTR_V_IRQ | VINTR_IGN_TPR |
				      VINTR_MASKING |
				      (0xfu << VINTR_PRIO_SHIFT);
	VMCB_FIELD(u8, VMCB_VINTR_VECTOR) = SOFT_INT_VECTOR;
	VMCB64(VMCB_RFLAGS) = rflags;
}

static void test_vintr(void)
{
	u64 if1 = X86_EFLAGS_FIXED | X86_EFLAGS_IF;

	report_prefix_push("virtual interrupt");
	vintr_init(if1);
	intercept1(INTERCEPT1_VINTR);
	vmrun();
	check_exit("V_IRQ, VINTR intercept", VMEXIT_VINTR);
	check_rip("V_IRQ, VINTR intercept", g_nops);

	vintr_init(if1);
	vmrun();
	check_exit("V_IRQ, guest IF set", VMEXIT_VMMCALL);
	check_u64("V_IRQ, guest IF set", "vector in the guest handler",
		  gregs.r13, SOFT_INT_VECTOR);
	check_u64("V_IRQ, guest IF set", "V_IRQ after delivery",
		  VMCB_FIELD(u32, VMCB_VINTR) & VINTR_V_IRQ, 0);

	vintr_init(X86_EFLAGS_FIXED);
	vmrun();
	check_exit("V_IRQ, guest IF clear", VMEXIT_VMMCALL);
	check_u64("V_IRQ, guest IF clear", "vector in the guest handler",
		  gregs.r13, -1ull);
	check_u64("V_IRQ, guest IF clear", "V_IRQ still pending",
		  VMCB_FIELD(u32, VMCB_VINTR) & VINTR_V_IRQ, VINTR_V_IRQ);
	report_prefix_pop();
}

/* VMSAVE and VMLOAD move the state VMRUN leaves alone between the
 * processor and a VMCB (APM vol 2, 15.5.2; vol 3, VMLOAD/VMSAVE). */
static void test_vmload_vmsave(void)
{
	u8 *page = alloc_page();
	u64 pa = virt_to_phys(page), old = rdmsr(MSR_KERNEL_GS_BASE), got;

	report_prefix_push("VMLOAD/VMSAVE");
	wrmsr(MSR_KERNEL_GS_BASE, 0x123456789000ull);
	asm volatile("vmsave" :: "a"(pa) : "memory");
	got = *(u64 *)(page + VMCB_KERNEL_GS_BASE);
	check_u64("VMSAVE", "KernelGsBase in the VMCB", got,
		  0x123456789000ull);
	*(u64 *)(page + VMCB_KERNEL_GS_BASE) = 0x7edcba987000ull;
	asm volatile("vmload" :: "a"(pa) : "memory");
	got = rdmsr(MSR_KERNEL_GS_BASE);
	wrmsr(MSR_KERNEL_GS_BASE, old);
	check_u64("VMLOAD", "IA32_KERNEL_GS_BASE", got, 0x7edcba987000ull);
	report_prefix_pop();
}

static void test_eventinj(void)
{
	u64 inj = EVENT_VALID | EVENT_EV | EVENT_TYPE_EXCEPTION | GP_VECTOR |
		  (0x1234ull << EVENT_ERRCODE_SHIFT);

	report_prefix_push("event injection");
	vmcb_init(g_nops);
	VMCB64(VMCB_EVENTINJ) = inj;
	vmrun();
	check_exit("#GP(1234H)", VMEXIT_VMMCALL);
	check_u64("#GP(1234H)", "vector in the guest handler", gregs.r13,
		  GP_VECTOR);
	check_u64("#GP(1234H)", "error code in the guest handler", gregs.r14,
		  0x1234);
	check_u64("#GP(1234H)", "return RIP in the guest handler", gregs.r15,
		  (uintptr_t)g_nops);
	/* Delivered: no event left pending, EXITINTINFO.V clear (APM
	 * vol 2, 15.7.2); the other bits mean nothing then. */
	check_u64("#GP(1234H)", "EXITINTINFO.V",
		  VMCB64(VMCB_EXITINTINFO) & EVENT_VALID, 0);

	vmcb_init(g_nops);
	VMCB64(VMCB_EVENTINJ) = EVENT_VALID | EVENT_TYPE_SOFT_INT |
				SOFT_INT_VECTOR;
	/* With NRIPS the return address pushed for an injected software
	 * interrupt comes from NEXT_RIP; the handler never returns. */
	VMCB64(VMCB_NEXT_RIP) = (uintptr_t)g_nops;
	vmrun();
	check_exit("INT 80H", VMEXIT_VMMCALL);
	check_u64("INT 80H", "vector in the guest handler", gregs.r13,
		  SOFT_INT_VECTOR);
	check_u64("INT 80H", "no error code pushed", gregs.r14, -1ull);

	/* The #GP gate is not present: #NP(vector, IDT, EXT) while
	 * delivering, intercepted; EXITINTINFO holds the #GP (APM vol 2,
	 * 15.7.2; SDM vol 3, 6.13). */
	vmcb_init(g_nops);
	guest_idt[2 * GP_VECTOR] &= ~(0x80ull << 40);
	VMCB_FIELD(u32, VMCB_EXC_INTERCEPTS) = 1u << NP_VECTOR;
	VMCB64(VMCB_EVENTINJ) = inj;
	vmrun();
	check_exit("#NP delivering #GP", VMEXIT_EXCP(NP_VECTOR));
	check_u64("#NP delivering #GP", "EXITINTINFO",
		  VMCB64(VMCB_EXITINTINFO), inj);
	check_u64("#NP delivering #GP", "EXITINFO1 (error code)",
		  VMCB64(VMCB_EXITINFO1),
		  (GP_VECTOR << 3) | SEL_ERR_IDT | SEL_ERR_EXT);
	report_prefix_pop();
}

/* Illegal guest state, APM vol 2, 15.5.1: VMRUN exits at once with
 * VMEXIT_INVALID and the guest never runs. */
struct bad_state {
	const char *what;
	unsigned off, size;
	u64 clear, set;
};

static const struct bad_state bad_states[] = {
	{ "guest ASID 0", VMCB_ASID, 4, ~0ull, 0 },
	{ "VMRUN intercept clear", VMCB_INTERCEPT_MISC2, 4, INTERCEPT2_VMRUN,
	  0 },
	{ "EFER.SVME clear", VMCB_EFER, 8, EFER_SVME, 0 },
	{ "CR0.NW set with CR0.CD clear", VMCB_CR0, 8, X86_CR0_CD,
	  X86_CR0_NW },
	{ "CR0 bit 32 set", VMCB_CR0, 8, 0, 1ull << 32 },
	{ "CR3 bit 63 set", VMCB_CR3, 8, 0, 1ull << 63 },
	{ "CR4 bit 63 set", VMCB_CR4, 8, 0, 1ull << 63 },
	{ "DR6 bit 32 set", VMCB_DR6, 8, 0, 1ull << 32 },
	{ "DR7 bit 32 set", VMCB_DR7, 8, 0, 1ull << 32 },
	{ "EFER bit 63 set", VMCB_EFER, 8, 0, 1ull << 63 },
	{ "EFER.LME and CR0.PG with CR4.PAE clear", VMCB_CR4, 8,
	  X86_CR4_PAE, 0 },
	{ "EFER.LME and CR0.PG with CR0.PE clear", VMCB_CR0, 8, X86_CR0_PE,
	  0 },
	{ "CS.L and CS.D both set", VMCB_CS + 2, 2, 0, SEG_ATTR_DB },
};

static void run_bad_state(const struct bad_state *b)
{
	u64 code, v;

	vmcb_init(g_marker);
	if (b->size == 2)
		v = VMCB_FIELD(u16, b->off);
	else if (b->size == 4)
		v = VMCB_FIELD(u32, b->off);
	else
		v = VMCB64(b->off);
	v = (v & ~b->clear) | b->set;
	if (b->size == 2)
		VMCB_FIELD(u16, b->off) = v;
	else if (b->size == 4)
		VMCB_FIELD(u32, b->off) = v;
	else
		VMCB64(b->off) = v;
	code = vmrun();
	report(code == VMEXIT_INVALID, "%s exits with VMEXIT_INVALID (got "
	       "%#lx, want %#llx)", b->what, (unsigned long)code,
	       VMEXIT_INVALID);
	report(!guest_marker, "%s: guest did not run (got %u, want 0)",
	       b->what, guest_marker);
}

static void test_consistency(void)
{
	u64 top = (1ull << cpuid_maxphyaddr()) - PAGE_SIZE;
	struct bad_state b;
	unsigned i;

	report_prefix_push("consistency");
	for (i = 0; i < ARRAY_SIZE(bad_states); i++)
		run_bad_state(&bad_states[i]);

	/* The bitmaps (8K and 12K) may not reach MAXPHYADDR. */
	b = (struct bad_state){ "MSRPM past MAXPHYADDR", VMCB_MSRPM_BASE, 8,
				~0ull, top };
	run_bad_state(&b);
	b = (struct bad_state){ "IOPM past MAXPHYADDR", VMCB_IOPM_BASE, 8,
				~0ull, top };
	run_bad_state(&b);

	/* Control: the same guest with a legal VMCB runs. */
	vmcb_init(g_marker);
	vmrun();
	check_exit("legal VMCB", VMEXIT_VMMCALL);
	report(guest_marker == 1, "legal VMCB: guest ran (got %u, want 1)",
	       guest_marker);
	report_prefix_pop();
}

/*
 * Nested paging (APM vol 2, 15.25): an identity map of the low 4 GiB
 * with 2 MiB pages, split into 4 KiB pages where a test changes one.
 * Nested walks are user accesses (15.25.5), so every entry has U set.
 */
#define NPT_RWU		(PT_PRESENT | PT_WRITABLE | PT_USER)

static u64 *npt_pml4;

static void npt_build(void)
{
	u64 *pdpt = alloc_page(), *pd;
	unsigned i, j;

	npt_pml4 = alloc_page();
	npt_pml4[0] = virt_to_phys(pdpt) | NPT_RWU;
	for (i = 0; i < 4; i++) {
		pd = alloc_page();
		pdpt[i] = virt_to_phys(pd) | NPT_RWU;
		for (j = 0; j < 512; j++)
			pd[j] = ((u64)i << 30) | ((u64)j << 21) | NPT_RWU |
				PT_PAGE_SIZE;
	}
}

/* The NPT entry of the 4 KiB page holding @gpa (below 4 GiB). */
static u64 *npt_pte(u64 gpa)
{
	u64 *pdpt = (u64 *)(uintptr_t)(npt_pml4[0] & PT_ADDR_MASK);
	u64 *pd = (u64 *)(uintptr_t)(pdpt[gpa >> 30] & PT_ADDR_MASK);
	u64 *pde = &pd[(gpa >> 21) & 511], *pt;
	unsigned i;

	if (*pde & PT_PAGE_SIZE) {
		pt = alloc_page();
		for (i = 0; i < 512; i++)
			pt[i] = (*pde & ~(LARGE_PAGE_SIZE - 1) & PT_ADDR_MASK) +
				i * PAGE_SIZE + NPT_RWU;
		*pde = virt_to_phys(pt) | NPT_RWU;
	}
	pt = (u64 *)(uintptr_t)(*pde & PT_ADDR_MASK);
	return &pt[(gpa >> 12) & 511];
}

static void npt_vmcb_init(void *rip)
{
	vmcb_init(rip);
	VMCB64(VMCB_NP_CONTROL) = NP_ENABLE;
	VMCB64(VMCB_N_CR3) = virt_to_phys(npt_pml4);
}

static void test_npt(void)
{
	u64 *data = alloc_page(), *absent = alloc_page(), *ro = alloc_page();
	u64 *far = vmap(virt_to_phys(alloc_page()), PAGE_SIZE);
	u64 pa, pt_pa;

	report_prefix_push("nested paging");
	if (!this_cpu_has(SVM_FEATURE_NPT)) {
		report_skip("no nested paging: CPUID.8000000AH:EDX[0] clear");
		report_prefix_pop();
		return;
	}
	npt_build();

	data[3] = 0x5a5a0001;
	npt_vmcb_init(g_read);
	gregs.rbx = (uintptr_t)&data[3];
	vmrun();
	check_exit("read through the identity map", VMEXIT_VMMCALL);
	check_u64("read through the identity map", "value read",
		  VMCB64(VMCB_RAX), 0x5a5a0001);

	pa = virt_to_phys(absent) + 0x88;
	*npt_pte(pa) = 0;
	npt_vmcb_init(g_read);
	gregs.rbx = (uintptr_t)absent + 0x88;
	vmrun();
	check_exit("read, NPT entry not present", VMEXIT_NPF);
	check_u64("read, NPT entry not present", "EXITINFO1",
		  VMCB64(VMCB_EXITINFO1), NPF_FINAL_GPA | PFERR_USER);
	check_u64("read, NPT entry not present", "EXITINFO2",
		  VMCB64(VMCB_EXITINFO2), pa);
	check_rip("read, NPT entry not present", g_read);

	pa = virt_to_phys(ro) + 0x10;
	*npt_pte(pa) &= ~PT_WRITABLE;
	npt_vmcb_init(g_write);
	gregs.rbx = (uintptr_t)ro + 0x10;
	VMCB64(VMCB_RAX) = 0x77;
	vmrun();
	check_exit("write, NPT entry read-only", VMEXIT_NPF);
	check_u64("write, NPT entry read-only", "EXITINFO1",
		  VMCB64(VMCB_EXITINFO1), NPF_FINAL_GPA | PFERR_USER |
		  PFERR_WRITE | PFERR_PRESENT);
	check_u64("write, NPT entry read-only", "EXITINFO2",
		  VMCB64(VMCB_EXITINFO2), pa);
	check_u64("write, NPT entry read-only", "memory unchanged", ro[2], 0);

	/* The guest page-table page mapping @far is absent from the NPT:
	 * the fault is on the guest's walk (EXITINFO1 bit 33), at that
	 * page. */
	pt_pa = virt_to_phys(get_pte(far)) & ~(PAGE_SIZE - 1);
	*npt_pte(pt_pa) = 0;
	npt_vmcb_init(g_read);
	gregs.rbx = (uintptr_t)far;
	vmrun();
	check_exit("guest page walk, NPT entry not present", VMEXIT_NPF);
	check_u64("guest page walk, NPT entry not present",
		  "EXITINFO1 bits 33:32 and P",
		  VMCB64(VMCB_EXITINFO1) & (NPF_GUEST_WALK | NPF_FINAL_GPA |
					     PFERR_PRESENT), NPF_GUEST_WALK);
	check_u64("guest page walk, NPT entry not present",
		  "EXITINFO2 page", VMCB64(VMCB_EXITINFO2) & ~(PAGE_SIZE - 1),
		  pt_pa);
	report_prefix_pop();
}

int main(void)
{
	u64 efer;
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
	has_nrips = this_cpu_has(SVM_FEATURE_NRIPS);
	has_decode = this_cpu_has(SVM_FEATURE_DECODE);

	vmcb = alloc_page();
	efer = rdmsr(MSR_EFER);
	wrmsr(MSR_EFER, efer & ~EFER_SVME);
	v = vmrun_safe();
	report(v == UD_VECTOR, "VMRUN with EFER.SVME=0 raises #UD (got %s, "
	       "want #UD)", v < 0 ? "none" : exception_mnemonic(v));

	wrmsr(MSR_EFER, efer | EFER_SVME);
	wrmsr(MSR_VM_HSAVE_PA, virt_to_phys(alloc_page()));
	if (!has_nrips)
		report_skip("next RIP checks: no %s", SVM_FEATURE_NRIPS.name);
	if (!has_decode)
		report_skip("CR and INVLPG EXITINFO1 checks: no %s",
			    SVM_FEATURE_DECODE.name);

	test_basic();
	report_prefix_push("intercept");
	test_simple_intercepts();
	test_insn_intercepts();
	test_tsc_offset();
	test_msr();
	test_io();
	test_cr();
	test_exceptions();
	test_intr_nmi();
	report_prefix_pop();
	test_vintr();
	test_eventinj();
	test_vmload_vmsave();
	test_consistency();
	test_npt();

	wrmsr(MSR_EFER, efer);
	return report_summary();
}
