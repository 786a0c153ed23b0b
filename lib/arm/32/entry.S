/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ARMv7 entry from QEMU's -kernel on virt: a raw image QEMU boots like a
 * Linux zImage (SVC mode, MMU off, r2 = device tree; DDI 0406C and Linux's
 * Documentation/arm/booting.rst contract). Linked at 0 as a PIE, it applies
 * its own R_ARM_RELATIVE relocations first. Also: the exception vectors,
 * which build a struct pt_regs on the SVC stack whatever mode took the
 * exception, secondary entry, setjmp/longjmp, the drop to USR mode, and
 * the HVC/SMC conduit.
 */
#include "arm/32/ptregs.h"

#define R_ARM_RELATIVE	23
/* CPACR cp10/cp11 full access; FPEXC.EN (DDI 0406C, CPACR and FPEXC) */
#define CPACR_CP10_CP11	(0xf << 20)
#define FPEXC_EN	(1 << 30)

	.syntax unified
	.arm
	.arch	armv7-a
	.arch_extension virt
	.arch_extension sec
	.fpu	vfpv3

	.section .text.head, "ax"
	.globl	_start
_start:
	mov	r10, r2			/* device tree */
	adr	r11, _start		/* where we run; linked at 0 */
	/* read the offsets before relocating: they are relocated too */
	adr	r0, 9f
	ldmia	r0, {r4-r8}
	add	r4, r4, r11		/* __rel_start */
	add	r5, r5, r11		/* __rel_end */
	add	r6, r6, r11		/* __bss_start */
	add	r7, r7, r11		/* __bss_end */
	add	r8, r8, r11		/* boot_stack_top */

1:	cmp	r4, r5
	bhs	3f
	ldmia	r4!, {r2, r3}		/* r_offset, r_info */
	and	r3, r3, #0xff
	cmp	r3, #R_ARM_RELATIVE
	bne	2f
	ldr	r1, [r11, r2]
	add	r1, r1, r11
	str	r1, [r11, r2]
	b	1b
2:	wfi				/* a relocation we cannot apply */
	b	2b

3:	mov	r2, #0
4:	cmp	r6, r7
	strlo	r2, [r6], #4
	blo	4b

	mov	sp, r8
	bl	cpu_common_init
	mov	r0, r10
	bl	setup_primary
5:	wfi
	b	5b

	/* link-time offsets from _start (which is at 0): position-free */
9:	.word	__rel_start
	.word	__rel_end
	.word	__bss_start
	.word	__bss_end
	.word	boot_stack_top

	.text
/* FP on, VBAR, the exception modes' stacks (their scratch in struct cpu
 * is set later by arm_set_mode_stacks). Keeps r0. */
cpu_common_init:
	mrc	p15, 0, r1, c1, c0, 2
	orr	r1, r1, #CPACR_CP10_CP11
	mcr	p15, 0, r1, c1, c0, 2
	isb
	mov	r1, #FPEXC_EN
	vmsr	fpexc, r1
	adr	r1, vectors
	mcr	p15, 0, r1, c12, c0, 0	/* VBAR */
	mrc	p15, 0, r1, c1, c0, 0
	bic	r1, r1, #(1 << 13)	/* SCTLR.V: vectors at VBAR */
	mcr	p15, 0, r1, c1, c0, 0
	isb
	bx	lr

/* PSCI CPU_ON lands here with r0 = the context id: this CPU's struct cpu. */
	.globl	secondary_entry
