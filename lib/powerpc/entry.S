/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The test image: linked at address 0 (powerpc/flat.lds) so that its
 * interrupt vectors sit at their real addresses (Power ISA v3.0B Book III
 * 7.5: with MSR[IR]=0 and AIL=0 they are at 0x100..0xf60). QEMU loads the
 * ELF at its kernel address (4 MiB unless -M pseries,kernel-addr= says
 * otherwise) and the boot ROM enters _start there, native-endian, 64-bit,
 * real mode, r3 = the device tree; _start copies the image down to 0 and
 * goes on there.
 */
#include "powerpc/asm.h"
#include "powerpc/ptregs.h"

#define F	STACK_FRAME_MIN		/* pt_regs offset in the frame */
#define CPU_STACK_TOP	0		/* struct cpu, smp.h */
#define CACHE_STEP	32		/* smallest block size we may meet */

	.section .text.head, "ax"
	.globl _start
_start:
	/*
	 * Our boot ROM enters in this build's byte order; SLOF (cfg
	 * firmware = default) enters big-endian. The first word is
	 * tdi 0,0,0x48 (TO = 0: never traps) in this build's order, and
	 * reads as b .+8 in the other one, which leads to ENTER_NATIVE_64.
	 * SLOF also enters in 32-bit mode (MSR[SF] clear): set it on the
	 * native path too.
	 */
	tdi	0, 0, 0x48
	b	set_sf
	ENTER_NATIVE_64
	b	relocate
set_sf:
	mfmsr	%r11
	li	%r12, 1
	sldi	%r12, %r12, 63
	or	%r11, %r11, %r12
	mtmsrd	%r11
	isync
	b	relocate

/* One stub per vector: take a frame below the red zone (stdu keeps the
 * old r1 as the back chain), free r3, say which vector. */
.macro VECTOR vec
	. = \vec
	stdu	%r1, -EXC_STACK_DROP(%r1)
	std	%r3, F + PT_GPR(3)(%r1)
	li	%r3, \vec
	b	exc_common
.endm

	VECTOR 0x100
	VECTOR 0x200
	VECTOR 0x300
	VECTOR 0x380
	VECTOR 0x400
	VECTOR 0x480
	VECTOR 0x500
	VECTOR 0x600
	VECTOR 0x700
	VECTOR 0x800
	VECTOR 0x900
	VECTOR 0x980
	VECTOR 0xa00
	VECTOR 0xb00
	VECTOR 0xc00
	VECTOR 0xd00
	VECTOR 0xe00
	VECTOR 0xe20
	VECTOR 0xe40
	VECTOR 0xe60
	VECTOR 0xe80
	VECTOR 0xea0
	VECTOR 0xf00
	VECTOR 0xf20
	VECTOR 0xf40
	VECTOR 0xf60
	VECTOR 0xf80
	. = 0x1000

relocate:
	/* r10 = where we run, r11 = where we are linked */
	bcl	20, 31, 1f
1:	mflr	%r10
	addi	%r10, %r10, (_start - 1b)
	LOAD_ADDR(%r11, _start)
	cmpd	%r10, %r11
	beq	3f
	/* The image is smaller than the 4 MiB it is loaded at (flat.lds
	 * asserts it), so the copy down never overlaps itself. */
	LOAD_ADDR(%r12, __load_end)
	subf	%r12, %r11, %r12
	srdi	%r12, %r12, 3
	mtctr	%r12
	mr	%r5, %r10
	mr	%r6, %r11
2:	ld	%r0, 0(%r5)
	std	%r0, 0(%r6)
	addi	%r5, %r5, 8
	addi	%r6, %r6, 8
	bdnz	2b
	/* Instructions written as data: dcbst, sync, icbi, isync per block
	 * (Book II, Instruction Storage, "instruction storage"). */
	LOAD_ADDR(%r12, __load_end)
	mr	%r6, %r11
