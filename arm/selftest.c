// SPDX-License-Identifier: GPL-2.0-only
/*
 * The runtime checks itself: what setup read from the device tree (CPU
 * count and RAM against -smp/-m, argv against /chosen/bootargs), exception
 * delivery from kernel and user mode with the right syndrome (Arm ARM,
 * exception entry and ESR_EL1 on aarch64; DDI 0406C, the exception vectors
 * and DFSR, IFSR on arm), and work on every CPU.
 *
 * usage: selftest setup smp=N mem=MiB [args...] | vectors-kernel |
 *        vectors-user | smp
 */
#include "libcflat.h"
#include "devicetree.h"
#include "arm/esr.h"
#include "arm/exceptions.h"
#include "arm/mmu.h"
#include "arm/setup.h"
#include "arm/smp.h"

#ifdef __aarch64__
#define UDF_INSN	".inst 0x00000000"	/* UDF #0 */
#else
#define UDF_INSN	".inst 0xe7f000f0"	/* UDF #0, A32 */
#endif
#define SVC_IMM		0x42

/* Where the failure messages point: exception entry and its syndromes. */
#ifdef __aarch64__
#define SECT_EXC	"Arm ARM, exception entry"
#define SECT_DABT	"Arm ARM, ESR_EL1, FAR_EL1"
#define SECT_PABT	SECT_DABT
#else
#define SECT_EXC	"DDI 0406C, exception handling"
#define SECT_DABT	"DDI 0406C, DFSR, DFAR"
#define SECT_PABT	"DDI 0406C, IFSR, IFAR"
#endif
#define SECT_DT		"Devicetree Specification v0.4, chapter 3"
#ifdef __aarch64__
#define MPIDR_SECT	"Arm ARM, MPIDR_EL1"
#else
#define MPIDR_SECT	"DDI 0406C, MPIDR"
#endif

/* An address nothing maps: the page below the vmap area. */
#define UNMAPPED_VA	(mmu_vmap_base - PAGE_SIZE)

static uintptr_t insn_pc;
static volatile u32 user_ran;

static void check_setup(int argc, char **argv)
{
	long smp = -1, mem = -1;
	const char *bootargs = dt_get_bootargs();
	char joined[ARGV_BUF_SIZE] = "";
	const char *quoted;

	for (int i = 1; i < argc; i++) {
		if (!strncmp(argv[i], "smp=", 4))
			smp = strtol(argv[i] + 4, NULL, 0);
		else if (!strncmp(argv[i], "mem=", 4))
			mem = strtol(argv[i] + 4, NULL, 0);
		if (i > 1)
			strcat(joined, " ");
		/* the guest's split removed the quotes that grouped a word */
		if (strchr(argv[i], ' ')) {
			strcat(joined, "\"");
			strcat(joined, argv[i]);
			strcat(joined, "\"");
		} else {
			strcat(joined, argv[i]);
		}
	}
	report_prefix_push("setup");
	if (smp < 0 || mem < 0) {
		report_fail("test_args give smp=N and mem=MiB (got smp %ld, "
			    "mem %ld; a cfg error)", smp, mem);
	} else {
		report((long)nr_cpus == smp, "CPUs in the device tree (got %u, "
		       "want %ld from -smp; %s /cpus)", nr_cpus, smp, SECT_DT);
		report(ram_total() == (u64)mem * MiB, "RAM in the device tree "
		       "(got %llu MiB, want %ld MiB from -m; %s /memory)",
		       (unsigned long long)(ram_total() / MiB), mem, SECT_DT);
	}
	report(bootargs && !strcmp(joined, bootargs),
	       "argv[1..] is /chosen/bootargs (got '%s', want '%s'; %s "
	       "/chosen)", joined, bootargs ? bootargs : "(none)", SECT_DT);
	/* main() only gets here with argv[1] "setup", so that says nothing;
	 * the quotes do: they group words and are not part of any */
	quoted = NULL;
	for (int i = 1; i < argc && !quoted; i++)
		if (strchr(argv[i], '"'))
			quoted = argv[i];
	report(!quoted, "no argv word keeps a quote (got '%s'; the cfg "
	       "quotes \"two words\"; lib/argv.c)", quoted ? quoted : "");
	report(argv[argc] == NULL, "argv[argc] is NULL (C11 5.1.2.2.1)");
	report_prefix_pop();
}

