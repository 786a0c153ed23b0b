/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * AArch64 entry from QEMU's -kernel on virt: the image is a raw binary that
 * QEMU loads like a Linux Image (x0 = device tree, EL1, MMU and caches off;
 * Documentation/arm64/booting.rst's contract, which QEMU follows for any
 * image that is not ELF). It is linked at 0 as a PIE and applies its own
 * R_AARCH64_RELATIVE relocations, so it runs wherever RAM starts.
 * Also: the exception vectors, secondary entry, setjmp/longjmp and the
 * drop to EL0.
 */
#include "arm/64/ptregs.h"

/* CPACR_EL1.FPEN = 0b11: FP/SIMD does not trap (Arm ARM, CPACR_EL1) */
#define CPACR_FPEN	(3 << 20)
#define R_AARCH64_RELATIVE 1027

	.macro adr_l reg, sym
	adrp	\reg, \sym
	add	\reg, \reg, :lo12:\sym
	.endm

	.section .text.head, "ax"
	.globl	_start
_start:
	mov	x19, x0			/* device tree */
	adr	x20, _start		/* where we run; linked at 0 */

	adr_l	x1, __rela_start
	adr_l	x2, __rela_end
1:	cmp	x1, x2
	b.hs	3f
	ldp	x3, x4, [x1], #16	/* r_offset, r_info */
	ldr	x5, [x1], #8		/* r_addend */
	cmp	w4, #R_AARCH64_RELATIVE
	b.ne	2f
	add	x5, x5, x20
	str	x5, [x20, x3]
	b	1b
2:	wfi				/* a relocation we cannot apply */
	b	2b

3:	adr_l	x1, __bss_start
	adr_l	x2, __bss_end
4:	cmp	x1, x2
	b.hs	5f
	str	xzr, [x1], #8
	b	4b

5:	adr_l	x1, boot_stack_top
	mov	sp, x1
	mov	x1, #CPACR_FPEN
	msr	cpacr_el1, x1
	adr_l	x1, vectors
	msr	vbar_el1, x1
	isb
	mov	x0, x19
	bl	setup_primary
6:	wfi
	b	6b

/* PSCI CPU_ON lands here with x0 = the context id: this CPU's struct cpu. */
	.text
	.globl	secondary_entry
