// SPDX-License-Identifier: GPL-2.0-only
/* PSCI calls over the conduit the device tree names (DEN 0022D). */
#include "libcflat.h"
#include "devicetree.h"
#include "arm/psci.h"

static enum smccc_conduit conduit;
static bool present;

int psci_init(void)
{
	const char *method;
	int node = dt_find_compatible("arm,psci-0.2");

	if (node < 0)
		node = dt_find_compatible("arm,psci");
	if (node < 0)
		return -1;
	method = dt_get_prop(node, "method", NULL);
	if (!method)
		return -1;
	if (!strcmp(method, "hvc"))
		conduit = SMCCC_HVC;
	else if (!strcmp(method, "smc"))
		conduit = SMCCC_SMC;
	else
		return -1;
	present = true;
	return 0;
}

bool psci_present(void)
{
	return present;
}

enum smccc_conduit psci_conduit(void)
{
	return conduit;
}

const char *psci_method(void)
{
	return conduit == SMCCC_HVC ? "hvc" : "smc";
}

long psci_call(u32 fn, unsigned long a1, unsigned long a2, unsigned long a3)
{
	unsigned long r = smccc_call(fn, a1, a2, a3, conduit);

	/* SMC32 results are 32 bits wide (DEN 0028, 2.6) */
	if (!(fn & 0x40000000))
		return (long)(s32)r;
	return (long)r;
}

int psci_cpu_on(u64 mpidr, uintptr_t entry, uintptr_t context)
{
	return psci_call(PSCI_CPU_ON, mpidr, entry, context);
}

int psci_cpu_off(void)
{
	return psci_call(PSCI_CPU_OFF, 0, 0, 0);
}

int psci_affinity_info(u64 mpidr, unsigned lowest_level)
{
	return psci_call(PSCI_AFFINITY_INFO, mpidr, lowest_level, 0);
}

void psci_system_off(void)
{
	if (present)
		psci_call(PSCI_SYSTEM_OFF, 0, 0, 0);
}
