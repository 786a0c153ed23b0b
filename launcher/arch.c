#include <string.h>
#include <sys/utsname.h>

#include "arch.h"

/* x86 exit device: a 4-byte write of n to port 0xf4 makes QEMU exit with
 * (n << 1) | 1 (DESIGN.md, "Exit"). */
static const char *const x86_args[] = {
	"-device", "isa-debug-exit,iobase=0xf4,iosize=0x4", NULL,
};

#define X86_PACKAGES "Debian: qemu-system-x86, Fedora: qemu-system-x86-core"
#define PPC_PACKAGES "Debian: qemu-system-ppc, Fedora: qemu-system-ppc-core"

static const struct arch_info arches[ARCH_COUNT] = {
	[ARCH_X86_64] = {
		.name = "x86_64", .family = "x86",
		.qemu = { "qemu-system-x86_64" },
		.packages = X86_PACKAGES,
		.machine = "pc",
		/* QEMU's default model: -cpu host aborts on some nested
		 * KVMs */
		.args = x86_args,
		.exit = ARCH_EXIT_DEVICE,
		.firmware = ARCH_FW_QBOOT,
	},
	[ARCH_I386] = {
		.name = "i386", .family = "x86",
		.qemu = { "qemu-system-i386", "qemu-system-x86_64" },
		.packages = X86_PACKAGES,
		.machine = "pc",
		.args = x86_args,
		.exit = ARCH_EXIT_DEVICE,
		.firmware = ARCH_FW_QBOOT,
	},
	[ARCH_AARCH64] = {
		.name = "aarch64", .family = "arm",
		.qemu = { "qemu-system-aarch64" },
		.packages = "Debian: qemu-system-arm, Fedora: qemu-system-aarch64-core",
		.machine = "virt",
		.cpu_tcg = "max",
		.cpu_kvm = "host",
		.exit = ARCH_EXIT_LINE,
		.firmware = ARCH_FW_DEFAULT,
	},
	[ARCH_ARM] = {
		.name = "arm", .family = "arm",
		.qemu = { "qemu-system-arm", "qemu-system-aarch64" },
		.packages = "Debian: qemu-system-arm, Fedora: qemu-system-arm-core",
		.machine = "virt",
		/* the virt board's default CPU; KVM runs AArch32 at EL1 of
		 * an AArch64 host */
		.cpu_tcg = "cortex-a15",
		.cpu_kvm = "host,aarch64=off",
		.exit = ARCH_EXIT_LINE,
		.firmware = ARCH_FW_DEFAULT,
	},
	[ARCH_PPC64LE] = {
		.name = "ppc64le", .family = "powerpc",
		.qemu = { "qemu-system-ppc64" },
		.packages = PPC_PACKAGES,
		.machine = "pseries",
		.exit = ARCH_EXIT_LINE,
		.firmware = ARCH_FW_IMAGE_ROM,
		.rom = "boot.rom",
	},
	[ARCH_PPC64] = {
		.name = "ppc64", .family = "powerpc",
		.qemu = { "qemu-system-ppc64" },
		.packages = PPC_PACKAGES,
		.machine = "pseries",
		.exit = ARCH_EXIT_LINE,
		.firmware = ARCH_FW_IMAGE_ROM,
		.rom = "boot.rom",
		.big_endian = true,
		.cfg_also = ARCH_BIT(ARCH_PPC64LE),
	},
};

static const struct {
	const char *alias;
	enum arch arch;
} aliases[] = {
	{ "arm64", ARCH_AARCH64 },	/* upstream arm/unittests.cfg spelling */
	{ "i686", ARCH_I386 },		/* uname -m on 32-bit x86 */
	{ "i586", ARCH_I386 },
	{ "armv7l", ARCH_ARM },		/* uname -m on ARMv7 */
	{ "armv8l", ARCH_ARM },		/* uname -m for AArch32 on ARMv8 */
};

const struct arch_info *arch_info(enum arch a)
{
	return a >= 0 && a < ARCH_COUNT ? &arches[a] : NULL;
}

enum arch arch_from_name(const char *name)
{
	for (int a = 0; a < ARCH_COUNT; a++)
		if (!strcmp(name, arches[a].name))
			return (enum arch)a;
	for (size_t i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++)
		if (!strcmp(name, aliases[i].alias))
			return aliases[i].arch;
	return ARCH_NONE;
}

const char *arch_name(enum arch a)
{
	return a >= 0 && a < ARCH_COUNT ? arches[a].name : "unknown";
}

unsigned arch_cfg_mask(enum arch a)
{
	return a >= 0 && a < ARCH_COUNT ? ARCH_BIT(a) | arches[a].cfg_also : 0;
}

const char *arch_family(enum arch a)
{
	return a >= 0 && a < ARCH_COUNT ? arches[a].family : "unknown";
}

enum arch arch_host(void)
{
	struct utsname u;

	if (uname(&u) < 0)
		return ARCH_NONE;
	return arch_from_name(u.machine);
}

bool arch_kvm_capable(enum arch host, enum arch guest)
{
	if (host == ARCH_NONE || guest == ARCH_NONE)
		return false;
	if (host == guest)
		return true;
	return (host == ARCH_X86_64 && guest == ARCH_I386) ||
	       (host == ARCH_AARCH64 && guest == ARCH_ARM) ||
	       (host == ARCH_PPC64LE && guest == ARCH_PPC64) ||
	       (host == ARCH_PPC64 && guest == ARCH_PPC64LE);
}

const char *arch_all_names(void)
{
	return "x86_64, i386, aarch64, arm, ppc64le, ppc64";
}
