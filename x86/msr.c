/*
 * MSRs: values written read back; reserved MSR indices and reserved bits
 * raise #GP(0) (SDM vol 2B, WRMSR/RDMSR "Protected Mode Exceptions");
 * the base-address MSRs take canonical addresses only and are the bases
 * memory accesses use; IA32_EFER's bits behave as the CPUID says; and
 * thread-scope MSRs are kept per logical processor (SDM vol 4, table 2-2
 * "Scope"), IA32_APIC_BASE included.
 */
#include "libcflat.h"
#include "x86/layout.h"
#include "x86/processor.h"
#include "x86/smp.h"

struct msr_case {
	const char *name;
	u32 index;
	u64 value;
	struct cpuid_feature feature;
	bool needs_feature;
};

/*
 * Values fit in 32 bits where AMD keeps only 32 (SYSENTER_ESP/EIP, APM
 * vol 2, 6.1.1: qemu64 says AuthenticAMD) and in 16 for SYSENTER_CS,
 * whose bits 63:16 QEMU does not keep.
 */
static const struct msr_case cases[] = {
	{ "IA32_SYSENTER_CS", MSR_IA32_SYSENTER_CS, 0x1234,
	  X86_FEATURE_SEP, true },
	{ "IA32_SYSENTER_ESP", MSR_IA32_SYSENTER_ESP, 0x87654320,
	  X86_FEATURE_SEP, true },
	{ "IA32_SYSENTER_EIP", MSR_IA32_SYSENTER_EIP, 0x9abcdef0,
	  X86_FEATURE_SEP, true },
	{ "IA32_TSC_AUX", MSR_TSC_AUX, 0x2468ace0,
	  X86_FEATURE_RDTSCP, true },
	{ "IA32_STAR", MSR_STAR, 0x0023001000000000ull,
	  X86_FEATURE_SYSCALL, true },
	{ "IA32_LSTAR", MSR_LSTAR, 0xffff800012345678ull,
	  X86_FEATURE_SYSCALL, true },
	{ "IA32_KERNEL_GS_BASE", MSR_KERNEL_GS_BASE, 0x00007fff12345000ull,
	  X86_FEATURE_LM, true },
	{ "IA32_CSTAR", MSR_CSTAR, 0xffff800087654320ull,
	  X86_FEATURE_SYSCALL, true },
	/* the mask is bits 31:0 (SDM vol 3, 5.8.8, figure 5-14); whether
	 * setting 63:32 faults is not spelled out, so it is not tested */
	{ "IA32_FMASK", MSR_SFMASK, 0x00047700,
	  X86_FEATURE_SYSCALL, true },
};

static void test_read_back(const struct msr_case *c)
{
	u64 old, got;
	int vec;

	if (c->needs_feature && !this_cpu_has(c->feature)) {
		report_skip("%s: %s clear", c->name, c->feature.name);
		return;
	}
	old = rdmsr(c->index);
	vec = wrmsr_safe(c->index, c->value);
	got = rdmsr(c->index);
	report(!vec && got == c->value,
	       "%s (%#x): wrote %#lx, read %#lx (write raised vector %d)",
	       c->name, c->index, (unsigned long)c->value,
	       (unsigned long)got, vec);
	wrmsr(c->index, old);
}

/* Not an architectural MSR on Intel or AMD (SDM vol 4, chapter 2; APM
 * vol 2, appendix A), nor in the hypervisor range 0x40000000-0x400000ff. */
#define MSR_UNDEFINED	0xdeadbeef

static void check_gp(const char *what, int vec)
{
	report(vec == GP_VECTOR && exception_error_code() == 0,
	       "%s: vector %d, error code %#lx; want %d (#GP), 0", what, vec,
	       (unsigned long)exception_error_code(), GP_VECTOR);
}

/*
 * The vendor decides a few rules: SYSENTER_ESP/EIP are 32 bits wide on
 * AMD (APM vol 2, 6.1.1), IA32_MISC_ENABLE is Intel's (SDM vol 4, table
 * 2-2; the APM has no MSR 1A0H), TSC_AUX bits 63:32 are reserved on
 * Intel only.
 */

