/*
 * User-mode instruction prevention: with CR4.UMIP set, SGDT, SIDT, SLDT,
 * SMSW and STR raise #GP(0) at CPL > 0 and still work at CPL 0 (SDM vol
 * 3, 2.5, CR4.UMIP; vol 2, each instruction's "Protected Mode
 * Exceptions"). CPUID.(EAX=7,ECX=0):ECX[2] enumerates it.
 */
#include "libcflat.h"
#include "x86/desc.h"
#include "x86/processor.h"
#include "x86/usermode.h"

enum { I_SGDT, I_SIDT, I_SLDT, I_SMSW, I_STR, NR_INSNS };

static const char *const names[NR_INSNS] = {
	"SGDT", "SIDT", "SLDT", "SMSW", "STR",
};

/* Written at CPL 3 too: static, so inside the image usermode.c maps. */
static int vectors[NR_INSNS];
static u8 table_buf[16];

#define RUN_SAFE(idx, insn, ...)					\
	do {								\
		asm volatile(EX_FIXUP_BEGIN				\
			     "1: " insn "\n\t"				\
			     "2:\n\t"					\
			     EX_FIXUP_END				\
			     __VA_ARGS__);				\
		vectors[idx] = exception_vector();			\
	} while (0)

static void run_all(void *unused)
{
	u64 r = 0;

	(void)unused;
	RUN_SAFE(I_SGDT, "sgdt %0", : "=m"(table_buf) :: "memory");
	RUN_SAFE(I_SIDT, "sidt %0", : "=m"(table_buf) :: "memory");
	RUN_SAFE(I_SLDT, "sldt %k0", : "+r"(r) :: "memory");
	RUN_SAFE(I_SMSW, "smsw %k0", : "+r"(r) :: "memory");
	RUN_SAFE(I_STR, "str %k0", : "+r"(r) :: "memory");
}

static void check(const char *where, bool want_gp)
{
	unsigned i;

	for (i = 0; i < NR_INSNS; i++) {
		int want = want_gp ? GP_VECTOR : -1;

		report(vectors[i] == want, "%s: %s %s (got vector %d, want %d)",
		       where, names[i], want_gp ? "raises #GP" : "runs",
		       vectors[i], want);
	}
}

static void run_user(const char *where, bool want_gp)
{
	struct ex_result res;
	unsigned i;

	for (i = 0; i < NR_INSNS; i++)
		vectors[i] = -2;
	res = run_in_usermode(run_all, NULL);
	if (res.raised) {
		report_fail("%s: unexpected %s at %#lx", where,
			    exception_mnemonic(res.vector),
			    (unsigned long)res.rip);
		return;
	}
	check(where, want_gp);
}

int main(void)
{
	u64 cr4 = read_cr4();

	report_prefix_push("umip");
	if (!this_cpu_has(X86_FEATURE_UMIP)) {
		report_skip("no UMIP: %s clear", X86_FEATURE_UMIP.name);
		return report_summary();
	}

	write_cr4(cr4 & ~X86_CR4_UMIP);
	run_user("CPL 3, UMIP clear", false);

	write_cr4(cr4 | X86_CR4_UMIP);
	run_all(NULL);
	check("CPL 0, UMIP set", false);
	run_user("CPL 3, UMIP set", true);

	write_cr4(cr4);
	return report_summary();
}
