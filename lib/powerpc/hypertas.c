// SPDX-License-Identifier: GPL-2.0-only
/* Which hcall sets the hypervisor offers (PAPR, hypervisor call function sets, "hcall function sets"). */
#include <libfdt.h>
#include "libcflat.h"
#include "devicetree.h"
#include "powerpc/hcall.h"

bool hcall_set_present(const char *set)
{
	int node = fdt_path_offset(dt_fdt(), "/rtas");
	const char *p, *end;
	int len;

	if (node < 0)
		return false;
	p = dt_get_prop(node, "ibm,hypertas-functions", &len);
	if (!p)
		return false;
	/* a list of NUL-terminated strings (PAPR, /rtas node properties) */
	for (end = p + len; p < end; p += strlen(p) + 1)
		if (!strcmp(p, set))
			return true;
	return false;
}

bool hcall_random_present(void)
{
	return hcall_set_present("hcall-random") ||
	       dt_find_compatible("ibm,random") >= 0;
}
