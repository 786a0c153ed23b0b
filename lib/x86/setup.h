/*
 * What the boot code learned about the machine, for tests that check it.
 */
#ifndef X86_SETUP_H
#define X86_SETUP_H

#include "libcflat.h"

/* Guest RAM in bytes, fw_cfg FW_CFG_RAM_SIZE (QEMU's -m). */
u64 ram_size(void);
/* Highest RAM address + 1 (RAM above 4 GiB included), from etc/e820. */
u64 ram_end(void);
/* The heap setup handed to heap_init(). */
void heap_range(u64 *start, u64 *size);
/* The multiboot command line: "<kernel path> <-append text>". */
const char *boot_cmdline(void);

/* Per-CPU control-register set-up, run by the BSP and every AP. */
void cpu_features_init(void);

#endif
