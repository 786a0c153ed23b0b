// SPDX-License-Identifier: GPL-2.0-only
/*
 * PSCI through the conduit the device tree names (Arm DEN 0022D): version
 * and features, CPU_ON on every CPU and its refusals, AFFINITY_INFO, and
 * CPU_OFF followed by a second CPU_ON.
 */
#include "libcflat.h"
#include "arm/mmu.h"
#include "arm/psci.h"
#include "arm/smp.h"
#include "arm/timer.h"

#define WAIT_US		(5 * 1000 * 1000)

static volatile int ran[MAX_CPUS];

static void mark_ran(void *arg)
{
	(void)arg;
	ran[smp_id()]++;
}

static void cpu_off(void *arg)
{
	int ret;

	(void)arg;
	ret = psci_cpu_off();
	/* only reached on failure (DEN 0022D, CPU_OFF: it does not return) */
	printf("FAIL: psci: CPU_OFF on CPU %u returned %d\n", smp_id(), ret);
	ran[smp_id()] = -1;
}

static bool wait_affinity(u64 mpidr, int want)
{
	u64 end = timer_now_us() + WAIT_US;
	int got;

	do {
		got = psci_affinity_info(mpidr, 0);
		if (got == want)
			return true;
	} while (timer_now_us() < end);
	return false;
}

static void test_version_features(void)
{
	long ver = psci_call(PSCI_VERSION, 0, 0, 0);
	unsigned major = ver >> 16, minor = ver & 0xffff;

	report_info("PSCI %u.%u over %s", major, minor, psci_method());
	/* the DT said arm,psci-0.2 or later: PSCI_VERSION exists (DEN 0022D) */
	report(ver > 0 && (major > 0 || minor >= 2), "PSCI_VERSION is 0.2 or "
	       "later (got %#lx)", (unsigned long)ver);
	report(psci_call(0x8400001f, 0, 0, 0) == PSCI_NOT_SUPPORTED,
	       "an unassigned PSCI function ID returns NOT_SUPPORTED (got "
	       "%ld, want %d; SMCCC DEN 0028, Unknown Function Identifier)",
	       psci_call(0x8400001f, 0, 0, 0), PSCI_NOT_SUPPORTED);
	if (major < 1) {
		report_skip("PSCI_FEATURES: PSCI %u.%u is before 1.0", major,
			    minor);
		return;
	}
	report(psci_call(PSCI_FEATURES, PSCI_CPU_ON, 0, 0) >= 0,
	       "PSCI_FEATURES(CPU_ON) supported (got %ld; DEN 0022D, "
	       "PSCI_FEATURES)",
	       psci_call(PSCI_FEATURES, PSCI_CPU_ON, 0, 0));
	report(psci_call(PSCI_FEATURES, PSCI_SYSTEM_OFF, 0, 0) >= 0,
	       "PSCI_FEATURES(SYSTEM_OFF) supported (got %ld)",
	       psci_call(PSCI_FEATURES, PSCI_SYSTEM_OFF, 0, 0));
	report(psci_call(PSCI_FEATURES, PSCI_VERSION, 0, 0) >= 0,
	       "PSCI_FEATURES(PSCI_VERSION) supported (got %ld)",
	       psci_call(PSCI_FEATURES, PSCI_VERSION, 0, 0));
	report(psci_call(PSCI_FEATURES, 0x8400001f, 0, 0) == PSCI_NOT_SUPPORTED,
	       "PSCI_FEATURES of an unassigned ID is NOT_SUPPORTED (got %ld)",
	       psci_call(PSCI_FEATURES, 0x8400001f, 0, 0));
}

static void test_cpu_on_off(void)
{
	int ret;

	report(psci_affinity_info(cpu_mpidr(0), 0) == PSCI_AFF_ON,
	       "AFFINITY_INFO of the boot CPU is ON (got %d; DEN 0022D, "
	       "AFFINITY_INFO)",
	       psci_affinity_info(cpu_mpidr(0), 0));
	for (unsigned i = 1; i < nr_cpus; i++) {
		report_prefix_pushf("CPU %u", i);
		report(psci_affinity_info(cpu_mpidr(i), 0) == PSCI_AFF_OFF,
		       "AFFINITY_INFO before CPU_ON is OFF (got %d; DEN 0022D, "
		       "AFFINITY_INFO)",
		       psci_affinity_info(cpu_mpidr(i), 0));
		ret = smp_boot_cpu(i);
		report(ret == PSCI_SUCCESS, "CPU_ON (got %d, want %d; DEN "
		       "0022D, CPU_ON)",
		       ret, PSCI_SUCCESS);
		if (ret) {
			report_prefix_pop();
			continue;
		}
		on_cpu(i, mark_ran, NULL);
		report(ran[i] == 1, "runs work after CPU_ON (ran %d times, want "
		       "1; DEN 0022D, CPU_ON)", ran[i]);
		ret = psci_cpu_on(cpu_mpidr(i), virt_to_phys(secondary_entry),
				  (uintptr_t)cpu_of(i));
		report(ret == PSCI_ALREADY_ON, "CPU_ON of an online CPU is "
		       "refused (got %d, want ALREADY_ON %d; DEN 0022D, "
		       "CPU_ON)", ret, PSCI_ALREADY_ON);
		report(psci_affinity_info(cpu_mpidr(i), 0) == PSCI_AFF_ON,
		       "AFFINITY_INFO is ON (got %d; DEN 0022D, "
		       "AFFINITY_INFO)",
		       psci_affinity_info(cpu_mpidr(i), 0));

		on_cpu_async(i, cpu_off, NULL);
		report(wait_affinity(cpu_mpidr(i), PSCI_AFF_OFF),
		       "AFFINITY_INFO is OFF after CPU_OFF (got %d; DEN "
		       "0022D, CPU_OFF)",
		       psci_affinity_info(cpu_mpidr(i), 0));
		smp_mark_offline(i);
		ret = smp_boot_cpu(i);
		report(ret == PSCI_SUCCESS, "CPU_ON again after CPU_OFF (got "
		       "%d, want %d; DEN 0022D, CPU_ON)", ret, PSCI_SUCCESS);
		if (!ret) {
			on_cpu(i, mark_ran, NULL);
			report(ran[i] == 2, "runs work after the second CPU_ON "
			       "(ran %d times, want 2; DEN 0022D, CPU_ON)",
			       ran[i]);
		}
		report_prefix_pop();
	}
	/* an MPIDR no CPU has (CPU_ON: INVALID_PARAMETERS) */
	ret = psci_cpu_on(0xff00ff, virt_to_phys(secondary_entry), 0);
	report(ret == PSCI_INVALID_PARAMS, "CPU_ON of a missing MPIDR (got %d,"
	       " want INVALID_PARAMETERS %d; DEN 0022D, CPU_ON)", ret,
	       PSCI_INVALID_PARAMS);
}

int main(void)
{
	report_prefix_push("psci");
	if (!psci_present()) {
		report_skip("no PSCI: the device tree has no arm,psci-0.2 node "
			    "with a method");
		return report_summary();
	}
	test_version_features();
	test_cpu_on_off();
	return report_summary();
}
