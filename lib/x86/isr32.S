/*
 * i386: one 16-byte stub per IDT vector (0..255), as isr.S does for
 * x86_64. Each pushes a dummy error code when the CPU does not push one,
 * then its vector, so do_exception() always sees the same struct ex_regs.
 * Vectors with an error code: SDM vol 3, 6.15 (#DF, #TS, #NP, #SS, #GP,
 * #PF, #AC, #CP) and AMD APM vol 2, 8.2 (#VC 29, #SX 30).
 *
 * Without a privilege change the CPU pushes only EFLAGS, CS and EIP
 * (SDM vol 3, 6.12.1, figure 6-4); ESP and SS follow only when it came
 * from ring 3.
 */
	.text
	.code32
	.balign 16
	.globl isr_stubs
isr_stubs:
	.set vec, 0
	.rept 256
	.balign 16
	.if (vec == 8) || (vec == 10) || (vec == 11) || (vec == 12) || (vec == 13) || (vec == 14) || (vec == 17) || (vec == 21) || (vec == 29) || (vec == 30)
	.else
	pushl $0
	.endif
	pushl $vec
	jmp isr_common
	.set vec, vec + 1
	.endr

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
