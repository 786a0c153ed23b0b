/*
 * QEMU firmware configuration interface, I/O-port flavour (QEMU
 * docs/specs/fw_cfg.rst): write a 16-bit selector to 0x510, read the
 * item's bytes one at a time from 0x511.
 */
#ifndef X86_FWCFG_H
#define X86_FWCFG_H

#include "libcflat.h"

#define FW_CFG_PORT_SEL		0x510
#define FW_CFG_PORT_DATA	0x511

/* Selectors, QEMU include/standard-headers/linux/qemu_fw_cfg.h */
#define FW_CFG_SIGNATURE	0x00	/* "QEMU" */
#define FW_CFG_RAM_SIZE		0x03	/* u64 LE, bytes */
#define FW_CFG_NB_CPUS		0x05	/* u16 LE, CPUs present at boot */
#define FW_CFG_MAX_CPUS		0x0f	/* u16 LE */
#define FW_CFG_FILE_DIR		0x19	/* u32 BE count + entries */

bool fwcfg_present(void);
u64 fwcfg_read(u16 selector, unsigned bytes);	/* little-endian, <= 8 */
void fwcfg_read_bytes(u16 selector, void *buf, u32 len);

/* Look up a named file; returns false if absent. */
bool fwcfg_find_file(const char *name, u16 *selector, u32 *size);

u64 fwcfg_ram_size(void);
unsigned fwcfg_nb_cpus(void);

/* One "etc/e820" record (QEMU hw/i386/e820_memory_layout.h) */
struct e820_entry {
	u64 address;
	u64 length;
	u32 type;
} __attribute__((packed));

#define E820_RAM	1

/* Up to @max RAM/reserved ranges from etc/e820; returns how many. */
unsigned fwcfg_e820(struct e820_entry *out, unsigned max);

#endif
