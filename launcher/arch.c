#include <string.h>
#include <sys/utsname.h>

#include "arch.h"

static const struct {
	const char *name;
	const char *family;
} arches[ARCH_COUNT] = {
	[ARCH_X86_64] = { "x86_64", "x86" },
	[ARCH_I386] = { "i386", "x86" },
	[ARCH_AARCH64] = { "aarch64", "arm" },
	[ARCH_ARM] = { "arm", "arm" },
	[ARCH_PPC64] = { "ppc64", "powerpc" },
};

static const struct {
	const char *alias;
	enum arch arch;
} aliases[] = {
	{ "arm64", ARCH_AARCH64 },	/* upstream arm/unittests.cfg spelling */
	{ "ppc64le", ARCH_PPC64 },	/* uname -m on little-endian POWER */
	{ "i686", ARCH_I386 },		/* uname -m on 32-bit x86 */
	{ "i586", ARCH_I386 },
	{ "armv7l", ARCH_ARM },		/* uname -m on ARMv7 */
	{ "armv8l", ARCH_ARM },		/* uname -m for AArch32 on ARMv8 */
};

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
	       (host == ARCH_AARCH64 && guest == ARCH_ARM);
}

const char *arch_all_names(void)
{
	return "x86_64, i386, aarch64, arm, ppc64";
}