static void test_reserved(void)
{
	u64 efer = rdmsr(MSR_EFER), val;

	check_gp("rdmsr of undefined MSR 0xdeadbeef",
		 rdmsr_safe(MSR_UNDEFINED, &val));
	check_gp("wrmsr of undefined MSR 0xdeadbeef",
		 wrmsr_safe(MSR_UNDEFINED, 0));
	/* EFER bit 63 is reserved on Intel (SDM vol 3, 2.2.1) and AMD (APM
	 * vol 2, 3.1.7). */
	check_gp("wrmsr EFER with reserved bit 63",
		 wrmsr_safe(MSR_EFER, efer | (1ull << 63)));
	report(rdmsr(MSR_EFER) == efer, "EFER unchanged by that write "
	       "(read %#lx, want %#lx)", (unsigned long)rdmsr(MSR_EFER),
	       (unsigned long)efer);
	/* TSC_AUX bits 63:32 are reserved on Intel (SDM vol 4, table 2-2).
	 * The APM gives TSC_AUX no reserved bits, and AMD CPUs ignore a
	 * write of bits 63:32 (KVM follows them: arch/x86/kvm/x86.c,
	 * MSR_TSC_AUX), so the rule is Intel's only. */
	if (!this_cpu_has(X86_FEATURE_RDTSCP))
		report_skip("TSC_AUX reserved bits: %s clear",
			    X86_FEATURE_RDTSCP.name);
	else if (!cpu_is_intel())
		report_skip("TSC_AUX reserved bits: not Intel; the APM "
			    "reserves none of TSC_AUX (C000_0103h)");
	else
		check_gp("wrmsr TSC_AUX with bit 32 set",
			 wrmsr_safe(MSR_TSC_AUX, 1ull << 32));
}

static void test_efer_bit(const char *name, u64 bit,
			  struct cpuid_feature feature)
{
	u64 efer = rdmsr(MSR_EFER), got;
	int vec;

	if (!this_cpu_has(feature)) {
		report_skip("EFER.%s: %s clear", name, feature.name);
		return;
	}
	vec = wrmsr_safe(MSR_EFER, efer | bit);
	got = rdmsr(MSR_EFER);
	report(!vec && got == (efer | bit), "EFER.%s set: read %#llx, want "
	       "%#llx (vector %d)", name, (unsigned long long)got,
	       (unsigned long long)(efer | bit), vec);
	vec = wrmsr_safe(MSR_EFER, efer & ~bit);
	got = rdmsr(MSR_EFER);
	report(!vec && got == (efer & ~bit), "EFER.%s clear: read %#llx, "
	       "want %#llx (vector %d)", name, (unsigned long long)got,
	       (unsigned long long)(efer & ~bit), vec);
	wrmsr(MSR_EFER, efer);
}

/*
 * IA32_EFER.LMA is read-only (SDM vol 4, table 2-2 "(R)"; APM vol 2,
 * 3.1.7): the processor sets it from LME and CR0.PG, and WRMSR leaves
 * it alone. Writing the other value must neither fault nor change it.
 */
static void test_efer_lma(void)
{
	u64 efer = rdmsr(MSR_EFER), got;
	int vec;

	if (!this_cpu_has(X86_FEATURE_LM)) {
		report_skip("EFER.LMA: %s clear", X86_FEATURE_LM.name);
		return;
	}
	vec = wrmsr_safe(MSR_EFER, efer ^ EFER_LMA);
	got = rdmsr(MSR_EFER);
	report(!vec && got == efer, "EFER.LMA is read-only: wrote %#llx, "
	       "read %#llx, want %#llx (vector %d, want 0)",
	       (unsigned long long)(efer ^ EFER_LMA), (unsigned long long)got,
	       (unsigned long long)efer, vec);
	wrmsr(MSR_EFER, efer);
}

/* EFER.SVME exists with CPUID.80000001H:ECX[2] (APM vol 2, 3.1.7) and is
 * reserved otherwise, Intel included (SDM vol 4, table 2-2). */
static void test_efer_svme(void)
{
	u64 efer = rdmsr(MSR_EFER);

	if (this_cpu_has(X86_FEATURE_SVM)) {
		test_efer_bit("SVME", EFER_SVME, X86_FEATURE_SVM);
		return;
	}
	check_gp("wrmsr EFER with reserved bit 12 (SVME, CPUID SVM clear)",
		 wrmsr_safe(MSR_EFER, efer | EFER_SVME));
	wrmsr(MSR_EFER, efer);
}

