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
 * QEMU 7.2 TCG sets bit 5 of a PAE PDPTE, a reserved bit, whenever it
 * walks it (docs/known-failures.md: access, "PAE PDPTEs"). A hypervisor
 * that loads the PDPTEs at the MOV to CR0 that turns paging on, as SDM
 * vol 3, 4.4.1 says (KVM nested in TCG does), raises #GP(0) there; an AP
 * has no IDT yet, and the machine resets. Rewriting the shared boot_pdpt
 * first is not enough: the BSP, paging on the same PDPT, can walk it
 * again before the AP's MOV to CR0 (its MOV to CR4 before that is a VM
 * exit). So each AP turns paging on with a private PDPT, a copy of
 * boot_pdpt with P and the address only, that nobody else walks, and
 * then moves to boot_pdpt with a MOV to CR3, which SVM with nested paging
 * does not intercept (a hypervisor with shadow paging walks the PDPTEs
 * itself and sets no such bit). All CPUs then share one CR3, as vm.c
 * expects. Nothing changes on a processor that sets no such bit (4.8).
 */
	.bss
	.balign 32
ap_pdpt:
	.skip MAX_CPUS * 32

	.text
	.code32
ap_start32:
	load_data_segments
	ap_index_and_stack %eax, %esp, 5f
	mov %eax, %esi
	/* %edx: this AP's 32-byte aligned PDPT (CR3 in PAE mode) */
	mov %eax, %edx
	shl $5, %edx
	add $ap_pdpt, %edx
	xor %ecx, %ecx
1:	mov boot_pdpt(, %ecx, 8), %eax
	and $~PDPTE_RSVD, %eax
	mov %eax, (%edx, %ecx, 8)
	mov boot_pdpt + 4(, %ecx, 8), %eax
	mov %eax, 4(%edx, %ecx, 8)
	inc %ecx
	cmp $4, %ecx
	jne 1b
	mov %cr4, %eax
	or $CR4_PAE, %eax
	mov %eax, %cr4
	mov %edx, %cr3
	mov %cr0, %eax
	or $(CR0_PG | CR0_WP | CR0_PE), %eax
	mov %eax, %cr0
	mov $boot_pdpt, %eax
	mov %eax, %cr3
	xor %ebp, %ebp
	push %esi
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
