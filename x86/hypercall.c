/*
 * Hypercall instructions. Under KVM (Linux Documentation/virt/kvm/x86/
 * hypercalls.rst) VMCALL on Intel and VMMCALL on AMD take the number in
 * RAX and return the result there: an unknown number gives -KVM_ENOSYS,
 * a call from CPL > 0 gives -KVM_EPERM, and the other vendor's
 * instruction is rewritten to this vendor's and then executed (KVM's
 * default KVM_X86_QUIRK_FIX_HYPERCALL_INSN, Documentation/virt/kvm/
 * api.rst). Without a hypervisor that intercepts them both raise #UD:
 * VMCALL outside VMX operation (SDM vol 2B, VMCALL), VMMCALL when not
 * intercepted (AMD APM vol 3, VMMCALL) -- which is what QEMU's TCG, with
 * no VMX or SVM guest mode in use, must do.
 *
 * i386: the same ABI on the 32-bit registers (EAX, EBX, ECX, EDX, ESI);
 * the negated error numbers are 32-bit values there.
 */
#include "libcflat.h"
#include "x86/desc.h"
#include "x86/kvm_para.h"
#include "x86/processor.h"
#include "x86/usermode.h"

/* No KVM hypercall has this number (hypercalls.rst lists them all). */
#define HC_UNKNOWN		0xffffffull
/* hypercalls.rst, "KVM_HC_VAPIC_POLL_IRQ": returns 0. */
#define KVM_HC_VAPIC_POLL_IRQ	1

/* Argument registers the ABI reads and leaves alone; on i386 their low
 * 32 bits. */
#define ARG_RBX			((unsigned long)0x1111111111111111ull)
#define ARG_RCX			((unsigned long)0x2222222222222222ull)
#define ARG_RDX			((unsigned long)0x3333333333333333ull)
#define ARG_RSI			((unsigned long)0x4444444444444444ull)

/* The address of local label 1b, into a register. */
#ifdef __x86_64__
#define LEA_LABEL1	"lea 1b(%%rip), %[site]\n\t"
#else
#define LEA_LABEL1	"mov $1b, %[site]\n\t"
#endif

/* SDM vol 2B VMCALL: 0F 01 C1; APM vol 3 VMMCALL: 0F 01 D9. */
static const u8 vmcall_bytes[3] = { 0x0f, 0x01, 0xc1 };
static const u8 vmmcall_bytes[3] = { 0x0f, 0x01, 0xd9 };

struct hcall {
	bool amd;		/* VMMCALL, else VMCALL */
	unsigned long nr;
	unsigned long rax, rbx, rcx, rdx, rsi;	/* after the call */
	int vector;		/* raised, or -1 */
	const u8 *site;		/* the instruction's address */
};

static void hypercall(struct hcall *h)
{
	unsigned long rax = h->nr, rbx = ARG_RBX, rcx = ARG_RCX;
	unsigned long rdx = ARG_RDX, rsi = ARG_RSI;
	const u8 *site;

	if (h->amd)
		asm volatile(EX_FIXUP_BEGIN
			     "1: vmmcall\n\t"
			     "2:\n\t"
			     LEA_LABEL1
			     EX_FIXUP_END
			     : "+a"(rax), "+b"(rbx), "+c"(rcx), "+d"(rdx),
			       "+S"(rsi), [site] "=r"(site) :: "memory");
	else
		asm volatile(EX_FIXUP_BEGIN
			     "1: vmcall\n\t"
			     "2:\n\t"
			     LEA_LABEL1
			     EX_FIXUP_END
			     : "+a"(rax), "+b"(rbx), "+c"(rcx), "+d"(rdx),
			       "+S"(rsi), [site] "=r"(site) :: "memory");
	h->vector = exception_vector();
	h->rax = rax;
	h->rbx = rbx;
	h->rcx = rcx;
	h->rdx = rdx;
	h->rsi = rsi;
	h->site = site;
}

static const char *insn_name(bool amd)
{
	return amd ? "VMMCALL" : "VMCALL";
}

static bool args_kept(const struct hcall *h)
{
	return h->rbx == ARG_RBX && h->rcx == ARG_RCX && h->rdx == ARG_RDX &&
	       h->rsi == ARG_RSI;
}

static void check_kvm_call(bool amd, unsigned long nr, unsigned long want,
			   const char *what)
{
	struct hcall h = { .amd = amd, .nr = nr };

	hypercall(&h);
	report(h.vector < 0 && h.rax == want && args_kept(&h),
	       "%s %s: RAX %#llx (want %#llx), vector %d (want none), "
	       "RBX/RCX/RDX/RSI kept: %d", insn_name(amd), what,
	       (unsigned long long)h.rax, (unsigned long long)want,
	       h.vector, args_kept(&h));
}

