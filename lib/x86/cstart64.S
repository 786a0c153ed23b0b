/*
 * Entry from a multiboot v1 loader (QEMU -kernel): 32-bit protected mode,
 * paging off, EAX = 0x2badb002, EBX = physical address of the multiboot
 * information (Multiboot Specification 0.6.96, 3.2 "Machine state").
 * We build an identity map of the low 4 GiB with 2 MiB pages, switch to
 * long mode (SDM vol 3, 10.8.5 "Initializing IA-32e Mode") and call
 * x86_setup() in C.
 *
 * Application processors start in real mode in sipi_trampoline (copied
 * below 1 MiB by smp.c), switch to protected mode, then join the same
 * long-mode path on the BSP's page tables.
 */
#include "x86/layout.h"

#define MB_MAGIC	0x1badb002	/* Multiboot 0.6.96, 3.1.1 */
#define MB_FLAGS	0x00000002	/* bit 1: please pass memory info */

#define CR0_PE		0x00000001
#define CR0_WP		0x00010000
#define CR0_PG		0x80000000
#define CR4_PAE		0x00000020
#define MSR_EFER	0xc0000080
#define EFER_LME	0x00000100

#define PTE_P_RW_US	0x007		/* SDM vol 3, 4.5 table 4-15 */
#define PDE_2M		0x083		/* present, writable, PS */

	.section .multiboot, "a"
	.balign 4
	.long MB_MAGIC
	.long MB_FLAGS
	.long -(MB_MAGIC + MB_FLAGS)

	.data
	.balign 16
	.globl boot_gdt
boot_gdt:
	.quad 0
	.quad 0x00af9a000000ffff	/* KERNEL_CS: L=1, DPL 0 */
	.quad 0x00cf92000000ffff	/* KERNEL_DS */
	.quad 0x00cf9a000000ffff	/* KERNEL_CS32: D=1 */
	.quad 0x00cff2000000ffff	/* USER_DS: DPL 3 */
	.quad 0x00affa000000ffff	/* USER_CS: L=1, DPL 3 */
	.quad 0, 0			/* TSS_SEL: filled per CPU in desc.c */
boot_gdt_end:

boot_gdt_desc:
	.word boot_gdt_end - boot_gdt - 1
	.long boot_gdt

	.globl mb_info_phys
	.balign 4
mb_info_phys:
	.long 0

	/* Index handed to the next AP that reaches long mode; 0 is the BSP. */
	.globl ap_next_cpu
ap_next_cpu:
	.long 1

	.bss
	.balign 4096
	.globl boot_pml4
boot_pml4:
	.skip 4096
boot_pdpt:
	.skip 4096
boot_pd:
	.skip 4 * 4096
	.balign 16
bsp_stack:
	.skip STACK_SIZE
bsp_stack_top:

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

.macro load_data_segments
	mov $KERNEL_DS, %eax
	mov %eax, %ds
	mov %eax, %es
	mov %eax, %ss
	mov %eax, %fs
	mov %eax, %gs
.endm

	.text
	.code32
	.globl start32
start32:
	cld
	mov %ebx, %esi
	/* .bss holds the page tables and the stack: clear it first. The
	 * loader put the multiboot data after the image, not in it. */
	mov $__bss_start, %edi
	mov $__bss_end, %ecx
	sub %edi, %ecx
	shr $2, %ecx
	xor %eax, %eax
	rep stosl
	mov %esi, mb_info_phys

	lgdt boot_gdt_desc
	ljmp $KERNEL_CS32, $1f
1:	load_data_segments
	mov $bsp_stack_top, %esp

	/* 2048 2 MiB pages: PD entry i maps [i << 21, (i + 1) << 21). */
	mov $boot_pd, %edi
	xor %ecx, %ecx
2:	mov %ecx, %eax
	shl $21, %eax
	or $PDE_2M, %eax
	mov %eax, (%edi, %ecx, 8)
	movl $0, 4(%edi, %ecx, 8)
	inc %ecx
	cmp $2048, %ecx
	jne 2b

	mov $boot_pdpt, %edi
	xor %ecx, %ecx
3:	mov %ecx, %eax
	shl $12, %eax
	add $boot_pd + PTE_P_RW_US, %eax
	mov %eax, (%edi, %ecx, 8)
	inc %ecx
	cmp $4, %ecx
	jne 3b

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
4:	cli
	hlt
	jmp 4b

/*
 * Real-mode start-up code for APs. smp.c copies [sipi_trampoline,
 * sipi_trampoline_end) to TRAMPOLINE_BASE; the AP starts at offset 0 with
 * CS = TRAMPOLINE_BASE >> 4, so only offsets from sipi_trampoline are used
 * until the far jump into the image.
 */
	.code16
	.balign 16
	.globl sipi_trampoline
sipi_trampoline:
	cli
	mov %cs, %ax
	mov %ax, %ds
	/* operand-size prefix: load all 32 bits of the GDT base */
	lgdtl tramp_gdt_desc - sipi_trampoline
	mov %cr0, %eax
	or $CR0_PE, %eax
	mov %eax, %cr0
	ljmpl $KERNEL_CS32, $ap_start32
	.balign 4
tramp_gdt_desc:
	.word boot_gdt_end - boot_gdt - 1
	.long boot_gdt
	.globl sipi_trampoline_end
sipi_trampoline_end:

	.code32
ap_start32:
	load_data_segments
	enter_long_mode
	ljmp $KERNEL_CS, $ap_start64

	.code64
ap_start64:
	load_data_segments
	mov $1, %eax
	lock xadd %eax, ap_next_cpu
	cmp $MAX_CPUS, %eax
	jae 5f
	/* rsp = ap_stacks + (index + 1) * STACK_SIZE */
	mov %eax, %edi
	lea 1(%rax), %rsp
	imul $STACK_SIZE, %rsp, %rsp
	add $ap_stacks, %rsp
	xor %ebp, %ebp
	call ap_main
5:	cli
	hlt
	jmp 5b

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