#ifdef __x86_64__
/*
 * WRMSR raises #GP(0) for a non-canonical address in IA32_FS_BASE,
 * IA32_GS_BASE, IA32_KERNEL_GS_BASE, IA32_LSTAR, IA32_SYSENTER_EIP and
 * IA32_SYSENTER_ESP (SDM vol 2B, WRMSR, 64-Bit Mode Exceptions; vol 3,
 * 5.8.8 for LSTAR). AMD keeps only bits 31:0 of the SYSENTER pair (APM
 * vol 2, 6.1.1), so those two are checked on Intel only. IA32_CSTAR is
 * not in the SDM's list: it is only round-tripped.
 */
struct canon_case {
	const char *name;
	u32 index;
	bool intel_only;
	struct cpuid_feature feature;
};

static const struct canon_case canon_cases[] = {
	{ "IA32_FS_BASE", MSR_FS_BASE, false, X86_FEATURE_LM },
	{ "IA32_GS_BASE", MSR_GS_BASE, false, X86_FEATURE_LM },
	{ "IA32_KERNEL_GS_BASE", MSR_KERNEL_GS_BASE, false, X86_FEATURE_LM },
	{ "IA32_LSTAR", MSR_LSTAR, false, X86_FEATURE_SYSCALL },
	{ "IA32_SYSENTER_ESP", MSR_IA32_SYSENTER_ESP, true, X86_FEATURE_SEP },
	{ "IA32_SYSENTER_EIP", MSR_IA32_SYSENTER_EIP, true, X86_FEATURE_SEP },
};

/*
 * Linear-address width, CPUID.80000008H:EAX[15:8] (SDM vol 2A, CPUID);
 * 48 when the leaf is absent. WRMSR checks canonical form against the
 * processor's width (57 with 5-level paging), not CR4.LA57.
 */
static unsigned linear_address_bits(void)
{
	if (cpuid(0x80000000).a < 0x80000008)
		return 48;
	return (cpuid(0x80000008).a >> 8) & 0xff;
}

/*
 * Write @val to MSR @index, read the MSR back into *@back and put the old
 * value back, all in one asm statement: IA32_GS_BASE is this CPU's
 * per-CPU pointer, which the exception fixup itself uses. Returns the
 * vector the write raised, 0 if none.
 */
static int wrmsr_probe(u32 index, u64 val, u64 *back)
{
	u64 old = rdmsr(index);
	u32 lo = val, hi = val >> 32, blo, bhi;
	unsigned long flags = read_rflags();
	int vec;

	/* no interrupt handler may run on the probed GS base */
	cli();
	asm volatile(EX_FIXUP_BEGIN
		     "1: wrmsr\n\t"
		     "2: rdmsr\n\t"
		     "mov %%eax, %[blo]\n\t"
		     "mov %%edx, %[bhi]\n\t"
		     "mov %[olo], %%eax\n\t"
		     "mov %[ohi], %%edx\n\t"
		     "wrmsr\n\t"
		     EX_FIXUP_END
		     : "+a"(lo), "+d"(hi), [blo] "=&r"(blo), [bhi] "=&r"(bhi)
		     : "c"(index), [olo] "r"((u32)old),
		       [ohi] "r"((u32)(old >> 32))
		     : "memory");
	if (flags & X86_EFLAGS_IF)
		sti();
	vec = exception_vector();
	*back = blo | ((u64)bhi << 32);
	return vec < 0 ? 0 : vec;
}

