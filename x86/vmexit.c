/*
 * Latency of operations that exit to the hypervisor, in TSC cycles per
 * iteration, one case per run chosen by the first argument:
 *
 *   cpuid        CPUID leaf 0 (always intercepted by VMX, SDM vol 3,
 *                26.1.2; by SVM when the VMM asks)
 *   vmcall       the vendor's hypercall instruction: under KVM an unknown
 *                number returning -KVM_ENOSYS, else the #UD it raises
 *   mov_to_cr8   MOV to CR8 (the TPR, SDM vol 3, 11.8.3.1)
 *   inl_pmtimer  IN from the ACPI PM timer (PIIX4 function 3)
 *   ipi          fixed IPI to CPU 1 and back (needs two CPUs)
 *   tscdeadline  TSC-deadline timer armed in the past, until its interrupt
 *
 * Optional "iterations=N". Each case prints "INFO: vmexit: <case>: <n>
 * cycles" and asserts that every iteration did what the architecture
 * says it does, so a fast wrong answer fails.
 */
#include "libcflat.h"
#include "x86/apic.h"
#include "x86/desc.h"
#include "x86/kvm_para.h"
#include "x86/processor.h"
#include "x86/smp.h"

#define DEFAULT_ITERATIONS	10000
/* Bound on one wait for an interrupt: many seconds at any TSC rate. */
#define WAIT_CYCLES		(1ull << 36)

/* No KVM hypercall has this number (hypercalls.rst). */
#define HC_UNKNOWN		0xffffffull

/* IA32_TSC_DEADLINE, SDM vol 4, table 2-2; LVT timer mode bits 18:17,
 * 10b = TSC-deadline (SDM vol 3, 11.5.1, figure 11-8). */
#define MSR_IA32_TSC_DEADLINE	0x6e0
#define APIC_LVT_TIMER_TSCDEADLINE (2u << 17)

/* Vectors for this test's interrupts: above the exceptions, below the
 * runtime's own (apic.h). */
#define PING_VECTOR		0xe0
#define PONG_VECTOR		0xe1
#define TIMER_VECTOR		0xe2

/*
 * PCI configuration mechanism #1 (PCI Local Bus spec 3.0, 3.2.2.3.2) and
 * the PIIX4 power-management function (Intel 82371AB datasheet, 3.4):
 * bus 0, device 1, function 3, PMBA at 40h (I/O base, bits 15:6),
 * PMREGMISC at 80h (bit 0 enables the I/O space), and the 24-bit PM
 * timer PMTMR at PMBA + 08h, counting at 3.579545 MHz.
 */
#define PCI_CONF_ADDR		0xcf8
#define PCI_CONF_DATA		0xcfc
#define PIIX4_PM_DEVFN		((1u << 3) | 3)
#define PIIX4_PM_ID		0x71138086u	/* device 7113h, vendor 8086h */
#define PIIX4_PMBA		0x40
#define PIIX4_PMBA_MASK		0xffc0u
#define PIIX4_PMREGMISC		0x80
#define PIIX4_PMIOSE		1u
#define PMTMR_OFFSET		0x08
#define PMTMR_MASK		0xffffffu
/* The base the firmware usually picks; ours when it left the space off. */
#define PM_BASE_DEFAULT		0x600

static unsigned iterations = DEFAULT_ITERATIONS;
static unsigned bad;	/* iterations whose result was wrong */

static void report_cycles(const char *name, u64 cycles)
{
	report_info("%s: %llu cycles", name,
		    (unsigned long long)(cycles / iterations));
}

static void case_cpuid(void)
{
	struct cpuid want = cpuid(0), r;
	u64 t0, t1;
	unsigned i;

	t0 = rdtsc();
	for (i = 0; i < iterations; i++) {
		r = cpuid(0);
		bad += r.a != want.a || r.b != want.b || r.c != want.c ||
		       r.d != want.d;
	}
	t1 = rdtsc();
	report_cycles("cpuid", t1 - t0);
	report(!bad, "CPUID.0 gave the same max leaf and vendor every time: "
	       "%u of %u differed", bad, iterations);
}

/* RAX after the call and the vector raised (-1: none). */
static u64 hypercall_once(bool amd, int *vector)
{
	u64 rax = HC_UNKNOWN;

	if (amd)
		asm volatile(EX_FIXUP_BEGIN "1: vmmcall\n\t2:\n\t" EX_FIXUP_END
			     : "+a"(rax) :: "rbx", "rcx", "rdx", "rsi",
			       "memory");
	else
		asm volatile(EX_FIXUP_BEGIN "1: vmcall\n\t2:\n\t" EX_FIXUP_END
			     : "+a"(rax) :: "rbx", "rcx", "rdx", "rsi",
			       "memory");
	*vector = exception_vector();
	return rax;
}