/* The other vendor's instruction raises #UD in hardware; KVM emulates it:
 * its emulator's VMCALL/VMMCALL handler overwrites the three bytes at RIP
 * with the host's own hypercall instruction (the vendor module's
 * patch_hypercall: VMMCALL 0F 01 D9 on SVM, VMCALL 0F 01 C1 on VMX) and
 * then makes the call. Under KVM the guest sees the host's vendor. */
static void check_wrong_vendor(bool amd)
{
	const u8 *native = amd ? vmmcall_bytes : vmcall_bytes;
	struct hcall h = { .amd = !amd, .nr = HC_UNKNOWN };

	hypercall(&h);
	report(h.vector < 0 && h.rax == (unsigned long)-KVM_ENOSYS,
	       "%s on %s: RAX %#llx (want -KVM_ENOSYS %#llx), vector %d "
	       "(want none)", insn_name(!amd), amd ? "AMD" : "Intel",
	       (unsigned long long)h.rax,
	       (unsigned long long)(unsigned long)-KVM_ENOSYS,
	       h.vector);
	report(!memcmp(h.site, native, 3),
	       "%s rewritten to %s: bytes %02x %02x %02x, want %02x %02x %02x",
	       insn_name(!amd), insn_name(amd), h.site[0], h.site[1],
	       h.site[2], native[0], native[1], native[2]);
}

static void user_vmcall(void *data)
{
	unsigned long *rax = data, v = HC_UNKNOWN;

	asm volatile("vmcall" : "+a"(v) :: "rbx", "rcx", "rdx", "rsi",
		     "memory");
	*rax = v;
}

static void user_vmmcall(void *data)
{
	unsigned long *rax = data, v = HC_UNKNOWN;

	asm volatile("vmmcall" : "+a"(v) :: "rbx", "rcx", "rdx", "rsi",
		     "memory");
	*rax = v;
}

/* hypercalls.rst does not say; KVM's kvm_emulate_hypercall() refuses a
 * caller at CPL > 0 with -KVM_EPERM. */
static void check_kvm_user(bool amd)
{
	unsigned long rax = 0;
	struct ex_result r;

	r = run_in_usermode(amd ? user_vmmcall : user_vmcall, &rax);
	report(!r.raised && rax == (unsigned long)-KVM_EPERM,
	       "%s at CPL 3: RAX %#llx (want -KVM_EPERM %#llx), %s",
	       insn_name(amd), (unsigned long long)rax,
	       (unsigned long long)(unsigned long)-KVM_EPERM,
	       r.raised ? exception_mnemonic(r.vector) : "no exception");
}

static void test_kvm(void)
{
	bool amd = cpu_is_amd();

	report_prefix_push("kvm");
	check_kvm_call(amd, HC_UNKNOWN, (unsigned long)-KVM_ENOSYS,
		       "unknown number: -KVM_ENOSYS");
	check_kvm_call(amd, KVM_HC_VAPIC_POLL_IRQ, 0,
		       "KVM_HC_VAPIC_POLL_IRQ");
	check_wrong_vendor(amd);
	check_kvm_user(amd);
	report_prefix_pop();
}

static void check_ud(bool amd)
{
	struct hcall h = { .amd = amd, .nr = HC_UNKNOWN };

	hypercall(&h);
	report(h.vector == UD_VECTOR && h.rax == HC_UNKNOWN,
	       "%s raises #UD (got vector %d, want %d), RAX unchanged (got "
	       "%#llx)", insn_name(amd), h.vector, UD_VECTOR,
	       (unsigned long long)h.rax);
}

static void check_ud_user(bool amd)
{
	unsigned long rax = 0;
	struct ex_result r;

	r = run_in_usermode(amd ? user_vmmcall : user_vmcall, &rax);
	report(r.raised && r.vector == UD_VECTOR,
	       "%s at CPL 3 raises #UD (got %s)", insn_name(amd),
	       r.raised ? exception_mnemonic(r.vector) : "no exception");
}

/* No VMX/SVM guest mode is active: nothing intercepts either one. */
static void test_no_hypervisor(void)
{
	report_prefix_push("no intercept");
	check_ud(false);
	check_ud(true);
	check_ud_user(false);
	check_ud_user(true);
	report_prefix_pop();
}

int main(void)
{
	char hv[13];

	report_prefix_push("hypercall");
	cpuid_hypervisor_signature(hv);
	report_info("hypervisor \"%s\", CPU vendor %s", hv,
		    cpu_is_amd() ? "AMD" : "not AMD");
	if (kvm_cpuid_base())
		test_kvm();
	else if (!hv[0] || !strcmp(hv, "TCGTCGTCGTCG"))
		test_no_hypervisor();
	else
		report_skip("hypervisor \"%s\": neither KVM's hypercall ABI "
			    "nor no hypervisor", hv);
	return report_summary();
}
