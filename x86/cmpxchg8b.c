/*
 * CMPXCHG8B m64 (SDM vol 2A, "CMPXCHG8B/CMPXCHG16B"): compare EDX:EAX
 * with m64; if equal, set ZF and store ECX:EBX into m64, else clear ZF
 * and load m64 into EDX:EAX. CF, PF, AF, SF and OF are unaffected. The
 * destination is written back even when the comparison fails, so a
 * read-only m64 faults either way; a register operand is #UD.
 *
 * i386 only: it is the one 64-bit compare-and-swap a 32-bit guest has,
 * so GCC's 64-bit __atomic builtins and KVM's emulator both lean on it.
 */
#include "libcflat.h"
#include "x86/desc.h"
#include "x86/processor.h"
#include "x86/vm.h"

/*
 * QEMU's pc-testdev (-device pc-testdev): a 4-byte data port that holds
 * what is written to it, and scratch memory behind MMIO at 0xff000000,
 * inside the identity map of the low 4 GiB. Under KVM an access there
 * exits to QEMU, so KVM's instruction emulator performs the CMPXCHG8B.
 */
#define TESTDEV_PORT	0xe0
#define TESTDEV_IOMEM	0xff000000ul

#define X86_FEATURE_CX8	CPUID_FEATURE(1, 0, EDX, 8, "CPUID.01H:EDX[8] (CMPXCHG8B)")

struct cx8_result {
	u64 edx_eax;	/* EDX:EAX after the instruction */
	u64 mem;	/* m64 after the instruction */
	bool zf, cf;
};

/*
 * One CMPXCHG8B on @m with EDX:EAX = @expect and ECX:EBX = @update, CF
 * set beforehand so we can see it is left alone.
 */
static struct cx8_result cmpxchg8b(volatile u64 *m, u64 expect, u64 update,
				   bool lock)
{
	struct cx8_result r;
	u64 a = expect;
	u8 zf, cf;

	if (lock)
		asm volatile("stc; lock cmpxchg8b %[m]; setz %[zf]; setc %[cf]"
			     : [m] "+m"(*m), "+A"(a), [zf] "=m"(zf),
			       [cf] "=m"(cf)
			     : "b"((u32)update), "c"((u32)(update >> 32))
			     : "cc", "memory");
	else
		asm volatile("stc; cmpxchg8b %[m]; setz %[zf]; setc %[cf]"
			     : [m] "+m"(*m), "+A"(a), [zf] "=m"(zf),
			       [cf] "=m"(cf)
			     : "b"((u32)update), "c"((u32)(update >> 32))
			     : "cc", "memory");
	r.edx_eax = a;
	r.mem = *m;
	r.zf = zf;
	r.cf = cf;
	return r;
}

static void check(const char *what, struct cx8_result r, u64 want_edx_eax,
		  u64 want_mem, bool want_zf)
{
	report(r.edx_eax == want_edx_eax && r.mem == want_mem &&
	       r.zf == want_zf,
	       "%s: EDX:EAX %#llx, m64 %#llx, ZF %d; want %#llx, %#llx, "
	       "ZF %d", what, (unsigned long long)r.edx_eax,
	       (unsigned long long)r.mem, r.zf,
	       (unsigned long long)want_edx_eax,
	       (unsigned long long)want_mem, want_zf);
	report(r.cf, "%s: CF unaffected (got %d, want 1)", what, r.cf);
}

#define OLD	0x0123456789abcdefull
#define NEW	0xfedcba9876543210ull

static void test_compare(volatile u64 *m, bool lock)
{
	*m = OLD;
	check("equal: stores ECX:EBX", cmpxchg8b(m, OLD, NEW, lock), OLD,
	      NEW, true);

	*m = OLD;
	check("high halves differ: loads m64",
	      cmpxchg8b(m, OLD ^ (1ull << 63), NEW, lock), OLD, OLD, false);

	*m = OLD;
	check("low halves differ: loads m64",
	      cmpxchg8b(m, OLD ^ 1, NEW, lock), OLD, OLD, false);
}

static void run_on(const char *where, volatile u64 *m)
{
	report_prefix_push(where);
	report_prefix_push("lock");
	test_compare(m, true);
	report_prefix_pop();
	report_prefix_push("no lock");
	test_compare(m, false);
	report_prefix_pop();
	report_prefix_pop();
}

static void cx8_readonly(void *arg)
{
	cmpxchg8b(arg, OLD ^ 1, NEW, true);
}

/* CMPXCHG8B with ModRM.mod = 3 (register operand, EAX): SDM vol 2A,
 * CMPXCHG8B "Protected Mode Exceptions": #UD if the destination is a
 * register. Encoded by hand: assemblers refuse it. */
static void cx8_register(void *arg)
{
	(void)arg;
	asm volatile(".byte 0x0f, 0xc7, 0xc8" ::: "eax", "edx", "memory");
}

static void test_faults(void)
{
	u8 *page = alloc_page();
	u64 phys = virt_to_phys(page);
	volatile u64 *m = (volatile u64 *)page;
	struct ex_result r;

	report_prefix_push("faults");
	*m = OLD;
	install_page(page, phys, 0);
	r = run_catching(cx8_readonly, (void *)m);
	report(r.raised && r.vector == PF_VECTOR &&
	       r.error_code == (PFERR_PRESENT | PFERR_WRITE) &&
	       r.cr2 == (uintptr_t)m,
	       "failing compare on a read-only page: vector %u, error code "
	       "%#llx, CR2 %#llx; want %d, %#x (P|W), %p",
	       r.raised ? r.vector : 0u, (unsigned long long)r.error_code,
	       (unsigned long long)r.cr2, PF_VECTOR,
	       PFERR_PRESENT | PFERR_WRITE, (void *)m);
	install_page(page, phys, PT_WRITABLE);
	report(*m == OLD, "m64 unchanged by the faulting write (%#llx, "
	       "want %#llx)", (unsigned long long)*m, OLD);

	r = run_catching(cx8_register, NULL);
	report(r.raised && r.vector == UD_VECTOR,
	       "register operand: raised %d, vector %u; want %d (#UD)",
	       r.raised, r.vector, UD_VECTOR);
	report_prefix_pop();
	free(page);
}

static bool testdev_present(void)
{
	outl(0x5aa5c33c, TESTDEV_PORT);
	return inl(TESTDEV_PORT) == 0x5aa5c33c;
}

int main(void)
{
	static u64 aligned __attribute__((aligned(8)));
	u8 *two_pages;

	report_prefix_push("cmpxchg8b");
	if (!this_cpu_has(X86_FEATURE_CX8)) {
		report_skip("no CMPXCHG8B: %s clear", X86_FEATURE_CX8.name);
		return report_summary();
	}

	run_on("aligned", &aligned);
	/* Straddling a page boundary: "the integrity of a bus lock is not
	 * affected by the alignment of the memory field" (SDM vol 3,
	 * 9.1.2.2), so the result is the same. */
	two_pages = memalign(PAGE_SIZE, 2 * PAGE_SIZE);
	assert(two_pages);
	run_on("split across pages",
	       (volatile u64 *)(two_pages + PAGE_SIZE - 4));
	free(two_pages);

	if (testdev_present())
		run_on("mmio", (volatile u64 *)TESTDEV_IOMEM);
	else
		report_skip("mmio: no pc-testdev: its data port %#x does not "
			    "hold a value (QEMU -device pc-testdev)",
			    TESTDEV_PORT);

	test_faults();
	return report_summary();
}