static void do_udf(void *arg)
{
	uintptr_t tmp;

	(void)arg;
	__asm__ __volatile__("adr %0, 1f\n\tstr %0, [%1]\n1:\t" UDF_INSN
			     : "=&r"(tmp) : "r"(&insn_pc) : "memory");
}

static void do_svc(void *arg)
{
	uintptr_t tmp;

	(void)arg;
	__asm__ __volatile__("adr %0, 1f\n\tstr %0, [%1]\n\tsvc %2\n1:"
			     : "=&r"(tmp) : "r"(&insn_pc), "i"(SVC_IMM)
			     : "memory");
}

static void do_load(void *arg)
{
	(void)*(volatile u32 *)arg;
}

static void do_store(void *arg)
{
	*(volatile u32 *)arg = 0x5a5a5a5a;
}

static void do_jump(void *arg)
{
	((void (*)(void))arg)();
}

static void do_user_return(void *arg)
{
	(void)arg;
	user_ran = 0x600d;
}

static void expect(struct exc_info *got, enum exc_kind kind, const char *what)
{
	char desc[200];

	exc_describe(got, desc, sizeof(desc));
	report(got->kind == kind, "%s raises %s (got %s; %s)", what,
	       exc_kind_name(kind), desc, SECT_EXC);
}

/* The syndromes both modes share; @user says which vectors to expect. */
static void check_vectors(bool user)
{
	enum exc_kind (*run)(void (*)(void *), void *, struct exc_info *) =
		user ? run_in_user : run_catching;
	struct exc_info info;
	uintptr_t bad = UNMAPPED_VA;
	u32 *kernel_only;
	void *page;

	report_prefix_push(user ? "vectors-user" : "vectors-kernel");

	run(do_udf, NULL, &info);
	expect(&info, EXC_UNDEF, "UDF");
	report(info.pc == insn_pc, "UDF: preferred return is the instruction "
	       "(got %#lx, want %#lx; %s)", (unsigned long)info.pc,
	       (unsigned long)insn_pc, SECT_EXC);
	report(info.user == user, "UDF: taken from %s mode (got %s; %s)",
	       user ? "user" : "kernel", info.user ? "user" : "kernel",
	       SECT_EXC);
#ifdef __aarch64__
	report(info.vector == (user ? VEC_EL0_SYNC : VEC_EL1H_SYNC) &&
	       info.syndrome == (ESR_EC_UNKNOWN << ESR_EC_SHIFT | ESR_IL),
	       "UDF: vector %u, ESR_EL1 %#x (want vector %u, EC 0x00 IL 1: "
	       "%#x; Arm ARM, ESR_EL1)", info.vector, info.syndrome,
	       user ? VEC_EL0_SYNC : VEC_EL1H_SYNC,
	       ESR_EC_UNKNOWN << ESR_EC_SHIFT | ESR_IL);
#else
	report(info.vector == VEC_UNDEF, "UDF: vector %u (want %u, DDI 0406C, "
	       "exception vectors)", info.vector, VEC_UNDEF);
#endif

	run(do_svc, NULL, &info);
	expect(&info, EXC_SVC, "SVC");
	report(info.imm == SVC_IMM, "SVC: immediate (got %#x, want %#x; %s)",
	       info.imm, SVC_IMM, SECT_EXC);
	report(info.pc == insn_pc, "SVC: preferred return is the next "
	       "instruction (got %#lx, want %#lx; %s)", (unsigned long)info.pc,
	       (unsigned long)insn_pc, SECT_EXC);
#ifdef __aarch64__
	report(info.ec == ESR_EC_SVC64, "SVC: ESR_EL1.EC (got %#x, want %#x; "
	       "%s)", info.ec, ESR_EC_SVC64, SECT_DABT);
#endif

	run(do_load, (void *)bad, &info);
	expect(&info, EXC_DABT, "load from an unmapped address");
	report(info.far == bad && (info.fsc & ~3u) == FSC_TRANSLATION(0) &&
	       !info.write, "load: FAR %#lx, FSC %#x, WnR %d (want FAR %#lx, "
	       "translation fault, read; %s)", (unsigned long)info.far,
	       info.fsc, info.write, (unsigned long)bad, SECT_DABT);
#ifdef __aarch64__
	report(info.ec == (user ? ESR_EC_DABT_LOW : ESR_EC_DABT_CUR),
	       "load: ESR_EL1.EC (got %#x, want %#x; %s)", info.ec,
	       user ? ESR_EC_DABT_LOW : ESR_EC_DABT_CUR, SECT_DABT);
#endif
	run(do_store, (void *)(bad + 8), &info);
	expect(&info, EXC_DABT, "store to an unmapped address");
	report(info.far == bad + 8 && info.write, "store: FAR %#lx, WnR %d "
	       "(want FAR %#lx, write; %s)", (unsigned long)info.far,
	       info.write, (unsigned long)bad + 8, SECT_DABT);

	run(do_jump, (void *)bad, &info);
	expect(&info, EXC_PABT, "branch to an unmapped address");
	report(info.far == bad && info.pc == bad &&
	       (info.fsc & ~3u) == FSC_TRANSLATION(0),
	       "branch: FAR %#lx, PC %#lx, FSC %#x (want %#lx, %#lx, "
	       "translation fault; %s)", (unsigned long)info.far,
	       (unsigned long)info.pc, info.fsc, (unsigned long)bad,
	       (unsigned long)bad, SECT_PABT);
#ifdef __aarch64__
	report(info.ec == (user ? ESR_EC_IABT_LOW : ESR_EC_IABT_CUR),
	       "branch: ESR_EL1.EC (got %#x, want %#x; %s)", info.ec,
	       user ? ESR_EC_IABT_LOW : ESR_EC_IABT_CUR, SECT_PABT);
#endif

	if (user) {
		/* a page only the kernel may touch: a permission fault */
		page = memalign(PAGE_SIZE, PAGE_SIZE);
		kernel_only = vmap_prot(virt_to_phys(page), PAGE_SIZE,
					MEM_NORMAL, 0);
		run(do_load, kernel_only, &info);
		expect(&info, EXC_DABT, "load from a kernel-only page");
		report((info.fsc & ~3u) == FSC_PERMISSION(0) &&
		       info.far == (uintptr_t)kernel_only,
		       "kernel-only page: FSC %#x (%s), FAR %#lx (want a "
		       "permission fault at %p; %s)", info.fsc,
		       exc_fsc_name(info.fsc), (unsigned long)info.far,
		       kernel_only, SECT_DABT);
		user_ran = 0;
		run(do_user_return, NULL, &info);
		report(info.kind == EXC_NONE && user_ran == 0x600d,
		       "a user function returns (got %s, wrote %#x; want none, "
		       "0x600d; %s)", exc_kind_name(info.kind), user_ran,
		       SECT_EXC);
	}
	report_prefix_pop();
}