secondary_entry:
	ldr	x1, [x0, #CPU_STACK_TOP]
	mov	sp, x1
	mov	x1, #CPACR_FPEN
	msr	cpacr_el1, x1
	adr_l	x1, vectors
	msr	vbar_el1, x1
	isb
	bl	setup_secondary
1:	wfi
	b	1b

/* int arm_setjmp(struct jmpbuf *); void arm_longjmp(struct jmpbuf *, int)
 * keep x19-x30, sp and DAIF (an exception handler longjmps with IRQs
 * masked by the exception entry). */
	.globl	arm_setjmp
arm_setjmp:
	stp	x19, x20, [x0, #0]
	stp	x21, x22, [x0, #16]
	stp	x23, x24, [x0, #32]
	stp	x25, x26, [x0, #48]
	stp	x27, x28, [x0, #64]
	stp	x29, x30, [x0, #80]
	mov	x1, sp
	mrs	x2, daif
	stp	x1, x2, [x0, #96]
	mov	x0, #0
	ret

	.globl	arm_longjmp
arm_longjmp:
	ldp	x19, x20, [x0, #0]
	ldp	x21, x22, [x0, #16]
	ldp	x23, x24, [x0, #32]
	ldp	x25, x26, [x0, #48]
	ldp	x27, x28, [x0, #64]
	ldp	x29, x30, [x0, #80]
	ldp	x2, x3, [x0, #96]
	mov	sp, x2
	msr	daif, x3
	mov	x0, x1
	ret

/* void arm_enter_user(fn, arg, user_sp): ERET to EL0t at fn(arg); when fn
 * returns it lands in user_return, whose SVC tells the kernel. */
	.globl	arm_enter_user
arm_enter_user:
	msr	sp_el0, x2
	msr	elr_el1, x0
	msr	spsr_el1, xzr		/* EL0t, DAIF clear */
	mov	x0, x1
	adr	x30, user_return
	isb
	eret

	.globl	user_return
user_return:
	svc	#SVC_USER_RETURN
	b	user_return

/* The vector table (Arm ARM, VBAR_EL1): each entry saves x0/x1, puts its
 * number in x0 and joins the common path, which builds a struct pt_regs. */
	.macro	ventry num
	.balign	0x80
	sub	sp, sp, #S_FRAME
	stp	x0, x1, [sp, #0]
	mov	x0, #\num
	b	vector_common
	.endm

	.balign	0x800
	.globl	vectors
vectors:
	ventry	0
	ventry	1
	ventry	2
	ventry	3
	ventry	4
	ventry	5
	ventry	6
	ventry	7
	ventry	8
	ventry	9
	ventry	10
	ventry	11
	ventry	12
	ventry	13
	ventry	14
	ventry	15

vector_common:
	stp	x2, x3, [sp, #16]
	stp	x4, x5, [sp, #32]
	stp	x6, x7, [sp, #48]
	stp	x8, x9, [sp, #64]
	stp	x10, x11, [sp, #80]
	stp	x12, x13, [sp, #96]
	stp	x14, x15, [sp, #112]
	stp	x16, x17, [sp, #128]
	stp	x18, x19, [sp, #144]
	stp	x20, x21, [sp, #160]
	stp	x22, x23, [sp, #176]
	stp	x24, x25, [sp, #192]
	stp	x26, x27, [sp, #208]
	stp	x28, x29, [sp, #224]
	str	x30, [sp, #S_X30]
	mrs	x1, elr_el1
	mrs	x2, spsr_el1
	stp	x1, x2, [sp, #S_PC]
	mrs	x1, esr_el1
	mrs	x2, far_el1
	stp	x1, x2, [sp, #S_ESR]
	cmp	x0, #VEC_EL0_SYNC
	b.lo	1f
	mrs	x1, sp_el0
	b	2f
1:	add	x1, sp, #S_FRAME
2:	str	x1, [sp, #S_SP]
	mov	x1, x0
	mov	x0, sp
	bl	do_exception

	ldp	x1, x2, [sp, #S_PC]
	msr	elr_el1, x1
	msr	spsr_el1, x2
	and	x2, x2, #0xf		/* SPSR.M: 0 is EL0t */
	cbnz	x2, 3f
	ldr	x1, [sp, #S_SP]
	msr	sp_el0, x1
3:	ldp	x2, x3, [sp, #16]
	ldp	x4, x5, [sp, #32]
	ldp	x6, x7, [sp, #48]
	ldp	x8, x9, [sp, #64]
	ldp	x10, x11, [sp, #80]
	ldp	x12, x13, [sp, #96]
	ldp	x14, x15, [sp, #112]
	ldp	x16, x17, [sp, #128]
	ldp	x18, x19, [sp, #144]
	ldp	x20, x21, [sp, #160]
	ldp	x22, x23, [sp, #176]
	ldp	x24, x25, [sp, #192]
	ldp	x26, x27, [sp, #208]
	ldp	x28, x29, [sp, #224]
	ldr	x30, [sp, #S_X30]
	ldp	x0, x1, [sp, #0]
	add	sp, sp, #S_FRAME
	eret

/* unsigned long smccc_call(fn, a1, a2, a3, conduit): conduit 0 HVC, 1 SMC
 * (SMC Calling Convention, DEN 0028, 2.7: arguments and result in x0-x3). */
	.globl	smccc_call
smccc_call:
	cbnz	x4, 1f
	hvc	#0
	ret
1:	smc	#0
	ret

	.bss
	.balign	16
boot_stack:
	.space	16384
	.globl	boot_stack_top
boot_stack_top:

	.section .note.GNU-stack, "", %progbits
