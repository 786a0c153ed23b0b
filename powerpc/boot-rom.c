// SPDX-License-Identifier: GPL-2.0-only
/*
 * The boot ROM's one decision: where QEMU put the kernel and in which byte
 * order it runs. QEMU's pseries machine says both in /chosen:
 * qemu,boot-kernel = <address size> (two 64-bit numbers) and
 * qemu,boot-kernel-le when the ELF is little-endian.
 */
#include <libfdt.h>
#include "libcflat.h"
#include "powerpc/hcall.h"
#include "powerpc/processor.h"

#define VTY_DEFAULT_TERMNO	0x71000000

struct rom_entry {
	u64 nip;
	u64 msr;
};

struct rom_entry boot_rom_main(const void *fdt);

static u32 be32(const void *p)
{
	const u8 *b = p;

	return (u32)b[0] << 24 | (u32)b[1] << 16 | (u32)b[2] << 8 | b[3];
}

/* Without a kernel there is nothing to run: say so on the first vty and
 * power off through RTAS, the same way a test ends. */
static void __noreturn give_up(const void *fdt, const char *why)
{
	static const char prefix[] = "boot.rom: ";
	u32 args[5] = { 0 };
	const void *tok;
	int rtas;

	for (const char *s = prefix; *s; s++)
		hcall_status(H_PUT_TERM_CHAR, VTY_DEFAULT_TERMNO, 1UL,
			     (unsigned long)(u8)*s << 56);
	for (const char *s = why; *s; s++)
		hcall_status(H_PUT_TERM_CHAR, VTY_DEFAULT_TERMNO, 1UL,
			     (unsigned long)(u8)*s << 56);
	hcall_status(H_PUT_TERM_CHAR, VTY_DEFAULT_TERMNO, 1UL, 0x0aUL << 56);
	rtas = fdt_path_offset(fdt, "/rtas");
	tok = rtas >= 0 ? fdt_getprop(fdt, rtas, "power-off", NULL) : NULL;
	if (tok) {
		/* big-endian cells: token, nargs 2, nret 1 (PAPR, RTAS power-off) */
		u8 *b = (u8 *)args;

		memcpy(b, tok, 4);
		b[7] = 2;
		b[11] = 1;
		hcall_status(KVMPPC_H_RTAS, (unsigned long)args);
	}
	for (;;)
		;
}

struct rom_entry boot_rom_main(const void *fdt)
{
	struct rom_entry e;
	const u8 *kernel;
	int chosen, len;

	if (fdt_check_header(fdt))
		give_up(fdt, "no device tree in r3");
	chosen = fdt_path_offset(fdt, "/chosen");
	kernel = chosen >= 0 ? fdt_getprop(fdt, chosen, "qemu,boot-kernel",
					   &len) : NULL;
	if (!kernel || len != 16)
		give_up(fdt, "no kernel: run QEMU with -kernel");
	e.nip = (u64)be32(kernel) << 32 | be32(kernel + 4);
	e.msr = MSR_SF | MSR_ME;
	if (fdt_getprop(fdt, chosen, "qemu,boot-kernel-le", NULL))
		e.msr |= MSR_LE;
	return e;
}