static void case_vmcall(void)
{
	bool amd = cpu_is_amd(), kvm = kvm_cpuid_base() != 0;
	u64 want = kvm ? (u64)-KVM_ENOSYS : HC_UNKNOWN, rax, t0, t1;
	int want_vec = kvm ? -1 : UD_VECTOR, vec;
	unsigned i;

	t0 = rdtsc();
	for (i = 0; i < iterations; i++) {
		rax = hypercall_once(amd, &vec);
		bad += rax != want || vec != want_vec;
	}
	t1 = rdtsc();
	report_cycles("vmcall", t1 - t0);
	report(!bad, "%s %s every time (RAX %#llx, vector %d): %u of %u "
	       "did not", amd ? "VMMCALL" : "VMCALL",
	       kvm ? "returned -KVM_ENOSYS (KVM)" : "raised #UD (no KVM)",
	       (unsigned long long)want, want_vec, bad, iterations);
}

static void case_mov_to_cr8(void)
{
	unsigned long got;
	u64 t0, t1;
	unsigned i;

	t0 = rdtsc();
	for (i = 0; i < iterations; i++) {
		write_cr8(i & 15);
		got = read_cr8();
		bad += got != (i & 15);
	}
	t1 = rdtsc();
	write_cr8(0);
	report_cycles("mov_to_cr8", t1 - t0);
	report(!bad, "CR8 read back the TPR class just written: %u of %u "
	       "differed", bad, iterations);
}

static u32 pci_conf_read(unsigned devfn, unsigned reg)
{
	outl(0x80000000u | devfn << 8 | (reg & 0xfc), PCI_CONF_ADDR);
	return inl(PCI_CONF_DATA);
}

static void pci_conf_write(unsigned devfn, unsigned reg, u32 val)
{
	outl(0x80000000u | devfn << 8 | (reg & 0xfc), PCI_CONF_ADDR);
	outl(val, PCI_CONF_DATA);
}

/* The PM timer's port, enabling the PM I/O space if the firmware did
 * not; 0 without a PIIX4 PM function. */
static u16 pmtimer_port(void)
{
	u32 base, misc;

	if (pci_conf_read(PIIX4_PM_DEVFN, 0) != PIIX4_PM_ID)
		return 0;
	misc = pci_conf_read(PIIX4_PM_DEVFN, PIIX4_PMREGMISC);
	base = pci_conf_read(PIIX4_PM_DEVFN, PIIX4_PMBA) & PIIX4_PMBA_MASK;
	if (!(misc & PIIX4_PMIOSE) || !base) {
		report_info("PM I/O space off (PMREGMISC %#x, PMBA %#x): "
			    "enabling it at %#x", misc, base, PM_BASE_DEFAULT);
		base = PM_BASE_DEFAULT;
		pci_conf_write(PIIX4_PM_DEVFN, PIIX4_PMBA, base | 1);
		pci_conf_write(PIIX4_PM_DEVFN, PIIX4_PMREGMISC,
			       misc | PIIX4_PMIOSE);
	}
	return base + PMTMR_OFFSET;
}

static void case_inl_pmtimer(void)
{
	u16 port = pmtimer_port();
	u32 prev, v, advanced = 0;
	u64 t0, t1;
	unsigned i;

	if (!port) {
		report_skip("inl_pmtimer: no PIIX4 PM function (PCI 00:01.3 "
			    "ID %#x, want %#x)", pci_conf_read(PIIX4_PM_DEVFN, 0),
			    PIIX4_PM_ID);
		return;
	}
	report_info("PM timer at port %#x", port);
	prev = inl(port);
	t0 = rdtsc();
	for (i = 0; i < iterations; i++) {
		v = inl(port);
		/* 24 bits wide; forward by less than half a wrap (4.7 s) */
		bad += (v & ~PMTMR_MASK) ||
		       ((v - prev) & PMTMR_MASK) > PMTMR_MASK / 2;
		advanced += (v - prev) & PMTMR_MASK;
		prev = v;
	}
	t1 = rdtsc();
	report_cycles("inl_pmtimer", t1 - t0);
	report(!bad && advanced, "PM timer read 24 bits, never backwards, "
	       "%u ticks in all: %u of %u reads wrong", advanced, bad,
	       iterations);
}

