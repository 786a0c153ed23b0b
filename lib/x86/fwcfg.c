#include "libcflat.h"
#include "x86/fwcfg.h"
#include "x86/processor.h"

static void fwcfg_select(u16 selector)
{
	outw(selector, FW_CFG_PORT_SEL);
}

void fwcfg_read_bytes(u16 selector, void *buf, u32 len)
{
	u8 *p = buf;

	fwcfg_select(selector);
	while (len--)
		*p++ = inb(FW_CFG_PORT_DATA);
}

u64 fwcfg_read(u16 selector, unsigned bytes)
{
	u8 b[8] = { 0 };
	u64 v = 0;
	int i;

	fwcfg_read_bytes(selector, b, bytes > 8 ? 8 : bytes);
	for (i = 7; i >= 0; i--)
		v = (v << 8) | b[i];
	return v;
}

bool fwcfg_present(void)
{
	char sig[4];

	fwcfg_read_bytes(FW_CFG_SIGNATURE, sig, sizeof(sig));
	return !memcmp(sig, "QEMU", 4);
}

u64 fwcfg_ram_size(void)
{
	return fwcfg_read(FW_CFG_RAM_SIZE, 8);
}

unsigned fwcfg_nb_cpus(void)
{
	return fwcfg_read(FW_CFG_NB_CPUS, 2);
}

static u32 be32(const u8 *p)
{
	return (u32)p[0] << 24 | (u32)p[1] << 16 | (u32)p[2] << 8 | p[3];
}

bool fwcfg_find_file(const char *name, u16 *selector, u32 *size)
{
	u8 hdr[4], ent[64];
	u32 count, i;

	/* FW_CFG_FILE_DIR: be32 count, then {be32 size, be16 select,
	 * u16 reserved, char name[56]} per file. Reading is sequential
	 * within one selection, so the entries follow the count. */
	fwcfg_select(FW_CFG_FILE_DIR);
	for (i = 0; i < 4; i++)
		hdr[i] = inb(FW_CFG_PORT_DATA);
	count = be32(hdr);
	for (i = 0; i < count; i++) {
		unsigned j;

		for (j = 0; j < sizeof(ent); j++)
			ent[j] = inb(FW_CFG_PORT_DATA);
		ent[63] = 0;
		if (!strcmp((char *)ent + 8, name)) {
			*size = be32(ent);
			*selector = (u16)ent[4] << 8 | ent[5];
			return true;
		}
	}
	return false;
}

unsigned fwcfg_e820(struct e820_entry *out, unsigned max)
{
	u16 sel;
	u32 size;
	unsigned n;

	if (!fwcfg_find_file("etc/e820", &sel, &size))
		return 0;
	n = size / sizeof(*out);
	if (n > max)
		n = max;
	fwcfg_read_bytes(sel, out, n * sizeof(*out));
	return n;
}