static u64 seen_mpidr[MAX_CPUS];
static unsigned seen_id[MAX_CPUS];

static void record_cpu(void *arg)
{
	unsigned id = smp_id();

	(void)arg;
	seen_mpidr[id] = mpidr_read() & MPIDR_AFF_MASK;
	seen_id[id] = id + 1;
}

static void check_smp(void)
{
	report_prefix_push("smp");
	report_info("%u CPUs", nr_cpus);
	on_cpus(record_cpu, NULL);
	for (unsigned i = 0; i < nr_cpus; i++)
		report(seen_id[i] == i + 1 && seen_mpidr[i] == cpu_mpidr(i),
		       "CPU %u ran its work (MPIDR got %#llx, want %#llx from "
		       "the device tree's reg; %s)", i,
		       (unsigned long long)seen_mpidr[i],
		       (unsigned long long)cpu_mpidr(i), MPIDR_SECT);
	report_prefix_pop();
}

int main(int argc, char **argv)
{
	report_prefix_push("selftest");
	if (argc < 2) {
		report_fail("no sub-test given (setup, vectors-kernel, "
			    "vectors-user, smp)");
	} else if (!strcmp(argv[1], "setup")) {
		check_setup(argc, argv);
	} else if (!strcmp(argv[1], "vectors-kernel")) {
		check_vectors(false);
	} else if (!strcmp(argv[1], "vectors-user")) {
		check_vectors(true);
	} else if (!strcmp(argv[1], "smp")) {
		check_smp();
	} else {
		report_fail("unknown sub-test '%s'", argv[1]);
	}
	return report_summary();
}