static void test_canonical(void)
{
	unsigned bits = linear_address_bits(), i;
	/* the first non-canonical address, and the two canonical ones
	 * either side of the hole (SDM vol 1, 3.3.7.1) */
	u64 bad = 1ull << (bits - 1);
	u64 good[2] = { bad - 0x1000, ~0ull << (bits - 1) };
	bool intel = cpu_is_intel();

	report_prefix_push("canonical");
	report_info("linear-address width %u, vendor %s", bits,
		    intel ? "Intel" : cpu_is_amd() ? "AMD" : "other");
	for (i = 0; i < ARRAY_SIZE(canon_cases); i++) {
		const struct canon_case *c = &canon_cases[i];
		u64 old, back;
		unsigned j;
		int vec;

		if (!this_cpu_has(c->feature)) {
			report_skip("%s: %s clear", c->name, c->feature.name);
			continue;
		}
		old = rdmsr(c->index);
		for (j = 0; j < ARRAY_SIZE(good); j++) {
			vec = wrmsr_probe(c->index, good[j], &back);
			report(!vec && back == good[j], "%s := %#llx reads "
			       "back (got %#llx, vector %d; want 0)", c->name,
			       (unsigned long long)good[j],
			       (unsigned long long)back, vec);
		}
		if (c->intel_only && !intel) {
			report_skip("%s := %#llx: not Intel, AMD keeps bits "
				    "31:0 only (APM vol 2, 6.1.1)", c->name,
				    (unsigned long long)bad);
			continue;
		}
		vec = wrmsr_probe(c->index, bad, &back);
		report(vec == GP_VECTOR && exception_error_code() == 0 &&
		       back == old, "%s := %#llx (non-canonical) raises #GP: "
		       "vector %d, error code %#llx, MSR then %#llx; want "
		       "%d, 0, %#llx", c->name, (unsigned long long)bad, vec,
		       (unsigned long long)exception_error_code(),
		       (unsigned long long)back, GP_VECTOR,
		       (unsigned long long)old);
	}
	report_prefix_pop();
}

/*
 * In 64-bit mode FS and GS references use the bases in IA32_FS_BASE and
 * IA32_GS_BASE (SDM vol 3, 3.4.4.1), a segment load through a selector
 * replaces the base with the descriptor's, and SWAPGS exchanges
 * IA32_GS_BASE with IA32_KERNEL_GS_BASE (SDM vol 2B, SWAPGS).
 */
static u64 seg_cells[2] __attribute__((aligned(16)));

#define CELL_MAGIC	0x5ca1ab1e0ddba11ull

static void test_segment_bases(void)
{
	u64 old_fs = rdmsr(MSR_FS_BASE), gs = rdmsr(MSR_GS_BASE);
	u64 cells = (u64)(uintptr_t)seg_cells, got, old_kgs;
	u16 old_fs_sel, ds;
	struct { u64 via_gs; u32 gs_lo, gs_hi, kgs_lo, kgs_hi; } sw;
	unsigned long flags;

	report_prefix_push("segment base");
	seg_cells[0] = 0;
	seg_cells[1] = CELL_MAGIC;

	wrmsr(MSR_FS_BASE, cells);
	asm volatile("mov %%fs:8, %0" : "=r"(got) :: "memory");
	report(got == CELL_MAGIC, "IA32_FS_BASE := %#llx: %%fs:8 reads %#llx, "
	       "want %#llx", (unsigned long long)cells,
	       (unsigned long long)got, CELL_MAGIC);

	/* The flat DS (base 0) loaded into FS brings its base along. */
	asm volatile("mov %%fs, %0; mov %%ds, %1"
		     : "=r"(old_fs_sel), "=r"(ds));
	asm volatile("mov %0, %%fs" :: "r"(ds) : "memory");
	got = rdmsr(MSR_FS_BASE);
	report(got == 0, "MOV FS, %#x (flat DS) makes IA32_FS_BASE the "
	       "descriptor's base (got %#llx, want 0)", ds,
	       (unsigned long long)got);
	asm volatile("mov %0, %%fs" :: "r"(old_fs_sel) : "memory");
	wrmsr(MSR_FS_BASE, old_fs);

	got = (u64)(uintptr_t)this_cpu();
	report(got == gs, "%%gs:0 (per-CPU self pointer) reads %#llx, want "
	       "IA32_GS_BASE %#llx", (unsigned long long)got,
	       (unsigned long long)gs);

	if (!this_cpu_has(X86_FEATURE_LM)) {
		report_skip("SWAPGS: %s clear", X86_FEATURE_LM.name);
		report_prefix_pop();
		return;
	}
	/* Nothing may use GS while it is swapped: interrupts off. */
	old_kgs = rdmsr(MSR_KERNEL_GS_BASE);
	wrmsr(MSR_KERNEL_GS_BASE, cells);
	flags = read_rflags();
	cli();
	asm volatile("swapgs\n\t"
		     "mov %%gs:8, %%rax\n\t"
		     "mov %%rax, 0(%[sw])\n\t"
		     "mov %[gsb], %%ecx\n\t"
		     "rdmsr\n\t"
		     "mov %%eax, 8(%[sw])\n\t"
		     "mov %%edx, 12(%[sw])\n\t"
		     "mov %[kgsb], %%ecx\n\t"
		     "rdmsr\n\t"
		     "mov %%eax, 16(%[sw])\n\t"
		     "mov %%edx, 20(%[sw])\n\t"
		     "swapgs"
		     :: [sw] "r"(&sw), [gsb] "i"(MSR_GS_BASE),
		        [kgsb] "i"(MSR_KERNEL_GS_BASE)
		     : "rax", "rcx", "rdx", "memory");
	if (flags & X86_EFLAGS_IF)
		sti();
	got = rdmsr(MSR_KERNEL_GS_BASE);
	wrmsr(MSR_KERNEL_GS_BASE, old_kgs);
	report(sw.via_gs == CELL_MAGIC, "SWAPGS: %%gs:8 then reads %#llx, "
	       "want %#llx (the cell at the old IA32_KERNEL_GS_BASE)",
	       (unsigned long long)sw.via_gs, CELL_MAGIC);
	report((sw.gs_lo | ((u64)sw.gs_hi << 32)) == cells &&
	       (sw.kgs_lo | ((u64)sw.kgs_hi << 32)) == gs,
	       "SWAPGS exchanges the MSRs: GS_BASE %#llx, KERNEL_GS_BASE "
	       "%#llx; want %#llx, %#llx",
	       (unsigned long long)(sw.gs_lo | ((u64)sw.gs_hi << 32)),
	       (unsigned long long)(sw.kgs_lo | ((u64)sw.kgs_hi << 32)),
	       (unsigned long long)cells, (unsigned long long)gs);
	report(got == cells && rdmsr(MSR_GS_BASE) == gs,
	       "second SWAPGS swaps back: KERNEL_GS_BASE %#llx, GS_BASE "
	       "%#llx; want %#llx, %#llx", (unsigned long long)got,
	       (unsigned long long)rdmsr(MSR_GS_BASE),
	       (unsigned long long)cells, (unsigned long long)gs);
	report_prefix_pop();
}
#endif

