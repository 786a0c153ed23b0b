/*
 * i386 entry from a multiboot v1 loader (QEMU -kernel): 32-bit protected
 * mode, paging off, EAX = 0x2badb002, EBX = physical address of the
 * multiboot information (Multiboot Specification 0.6.96, 3.2).
 *
 * Paging is PAE (SDM vol 3, 4.4): its entries are the 64-bit entries of
 * 4-level paging one level shorter, so vm.c keeps one code path for both
 * x86 arches, and PAE is the only 32-bit mode with an XD bit (tests that
 * need NX set EFER.NXE when CPUID.80000001H:EDX[20] says it exists).
 * We identity map the low 4 GiB with 2 MiB pages, the same map cstart64.S
 * builds, and call x86_setup() in C.
 *
 * Application processors start in real mode in sipi_trampoline (copied
 * below 1 MiB by smp.c), switch to protected mode and paging on the BSP's
 * page tables, and call ap_main().
 */
#include "x86/layout.h"

#define MB_MAGIC	0x1badb002	/* Multiboot 0.6.96, 3.1.1 */
#define MB_FLAGS	0x00000002	/* bit 1: please pass memory info */

#define CR0_PE		0x00000001
#define CR0_WP		0x00010000
#define CR0_PG		0x80000000
#define CR4_PAE		0x00000020

/* PAE PDPTE: only P (bits 2:1 are reserved, SDM vol 3, 4.4.1 table 4-8) */
#define PDPTE_P		0x001
#define PDE_2M		0x083		/* present, writable, PS (table 4-9) */

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
	.quad 0x00cf9a000000ffff	/* KERNEL_CS: 32-bit, DPL 0 */
	.quad 0x00cf92000000ffff	/* KERNEL_DS */
	.quad 0x00cf9a000000ffff	/* KERNEL_CS32 */
	.quad 0x00cff2000000ffff	/* USER_DS: DPL 3 */
	.quad 0x00cffa000000ffff	/* USER_CS: 32-bit, DPL 3 */
	.quad 0				/* TSS_SEL: filled per CPU in desc.c */
	.quad 0				/* PERCPU_SEL: likewise */
	.fill GDT_ENTRIES - 8, 8, 0	/* from GDT_FREE_SEL: for tests */
boot_gdt_end:

boot_gdt_desc:
	.word boot_gdt_end - boot_gdt - 1
	.long boot_gdt

	.globl mb_info_phys
	.balign 4
mb_info_phys:
	.long 0

	/* Index handed to the next AP that reaches protected mode; 0 is
	 * the BSP. */
	.globl ap_next_cpu
ap_next_cpu:
	.long 1

	.bss
	.balign 4096
	/* CR3 in PAE mode takes a 32-byte aligned PDPT; vm.c reads CR3
	 * with the 4 KiB mask, so keep it page aligned. */
	.globl boot_pdpt
boot_pdpt:
	.skip 4096
boot_pd:
	.skip 4 * 4096
	.balign 16
bsp_stack:
	.skip STACK_SIZE
bsp_stack_top:

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
	/* .bss holds the page tables and the stack: clear it first. */
	mov $__bss_start, %edi
	mov $__bss_end, %ecx
	sub %edi, %ecx
	shr $2, %ecx
	xor %eax, %eax
	rep stosl
	mov %esi, mb_info_phys

	lgdt boot_gdt_desc
	ljmp $KERNEL_CS, $1f
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
	add $boot_pd + PDPTE_P, %eax
	mov %eax, (%edi, %ecx, 8)
	inc %ecx
	cmp $4, %ecx
	jne 3b

	enable_paging
	xor %ebp, %ebp
	push mb_info_phys
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
	ljmpl $KERNEL_CS, $ap_start32
	.balign 4
tramp_gdt_desc:
	.word boot_gdt_end - boot_gdt - 1
	.long boot_gdt
	.globl sipi_trampoline_end
sipi_trampoline_end:

	.code32
ap_start32:
	load_data_segments
	enable_paging
	mov $1, %eax
	lock xadd %eax, ap_next_cpu
	cmp $MAX_CPUS, %eax
	jae 5f
	/* esp = ap_stacks + (index + 1) * STACK_SIZE */
	lea 1(%eax), %esp
	imul $STACK_SIZE, %esp, %esp
	add $ap_stacks, %esp
	xor %ebp, %ebp
	push %eax
	call ap_main
5:	cli
	hlt
	jmp 5b

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
