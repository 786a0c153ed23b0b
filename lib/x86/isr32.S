/*
 * i386 exception entry: the stub table (isr-stubs.S.inc) and the code
 * every stub jumps to, which saves the GPRs as struct ex_regs (desc.h)
 * and calls do_exception().
 *
 * Without a privilege change the CPU pushes only EFLAGS, CS and EIP
 * (SDM vol 3, 6.12.1, figure 6-4); ESP and SS follow only when it came
 * from ring 3.
 */
#include "x86/isr-stubs.S.inc"

	.text
	.code32
	isr_stub_table

isr_common:
	push %ebp
	push %edi
	push %esi
	push %edx
	push %ecx
	push %ebx
	push %eax
	cld
	push %esp
	call do_exception
	add $4, %esp
	pop %eax
	pop %ebx
	pop %ecx
	pop %edx
	pop %esi
	pop %edi
	pop %ebp
	add $8, %esp
	iret