secondary_entry:
	ldr	sp, [r0, #CPU_STACK_TOP]
	bl	cpu_common_init
	bl	setup_secondary
1:	wfi
	b	1b

/* void arm_set_mode_stacks(void *top): UND, ABT, IRQ and FIQ mode get @top
 * as their SP; the stubs below keep 16 bytes of scratch under it. */
	.globl	arm_set_mode_stacks
arm_set_mode_stacks:
	mrs	r1, cpsr
	cps	#MODE_UND
	mov	sp, r0
	cps	#MODE_ABT
	mov	sp, r0
	cps	#MODE_IRQ
	mov	sp, r0
	cps	#MODE_FIQ
	mov	sp, r0
	msr	cpsr_c, r1
	bx	lr

/* setjmp/longjmp: r4-r11, sp, lr and the CPSR control bits (an exception
 * handler longjmps from the SVC stack with IRQs masked by the entry). */
	.globl	arm_setjmp
arm_setjmp:
	stmia	r0, {r4-r11}
	str	sp, [r0, #32]
	str	lr, [r0, #36]
	mrs	r1, cpsr
	str	r1, [r0, #40]
	mov	r0, #0
	bx	lr

	.globl	arm_longjmp
arm_longjmp:
	ldmia	r0, {r4-r11}
	ldr	sp, [r0, #32]
	ldr	lr, [r0, #36]
	ldr	r2, [r0, #40]
	msr	cpsr_c, r2
	mov	r0, r1
	bx	lr

/* void arm_enter_user(fn, arg, user_sp): to USR mode at fn(arg); its
 * return lands in user_return, whose SVC tells the kernel. */
	.globl	arm_enter_user
arm_enter_user:
	adr	r3, user_return
	push	{r2, r3}
	ldmia	sp, {sp, lr}^		/* the USR bank's SP and LR */
	nop
	add	sp, sp, #8
	mov	r3, #MODE_USR
	msr	spsr_cxsf, r3
	mov	lr, r0
	mov	r0, r1
	movs	pc, lr

	.globl	user_return
user_return:
	svc	#SVC_USER_RETURN
	b	user_return

/* unsigned long smccc_call(fn, a1, a2, a3, conduit) (DEN 0028, 2.7) */
	.globl	smccc_call
smccc_call:
	push	{r4}
	ldr	r4, [sp, #4]
	cmp	r4, #0
	pop	{r4}
	bne	1f
	hvc	#0
	bx	lr
1:	smc	#0
	bx	lr

/* The vectors: each stub keeps r0, the return address, SPSR and its
 * number in its mode's scratch, then vector_common switches to SVC mode
 * (IRQ and FIQ masked) and builds the frame there. */
	.macro	vstub name, adjust, num
\name:
	.if	\adjust
	sub	lr, lr, #\adjust
	.endif
	stmdb	sp, {r0, lr}
	mrs	lr, spsr
	str	lr, [sp, #-12]
	mov	lr, #\num
	str	lr, [sp, #-16]
	sub	r0, sp, #16
	b	vector_common
	.endm

	.balign	32
vectors:
	b	vec_reset
	b	vec_undef
	b	vec_svc
	b	vec_pabt
	b	vec_dabt
	b	vec_hyp
	b	vec_irq
	b	vec_fiq

	/* the preferred return addresses, DDI 0406C, exception return addresses */
	vstub	vec_reset, 0, VEC_RESET
	vstub	vec_undef, 4, VEC_UNDEF
	vstub	vec_svc, 0, VEC_SVC
	vstub	vec_pabt, 4, VEC_PABT
	vstub	vec_dabt, 8, VEC_DABT
	vstub	vec_hyp, 0, VEC_HYP
	vstub	vec_irq, 4, VEC_IRQ
	vstub	vec_fiq, 4, VEC_FIQ

vector_common:
	msr	cpsr_c, #(MODE_SVC | PSR_I | PSR_F)
	sub	sp, sp, #S_FRAME
	stmib	sp, {r1-r12}
	ldmia	r0, {r1-r4}		/* number, SPSR, r0, return address */
	str	r3, [sp, #S_R0]
	str	r4, [sp, #S_PC]
	str	r2, [sp, #S_CPSR]
	and	r5, r2, #PSR_MODE_MASK
	cmp	r5, #MODE_USR
	cmpne	r5, #MODE_SYS
	addeq	r6, sp, #S_SP
	stmiaeq	r6, {sp, lr}^		/* the USR bank's */
	nop
	addne	r6, sp, #S_FRAME
	strne	r6, [sp, #S_SP]
	strne	lr, [sp, #S_LR]
	mov	r0, sp
	bl	do_exception

	ldr	r2, [sp, #S_CPSR]
	msr	spsr_cxsf, r2
	and	r5, r2, #PSR_MODE_MASK
	cmp	r5, #MODE_USR
	cmpne	r5, #MODE_SYS
	addeq	r6, sp, #S_SP
	ldmiaeq	r6, {sp, lr}^
	nop
	addeq	r6, sp, #S_FRAME
	streq	r6, [sp, #S_SP]
	ldmia	sp, {r0-pc}^

	.bss
	.balign	16
boot_stack:
	.space	16384
	.globl	boot_stack_top
boot_stack_top:

	.section .note.GNU-stack, "", %progbits