/*
 * Thread-scope MSRs (SDM vol 4, table 2-2): each CPU writes its own
 * value, then each must read its own back, not another CPU's.
 */
#define X86_FEATURE_RDPID	CPUID_FEATURE(7, 0, ECX, 22, "CPUID.07H.0:ECX[22] (RDPID)")

struct percpu_case {
	const char *name;
	u32 index;
	struct cpuid_feature feature;
	u64 (*value)(unsigned cpu);
};

static u64 sysenter_cs_for(unsigned cpu)
{
	return 0x1000 + 8 * cpu;
}

/* 32 bits: AMD keeps only those (APM vol 2, 6.1.1). */
static u64 sysenter_esp_for(unsigned cpu)
{
	return 0x80001000u + 0x1000 * cpu;
}

static u64 sysenter_eip_for(unsigned cpu)
{
	return 0x80402000u + 0x10 * cpu;
}

/* Bits 63:32 are reserved (SDM vol 4, table 2-2). */
static u64 tsc_aux_for(unsigned cpu)
{
	return 0x7a000000u + cpu;
}

/* Each byte a valid PAT type: 0, 1, 4, 5, 6 or 7 (SDM vol 3, 13.12.2,
 * table 13-10). Entries 0-3 keep their reset value (WB, WT, UC-, UC):
 * the test's own page tables use entry 0. */
static u64 pat_for(unsigned cpu)
{
	static const u8 types[] = { 0, 1, 4, 5, 7 };

	return 0x0000000000070406ull |
	       (u64)types[cpu % ARRAY_SIZE(types)] << 40 |
	       (u64)types[(cpu + 2) % ARRAY_SIZE(types)] << 48;
}

#ifdef __x86_64__
static u64 kernel_gs_base_for(unsigned cpu)
{
	return 0x00007f0000001000ull + ((u64)cpu << 12);
}
#endif