4:	dcbst	0, %r6
	addi	%r6, %r6, CACHE_STEP
	cmpld	%r6, %r12
	blt	4b
	sync
	mr	%r6, %r11
5:	icbi	0, %r6
	addi	%r6, %r6, CACHE_STEP
	cmpld	%r6, %r12
	blt	5b
	sync
	isync
	LOAD_ADDR(%r12, 3f)
	mtctr	%r12
	bctr
3:
	/* Now at the link address. r3 (the device tree) was kept. */
	LOAD_ADDR(%r1, boot_stack_top)
	LOAD_ADDR(%r2, .TOC.)
	li	%r13, 0
	LOAD_ADDR(%r5, __bss_start)
	LOAD_ADDR(%r6, __bss_end)
	li	%r0, 0
6:	cmpld	%r5, %r6
	bge	7f
	std	%r0, 0(%r5)
	addi	%r5, %r5, 8
	b	6b
7:	li	%r0, 0
	stdu	%r0, -STACK_FRAME_MIN(%r1)
	LOAD_ADDR(%r12, setup)
	mtctr	%r12
	bctrl
8:	b	8b

/*
 * Save everything, call do_exception(regs), restore what it left in regs
 * (it may move nip or change msr) and return.
 */
exc_common:
	std	%r0, F + PT_GPR(0)(%r1)
	ld	%r0, 0(%r1)
	std	%r0, F + PT_GPR(1)(%r1)
	std	%r2, F + PT_GPR(2)(%r1)
	.irp n, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31
	std	%r\n, F + PT_GPR(\n)(%r1)
	.endr
	std	%r3, F + PT_TRAP(%r1)
	mfsrr0	%r4
	std	%r4, F + PT_NIP(%r1)
	mfsrr1	%r4
	std	%r4, F + PT_MSR(%r1)
	mfctr	%r4
	std	%r4, F + PT_CTR(%r1)
	mflr	%r4
	std	%r4, F + PT_LR(%r1)
	mfxer	%r4
	std	%r4, F + PT_XER(%r1)
	mfcr	%r4
	std	%r4, F + PT_CR(%r1)
	mfdar	%r4
	std	%r4, F + PT_DAR(%r1)
	mfdsisr	%r4
	std	%r4, F + PT_DSISR(%r1)
	LOAD_ADDR(%r2, .TOC.)
	addi	%r3, %r1, F
	LOAD_ADDR(%r12, do_exception)
	mtctr	%r12
	bctrl

	ld	%r4, F + PT_NIP(%r1)
	mtsrr0	%r4
	ld	%r4, F + PT_MSR(%r1)
	mtsrr1	%r4
	ld	%r4, F + PT_CTR(%r1)
	mtctr	%r4
	ld	%r4, F + PT_LR(%r1)
	mtlr	%r4
	ld	%r4, F + PT_XER(%r1)
	mtxer	%r4
	ld	%r4, F + PT_CR(%r1)
	mtcr	%r4
	ld	%r0, F + PT_GPR(0)(%r1)
	.irp n, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31
	ld	%r\n, F + PT_GPR(\n)(%r1)
	.endr
	ld	%r1, F + PT_GPR(1)(%r1)
	rfid

/*
 * Where RTAS start-cpu sends a secondary CPU: big-endian, MSR = SF | ME,
 * r3 = its struct cpu (smp.c).
 */
	.globl secondary_entry
secondary_entry:
	ENTER_NATIVE_64
	ld	%r1, CPU_STACK_TOP(%r3)
	LOAD_ADDR(%r2, .TOC.)
	mr	%r13, %r3
	li	%r0, 0
	stdu	%r0, -STACK_FRAME_MIN(%r1)
	LOAD_ADDR(%r12, secondary_main)
	mtctr	%r12
	bctrl
9:	b	9b

	.section .bss
	.balign 16
boot_stack:
	.space	64 * 1024
boot_stack_top:
