/*
 * RDPID and RDPRU.
 *
 * RDPID (SDM vol 2B, RDPID; CPUID.(EAX=7,ECX=0):ECX[22]) reads
 * IA32_TSC_AUX into a register, at any CPL; #UD when the CPUID bit is
 * clear.
 * RDPRU (AMD APM vol 3, RDPRU; CPUID Fn8000_0008:EBX[4]) reads the
 * register ECX selects: 0 MPERF, 1 APERF, into EDX:EAX with CF=1; an ID
 * above CPUID Fn8000_0008:EDX[31:16] returns 0 with CF=0.
 */
#include "libcflat.h"
#include "x86/desc.h"
#include "x86/processor.h"
#include "x86/usermode.h"

#define X86_FEATURE_RDPID	CPUID_FEATURE(7, 0, ECX, 22, "CPUID.07H.0:ECX[22] (RDPID)")
#define X86_FEATURE_RDPRU	CPUID_FEATURE(0x80000008, 0, EBX, 4, "CPUID.80000008H:EBX[4] (RDPRU)")

#define RDPRU_MPERF	0
#define RDPRU_APERF	1

static unsigned long rdpid_val;
static int rdpid_vec;

/* rdpid %rax (%eax outside 64-bit mode), spelled as bytes for
 * assemblers that predate it: F3 0F C7 /7 (SDM vol 2B, RDPID). */
static void do_rdpid(void *unused)
{
	unsigned long v = 0;

	(void)unused;
	asm volatile(EX_FIXUP_BEGIN
		     "1: .byte 0xf3, 0x0f, 0xc7, 0xf8\n\t"
		     "2:\n\t"
		     EX_FIXUP_END
		     : "+a"(v) :: "memory");
	rdpid_vec = exception_vector();
	rdpid_val = v;
}

/* rdpru: 0F 01 FD (APM vol 3, RDPRU). Returns CF. */
static int rdpru_safe(u32 id, u64 *val, bool *cf)
{
	u32 lo = 0, hi = 0;
	u8 c = 0;
	int vec;

	asm volatile(EX_FIXUP_BEGIN
		     "1: .byte 0x0f, 0x01, 0xfd\n\t"
		     "2: setc %2\n\t"
		     EX_FIXUP_END
		     : "+a"(lo), "+d"(hi), "+r"(c) : "c"(id) : "memory", "cc");
	vec = exception_vector();
	*val = lo | ((u64)hi << 32);
	*cf = c;
	return vec < 0 ? 0 : vec;
}

/*
 * With the CPUID bit clear both instructions must raise #UD. Only on
 * request ("absent" argument): a hypervisor cannot always make the
 * hardware fault (SVM has no RDPID intercept), so this is for TCG.
 */
static void test_absent(void)
{
	u64 v;
	bool cf;
	int vec;

	report_prefix_push("absent");
	if (this_cpu_has(X86_FEATURE_RDPID)) {
		report_skip("RDPID present: %s set", X86_FEATURE_RDPID.name);
	} else {
		do_rdpid(NULL);
		report(rdpid_vec == UD_VECTOR, "RDPID raises #UD (got vector "
		       "%d)", rdpid_vec);
	}
	if (this_cpu_has(X86_FEATURE_RDPRU)) {
		report_skip("RDPRU present: %s set", X86_FEATURE_RDPRU.name);
	} else {
		vec = rdpru_safe(RDPRU_MPERF, &v, &cf);
		report(vec == UD_VECTOR, "RDPRU raises #UD (got vector %d)",
		       vec);
	}
	report_prefix_pop();
}

static void test_rdpid(void)
{
	u64 old = rdmsr(MSR_TSC_AUX);
	struct ex_result res;

	report_prefix_push("rdpid");
	if (!this_cpu_has(X86_FEATURE_RDPID)) {
		report_skip("no RDPID: %s clear", X86_FEATURE_RDPID.name);
		report_prefix_pop();
		return;
	}
	wrmsr(MSR_TSC_AUX, 0x12345);
	do_rdpid(NULL);
	report(rdpid_vec < 0 && rdpid_val == 0x12345, "returns IA32_TSC_AUX "
	       "(got %#lx, vector %d; want 0x12345)",
	       (unsigned long)rdpid_val, rdpid_vec);

	if (this_cpu_has(X86_FEATURE_RDTSCP)) {
		u32 aux;

		rdtscp(&aux);
		report(aux == rdpid_val, "agrees with RDTSCP's ECX (got %#x, "
		       "want %#lx)", aux, (unsigned long)rdpid_val);
	}

	wrmsr(MSR_TSC_AUX, 0x7);
	rdpid_val = 0;
	res = run_in_usermode(do_rdpid, NULL);
	report(!res.raised && rdpid_vec < 0 && rdpid_val == 0x7,
	       "at CPL 3 (got %#lx, vector %d, raised %s; want 0x7)",
	       (unsigned long)rdpid_val, rdpid_vec,
	       res.raised ? exception_mnemonic(res.vector) : "nothing");
	wrmsr(MSR_TSC_AUX, old);
	report_prefix_pop();
}

static void test_rdpru(void)
{
	u64 m1, m2, a1, a2, v;
	bool cf1, cf2, cf;
	u32 max_id;
	int vec;

	report_prefix_push("rdpru");
	if (!this_cpu_has(X86_FEATURE_RDPRU)) {
		report_skip("no RDPRU: %s clear", X86_FEATURE_RDPRU.name);
		report_prefix_pop();
		return;
	}
	max_id = cpuid(0x80000008).d >> 16;
	report_info("highest RDPRU register ID %u", max_id);

	vec = rdpru_safe(RDPRU_MPERF, &m1, &cf1);
	rdpru_safe(RDPRU_MPERF, &m2, &cf2);
	report(!vec && cf1 && cf2 && m2 >= m1, "MPERF readable, CF=1, does not "
	       "go back (got %#lx then %#lx, vector %d)", (unsigned long)m1,
	       (unsigned long)m2, vec);
	if (max_id >= RDPRU_APERF) {
		vec = rdpru_safe(RDPRU_APERF, &a1, &cf1);
		rdpru_safe(RDPRU_APERF, &a2, &cf2);
		report(!vec && cf1 && cf2 && a2 >= a1, "APERF readable, CF=1, "
		       "does not go back (got %#lx then %#lx, vector %d)",
		       (unsigned long)a1, (unsigned long)a2, vec);
	}
	vec = rdpru_safe(max_id + 1, &v, &cf);
	report(!vec && !cf && v == 0, "ID above the highest returns 0 with "
	       "CF=0 (got %#lx CF %d, vector %d)", (unsigned long)v, cf, vec);
	report_prefix_pop();
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "absent")) {
		test_absent();
		return report_summary();
	}
	test_rdpid();
	test_rdpru();
	return report_summary();
}
