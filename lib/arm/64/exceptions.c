// SPDX-License-Identifier: GPL-2.0-only
/* AArch64 syndromes: ESR_EL1 into struct exc_info (Arm ARM, ESR_EL1). */
#include "libcflat.h"
#include "arm/exceptions.h"
#include "arm/esr.h"

static enum exc_kind ec_kind(unsigned ec)
{
	switch (ec) {
	case ESR_EC_UNKNOWN:
		return EXC_UNDEF;
	case ESR_EC_SVC64:
		return EXC_SVC;
	case ESR_EC_IABT_LOW: case ESR_EC_IABT_CUR:
		return EXC_PABT;
	case ESR_EC_DABT_LOW: case ESR_EC_DABT_CUR:
		return EXC_DABT;
	case ESR_EC_BKPT_LOW: case ESR_EC_BKPT_CUR:
		return EXC_BKPT;
	case ESR_EC_SSTEP_LOW: case ESR_EC_SSTEP_CUR:
		return EXC_SSTEP;
	case ESR_EC_WATCH_LOW: case ESR_EC_WATCH_CUR:
		return EXC_WATCH;
	case ESR_EC_BRK64:
		return EXC_BRK;
	}
	return EXC_OTHER;
}

void exc_decode(const struct pt_regs *regs, unsigned vector,
		struct exc_info *info)
{
	u32 esr = regs->esr;

	memset(info, 0, sizeof(*info));
	info->vector = vector;
	info->user = vector >= VEC_EL0_SYNC;
	info->pc = regs->pc;
	switch (vector & 3) {
	case 1:
		info->kind = EXC_IRQ;
		return;
	case 2:
		info->kind = EXC_FIQ;
		return;
	case 3:
		info->kind = EXC_SERROR;
		info->syndrome = esr;
		return;
	}
	info->syndrome = esr;
	info->ec = ESR_EC(esr);
	info->kind = ec_kind(info->ec);
	switch (info->kind) {
	case EXC_PABT:
	case EXC_DABT:
	case EXC_WATCH:
		info->fsc = esr & ESR_FSC_MASK;
		info->write = info->kind != EXC_PABT && (esr & ESR_WNR);
		info->far = regs->far;
		break;
	case EXC_SVC:
	case EXC_BRK:
		info->imm = esr & 0xffff;
		break;
	case EXC_BKPT:
		info->far = regs->far;
		break;
	default:
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
	case FSC_TAG_CHECK: return "tag check fault";
	case FSC_ALIGNMENT: return "alignment fault";
	case FSC_DEBUG: return "debug event";
	}
	return "-";
}
