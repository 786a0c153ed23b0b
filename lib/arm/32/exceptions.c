// SPDX-License-Identifier: GPL-2.0-only
/*
 * ARMv7 syndromes: the vector, DFSR/DFAR or IFSR/IFAR in the long-descriptor
 * (LPAE) format the MMU uses (DDI 0406C, DFSR, IFSR and their
 * long-descriptor status encodings), and the SVC/BKPT immediates from the instruction.
 */
#include "libcflat.h"
#include "arm/exceptions.h"
#include "arm/sysreg.h"

#define FSR_LPAE_STATUS	0x3f
#define FSR_WNR		(1u << 11)

void exc_decode(const struct pt_regs *regs, unsigned vector,
		struct exc_info *info)
{
	u32 fsr;

	memset(info, 0, sizeof(*info));
	info->vector = vector;
	info->user = (regs->cpsr & PSR_MODE_MASK) == MODE_USR;
	info->pc = regs->pc;
	switch (vector) {
	case VEC_UNDEF:
		info->kind = EXC_UNDEF;
		break;
	case VEC_SVC:
		info->kind = EXC_SVC;
		/* A1 encoding: imm24 in bits 23:0 (SVC); pc is after it */
		info->imm = *(const u32 *)(regs->pc - 4) & 0xffffff;
		break;
	case VEC_PABT:
		fsr = cp15_read32(0, c5, c0, 1);		/* IFSR */
		info->syndrome = fsr;
		info->fsc = fsr & FSR_LPAE_STATUS;
		info->far = cp15_read32(0, c6, c0, 2);		/* IFAR */
		if (info->fsc == FSC_DEBUG) {
			u32 insn = *(const u32 *)regs->pc;

			/* BKPT: cond 1110, 0001 0010 ... 0111 */
			if ((insn & 0xfff000f0) == 0xe1200070) {
				info->kind = EXC_BRK;
				info->imm = (insn >> 4 & 0xfff0) | (insn & 0xf);
			} else {
				info->kind = EXC_BKPT;
			}
		} else {
			info->kind = EXC_PABT;
		}
		break;
	case VEC_DABT:
		fsr = cp15_read32(0, c5, c0, 0);		/* DFSR */
		info->syndrome = fsr;
		info->fsc = fsr & FSR_LPAE_STATUS;
		info->write = fsr & FSR_WNR;
		info->far = cp15_read32(0, c6, c0, 0);		/* DFAR */
		info->kind = info->fsc == FSC_DEBUG ? EXC_WATCH : EXC_DABT;
		break;
	case VEC_IRQ:
		info->kind = EXC_IRQ;
		break;
	case VEC_FIQ:
		info->kind = EXC_FIQ;
		break;
	default:
		info->kind = EXC_OTHER;
		break;
	}
}

const char *exc_fsc_name(unsigned fsc)
{
	switch (fsc & ~3u) {
	case FSC_ADDR_SIZE(0): return "address size fault";
	case FSC_TRANSLATION(0): return "translation fault";
	case FSC_ACCESS_FLAG(0): return "access flag fault";
	case FSC_PERMISSION(0): return "permission fault";
	}
	switch (fsc) {
	case FSC_SYNC_EXTERNAL: return "synchronous external abort";
	case FSC_ALIGNMENT: return "alignment fault";
	case FSC_DEBUG: return "debug event";
	}
	return "-";
}
