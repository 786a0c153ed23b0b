/*
 * x86_64 entry from a multiboot v1 loader: start32 (cstart.S.inc) builds
 * an identity map of the low 4 GiB with 2 MiB pages; here the PML4 on
 * top of it, the switch to long mode (SDM vol 3, 10.8.5 "Initializing
 * IA-32e Mode") and the call to x86_setup() in C.
 *
 * Application processors start in real mode in sipi_trampoline (copied
 * below 1 MiB by smp.c), switch to protected mode, then join the same
 * long-mode path on the BSP's page tables.
 */
#include "x86/cstart.S.inc"

#define MSR_EFER	0xc0000080
#define EFER_LME	0x00000100

#define PTE_P_RW_US	0x007		/* SDM vol 3, 4.5 table 4-15 */

/* Code segments with L=1 (SDM vol 3, 3.4.5) */
#define GDT_CODE64_DPL0	0x00af9a000000ffff
#define GDT_CODE64_DPL3	0x00affa000000ffff

	multiboot_header
	boot_gdt_and_data GDT_CODE64_DPL0, GDT_CODE64_DPL3

	.bss
	.balign 4096
	.globl boot_pml4
boot_pml4:
	.skip 4096
	boot_pdpt_pd_and_stack

/* PAE, CR3, EFER.LME, then CR0.PG: the order SDM vol 3, 10.8.5 requires. */
.macro enter_long_mode
	mov %cr4, %eax
	or $CR4_PAE, %eax
	mov %eax, %cr4
	mov $boot_pml4, %eax
	mov %eax, %cr3
	mov $MSR_EFER, %ecx
	rdmsr
	or $EFER_LME, %eax
	wrmsr
	mov %cr0, %eax
	or $(CR0_PG | CR0_WP | CR0_PE), %eax
	mov %eax, %cr0
.endm

	start32_identity_map KERNEL_CS32, PTE_P_RW_US
	movl $boot_pdpt + PTE_P_RW_US, boot_pml4

	enter_long_mode
	ljmp $KERNEL_CS, $start64

	.code64
start64:
	load_data_segments
	mov $bsp_stack_top, %rsp
	mov mb_info_phys, %edi
	xor %ebp, %ebp
	call x86_setup
	halt_forever

	ap_trampoline KERNEL_CS32, ap_start32

	.code32
ap_start32:
	load_data_segments
	enter_long_mode
	ljmp $KERNEL_CS, $ap_start64

	.code64
ap_start64:
	load_data_segments
	ap_index_and_stack %rax, %rsp, 5f
	mov %eax, %edi
	xor %ebp, %ebp
	call ap_main
5:	halt_forever

/*
 * setjmp/longjmp for run_catching(): only the registers the SysV x86-64
 * ABI makes callee-saved, plus RSP and the return address.
 */
	.globl setjmp
setjmp:
	mov %rbx, 0(%rdi)
	mov %rbp, 8(%rdi)
	mov %r12, 16(%rdi)
	mov %r13, 24(%rdi)
	mov %r14, 32(%rdi)
	mov %r15, 40(%rdi)
	lea 8(%rsp), %rax
	mov %rax, 48(%rdi)
	mov (%rsp), %rax
	mov %rax, 56(%rdi)
	xor %eax, %eax
	ret

	.globl longjmp
longjmp:
	mov 0(%rdi), %rbx
	mov 8(%rdi), %rbp
	mov 16(%rdi), %r12
	mov 24(%rdi), %r13
	mov 32(%rdi), %r14
	mov 40(%rdi), %r15
	mov 48(%rdi), %rsp
	mov %esi, %eax
	test %eax, %eax
	jnz 6f
	inc %eax
6:	jmp *56(%rdi)