static const struct percpu_case percpu_cases[] = {
	{ "IA32_SYSENTER_CS", MSR_IA32_SYSENTER_CS, X86_FEATURE_SEP,
	  sysenter_cs_for },
	{ "IA32_SYSENTER_ESP", MSR_IA32_SYSENTER_ESP, X86_FEATURE_SEP,
	  sysenter_esp_for },
	{ "IA32_SYSENTER_EIP", MSR_IA32_SYSENTER_EIP, X86_FEATURE_SEP,
	  sysenter_eip_for },
	{ "IA32_TSC_AUX", MSR_TSC_AUX, X86_FEATURE_RDTSCP, tsc_aux_for },
	{ "IA32_PAT", MSR_IA32_CR_PAT, X86_FEATURE_PAT, pat_for },
#ifdef __x86_64__
	{ "IA32_KERNEL_GS_BASE", MSR_KERNEL_GS_BASE, X86_FEATURE_LM,
	  kernel_gs_base_for },
#endif
};

struct percpu_run {
	const struct percpu_case *c;
	u64 saved[MAX_CPUS];
	u64 got[MAX_CPUS];
	u32 rdtscp_aux[MAX_CPUS];
	unsigned long rdpid[MAX_CPUS];
	bool has_rdtscp, has_rdpid;
};

static void percpu_write(void *data)
{
	struct percpu_run *r = data;
	unsigned cpu = smp_id();

	r->saved[cpu] = rdmsr(r->c->index);
	wrmsr(r->c->index, r->c->value(cpu));
}

/* rdpid %rax (%eax outside 64-bit mode) as bytes, F3 0F C7 /7 (SDM vol
 * 2B, RDPID), for assemblers that predate it. */
static unsigned long rdpid(void)
{
	unsigned long v;

	asm volatile(".byte 0xf3, 0x0f, 0xc7, 0xf8" : "=a"(v) :: "memory");
	return v;
}

static void percpu_read(void *data)
{
	struct percpu_run *r = data;
	unsigned cpu = smp_id();

	r->got[cpu] = rdmsr(r->c->index);
	if (r->c->index == MSR_TSC_AUX) {
		if (r->has_rdtscp)
			rdtscp(&r->rdtscp_aux[cpu]);
		if (r->has_rdpid)
			r->rdpid[cpu] = rdpid();
	}
	wrmsr(r->c->index, r->saved[cpu]);
}

static void test_percpu(void)
{
	static struct percpu_run run;
	unsigned i, cpu, ncpus = nr_cpus < MAX_CPUS ? nr_cpus : MAX_CPUS;

	report_prefix_push("per-CPU");
	if (nr_cpus < 2) {
		report_skip("only one CPU: the cfg entry wants smp >= 2");
		report_prefix_pop();
		return;
	}
	run.has_rdtscp = this_cpu_has(X86_FEATURE_RDTSCP);
	run.has_rdpid = this_cpu_has(X86_FEATURE_RDPID);
	for (i = 0; i < ARRAY_SIZE(percpu_cases); i++) {
		const struct percpu_case *c = &percpu_cases[i];

		if (!this_cpu_has(c->feature)) {
			report_skip("%s: %s clear", c->name, c->feature.name);
			continue;
		}
		run.c = c;
		on_cpus(percpu_write, &run);
		on_cpus(percpu_read, &run);
		for (cpu = 0; cpu < ncpus; cpu++)
			report(run.got[cpu] == c->value(cpu),
			       "%s (%#x): CPU %u reads its own write after "
			       "every CPU wrote (got %#llx, want %#llx)",
			       c->name, c->index, cpu,
			       (unsigned long long)run.got[cpu],
			       (unsigned long long)c->value(cpu));
		if (c->index != MSR_TSC_AUX)
			continue;
		for (cpu = 0; cpu < ncpus; cpu++)
			report(run.rdtscp_aux[cpu] == c->value(cpu),
			       "RDTSCP on CPU %u: ECX %#x, want its "
			       "IA32_TSC_AUX %#llx", cpu, run.rdtscp_aux[cpu],
			       (unsigned long long)c->value(cpu));
		if (!run.has_rdpid) {
			report_skip("RDPID: %s clear", X86_FEATURE_RDPID.name);
			continue;
		}
		for (cpu = 0; cpu < ncpus; cpu++)
			report(run.rdpid[cpu] == c->value(cpu), "RDPID on CPU "
			       "%u: %#lx, want its IA32_TSC_AUX %#llx", cpu,
			       run.rdpid[cpu],
			       (unsigned long long)c->value(cpu));
	}
	report_prefix_pop();
}