static volatile unsigned pings, pongs;

static void ping_handler(struct ex_regs *regs)
{
	(void)regs;
	pings++;
	apic_eoi();
	apic_send_ipi(cpu_apic_id(0), PONG_VECTOR);
}

static void pong_handler(struct ex_regs *regs)
{
	(void)regs;
	pongs++;
	apic_eoi();
}

/* Interrupts on; false when @counter stayed below @want too long. */
static bool wait_count(volatile unsigned *counter, unsigned want)
{
	u64 start = rdtsc();

	while (*counter < want)
		if (rdtsc() - start > WAIT_CYCLES)
			return false;
	return true;
}

static void case_ipi(void)
{
	u32 dest;
	u64 t0, t1;
	unsigned i;

	if (nr_cpus < 2) {
		report_skip("ipi: only one CPU");
		return;
	}
	dest = cpu_apic_id(1);
	handle_exception(PING_VECTOR, ping_handler);
	handle_exception(PONG_VECTOR, pong_handler);
	sti();
	t0 = rdtsc();
	for (i = 0; i < iterations; i++) {
		apic_send_ipi(dest, PING_VECTOR);
		if (!wait_count(&pongs, i + 1))
			break;
	}
	t1 = rdtsc();
	cli();
	handle_exception(PING_VECTOR, NULL);
	handle_exception(PONG_VECTOR, NULL);
	report_cycles("ipi", t1 - t0);
	report(pings == iterations && pongs == iterations,
	       "every IPI to CPU 1 answered: %u pings, %u pongs, want %u",
	       pings, pongs, iterations);
}

static volatile unsigned timer_irqs;

static void timer_handler(struct ex_regs *regs)
{
	(void)regs;
	timer_irqs++;
	apic_eoi();
}

static void case_tscdeadline(void)
{
	unsigned i, not_cleared = 0;
	u64 t0, t1;

	if (!this_cpu_has(X86_FEATURE_TSC_DEADLINE)) {
		report_skip("tscdeadline: no TSC-deadline timer: %s clear",
			    X86_FEATURE_TSC_DEADLINE.name);
		return;
	}
	handle_exception(TIMER_VECTOR, timer_handler);
	apic_write(APIC_LVTT, APIC_LVT_TIMER_TSCDEADLINE | TIMER_VECTOR);
	sti();
	t0 = rdtsc();
	for (i = 0; i < iterations; i++) {
		/* A deadline already passed fires at once (SDM vol 3,
		 * 11.5.4.1). */
		wrmsr(MSR_IA32_TSC_DEADLINE, 1);
		if (!wait_count(&timer_irqs, i + 1))
			break;
		/* ... and reads 0 once it has fired (same section). */
		not_cleared += rdmsr(MSR_IA32_TSC_DEADLINE) != 0;
	}
	t1 = rdtsc();
	cli();
	apic_write(APIC_LVTT, APIC_LVT_MASKED);
	handle_exception(TIMER_VECTOR, NULL);
	report_cycles("tscdeadline", t1 - t0);
	report(timer_irqs == iterations && !not_cleared,
	       "a deadline in the past interrupts at once: %u interrupts, "
	       "want %u; IA32_TSC_DEADLINE nonzero after firing %u times",
	       timer_irqs, iterations, not_cleared);
}

static const struct {
	const char *name;
	void (*run)(void);
} cases[] = {
	{ "cpuid", case_cpuid },
	{ "vmcall", case_vmcall },
	{ "mov_to_cr8", case_mov_to_cr8 },
	{ "inl_pmtimer", case_inl_pmtimer },
	{ "ipi", case_ipi },
	{ "tscdeadline", case_tscdeadline },
};

int main(int argc, char **argv)
{
	const char *which = NULL;
	unsigned i;
	int a;

	report_prefix_push("vmexit");
	for (a = 1; a < argc; a++) {
		if (!strncmp(argv[a], "iterations=", 11))
			iterations = strtoul(argv[a] + 11, NULL, 0);
		else
			which = argv[a];
	}
	if (!which || !iterations) {
		report_fail("usage: vmexit CASE [iterations=N>0]; got case "
			    "\"%s\", %u iterations", which ? which : "",
			    iterations);
		return report_summary();
	}
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		if (!strcmp(which, cases[i].name)) {
			cases[i].run();
			return report_summary();
		}
	}
	report_fail("unknown case \"%s\"", which);
	return report_summary();
}
