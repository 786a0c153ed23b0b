/*
 * Process-context identifiers and INVPCID.
 *
 * CR4.PCIDE (SDM vol 3, 4.10.1; vol 2B, MOV to/from control registers):
 * reserved without CPUID.01H:ECX[17], so setting it raises #GP(0); where
 * it exists, setting it while CR3[11:0] is not zero raises #GP(0). With
 * PCIDE=1, CR3[11:0] is the current PCID, and bit 63 of a value moved to
 * CR3 means "do not flush" and is not stored (SDM vol 3, 4.10.4.1).
 *
 * INVPCID (SDM vol 2B, INVPCID): #UD without CPUID.07H.0:EBX[10]; #GP(0)
 * for a type above 3, for descriptor bits 63:12 not zero, for type 0 with
 * a non-canonical address, and for types 0 and 1 with a PCID other than
 * 0 while CR4.PCIDE=0. Type 0 must drop the translation it names.
 *
 * i386: CR4.PCIDE can be set only in IA-32e mode (SDM vol 3, 4.10.1), so
 * in 32-bit protected mode setting it raises #GP(0) whatever CPUID says,
 * and the PCID cases SKIP. INVPCID exists in protected mode, with a
 * 32-bit type register and no non-canonical addresses.
 *
 * Arguments: "invpcid" runs only the INVPCID part, "pcid" only the rest;
 * none runs both.
 */
#include "libcflat.h"
#include "x86/desc.h"
#include "x86/processor.h"
#include "x86/vm.h"

#define X86_FEATURE_INVPCID \
	CPUID_FEATURE(7, 0, EBX, 10, "CPUID.07H.0:EBX[10] (INVPCID)")

#define CR3_PCID_MASK		0xffful	/* SDM vol 3, 4.5 table 4-13 */
#ifdef __x86_64__
#define CR3_NOFLUSH		(1ul << 63)
#endif

/* INVPCID types, SDM vol 2B, INVPCID */
#define INVPCID_ADDR		0
#define INVPCID_CONTEXT		1
#define INVPCID_ALL_GLOBAL	2
#define INVPCID_ALL		3

#ifdef __x86_64__
/* A non-canonical address for 4-level paging (bits 63:47 not equal). */
#define NONCANONICAL		0x8000000000000000ull

/* An address of our own, mapped only by this test. */
#define TEST_VA			((void *)(uintptr_t)(VMAP_BASE + (1ull << 40)))
#else
/* Between vmap()'s first pages and the PCI hole, 32-bit. */
#define TEST_VA			((void *)(uintptr_t)(VMAP_BASE + 0x0c000000ull))
#endif

struct invpcid_desc {
	u64 pcid;
	u64 addr;
};

/* 0, or the vector raised (INVPCID never raises #DE) */
static int invpcid_safe(unsigned long type, u64 pcid, u64 addr)
{
	struct invpcid_desc d = { pcid, addr };

	return EX_FIXUP_INSN("invpcid %0, %1", :: "m"(d), "r"(type)
			     : "memory");
}

static const char *vec_name(int v)
{
	return v ? exception_mnemonic(v) : "none";
}

#ifndef __x86_64__
static void test_pcid(void)
{
	unsigned long cr4 = read_cr4();
	int v;

	report_prefix_push("pcid");
	v = write_cr4_safe(cr4 | X86_CR4_PCIDE);
	report(v == GP_VECTOR, "CR4.PCIDE outside IA-32e mode raises #GP "
	       "(got %s, want #GP; %s %s)", vec_name(v), X86_FEATURE_PCID.name,
	       this_cpu_has(X86_FEATURE_PCID) ? "set" : "clear");
	write_cr4(cr4);
	report_skip("PCIDs: CR4.PCIDE needs IA-32e mode (SDM vol 3, 4.10.1)");
	report_prefix_pop();
}
#else
static void test_pcid(void)
{
	unsigned long cr3 = read_cr3(), cr4 = read_cr4();
	int v;

	report_prefix_push("pcid");
	if (!this_cpu_has(X86_FEATURE_PCID)) {
		v = write_cr4_safe(cr4 | X86_CR4_PCIDE);
		report(v == GP_VECTOR, "CR4.PCIDE without CPUID.01H:ECX[17] "
		       "raises #GP (got %s, want #GP)", vec_name(v));
		write_cr4(cr4);
		report_skip("no PCID: CPUID.01H:ECX[17] clear");
		report_prefix_pop();
		return;
	}

	assert(!(cr3 & CR3_PCID_MASK));
	/* The page tables are page aligned, so CR3[11:0] may be set alone:
	 * with PCIDE=0 those bits are PWT, PCD and ignored ones. */
	write_cr3(cr3 | 1);
	v = write_cr4_safe(cr4 | X86_CR4_PCIDE);
	report(v == GP_VECTOR, "CR4.PCIDE 0->1 with CR3[11:0]=1 raises #GP "
	       "(got %s, want #GP)", vec_name(v));
	write_cr4(cr4);
	write_cr3(cr3);

	v = write_cr4_safe(cr4 | X86_CR4_PCIDE);
	report(!v && (read_cr4() & X86_CR4_PCIDE),
	       "CR4.PCIDE 0->1 with CR3[11:0]=0 (got %s, CR4 %#lx)",
	       vec_name(v), read_cr4());

	v = write_cr3_safe(cr3 | 5);
	report(!v && (read_cr3() & CR3_PCID_MASK) == 5,
	       "CR3 with PCID 5 (got %s, CR3[11:0] %#lx, want none, 0x5)",
	       vec_name(v), read_cr3() & CR3_PCID_MASK);

	v = write_cr3_safe(cr3 | 6 | CR3_NOFLUSH);
	report(!v && read_cr3() == (cr3 | 6),
	       "CR3 bit 63 (no flush) is not stored (got %s, CR3 %#lx, want "
	       "none, %#lx)", vec_name(v), read_cr3(), cr3 | 6);

	/* Back to PCID 0 before PCIDE can be cleared cleanly. */
	write_cr3(cr3);
	v = write_cr4_safe(cr4);
	report(!v && !(read_cr4() & X86_CR4_PCIDE),
	       "CR4.PCIDE 1->0 with PCID 0 (got %s)", vec_name(v));
	report_prefix_pop();
}
#endif