/*
 * IA32_APIC_BASE (SDM vol 3, 11.4.4, figure 11-5): BSP flag (bit 8) set
 * on the bootstrap processor only, the APIC enabled at the reset base
 * 0xFEE00000; bits 7:0, 9 and MAXPHYADDR and up are reserved and a write
 * setting one raises #GP(0) (SDM vol 2B, WRMSR; AMD: APM vol 2, 16.3.1).
 */
#define APIC_DEFAULT_BASE	0xfee00000ull

struct apic_base_read {
	u64 val[MAX_CPUS];
};

static void read_apic_base_here(void *data)
{
	struct apic_base_read *r = data;

	r->val[smp_id()] = rdmsr(MSR_IA32_APIC_BASE);
}

/* Setting reserved bit @bit raises #GP(0) and leaves the MSR alone. */
static void check_apic_base_reserved(unsigned bit)
{
	u64 old = rdmsr(MSR_IA32_APIC_BASE), v;
	char what[64];
	int vec;

	vec = wrmsr_safe(MSR_IA32_APIC_BASE, old | 1ull << bit);
	v = rdmsr(MSR_IA32_APIC_BASE);
	wrmsr(MSR_IA32_APIC_BASE, old);
	snprintf(what, sizeof(what), "wrmsr with reserved bit %u", bit);
	check_gp(what, vec);
	report(v == old, "wrmsr with reserved bit %u leaves the MSR alone "
	       "(read %#llx, want %#llx)", bit, (unsigned long long)v,
	       (unsigned long long)old);
}

static void test_apic_base(void)
{
	static struct apic_base_read r;
	unsigned cpu, ncpus = nr_cpus < MAX_CPUS ? nr_cpus : MAX_CPUS;
	unsigned maxphy = cpuid_maxphyaddr();
	u64 addr_mask = ((1ull << maxphy) - 1) & ~0xfffull, v;

	report_prefix_push("APIC_BASE");
	if (!this_cpu_has(X86_FEATURE_APIC)) {
		report_skip("%s clear", X86_FEATURE_APIC.name);
		report_prefix_pop();
		return;
	}
	on_cpus(read_apic_base_here, &r);
	for (cpu = 0; cpu < ncpus; cpu++) {
		v = r.val[cpu];
		report(!!(v & APIC_BASE_BSP) == (cpu == 0) &&
		       (v & APIC_BASE_EN) &&
		       (v & addr_mask) == APIC_DEFAULT_BASE,
		       "CPU %u: %#llx: BSP %d (want %d), EN %d (want 1), "
		       "base %#llx (want %#llx)", cpu, (unsigned long long)v,
		       !!(v & APIC_BASE_BSP), cpu == 0, !!(v & APIC_BASE_EN),
		       (unsigned long long)(v & addr_mask), APIC_DEFAULT_BASE);
	}
	check_apic_base_reserved(0);
	/* bit 9 is reserved on Intel and AMD alike (APM vol 2, 16.3.1) */
	check_apic_base_reserved(9);
	if (maxphy < 64)
		check_apic_base_reserved(maxphy);
	report_prefix_pop();
}

/* Intel only (SDM vol 4, table 2-2, MSR 1A0H): it must read on Intel. */
static void test_misc_enable(void)
{
	u64 v;
	int vec;

	if (!cpu_is_intel()) {
		report_skip("IA32_MISC_ENABLE: not an Intel vendor, the MSR is "
			    "Intel's (SDM vol 4, table 2-2)");
		return;
	}
	vec = rdmsr_safe(MSR_IA32_MISC_ENABLE, &v);
	report(!vec, "IA32_MISC_ENABLE (%#x) reads: %#llx (vector %d, want 0)",
	       MSR_IA32_MISC_ENABLE, (unsigned long long)v, vec);
}

int main(void)
{
	char hv[13];
	unsigned i;

	report_prefix_push("msr");
	cpuid_hypervisor_signature(hv);
	report_info("hypervisor \"%s\"", hv);
	for (i = 0; i < ARRAY_SIZE(cases); i++)
		test_read_back(&cases[i]);
	test_efer_bit("NXE", EFER_NXE, X86_FEATURE_NX);
	test_efer_bit("SCE", EFER_SCE, X86_FEATURE_SYSCALL);
	test_efer_lma();
	test_efer_svme();
	test_reserved();
#ifdef __x86_64__
	test_canonical();
	test_segment_bases();
#endif
	test_percpu();
	test_apic_base();
	test_misc_enable();
	return report_summary();
}
