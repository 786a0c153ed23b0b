/*
 * x86_64 exception entry: the stub table (isr-stubs.S.inc) and the code
 * every stub jumps to, which saves the GPRs as struct ex_regs (desc.h)
 * and calls do_exception().
 *
 * The CPU aligns RSP to 16 bytes before pushing its 5-quadword frame
 * (SDM vol 3, 6.14.2); with the error code, the vector and 15 GPRs the
 * total is 176 bytes, so RSP is 16-byte aligned at the call, as the
 * SysV ABI wants.
 */
#include "x86/isr-stubs.S.inc"

	.text
	.code64
	isr_stub_table

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
