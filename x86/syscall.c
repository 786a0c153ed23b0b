/*
 * SYSCALL/SYSRET and SYSENTER/SYSEXIT in 64-bit mode.
 *
 * SYSCALL (SDM vol 2B, SYSCALL; AMD APM vol 3, SYSCALL): RCX gets the
 * next RIP, R11 the RFLAGS, RFLAGS is ANDed with ~IA32_FMASK (RF always
 * cleared), RIP comes from IA32_LSTAR, CS from STAR[47:32] and SS from
 * STAR[47:32] + 8; #UD when EFER.SCE is clear.
 * SYSRET to 64-bit code: CS = STAR[63:48] + 16 with RPL 3, SS =
 * STAR[63:48] + 8 with RPL 3, RFLAGS = (R11 & 3C7FD7H) | 2; #GP(0) at
 * CPL other than 0.
 * SYSENTER: Intel allows it in 64-bit mode (CS from IA32_SYSENTER_CS,
 * SS = CS + 8, RIP/RSP from IA32_SYSENTER_EIP/ESP; #GP(0) when
 * IA32_SYSENTER_CS[15:2] is 0); AMD raises #UD for SYSENTER and SYSEXIT
 * in long mode (APM vol 3, SYSENTER and SYSEXIT "Exceptions").
 */
#include "libcflat.h"
#include "x86/desc.h"
#include "x86/layout.h"
#include "x86/processor.h"
#include "x86/usermode.h"

/* Flags SYSRET keeps from R11 in 64-bit mode (SDM vol 2B, SYSRET). */
#define SYSRET_RFLAGS_MASK	0x3c7fd7ul
#define X86_EFLAGS_RF		(1ul << 16)
#define X86_EFLAGS_VM		(1ul << 17)
#define X86_EFLAGS_OF		(1ul << 11)

/* What the SYSCALL entry point saw; read back by the test. */
struct sc_record {
	u64 rcx, r11, rflags;
	u16 cs, ss;
	u64 from_user;		/* non-zero: return with SYSRETQ */
	u64 sysret_r11;		/* R11 for that SYSRETQ */
};
struct sc_record sc;

void syscall_entry(void);
asm(".text\n"
    ".globl syscall_entry\n"
    "syscall_entry:\n\t"
    "mov %rcx, sc+0(%rip)\n\t"
    "mov %r11, sc+8(%rip)\n\t"
    "pushfq\n\t"
    "popq sc+16(%rip)\n\t"
    "movw %cs, sc+24(%rip)\n\t"
    "movw %ss, sc+26(%rip)\n\t"
    "cmpq $0, sc+32(%rip)\n\t"
    "jnz 1f\n\t"
    /* from ring 0: back to the caller, RFLAGS as SYSCALL saved them */
    "push %r11\n\t"
    "popfq\n\t"
    "jmp *%rcx\n"
    "1:\n\t"
    "mov sc+40(%rip), %r11\n\t"
    "sysretq\n");

static bool vendor_is_amd(void)
{
	struct cpuid r = cpuid(0);

	/* "AuthenticAMD" in EBX, EDX, ECX (APM vol 3, CPUID Fn0000_0000) */
	return r.b == 0x68747541 && r.d == 0x69746e65 && r.c == 0x444d4163;
}

static u64 star_value(void)
{
	/* SYSRET base KERNEL_CS32 (0x18): SS 0x20|3 = USER_DS, CS 0x28|3 =
	 * USER_CS, the order layout.h keeps for this. */
	return ((u64)KERNEL_CS32 << 48) | ((u64)KERNEL_CS << 32);
}

static void setup_msrs(u64 fmask)
{
	wrmsr(MSR_STAR, star_value());
	wrmsr(MSR_LSTAR, (uintptr_t)syscall_entry);
	wrmsr(MSR_SFMASK, fmask);
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SCE);
}

static void do_syscall(void *unused)
{
	(void)unused;
	asm volatile("syscall" ::: "rcx", "r11", "memory");
}

static void test_sce_clear(void)
{
	u64 efer = rdmsr(MSR_EFER);
	struct ex_result res;

	wrmsr(MSR_EFER, efer & ~EFER_SCE);
	res = run_catching(do_syscall, NULL);
	wrmsr(MSR_EFER, efer);
	report(res.raised && res.vector == UD_VECTOR,
	       "SYSCALL with EFER.SCE=0 raises #UD (got %s, want #UD)",
	       res.raised ? exception_mnemonic(res.vector) : "nothing");
}

static void test_syscall_ring0(void)
{
	u64 in = X86_EFLAGS_FIXED | X86_EFLAGS_CF | X86_EFLAGS_ZF |
		 X86_EFLAGS_DF | X86_EFLAGS_AC;
	u64 fmask = X86_EFLAGS_DF | X86_EFLAGS_AC | X86_EFLAGS_IF;
	u64 after, ret_rip;

	setup_msrs(fmask);
	sc.from_user = 0;
	asm volatile("pushfq\n\t"
		     "push %2\n\t"
		     "popfq\n\t"
		     "syscall\n"
		     "1:\n\t"
		     "pushfq\n\t"
		     "popq %0\n\t"
		     "popfq\n\t"
		     "lea 1b(%%rip), %1"
		     : "=r"(after), "=r"(ret_rip) : "r"(in)
		     : "rcx", "r11", "memory", "cc");

	report(sc.rcx == ret_rip, "RCX holds the next RIP (got %#lx, want "
	       "%#lx)", (unsigned long)sc.rcx, (unsigned long)ret_rip);
	report(sc.r11 == in, "R11 holds RFLAGS (got %#lx, want %#lx)",
	       (unsigned long)sc.r11, (unsigned long)in);
	report(sc.rflags == (in & ~fmask),
	       "RFLAGS masked by IA32_FMASK (got %#lx, want %#lx)",
	       (unsigned long)sc.rflags, (unsigned long)(in & ~fmask));
	report(sc.cs == KERNEL_CS && sc.ss == KERNEL_CS + 8,
	       "CS and SS from STAR[47:32] (got %#x/%#x, want %#x/%#x)",
	       sc.cs, sc.ss, KERNEL_CS, KERNEL_CS + 8);
	report(after == in, "RFLAGS back from R11 (got %#lx, want %#lx)",
	       (unsigned long)after, (unsigned long)in);
}

/* Ring 3 side: SYSCALL with CF and DF set, then whatever SYSRET gave
 * back. */
struct user_result {
	u64 rflags;
	u16 cs, ss;
};
static struct user_result ur;

static void user_syscall(void *unused)
{
	(void)unused;
	asm volatile("stc\n\t"
		     "std\n\t"
		     "syscall\n\t"
		     "pushfq\n\t"
		     "popq %0\n\t"
		     "movw %%cs, %1\n\t"
		     "movw %%ss, %2"
		     : "=m"(ur.rflags), "=m"(ur.cs), "=m"(ur.ss)
		     :: "rcx", "r11", "memory", "cc");
}

static void user_sysret(void *unused)
{
	(void)unused;
	asm volatile("sysretq" ::: "rcx", "r11", "memory");
}

static struct ex_result syscall_from_user(u64 sysret_r11)
{
	struct ex_result res;

	sc.from_user = 1;
	sc.sysret_r11 = sysret_r11;
	memset(&ur, 0, sizeof(ur));
	res = run_in_usermode(user_syscall, NULL);
	sc.from_user = 0;
	return res;
}

static void test_syscall_ring3(void)
{
	/* RF set in R11 must not reach RFLAGS; CF, ZF, OF must. */
	u64 r11 = X86_EFLAGS_FIXED | X86_EFLAGS_CF | X86_EFLAGS_ZF |
		  X86_EFLAGS_OF | X86_EFLAGS_RF;
	u64 want = (r11 & SYSRET_RFLAGS_MASK) | X86_EFLAGS_FIXED;
	u64 fmask = X86_EFLAGS_DF | X86_EFLAGS_AC | X86_EFLAGS_IF;
	struct ex_result res;

	setup_msrs(fmask);
	res = syscall_from_user(r11);
	report(!res.raised, "SYSCALL from ring 3 and SYSRETQ back (raised %s "
	       "at %#lx)", res.raised ? exception_mnemonic(res.vector) :
	       "nothing", (unsigned long)res.rip);
	report(sc.cs == KERNEL_CS && sc.ss == KERNEL_CS + 8,
	       "ring 3 SYSCALL: CS and SS from STAR[47:32] (got %#x/%#x, "
	       "want %#x/%#x)", sc.cs, sc.ss, KERNEL_CS, KERNEL_CS + 8);
	report(sc.rflags == (sc.r11 & ~(fmask | X86_EFLAGS_RF)),
	       "ring 3 SYSCALL: RFLAGS is R11 masked by IA32_FMASK (got "
	       "%#lx, want %#lx)", (unsigned long)sc.rflags,
	       (unsigned long)(sc.r11 & ~(fmask | X86_EFLAGS_RF)));
	report(ur.cs == ((KERNEL_CS32 + 16) | 3) &&
	       ur.ss == ((KERNEL_CS32 + 8) | 3),
	       "SYSRETQ: CS and SS from STAR[63:48] (got %#x/%#x, want "
	       "%#x/%#x)", ur.cs, ur.ss, (KERNEL_CS32 + 16) | 3,
	       (KERNEL_CS32 + 8) | 3);
	report(ur.rflags == want, "SYSRETQ: RFLAGS = R11 & 3C7FD7H | 2, RF "
	       "cleared (got %#lx, want %#lx)", (unsigned long)ur.rflags,
	       (unsigned long)want);

	/* VM set in R11: SYSRET must clear it too, else the next
	 * instruction runs in a mode long mode does not have. */
	r11 = X86_EFLAGS_FIXED | X86_EFLAGS_CF | X86_EFLAGS_VM;
	res = syscall_from_user(r11);
	report(!res.raised && ur.rflags == (X86_EFLAGS_FIXED | X86_EFLAGS_CF),
	       "SYSRETQ: RFLAGS.VM cleared (got %#lx, want %#lx; raised %s)",
	       (unsigned long)ur.rflags,
	       (unsigned long)(X86_EFLAGS_FIXED | X86_EFLAGS_CF),
	       res.raised ? exception_mnemonic(res.vector) : "nothing");

	res = run_in_usermode(user_sysret, NULL);
	report(res.raised && res.vector == GP_VECTOR && res.error_code == 0,
	       "SYSRET at CPL 3 raises #GP(0) (got %s, error code %#lx)",
	       res.raised ? exception_mnemonic(res.vector) : "nothing",
	       (unsigned long)res.error_code);
}

/* SYSENTER from ring 0 (Intel): the entry point records and jumps back. */
struct se_record {
	u64 rsp;
	u16 cs, ss;
	u64 back_rsp, back_rip;
};
struct se_record se;

void sysenter_entry(void);
asm(".text\n"
    ".globl sysenter_entry\n"
    "sysenter_entry:\n\t"
    "mov %rsp, se+0(%rip)\n\t"
    "movw %cs, se+8(%rip)\n\t"
    "movw %ss, se+10(%rip)\n\t"
    "mov $" __stringify_x86(KERNEL_DS) ", %eax\n\t"
    "mov %eax, %ss\n\t"
    "mov se+16(%rip), %rsp\n\t"
    "jmp *se+24(%rip)\n");

static void do_sysenter(void *unused)
{
	(void)unused;
	asm volatile("lea 1f(%%rip), %%rax\n\t"
		     "mov %%rax, se+24(%%rip)\n\t"
		     "mov %%rsp, se+16(%%rip)\n\t"
		     "sysenter\n"
		     "1:"
		     ::: "rax", "rcx", "rdx", "memory");
}

static void do_sysexit(void *unused)
{
	(void)unused;
	asm volatile("sysexitq" ::: "rcx", "rdx", "memory");
}

static u8 sysenter_stack[1024] __aligned(16);

static void test_sysenter(void)
{
	u64 cs = rdmsr(MSR_IA32_SYSENTER_CS);
	u64 esp = rdmsr(MSR_IA32_SYSENTER_ESP);
	u64 eip = rdmsr(MSR_IA32_SYSENTER_EIP);
	u64 stack_top = (uintptr_t)sysenter_stack + sizeof(sysenter_stack);
	struct ex_result res;

	if (!this_cpu_has(X86_FEATURE_SEP)) {
		report_skip("SYSENTER: %s clear", X86_FEATURE_SEP.name);
		return;
	}
	wrmsr(MSR_IA32_SYSENTER_CS, KERNEL_CS);
	wrmsr(MSR_IA32_SYSENTER_ESP, stack_top);
	wrmsr(MSR_IA32_SYSENTER_EIP, (uintptr_t)sysenter_entry);

	memset(&se, 0, sizeof(se));
	res = run_catching(do_sysenter, NULL);
	if (vendor_is_amd()) {
		report(res.raised && res.vector == UD_VECTOR,
		       "AMD: SYSENTER in long mode raises #UD (got %s)",
		       res.raised ? exception_mnemonic(res.vector) :
				    "nothing");
		/* Where SYSENTER ran anyway (hardware of another vendor
		 * under a hypervisor), SYSEXIT would enter ring 3 at a
		 * garbage RIP: not tried then. */
		if (res.raised) {
			res = run_catching(do_sysexit, NULL);
			report(res.raised && res.vector == UD_VECTOR,
			       "AMD: SYSEXIT in long mode raises #UD (got %s)",
			       res.raised ? exception_mnemonic(res.vector) :
					    "nothing");
		}
	} else {
		report(!res.raised && se.cs == KERNEL_CS &&
		       se.ss == KERNEL_CS + 8 && se.rsp == stack_top,
		       "SYSENTER: CS, SS, RSP from the MSRs (got %#x/%#x/%#lx, "
		       "want %#x/%#x/%#lx, raised %s)", se.cs, se.ss,
		       (unsigned long)se.rsp, KERNEL_CS, KERNEL_CS + 8,
		       (unsigned long)stack_top,
		       res.raised ? exception_mnemonic(res.vector) :
				    "nothing");
		wrmsr(MSR_IA32_SYSENTER_CS, 0);
		res = run_catching(do_sysenter, NULL);
		report(res.raised && res.vector == GP_VECTOR,
		       "SYSENTER with IA32_SYSENTER_CS = 0 raises #GP (got %s)",
		       res.raised ? exception_mnemonic(res.vector) :
				    "nothing");
	}
	wrmsr(MSR_IA32_SYSENTER_CS, cs);
	wrmsr(MSR_IA32_SYSENTER_ESP, esp);
	wrmsr(MSR_IA32_SYSENTER_EIP, eip);
}

int main(void)
{
	u64 star = rdmsr(MSR_STAR), lstar = rdmsr(MSR_LSTAR);
	u64 fmask = rdmsr(MSR_SFMASK), efer = rdmsr(MSR_EFER);

	report_prefix_push("syscall");
	if (!this_cpu_has(X86_FEATURE_SYSCALL)) {
		report_skip("no SYSCALL: %s clear", X86_FEATURE_SYSCALL.name);
		return report_summary();
	}
	report_info("CPU vendor: %s", vendor_is_amd() ? "AMD" : "not AMD");

	test_sce_clear();
	test_syscall_ring0();
	test_syscall_ring3();
	test_sysenter();

	wrmsr(MSR_STAR, star);
	wrmsr(MSR_LSTAR, lstar);
	wrmsr(MSR_SFMASK, fmask);
	wrmsr(MSR_EFER, efer);
	return report_summary();
}
