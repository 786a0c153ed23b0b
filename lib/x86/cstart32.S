/*
 * i386 entry from a multiboot v1 loader: start32 (cstart.S.inc) builds
 * the identity map of the low 4 GiB with 2 MiB pages that cstart64.S
 * builds; here paging goes on and x86_setup() is called in C.
 *
 * Paging is PAE (SDM vol 3, 4.4): its entries are the 64-bit entries of
 * 4-level paging one level shorter, so vm.c keeps one code path for both
 * x86 arches, and PAE is the only 32-bit mode with an XD bit (tests that
 * need NX set EFER.NXE when CPUID.80000001H:EDX[20] says it exists).
 *
 * Application processors start in real mode in sipi_trampoline (copied
 * below 1 MiB by smp.c), switch to protected mode and paging on the BSP's
 * page tables, and call ap_main().
 */
#include "x86/cstart.S.inc"

/* PAE PDPTE: only P (bits 2:1 are reserved, SDM vol 3, 4.4.1 table 4-8) */
#define PDPTE_P		0x001
/* PAE PDPTE bits 2:1 and 8:5, reserved (same table) */
#define PDPTE_RSVD	0x1e6

/* 32-bit code segments, D=1 (SDM vol 3, 3.4.5) */
#define GDT_CODE32_DPL0	0x00cf9a000000ffff
#define GDT_CODE32_DPL3	0x00cffa000000ffff

	multiboot_header
	boot_gdt_and_data GDT_CODE32_DPL0, GDT_CODE32_DPL3

	.bss
	.balign 4096
	/* CR3 in PAE mode takes a 32-byte aligned PDPT; vm.c reads CR3
	 * with the 4 KiB mask, so keep it page aligned. */
	.globl boot_pdpt
	boot_pdpt_pd_and_stack

/* CR4.PAE and CR3 before CR0.PG (SDM vol 3, 4.1.2 and 10.9.1). */
.macro enable_paging
	mov %cr4, %eax
	or $CR4_PAE, %eax
	mov %eax, %cr4
	mov $boot_pdpt, %eax
	mov %eax, %cr3
	mov %cr0, %eax
	or $(CR0_PG | CR0_WP | CR0_PE), %eax
	mov %eax, %cr0
.endm

	start32_identity_map KERNEL_CS, PDPTE_P
	enable_paging
	xor %ebp, %ebp
	push mb_info_phys
	call x86_setup
	halt_forever

	ap_trampoline KERNEL_CS, ap_start32

/*
 * QEMU 7.2 TCG sets bit 5 of the PAE PDPTEs, a reserved bit, when it
 * walks them (docs/known-failures.md: access, "PAE PDPTEs"). A hypervisor
 * that loads the PDPTEs at an AP's MOV to CR0 as SDM vol 3, 4.4.1 says
 * (KVM nested in TCG does) raises #GP(0) there, before the AP has an IDT,
 * and the machine resets. The BSP wrote P and the address only: put that
 * back. Nothing changes on a processor that sets no such bit (4.8).
 */
.macro pdpt_clear_reserved
	lock andl $~PDPTE_RSVD, boot_pdpt
	lock andl $~PDPTE_RSVD, boot_pdpt + 8
	lock andl $~PDPTE_RSVD, boot_pdpt + 16
	lock andl $~PDPTE_RSVD, boot_pdpt + 24
.endm

	.code32
ap_start32:
	load_data_segments
	pdpt_clear_reserved
	enable_paging
	ap_index_and_stack %eax, %esp, 5f
	xor %ebp, %ebp
	push %eax
	call ap_main
5:	halt_forever

/*
 * setjmp/longjmp for run_catching(): the registers the i386 SysV ABI makes
 * callee-saved (EBX, ESI, EDI, EBP), ESP and the return address.
 * setjmp takes its buffer on the stack (cdecl); longjmp is regparm(3),
 * buffer in EAX and value in EDX, because desc.c enters it through an
 * exception frame where only registers can carry arguments.
 */
	.globl setjmp
setjmp:
	mov 4(%esp), %eax
	mov %ebx, 0(%eax)
	mov %esi, 4(%eax)
	mov %edi, 8(%eax)
	mov %ebp, 12(%eax)
	lea 4(%esp), %ecx
	mov %ecx, 16(%eax)
	mov (%esp), %ecx
	mov %ecx, 20(%eax)
	xor %eax, %eax
	ret

	.globl longjmp
longjmp:
	mov 0(%eax), %ebx
	mov 4(%eax), %esi
	mov 8(%eax), %edi
	mov 12(%eax), %ebp
	mov 16(%eax), %esp
	mov %edx, %ecx
	test %ecx, %ecx
	jnz 6f
	inc %ecx
6:	xchg %eax, %ecx
	jmp *20(%ecx)
