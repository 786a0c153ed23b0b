/* SPDX-License-Identifier: GPL-2.0-only */
/* Assembler helpers shared by the runtime's entry code and the boot ROM. */
#ifndef POWERPC_ASM_H
#define POWERPC_ASM_H

/* @reg = the link-time address of @sym; everything here lives below
 * 2 GiB, so lis/addi reach it. */
#define LOAD_ADDR(reg, sym)		\
	lis	reg, (sym)@ha;		\
	addi	reg, reg, (sym)@l

/*
 * Entered big-endian, possibly in 32-bit mode (a CPU just out of reset
 * runs with MSR = 0; one started by RTAS start-cpu with MSR = SF | ME):
 * continue at the next instruction in this build's byte order and in
 * 64-bit mode. The words are big-endian whatever this build's order is,
 * since that is how the CPU fetches them here; they encode
 *	bcl 20,31,$+4; mflr r11; addi r11,r11,40; mtsrr0 r11
 *	mfmsr r12; ori r12,r12,<LE>; li r10,1; sldi r10,r10,63
 *	or r12,r12,r10; mtsrr1 r12; rfid
 * i.e. an rfid to the end of the sequence with MSR[SF] and, for a
 * little-endian build, MSR[LE] set (Power ISA v3.0B Book III, Machine State Register and rfid).
 * Clobbers r10-r12, SRR0 and SRR1.
 */
.macro BE_WORD w
	.byte ((\w) >> 24) & 0xff, ((\w) >> 16) & 0xff, ((\w) >> 8) & 0xff, (\w) & 0xff
.endm

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define ORI_R12_LE	0x618c0001
#else
#define ORI_R12_LE	0x618c0000
#endif

.macro ENTER_NATIVE_64
	BE_WORD 0x429f0005
	BE_WORD 0x7d6802a6
	BE_WORD 0x396b0028
	BE_WORD 0x7d7a03a6
	BE_WORD 0x7d8000a6
	BE_WORD ORI_R12_LE
	BE_WORD 0x39400001
	BE_WORD 0x794af806
	BE_WORD 0x7d8c5378
	BE_WORD 0x7d9b03a6
	BE_WORD 0x4c000024
.endm

#endif
