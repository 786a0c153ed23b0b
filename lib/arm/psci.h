/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * PSCI (Arm DEN 0022D) through the SMC Calling Convention (DEN 0028), over
 * the conduit the device tree's /psci "method" names: "hvc" or "smc".
 */
#ifndef ARM_PSCI_H
#define ARM_PSCI_H

#include "libcflat.h"

/* Function IDs (DEN 0022D, the function ID table); the _64 ones are SMC64 */
#define PSCI_VERSION		0x84000000
#define PSCI_CPU_SUSPEND	0x84000001
#define PSCI_CPU_OFF		0x84000002
#define PSCI_CPU_ON_32		0x84000003
#define PSCI_AFFINITY_INFO_32	0x84000004
#define PSCI_MIGRATE_INFO_TYPE	0x84000006
#define PSCI_SYSTEM_OFF		0x84000008
#define PSCI_SYSTEM_RESET	0x84000009
#define PSCI_FEATURES		0x8400000a
#define PSCI_CPU_ON_64		0xc4000003
#define PSCI_AFFINITY_INFO_64	0xc4000004
#ifdef __aarch64__
#define PSCI_CPU_ON		PSCI_CPU_ON_64
#define PSCI_AFFINITY_INFO	PSCI_AFFINITY_INFO_64
#else
#define PSCI_CPU_ON		PSCI_CPU_ON_32
#define PSCI_AFFINITY_INFO	PSCI_AFFINITY_INFO_32
#endif

/* Return codes (DEN 0022D, 5.2.2, table 6) */
#define PSCI_SUCCESS		0
#define PSCI_NOT_SUPPORTED	-1
#define PSCI_INVALID_PARAMS	-2
#define PSCI_DENIED		-3
#define PSCI_ALREADY_ON		-4
#define PSCI_ON_PENDING		-5
#define PSCI_INTERNAL_FAILURE	-6
#define PSCI_NOT_PRESENT	-7
#define PSCI_DISABLED		-8
#define PSCI_INVALID_ADDRESS	-9

/* AFFINITY_INFO states (DEN 0022D, 5.7.2) */
#define PSCI_AFF_ON		0
#define PSCI_AFF_OFF		1
#define PSCI_AFF_ON_PENDING	2

enum smccc_conduit { SMCCC_HVC = 0, SMCCC_SMC = 1 };

/* 0, or -1 when the DT has no usable /psci node. */
int psci_init(void);
bool psci_present(void);
enum smccc_conduit psci_conduit(void);
const char *psci_method(void);
/* Any function: the result register, sign-extended from 32 bits for the
 * SMC32 functions' int results. */
long psci_call(u32 fn, unsigned long a1, unsigned long a2, unsigned long a3);
int psci_cpu_on(u64 mpidr, uintptr_t entry, uintptr_t context);
int psci_cpu_off(void);
int psci_affinity_info(u64 mpidr, unsigned lowest_level);
void psci_system_off(void);

/* entry.S */
unsigned long smccc_call(unsigned long fn, unsigned long a1, unsigned long a2,
			 unsigned long a3, int conduit);

#endif