static void test_invpcid(void)
{
	static const struct {
		unsigned long type;
		u64 pcid, addr;
		bool pcide;
		int want;
		const char *what;
	} cases[] = {
		{ INVPCID_ADDR, 0, 0x1000, false, 0, "type 0, PCID 0" },
		{ INVPCID_CONTEXT, 0, 0, false, 0, "type 1, PCID 0" },
		{ INVPCID_ALL_GLOBAL, 0, 0, false, 0, "type 2" },
		{ INVPCID_ALL, 0, 0, false, 0, "type 3" },
		{ 4, 0, 0, false, GP_VECTOR, "type 4 (reserved)" },
#ifdef __x86_64__
		{ 1ul << 40, 0, 0, false, GP_VECTOR, "type 2^40 (reserved)" },
#else
		{ 1ul << 31, 0, 0, false, GP_VECTOR, "type 2^31 (reserved)" },
#endif
		{ INVPCID_CONTEXT, 1ull << 12, 0, false, GP_VECTOR,
		  "descriptor bit 12 set" },
		{ INVPCID_CONTEXT, 1ull << 63, 0, false, GP_VECTOR,
		  "descriptor bit 63 set" },
#ifdef __x86_64__
		{ INVPCID_ADDR, 0, NONCANONICAL, false, GP_VECTOR,
		  "type 0, non-canonical address" },
#endif
		{ INVPCID_ADDR, 1, 0x1000, false, GP_VECTOR,
		  "type 0, PCID 1 with CR4.PCIDE=0" },
		{ INVPCID_CONTEXT, 1, 0, false, GP_VECTOR,
		  "type 1, PCID 1 with CR4.PCIDE=0" },
		{ INVPCID_ADDR, 1, 0x1000, true, 0,
		  "type 0, PCID 1 with CR4.PCIDE=1" },
		{ INVPCID_CONTEXT, 0xfff, 0, true, 0,
		  "type 1, PCID 0xfff with CR4.PCIDE=1" },
	};
	unsigned long cr4 = read_cr4();
	volatile u32 *va = TEST_VA;
	u32 *a, *b, got;
	unsigned i;
	int v;

	report_prefix_push("invpcid");
	if (!this_cpu_has(X86_FEATURE_INVPCID)) {
		v = invpcid_safe(INVPCID_ALL, 0, 0);
		report(v == UD_VECTOR, "INVPCID without CPUID.07H.0:EBX[10] "
		       "raises #UD (got %s, want #UD)", vec_name(v));
		report_skip("no INVPCID: CPUID.07H.0:EBX[10] clear");
		report_prefix_pop();
		return;
	}

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		if (cases[i].pcide) {
#ifndef __x86_64__
			report_skip("%s: CR4.PCIDE needs IA-32e mode (SDM vol "
				    "3, 4.10.1)", cases[i].what);
			continue;
#endif
			if (!this_cpu_has(X86_FEATURE_PCID)) {
				report_skip("%s: no PCID: CPUID.01H:ECX[17] "
					    "clear", cases[i].what);
				continue;
			}
			write_cr4(cr4 | X86_CR4_PCIDE);
		}
		v = invpcid_safe(cases[i].type, cases[i].pcid, cases[i].addr);
		write_cr4(cr4);
		report(v == cases[i].want, "%s (got %s, want %s)",
		       cases[i].what, vec_name(v), vec_name(cases[i].want));
	}

	/* Type 0 drops the translation: remap behind the TLB's back. */
	a = alloc_page();
	b = alloc_page();
	*a = 0xaaaa;
	*b = 0xbbbb;
	install_page(TEST_VA, virt_to_phys(a), PT_WRITABLE);
	got = *va;
	report(got == 0xaaaa, "first mapping read (got %#x, want 0xaaaa)",
	       got);
	*get_pte(TEST_VA) = virt_to_phys(b) | PT_PRESENT | PT_WRITABLE;
	v = invpcid_safe(INVPCID_ADDR, 0, (uintptr_t)TEST_VA);
	got = *va;
	report(!v && got == 0xbbbb, "type 0 invalidates the address "
	       "(got %s, read %#x, want none, 0xbbbb)", vec_name(v), got);
	*get_pte(TEST_VA) = virt_to_phys(a) | PT_PRESENT | PT_WRITABLE;
	v = invpcid_safe(INVPCID_ALL_GLOBAL, 0, 0);
	got = *va;
	report(!v && got == 0xaaaa, "type 2 invalidates everything "
	       "(got %s, read %#x, want none, 0xaaaa)", vec_name(v), got);
	unmap_page(TEST_VA);
	report_prefix_pop();
}

int main(int argc, char **argv)
{
	bool pcid = argc < 2 || !strcmp(argv[1], "pcid");
	bool invpcid = argc < 2 || !strcmp(argv[1], "invpcid");

	if (pcid)
		test_pcid();
	if (invpcid)
		test_invpcid();
	return report_summary();
}
