#include <string.h>

#include "catalog.h"

/* Weak: a family missing from catalog.S resolves to NULL. */
#define CATALOG_SYMS(f)                                                  \
	extern const char kut_cfg_##f[] __attribute__((weak));           \
	extern const char kut_cfg_##f##_end[] __attribute__((weak))

CATALOG_SYMS(x86);
CATALOG_SYMS(arm);
CATALOG_SYMS(powerpc);

int catalog_get(const char *family, const char **name, const char **data,
		size_t *len)
{
	const struct {
		const char *family;
		const char *name;
		const char *start;
		const char *end;
	} table[] = {
		{ "x86", "x86/unittests.cfg", kut_cfg_x86, kut_cfg_x86_end },
		{ "arm", "arm/unittests.cfg", kut_cfg_arm, kut_cfg_arm_end },
		{ "powerpc", "powerpc/unittests.cfg", kut_cfg_powerpc,
		  kut_cfg_powerpc_end },
	};

	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		if (strcmp(family, table[i].family) || !table[i].start)
			continue;
		*name = table[i].name;
		*data = table[i].start;
		*len = (size_t)(table[i].end - table[i].start);
		return 0;
	}
	return -1;
}
