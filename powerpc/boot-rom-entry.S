/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The boot ROM (-bios boot.rom): QEMU's pseries machine loads it at real
 * address 0 and starts the first CPU at 0x100, big-endian, MSR = 0 (32-bit
 * mode, real mode), r3 = the device tree. boot_rom_main() finds the kernel
 * QEMU loaded (-kernel) and how to enter it; we enter it with r3 = the
 * device tree, as SLOF would, skipping the seconds SLOF spends.
 */
#include "powerpc/asm.h"
#include "powerpc/ptregs.h"

	.section .text.entry, "ax"
	.globl rom_entry
rom_entry:
	ENTER_NATIVE_64
	mr	%r31, %r3
	LOAD_ADDR(%r1, rom_stack_top)
	LOAD_ADDR(%r2, .TOC.)
	li	%r0, 0
	stdu	%r0, -STACK_FRAME_MIN(%r1)
	LOAD_ADDR(%r12, boot_rom_main)
	mtctr	%r12
	bctrl
	/* r3 = where to enter, r4 = the MSR to enter with */
	mtsrr0	%r3
	mtsrr1	%r4
	mr	%r3, %r31
	li	%r4, 0
	rfid

	.section .bss
	.balign 16
	.space	16 * 1024
rom_stack_top:
