/*
 * SYSCALL/SYSRET and SYSENTER/SYSEXIT in 64-bit mode (x86_64) and in
 * 32-bit protected mode (i386, further below).
 *
 * SYSCALL (SDM vol 2B, SYSCALL; AMD APM vol 3, SYSCALL): RCX gets the
 * next RIP, R11 the RFLAGS, RFLAGS is ANDed with ~IA32_FMASK (RF always
 * cleared), RIP comes from IA32_LSTAR, CS from STAR[47:32] and SS from
 * STAR[47:32] + 8; #UD when EFER.SCE is clear.
 * SYSRET to 64-bit code: CS = STAR[63:48] + 16 with RPL 3, SS =
 * STAR[63:48] + 8 with RPL 3, RFLAGS = (R11 & 3C7FD7H) | 2; #GP(0) at
 * CPL other than 0.
 * SYSCALL in compatibility mode: AMD enters IA32_CSTAR, Intel raises #UD.
 * SYSRETQ with a non-canonical RCX: Intel #GP(0) at CPL 0, AMD at CPL 3.
 * SYSENTER: Intel allows it in 64-bit and compatibility mode, and enters
 * 64-bit mode (CS from IA32_SYSENTER_CS, SS = CS + 8, RIP/RSP from
 * IA32_SYSENTER_EIP/ESP; #GP(0) when IA32_SYSENTER_CS[15:2] is 0); AMD
 * raises #UD for SYSENTER and SYSEXIT anywhere in long mode (APM vol 3,
 * SYSENTER and SYSEXIT "Exceptions").
 */
#include "libcflat.h"
#include "x86/desc.h"
#include "x86/layout.h"
#include "x86/processor.h"
#include "x86/usermode.h"
#include "x86/vm.h"

#define X86_EFLAGS_RF		(1ul << 16)
#define X86_EFLAGS_VM		(1ul << 17)
#define X86_EFLAGS_OF		(1ul << 11)

#ifdef __x86_64__
/* Flags SYSRET keeps from R11 in 64-bit mode (SDM vol 2B, SYSRET). */
#define SYSRET_RFLAGS_MASK	0x3c7fd7ul

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

/*
 * SYSRETQ with a non-canonical RCX, where the vendors part. Intel checks
 * RCX before it leaves ring 0: #GP(0) at CPL 0 on the SYSRET itself (SDM
 * vol 2B, SYSRET, 64-Bit Mode Exceptions). AMD does not check it (APM vol
 * 3, SYSRET): the return to CPL 3 completes and the fetch at the
 * non-canonical RIP raises #GP(0) there, from ring 3. R11 keeps
 * interrupts off for that instant in ring 3.
 */
#define SYSRET_BAD_RIP		0x8000000000001000ull

void sysret_noncanonical_insn(void);
static __attribute__((noinline)) void do_sysret_noncanonical(void *unused)
{
	(void)unused;
	asm volatile("mov %0, %%rcx\n\t"
		     "mov %1, %%r11\n\t"
		     ".globl sysret_noncanonical_insn\n"
		     "sysret_noncanonical_insn: sysretq"
		     :: "r"(SYSRET_BAD_RIP), "r"((u64)X86_EFLAGS_FIXED)
		     : "rcx", "r11", "memory");
}

static u8 sysret_fault_stack[1024] __aligned(16);

static void test_sysret_noncanonical(void)
{
	struct tss64 *tss = this_cpu_tss();
	u64 rsp0 = tss->rsp[0];
	struct ex_result res;

	/* AMD's #GP comes from ring 3: it needs a ring 0 stack in the TSS
	 * (SDM vol 3, 6.14.4; APM vol 2, 8.9.3). */
	tss->rsp[0] = (uintptr_t)sysret_fault_stack +
		      sizeof(sysret_fault_stack);
	setup_msrs(0);
	res = run_catching(do_sysret_noncanonical, NULL);
	tss->rsp[0] = rsp0;
	if (!cpu_is_amd())
		report(res.raised && res.vector == GP_VECTOR &&
		       !res.error_code &&
		       res.rip == (uintptr_t)sysret_noncanonical_insn,
		       "Intel: SYSRETQ with non-canonical RCX %#llx raises "
		       "#GP(0) at CPL 0 on the SYSRET (got %s, error code "
		       "%#llx, RIP %#llx; want RIP %#lx; SDM vol 2B, SYSRET)",
		       SYSRET_BAD_RIP,
		       res.raised ? exception_mnemonic(res.vector) : "nothing",
		       (unsigned long long)res.error_code,
		       (unsigned long long)res.rip,
		       (unsigned long)(uintptr_t)sysret_noncanonical_insn);
	else
		report(res.raised && res.vector == GP_VECTOR &&
		       !res.error_code && res.rip == SYSRET_BAD_RIP,
		       "AMD: SYSRETQ with non-canonical RCX %#llx returns and "
		       "the fetch raises #GP(0) at that RIP (got %s, error code "
		       "%#llx, RIP %#llx; APM vol 3, SYSRET)", SYSRET_BAD_RIP,
		       res.raised ? exception_mnemonic(res.vector) : "nothing",
		       (unsigned long long)res.error_code,
		       (unsigned long long)res.rip);
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

/*
 * SYSENTER from compatibility mode at CPL 0: a far return to KERNEL_CS32
 * (32-bit code, L=0) runs the SYSENTER there. Intel enters 64-bit mode at
 * the MSRs' CS and RIP (SDM vol 2B, SYSENTER, "IA-32e Mode Operation");
 * AMD has SYSENTER in legacy mode only, so #UD (APM vol 3, SYSENTER).
 * sysenter_entry comes back to sysenter_compat_back; an exception, which
 * run_catching() would resume in compatibility mode, goes to
 * compat_fault() and the same place.
 */
void sysenter_compat(void);
void sysenter_compat_back(void);
asm(".text\n"
    ".globl sysenter_compat, sysenter_compat_back\n"
    "sysenter_compat:\n\t"
    "lea sysenter_compat_back(%rip), %rax\n\t"
    "mov %rax, se+24(%rip)\n\t"
    "mov %rsp, se+16(%rip)\n\t"
    "pushq $" __stringify_x86(KERNEL_CS32) "\n\t"
    "lea 1f(%rip), %rax\n\t"
    "push %rax\n\t"
    "lretq\n"
    ".code32\n"
    "1:\n\t"
    "sysenter\n"
    ".code64\n"
    "sysenter_compat_back:\n\t"
    "ret\n");

static int compat_fault_vec;
static void (*compat_back)(void);

/* IRET in 64-bit mode pops SS:RSP too (SDM vol 2A, IRET): RSP is back
 * where the far return left it, as compat_back wants. */
static void compat_fault(struct ex_regs *regs)
{
	compat_fault_vec = regs->vector;
	regs->cs = KERNEL_CS;
	regs->rip = (uintptr_t)compat_back;
}

/* Runs @enter (which goes to compatibility mode and back) with #UD and #GP
 * caught: compat_fault_vec says which, if any, was raised. */
static void run_compat(void (*enter)(void), void (*back)(void))
{
	exception_handler_t old_ud, old_gp;

	compat_fault_vec = -1;
	compat_back = back;
	old_ud = handle_exception(UD_VECTOR, compat_fault);
	old_gp = handle_exception(GP_VECTOR, compat_fault);
	enter();
	handle_exception(UD_VECTOR, old_ud);
	handle_exception(GP_VECTOR, old_gp);
}

static void test_sysenter_compat(u64 stack_top)
{

	memset(&se, 0, sizeof(se));
	run_compat(sysenter_compat, sysenter_compat_back);

	if (cpu_is_amd())
		report(compat_fault_vec == UD_VECTOR,
		       "AMD: SYSENTER in compatibility mode raises #UD (got %s)",
		       compat_fault_vec < 0 ? "nothing" :
		       exception_mnemonic(compat_fault_vec));
	else
		report(compat_fault_vec < 0 && se.cs == KERNEL_CS &&
		       se.ss == KERNEL_CS + 8 && se.rsp == stack_top,
		       "SYSENTER from compatibility mode: 64-bit CS, SS, RSP "
		       "from the MSRs (got %#x/%#x/%#lx, want %#x/%#x/%#lx, "
		       "raised %s)", se.cs, se.ss, (unsigned long)se.rsp,
		       KERNEL_CS, KERNEL_CS + 8, (unsigned long)stack_top,
		       compat_fault_vec < 0 ? "nothing" :
		       exception_mnemonic(compat_fault_vec));
}

/*
 * SYSCALL from compatibility mode at CPL 0. Intel: #UD, SYSCALL is 64-bit
 * mode only (SDM vol 2B, SYSCALL, "Operation": #UD when CS.L is 0, and
 * "Compatibility Mode Exceptions"). AMD: it runs, entering 64-bit mode at
 * IA32_CSTAR with CS = STAR[47:32], SS = STAR[47:32] + 8 and RCX the
 * next RIP (APM vol 3, SYSCALL; APM vol 2, 6.1.1). The entry point
 * records and returns to syscall_compat_back on the saved stack; a fault
 * goes through compat_fault() to the same place.
 */
struct scc_record {
	u64 rcx, r11;
	u16 cs, ss;
	u32 reached;
	u64 back_rsp, back_rip;
};
struct scc_record scc;

void syscall_compat(void);
void syscall_compat_next(void);
void syscall_compat_back(void);
void syscall_compat_entry(void);
asm(".text\n"
    ".globl syscall_compat, syscall_compat_next, syscall_compat_back\n"
    ".globl syscall_compat_entry\n"
    "syscall_compat:\n\t"
    "lea syscall_compat_back(%rip), %rax\n\t"
    "mov %rax, scc+32(%rip)\n\t"
    "mov %rsp, scc+24(%rip)\n\t"
    "pushq $" __stringify_x86(KERNEL_CS32) "\n\t"
    "lea 1f(%rip), %rax\n\t"
    "push %rax\n\t"
    "lretq\n"
    ".code32\n"
    "1:\n\t"
    "syscall\n"
    "syscall_compat_next:\n\t"
    "ud2\n"
    ".code64\n"
    "syscall_compat_entry:\n\t"
    "mov %rcx, scc+0(%rip)\n\t"
    "mov %r11, scc+8(%rip)\n\t"
    "movw %cs, scc+16(%rip)\n\t"
    "movw %ss, scc+18(%rip)\n\t"
    "movl $1, scc+20(%rip)\n\t"
    "mov $" __stringify_x86(KERNEL_DS) ", %eax\n\t"
    "mov %eax, %ss\n\t"
    "mov scc+24(%rip), %rsp\n\t"
    "jmp *scc+32(%rip)\n"
    "syscall_compat_back:\n\t"
    "ret\n");

static void test_syscall_compat(void)
{
	u64 cstar = rdmsr(MSR_CSTAR), fmask = X86_EFLAGS_IF;
	unsigned long flags = read_rflags();

	setup_msrs(fmask);
	wrmsr(MSR_CSTAR, (uintptr_t)syscall_compat_entry);
	memset(&scc, 0, sizeof(scc));
	run_compat(syscall_compat, syscall_compat_back);
	wrmsr(MSR_CSTAR, cstar);
	if (flags & X86_EFLAGS_IF)
		sti();

	if (!cpu_is_amd()) {
		report(compat_fault_vec == UD_VECTOR && !scc.reached,
		       "Intel: SYSCALL in compatibility mode raises #UD (got "
		       "%s, IA32_CSTAR entry %sreached; SDM vol 2B, SYSCALL)",
		       compat_fault_vec < 0 ? "nothing" :
		       exception_mnemonic(compat_fault_vec),
		       scc.reached ? "" : "not ");
		return;
	}
	report(compat_fault_vec < 0 && scc.reached && scc.cs == KERNEL_CS &&
	       scc.ss == KERNEL_CS + 8 &&
	       scc.rcx == (u32)(uintptr_t)syscall_compat_next,
	       "AMD: SYSCALL in compatibility mode enters IA32_CSTAR: CS/SS "
	       "%#x/%#x, RCX %#llx (want %#x/%#x, %#x; raised %s; APM vol 3, "
	       "SYSCALL)", scc.cs, scc.ss, (unsigned long long)scc.rcx,
	       KERNEL_CS, KERNEL_CS + 8,
	       (u32)(uintptr_t)syscall_compat_next,
	       compat_fault_vec < 0 ? "nothing" :
	       exception_mnemonic(compat_fault_vec));
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

	test_sysenter_compat(stack_top);

	memset(&se, 0, sizeof(se));
	res = run_catching(do_sysenter, NULL);
	if (cpu_is_amd()) {
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
	report_info("CPU vendor: %s", cpu_is_amd() ? "AMD" : "not AMD");

	test_sce_clear();
	test_syscall_ring0();
	test_syscall_ring3();
	test_syscall_compat();
	test_sysret_noncanonical();
	test_sysenter();

	wrmsr(MSR_STAR, star);
	wrmsr(MSR_LSTAR, lstar);
	wrmsr(MSR_SFMASK, fmask);
	wrmsr(MSR_EFER, efer);
	return report_summary();
}
#else
/*
 * i386. SYSENTER/SYSEXIT (SDM vol 2B; APM vol 3: legacy mode on both
 * vendors): SYSENTER loads CS = IA32_SYSENTER_CS AND FFFCH, SS = that
 * + 8, ESP/EIP from IA32_SYSENTER_ESP/EIP, and clears EFLAGS.VM, IF and
 * RF; SYSEXIT loads CS = (IA32_SYSENTER_CS + 16) OR 3, SS =
 * (IA32_SYSENTER_CS + 24) OR 3, EIP = EDX, ESP = ECX. Both raise #GP(0)
 * when IA32_SYSENTER_CS[15:2] is 0, SYSEXIT also at CPL other than 0.
 *
 * SYSCALL/SYSRET outside 64-bit mode: Intel raises #UD (SDM vol 2B,
 * SYSCALL and SYSRET, "Protected Mode Exceptions"). AMD defines them in
 * legacy mode (APM vol 3, SYSCALL and SYSRET): #UD when CPUID
 * Fn8000_0001_EDX[11] or EFER.SCE is clear; SYSCALL puts the next EIP in
 * ECX, loads CS = STAR[47:32] AND FFFCH, SS = STAR[47:32] + 8, EIP =
 * STAR[31:0], clears EFLAGS.VM, IF and RF and leaves ESP alone; SYSRET
 * loads CS = STAR[63:48] OR 3, SS = STAR[63:48] + 8, EIP = ECX and sets
 * EFLAGS.IF.
 *
 * Both pairs derive their selectors from one base, in the order ring 0
 * code, ring 0 data, ring 3 code, ring 3 data: four GDT slots of our own.
 */
#define SEL_R0_CS	GDT_FREE_SEL
#define SEL_R0_SS	(GDT_FREE_SEL + 8)
#define SEL_R3_CS	(GDT_FREE_SEL + 16)
#define SEL_R3_SS	(GDT_FREE_SEL + 24)

/* Flat 4 GiB 32-bit segments with DPL @dpl, SDM vol 3, 3.4.5: G, D/B, P,
 * S, type execute/read or read/write. */
#define DESC_CODE32(dpl)	(0x00cf9a000000ffffull | ((u64)(dpl) << 45))
#define DESC_DATA32(dpl)	(0x00cf92000000ffffull | ((u64)(dpl) << 45))

/* What one side of a transition saw: the ring 0 entry writes r0, the
 * ring 3 code r3. */
struct ring_record {
	u32 esp, eflags;
	u16 cs, ss;
	u32 ecx;
	u32 reached;
};
struct ring_record r0, r3;

/*
 * sys_call32(launch) saves the caller's registers and EFLAGS, turns
 * interrupts off, keeps its ESP in back_esp and jumps to launch, one of
 * the sequences below. The ring 0 entry that is reached records r0,
 * puts back the kernel's CS, SS and ESP and returns from sys_call32. An
 * exception at CPL 0 ends in run_catching() (try_launch); one during a
 * trip to ring 3 in ring3_fault() (to_user), since run_catching() would
 * resume at the CPL the exception came from.
 */
u32 back_esp;
void sys_call32(void (*launch)(void));
void sys_entry32(void);
/* The tail of sys_entry32: back to the caller of sys_call32 from CPL 0
 * with any CS, SS and ESP. */
void sys_resume32(void);

#define USER_STACK_SIZE		1024
static u8 user_stack[USER_STACK_SIZE] __aligned(16);
static u8 sysenter_stack[1024] __aligned(16);

asm(".text\n"
    ".globl sys_call32, sys_entry32, sys_resume32\n"
    "sys_call32:\n\t"
    "push %ebx\n\t"
    "push %ebp\n\t"
    "push %esi\n\t"
    "push %edi\n\t"
    "pushf\n\t"
    "cli\n\t"
    "mov 24(%esp), %eax\n\t"
    "mov %esp, back_esp\n\t"
    "jmp *%eax\n"
    "sys_entry32:\n\t"
    "mov %esp, r0+0\n\t"
    "pushf\n\t"
    "popl r0+4\n\t"
    "movw %cs, r0+8\n\t"
    "movw %ss, r0+10\n\t"
    "mov %ecx, r0+12\n\t"
    "movl $1, r0+16\n"
    "sys_resume32:\n\t"
    "mov $" __stringify_x86(KERNEL_DS) ", %eax\n\t"
    "mov %eax, %ss\n\t"
    "mov back_esp, %esp\n\t"
    "ljmp $" __stringify_x86(KERNEL_CS) ", $1f\n"
    "1:\n\t"
    "popf\n\t"
    "pop %edi\n\t"
    "pop %esi\n\t"
    "pop %ebp\n\t"
    "pop %ebx\n\t"
    "ret\n");

/* Launches at CPL 0. The _rf ones reach their instruction through an
 * IRET whose EFLAGS image has RF (POPF cannot set it: SDM vol 2B, POPF;
 * IRET can: vol 2A, IRET) and CF, which must survive. */
void launch_sysenter(void);
void launch_sti_sysenter(void);
void launch_rf_sysenter(void);
void launch_sysexit(void);
void launch_syscall(void);
void launch_sti_syscall(void);
void launch_rf_syscall(void);
void launch_sysret(void);
extern char after_syscall[];
/* Ring 3 sides: record r3, then back through SYSENTER or SYSCALL; or
 * SYSEXIT/SYSRET at CPL 3, which must fault. */
void user_sysenter(void);
void user_syscall(void);
void user_sysexit(void);
void user_sysret(void);
extern char after_user_syscall[], user_sysret_end[];
/* Where launch_sysexit/launch_sysret go, and on which stack. */
u32 user_target, user_esp;

#define RECORD_R3 \
	"mov %esp, r3+0\n\t" \
	"pushf\n\t" \
	"popl r3+4\n\t" \
	"movw %cs, r3+8\n\t" \
	"movw %ss, r3+10\n\t" \
	"movl $1, r3+16\n\t"

asm(".text\n"
    "launch_sysenter:\n\t"
    "sysenter\n"
    "launch_sti_sysenter:\n\t"
    "sti\n\t"
    "sysenter\n"
    "launch_rf_sysenter:\n\t"
    "pushf\n\t"
    "orl $0x10001, (%esp)\n\t"
    "push %cs\n\t"
    "push $1f\n\t"
    "iret\n"
    "1:\n\t"
    "sysenter\n"
    "launch_sysexit:\n\t"
    "mov user_target, %edx\n\t"
    "mov user_esp, %ecx\n\t"
    "sysexit\n"
    "launch_syscall:\n\t"
    "syscall\n"
    "after_syscall:\n\t"
    "ud2\n"
    "launch_sti_syscall:\n\t"
    "sti\n\t"
    "syscall\n"
    "launch_rf_syscall:\n\t"
    "pushf\n\t"
    "orl $0x10001, (%esp)\n\t"
    "push %cs\n\t"
    "push $1f\n\t"
    "iret\n"
    "1:\n\t"
    "syscall\n"
    "launch_sysret:\n\t"
    "mov user_target, %ecx\n\t"
    "mov user_esp, %esp\n\t"
    "sysret\n"
    "user_sysenter:\n\t"
    RECORD_R3
    "sysenter\n"
    "user_syscall:\n\t"
    RECORD_R3
    "syscall\n"
    "after_user_syscall:\n\t"
    "ud2\n"
    "user_sysexit:\n\t"
    "sysexit\n"
    "user_sysret:\n\t"
    "sysret\n"
    "user_sysret_end:\n");

/*
 * SYSENTER from virtual-8086 mode. IRET with EFLAGS.VM set enters it
 * (SDM vol 3, 21.2.5), popping EIP, CS, EFLAGS, ESP, SS, ES, DS, FS and
 * GS; the code at V86_SEG:0 is a SYSENTER. sys_entry_v86 puts back the
 * data segments SYSENTER leaves alone (they hold real-mode style bases
 * from virtual-8086 mode) and runs a CPL 0 instruction before joining
 * sys_entry32. An exception in virtual-8086 mode arrives with null data
 * segments (SDM vol 3, 21.3.1.1), which the library's stubs do not
 * reload: during the trip #UD, #GP and #PF go to v86_fault_* instead.
 */
/* Linear 0x7000: below the AP trampoline page (layout.h), unused after
 * boot. */
#define V86_SEG		0x0700
#define V86_SP		0x0ff0
#define V86_EFLAGS	0x00020002	/* VM, the fixed bit; IOPL 0, IF 0 */

void launch_v86(void);
void sys_entry_v86(void);
void v86_fault_ud(void);
void v86_fault_gp(void);
void v86_fault_pf(void);
extern char v86_code[], v86_code_end[];
u32 v86_fault_vec;

asm(".text\n"
    "launch_v86:\n\t"
    "pushl $0\n\t"				/* GS */
    "pushl $0\n\t"				/* FS */
    "pushl $0\n\t"				/* DS */
    "pushl $0\n\t"				/* ES */
    "pushl $" __stringify_x86(V86_SEG) "\n\t"	/* SS */
    "pushl $" __stringify_x86(V86_SP) "\n\t"	/* ESP */
    "pushl $" __stringify_x86(V86_EFLAGS) "\n\t"
    "pushl $" __stringify_x86(V86_SEG) "\n\t"	/* CS */
    "pushl $0\n\t"				/* EIP */
    "iret\n"
    "sys_entry_v86:\n\t"
    "mov $" __stringify_x86(KERNEL_DS) ", %eax\n\t"
    "mov %eax, %ds\n\t"
    "mov %eax, %es\n\t"
    "mov %eax, %fs\n\t"
    "mov $" __stringify_x86(PERCPU_SEL) ", %eax\n\t"
    "mov %eax, %gs\n\t"
    "mov %cr0, %eax\n\t"
    "jmp sys_entry32\n"
    "v86_fault_ud:\n\t"
    "pushl $" __stringify_x86(UD_VECTOR) "\n\t"
    "jmp 1f\n"
    "v86_fault_gp:\n\t"
    "pushl $" __stringify_x86(GP_VECTOR) "\n\t"
    "jmp 1f\n"
    "v86_fault_pf:\n\t"
    "pushl $" __stringify_x86(PF_VECTOR) "\n"
    "1:\n\t"
    "mov $" __stringify_x86(KERNEL_DS) ", %eax\n\t"
    "mov %eax, %ds\n\t"
    "mov %eax, %es\n\t"
    "mov %eax, %fs\n\t"
    "mov $" __stringify_x86(PERCPU_SEL) ", %eax\n\t"
    "mov %eax, %gs\n\t"
    "popl v86_fault_vec\n\t"
    "jmp sys_resume32\n"
    ".pushsection .rodata\n"
    "v86_code:\n\t"
    "sysenter\n"
    "v86_code_end:\n"
    ".popsection\n");

static void run_launch(void *launch)
{
	sys_call32((void (*)(void))launch);
}

static struct ex_result try_launch(void (*launch)(void))
{
	memset(&r0, 0, sizeof(r0));
	memset(&r3, 0, sizeof(r3));
	return run_catching(run_launch, (void *)launch);
}

static const char *vec_name(struct ex_result r)
{
	return r.raised ? exception_mnemonic(r.vector) : "nothing";
}

/* The leaf entries that map the ring 3 code, its records and its stack
 * get U/S set for the round trips to ring 3, and back afterwards. */
#define NR_USER_PAGES	7
static u64 *user_pte[NR_USER_PAGES];
static u64 user_pte_saved[NR_USER_PAGES];

static void user_pages(bool on)
{
	const void *p[NR_USER_PAGES] = {
		user_sysenter, user_syscall, user_sysexit, user_sysret_end,
		&r3, user_stack, user_stack + USER_STACK_SIZE - 1,
	};
	int i;

	if (on) {
		for (i = 0; i < NR_USER_PAGES; i++) {
			user_pte[i] = get_pte_level(p[i], NULL);
			assert(user_pte[i]);
			user_pte_saved[i] = *user_pte[i];
			*user_pte[i] |= PT_USER;
		}
	} else {
		/* reverse order: a shared leaf gets its first saved value */
		for (i = NR_USER_PAGES - 1; i >= 0; i--)
			*user_pte[i] = user_pte_saved[i];
	}
	flush_tlb();
}

static struct ex_result user_fault;

/* Record the exception and leave through sys_resume32 at CPL 0: IRET to
 * the same privilege level pops only EIP, CS and EFLAGS (SDM vol 2A,
 * IRET), and sys_resume32 reloads SS and ESP itself. */
static void ring3_fault(struct ex_regs *regs)
{
	user_fault.raised = true;
	user_fault.vector = regs->vector;
	user_fault.error_code = regs->error_code;
	user_fault.rip = regs->rip;
	user_fault.cr2 = read_cr2();
	regs->rip = (uintptr_t)sys_resume32;
	regs->cs = KERNEL_CS;
	regs->rflags = X86_EFLAGS_FIXED;
}

static const u8 ring3_vectors[] = { UD_VECTOR, GP_VECTOR, PF_VECTOR };

/* Ring 3 through SYSEXIT or SYSRET at @target. */
static struct ex_result to_user(void (*launch)(void), void (*target)(void))
{
	exception_handler_t old[ARRAY_SIZE(ring3_vectors)];
	unsigned i;

	user_target = (uintptr_t)target;
	user_esp = (uintptr_t)user_stack + USER_STACK_SIZE;
	memset(&user_fault, 0, sizeof(user_fault));
	memset(&r0, 0, sizeof(r0));
	memset(&r3, 0, sizeof(r3));
	user_pages(true);
	for (i = 0; i < ARRAY_SIZE(ring3_vectors); i++)
		old[i] = handle_exception(ring3_vectors[i], ring3_fault);
	sys_call32(launch);
	for (i = 0; i < ARRAY_SIZE(ring3_vectors); i++)
		handle_exception(ring3_vectors[i], old[i]);
	user_pages(false);
	return user_fault;
}

static void gdt_set_sys_segments(void)
{
	struct {
		u16 limit;
		u32 base;
	} __attribute__((packed)) gdtr;
	u64 *gdt;

	asm volatile("sgdt %0" : "=m"(gdtr));
	assert(gdtr.limit >= SEL_R3_SS + 7);
	gdt = (u64 *)(uintptr_t)gdtr.base;
	gdt[SEL_R0_CS / 8] = DESC_CODE32(0);
	gdt[SEL_R0_SS / 8] = DESC_DATA32(0);
	gdt[SEL_R3_CS / 8] = DESC_CODE32(3);
	gdt[SEL_R3_SS / 8] = DESC_DATA32(3);
}

/* SYSENTER from virtual-8086 mode clears EFLAGS.VM: the entry runs as
 * 32-bit code at CPL 0. */
static void test_sysenter_v86(u32 top)
{
	void *code = (void *)(uintptr_t)(V86_SEG << 4);
	u64 *pte = get_pte_level(code, NULL), saved;

	assert(pte);
	saved = *pte;
	*pte |= PT_USER;
	flush_tlb();
	memcpy(code, v86_code, v86_code_end - v86_code);
	wrmsr(MSR_IA32_SYSENTER_EIP, (uintptr_t)sys_entry_v86);
	set_idt_entry(UD_VECTOR, v86_fault_ud, 0, 0);
	set_idt_entry(GP_VECTOR, v86_fault_gp, 0, 0);
	set_idt_entry(PF_VECTOR, v86_fault_pf, 0, 0);
	memset(&r0, 0, sizeof(r0));
	v86_fault_vec = 0;

	sys_call32(launch_v86);

	reset_idt_entry(UD_VECTOR);
	reset_idt_entry(GP_VECTOR);
	reset_idt_entry(PF_VECTOR);
	wrmsr(MSR_IA32_SYSENTER_EIP, (uintptr_t)sys_entry32);
	*pte = saved;
	flush_tlb();
	report(!v86_fault_vec && r0.reached && r0.cs == SEL_R0_CS &&
	       r0.ss == SEL_R0_SS && r0.esp == top &&
	       !(r0.eflags & X86_EFLAGS_IF),
	       "from virtual-8086 mode: EFLAGS.VM cleared, CPL 0 entry with "
	       "CS, SS, ESP from the MSRs (got %#x/%#x/%#x EFLAGS %#x, entry "
	       "%sreached, raised %s; want %#x/%#x/%#x)", r0.cs, r0.ss,
	       r0.esp, r0.eflags, r0.reached ? "" : "not ",
	       v86_fault_vec ? exception_mnemonic(v86_fault_vec) : "nothing",
	       SEL_R0_CS, SEL_R0_SS, top);
}

static void test_sysenter32(void)
{
	u64 cs = rdmsr(MSR_IA32_SYSENTER_CS);
	u64 esp = rdmsr(MSR_IA32_SYSENTER_ESP);
	u64 eip = rdmsr(MSR_IA32_SYSENTER_EIP);
	u32 top = (uintptr_t)sysenter_stack + sizeof(sysenter_stack);
	struct ex_result res;
	u32 want_cs3 = SEL_R3_CS | 3, want_ss3 = SEL_R3_SS | 3;

	report_prefix_push("SYSENTER");
	if (!this_cpu_has(X86_FEATURE_SEP)) {
		report_skip("no SYSENTER/SYSEXIT: %s clear",
			    X86_FEATURE_SEP.name);
		report_prefix_pop();
		return;
	}
	wrmsr(MSR_IA32_SYSENTER_CS, SEL_R0_CS);
	wrmsr(MSR_IA32_SYSENTER_ESP, top);
	wrmsr(MSR_IA32_SYSENTER_EIP, (uintptr_t)sys_entry32);

	res = try_launch(launch_sysenter);
	report(!res.raised && r0.reached && r0.cs == SEL_R0_CS &&
	       r0.ss == SEL_R0_SS && r0.esp == top,
	       "from CPL 0: CS, SS, ESP, EIP from the MSRs (got %#x/%#x/%#x, "
	       "entry %sreached, raised %s; want %#x/%#x/%#x)", r0.cs, r0.ss,
	       r0.esp, r0.reached ? "" : "not ", vec_name(res), SEL_R0_CS,
	       SEL_R0_SS, top);

	/* RPL bits of IA32_SYSENTER_CS do not reach CS or SS. */
	wrmsr(MSR_IA32_SYSENTER_CS, SEL_R0_CS | 3);
	res = try_launch(launch_sysenter);
	report(!res.raised && r0.cs == SEL_R0_CS && r0.ss == SEL_R0_SS,
	       "IA32_SYSENTER_CS %#x: CS, SS with RPL 0 (got %#x/%#x, raised "
	       "%s; want %#x/%#x)", SEL_R0_CS | 3, r0.cs, r0.ss,
	       vec_name(res), SEL_R0_CS, SEL_R0_SS);
	wrmsr(MSR_IA32_SYSENTER_CS, SEL_R0_CS);

	res = try_launch(launch_sti_sysenter);
	report(!res.raised && r0.reached && !(r0.eflags & X86_EFLAGS_IF),
	       "EFLAGS.IF cleared (got EFLAGS %#x, raised %s)", r0.eflags,
	       vec_name(res));
	res = try_launch(launch_rf_sysenter);
	report(!res.raised && r0.reached && !(r0.eflags & X86_EFLAGS_RF) &&
	       (r0.eflags & X86_EFLAGS_CF),
	       "EFLAGS.RF cleared, CF kept (got EFLAGS %#x, raised %s)",
	       r0.eflags, vec_name(res));
	test_sysenter_v86(top);

	/* Out to ring 3 with SYSEXIT, which comes back with SYSENTER. */
	res = to_user(launch_sysexit, user_sysenter);
	report(!res.raised && r3.reached && r3.cs == want_cs3 &&
	       r3.ss == want_ss3 && r3.esp == user_esp,
	       "SYSEXIT: CS, SS from IA32_SYSENTER_CS + 16/24 with RPL 3, "
	       "ESP from ECX, EIP from EDX (got %#x/%#x/%#x, ring 3 code %s"
	       "reached, raised %s at %#lx; want %#x/%#x/%#x)", r3.cs, r3.ss,
	       r3.esp, r3.reached ? "" : "not ", vec_name(res),
	       (unsigned long)res.rip, want_cs3, want_ss3, user_esp);
	report(!res.raised && r0.reached && r0.cs == SEL_R0_CS &&
	       r0.ss == SEL_R0_SS && r0.esp == top,
	       "SYSENTER from CPL 3: CS, SS, ESP (got %#x/%#x/%#x, want "
	       "%#x/%#x/%#x)", r0.cs, r0.ss, r0.esp, SEL_R0_CS, SEL_R0_SS,
	       top);

	res = to_user(launch_sysexit, user_sysexit);
	report(res.raised && res.vector == GP_VECTOR && !res.error_code,
	       "SYSEXIT at CPL 3 raises #GP(0) (got %s, error code %#llx)",
	       vec_name(res), (unsigned long long)res.error_code);

	/* IA32_SYSENTER_CS[15:2] = 0: both fault, RPL bits or not. */
	wrmsr(MSR_IA32_SYSENTER_CS, 0);
	res = try_launch(launch_sysenter);
	report(res.raised && res.vector == GP_VECTOR && !res.error_code &&
	       !r0.reached, "SYSENTER with IA32_SYSENTER_CS = 0 raises "
	       "#GP(0) (got %s, error code %#llx)", vec_name(res),
	       (unsigned long long)res.error_code);
	wrmsr(MSR_IA32_SYSENTER_CS, 3);
	res = try_launch(launch_sysenter);
	report(res.raised && res.vector == GP_VECTOR && !res.error_code &&
	       !r0.reached, "SYSENTER with IA32_SYSENTER_CS = 3 raises "
	       "#GP(0) (got %s, error code %#llx)", vec_name(res),
	       (unsigned long long)res.error_code);
	wrmsr(MSR_IA32_SYSENTER_CS, 0);
	res = to_user(launch_sysexit, user_sysenter);
	report(res.raised && res.vector == GP_VECTOR && !res.error_code &&
	       !r3.reached, "SYSEXIT with IA32_SYSENTER_CS = 0 raises #GP(0) "
	       "(got %s, error code %#llx)", vec_name(res),
	       (unsigned long long)res.error_code);

	wrmsr(MSR_IA32_SYSENTER_CS, cs);
	wrmsr(MSR_IA32_SYSENTER_ESP, esp);
	wrmsr(MSR_IA32_SYSENTER_EIP, eip);
	report_prefix_pop();
}

/*
 * STAR for legacy mode: SYSCALL to sys_entry32 on SEL_R0_CS, SYSRET to
 * SEL_R3_CS. RPL 3 is in STAR[63:48] itself, so SS = STAR[63:48] + 8
 * has RPL 3 whether or not SYSRET ORs it in.
 */
static u64 star_legacy(void)
{
	return ((u64)(SEL_R3_CS | 3) << 48) | ((u64)SEL_R0_CS << 32) |
	       (uintptr_t)sys_entry32;
}

/* AMD legacy-mode SYSCALL/SYSRET, with EFER.SCE set by the caller. */
static void test_syscall_legacy(void)
{
	struct ex_result res;

	wrmsr(MSR_STAR, star_legacy());

	res = try_launch(launch_syscall);
	report(!res.raised && r0.reached && r0.cs == SEL_R0_CS &&
	       r0.ss == SEL_R0_SS && r0.ecx == (uintptr_t)after_syscall,
	       "from CPL 0: CS, SS from STAR[47:32], EIP from STAR[31:0], "
	       "ECX the next EIP (got %#x/%#x/%#x, entry %sreached, raised "
	       "%s; want %#x/%#x/%#lx)", r0.cs, r0.ss, r0.ecx,
	       r0.reached ? "" : "not ", vec_name(res), SEL_R0_CS, SEL_R0_SS,
	       (unsigned long)(uintptr_t)after_syscall);
	res = try_launch(launch_sti_syscall);
	report(!res.raised && r0.reached && !(r0.eflags & X86_EFLAGS_IF),
	       "EFLAGS.IF cleared (got EFLAGS %#x, raised %s)", r0.eflags,
	       vec_name(res));
	res = try_launch(launch_rf_syscall);
	report(!res.raised && r0.reached && !(r0.eflags & X86_EFLAGS_RF) &&
	       (r0.eflags & X86_EFLAGS_CF),
	       "EFLAGS.RF cleared, CF kept (got EFLAGS %#x, raised %s)",
	       r0.eflags, vec_name(res));

	/* Out to ring 3 with SYSRET, back with SYSCALL. */
	res = to_user(launch_sysret, user_syscall);
	report(!res.raised && r3.reached && r3.cs == (SEL_R3_CS | 3) &&
	       r3.ss == (SEL_R3_SS | 3) && (r3.eflags & X86_EFLAGS_IF),
	       "SYSRET: CS, SS from STAR[63:48], EIP from ECX, EFLAGS.IF set "
	       "(got %#x/%#x EFLAGS %#x, ring 3 code %sreached, raised %s; "
	       "want %#x/%#x)", r3.cs, r3.ss, r3.eflags,
	       r3.reached ? "" : "not ", vec_name(res), SEL_R3_CS | 3,
	       SEL_R3_SS | 3);
	report(!res.raised && r0.reached && r0.cs == SEL_R0_CS &&
	       r0.ss == SEL_R0_SS && r0.esp == r3.esp &&
	       r0.ecx == (uintptr_t)after_user_syscall,
	       "SYSCALL from CPL 3: CS, SS, ESP unchanged, ECX (got "
	       "%#x/%#x/%#x/%#x, want %#x/%#x/%#x/%#lx)", r0.cs, r0.ss,
	       r0.esp, r0.ecx, SEL_R0_CS, SEL_R0_SS, r3.esp,
	       (unsigned long)(uintptr_t)after_user_syscall);

	res = to_user(launch_sysret, user_sysret);
	report(res.raised && res.vector == GP_VECTOR && !res.error_code,
	       "SYSRET at CPL 3 raises #GP(0) (got %s, error code %#llx)",
	       vec_name(res), (unsigned long long)res.error_code);
}

static void test_syscall32(void)
{
	bool have_efer, sce;
	u64 efer = 0, star = 0;
	struct ex_result res;

	report_prefix_push("SYSCALL");
	have_efer = !rdmsr_safe(MSR_EFER, &efer);
	/* Where SYSCALL wrongly runs, it lands in our entry, not at 0. */
	rdmsr_safe(MSR_STAR, &star);
	wrmsr_safe(MSR_STAR, star_legacy());

	if (!cpu_is_amd()) {
		sce = have_efer && !wrmsr_safe(MSR_EFER, efer | EFER_SCE) &&
		      (rdmsr(MSR_EFER) & EFER_SCE);
		res = try_launch(launch_syscall);
		report(res.raised && res.vector == UD_VECTOR && !r0.reached,
		       "Intel: SYSCALL outside 64-bit mode raises #UD "
		       "(EFER.SCE %d; got %s)", sce, vec_name(res));
		res = to_user(launch_sysret, user_syscall);
		report(res.raised && res.vector == UD_VECTOR && !r3.reached,
		       "Intel: SYSRET outside 64-bit mode raises #UD "
		       "(EFER.SCE %d; got %s, ring 3 %sreached)", sce,
		       vec_name(res), r3.reached ? "" : "not ");
	} else if (!this_cpu_has(X86_FEATURE_SYSCALL)) {
		res = try_launch(launch_syscall);
		report(res.raised && res.vector == UD_VECTOR && !r0.reached,
		       "AMD: SYSCALL without %s raises #UD (got %s)",
		       X86_FEATURE_SYSCALL.name, vec_name(res));
		report_skip("legacy-mode SYSCALL/SYSRET: %s clear",
			    X86_FEATURE_SYSCALL.name);
	} else {
		wrmsr(MSR_EFER, efer & ~EFER_SCE);
		res = try_launch(launch_syscall);
		report(res.raised && res.vector == UD_VECTOR && !r0.reached,
		       "AMD: SYSCALL with EFER.SCE=0 raises #UD (got %s)",
		       vec_name(res));
		wrmsr(MSR_EFER, efer | EFER_SCE);
		test_syscall_legacy();
	}
	if (have_efer)
		wrmsr(MSR_EFER, efer);
	wrmsr_safe(MSR_STAR, star);
	report_prefix_pop();
}

int main(void)
{
	report_prefix_push("syscall");
	report_info("CPU vendor: %s", cpu_is_amd() ? "AMD" : "not AMD");
	gdt_set_sys_segments();
	test_sysenter32();
	test_syscall32();
	return report_summary();
}
#endif
