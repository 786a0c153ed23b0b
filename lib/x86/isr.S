/*
 * One 16-byte stub per IDT vector (0..255). Each pushes a dummy error
 * code when the CPU does not push one, then its vector, so do_exception()
 * always sees the same struct ex_regs. Vectors with an error code: SDM
 * vol 3, 6.15 (#DF, #TS, #NP, #SS, #GP, #PF, #AC, #CP) and AMD APM vol 2,
 * 8.2 (#VC 29, #SX 30).
 *
 * The CPU aligns RSP to 16 bytes before pushing its 5-quadword frame
 * (SDM vol 3, 6.14.2); with the error code, the vector and 15 GPRs the
 * total is 176 bytes, so RSP is 16-byte aligned at the call, as the
 * SysV ABI wants.
 */
	.text
	.code64
	.balign 16
	.globl isr_stubs
isr_stubs:
	.set vec, 0
	.rept 256
	.balign 16
	.if (vec == 8) || (vec == 10) || (vec == 11) || (vec == 12) || (vec == 13) || (vec == 14) || (vec == 17) || (vec == 21) || (vec == 29) || (vec == 30)
	.else
	pushq $0
	.endif
	pushq $vec
	jmp isr_common
	.set vec, vec + 1
	.endr

isr_common:
	push %r15
	push %r14
	push %r13
	push %r12
	push %r11
	push %r10
	push %r9
	push %r8
	push %rbp
	push %rdi
	push %rsi
	push %rdx
	push %rcx
	push %rbx
	push %rax
	cld
	mov %rsp, %rdi
	call do_exception
	pop %rax
	pop %rbx
	pop %rcx
	pop %rdx
	pop %rsi
	pop %rdi
	pop %rbp
	pop %r8
	pop %r9
	pop %r10
	pop %r11
	pop %r12
	pop %r13
	pop %r14
	pop %r15
	add $16, %rsp
	iretq
