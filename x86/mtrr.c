/*
 * MTRRs and the PAT (SDM vol 3, 13.11 "Memory Type Range Registers" and
 * 13.12 "Page Attribute Table"): IA32_MTRRCAP, IA32_MTRR_DEF_TYPE, the
 * variable and fixed ranges and IA32_PAT hold every valid value they are
 * given, and reserved bits or undefined memory types raise #GP(0):
 * 13.11.2.1 (IA32_MTRR_DEF_TYPE: legal types 0, 1, 4, 5, 6, "all other
 * values result in a #GP"; bits 9:8 and 63:12 reserved, #GP),
 * 13.11.2.3 (PHYSBASE/PHYSMASK reserved bits, #GP), 13.11.1 (table 13-8,
 * the undefined MTRR types, #GP when written), 13.12.2 (the same for
 * PAT entries); vol 2B, WRMSR.
 *
 * Chapter 13 is "Memory Cache Control" in SDM editions from 2023 on;
 * older ones number these sections 11.11 and 11.12.
 *
 * Everything written is put back before the test ends; a range the test
 * enables lies above 2^(MAXPHYADDR-1), where the guest has nothing.
 */
#include "libcflat.h"
#include "x86/processor.h"

/* IA32_MTRRCAP, SDM vol 3, 13.11.1 (figure 13-5) */
#define MTRRCAP_VCNT(cap)	((cap) & 0xff)
#define MTRRCAP_FIX		(1ull << 8)
#define MTRRCAP_RSVD9		(1ull << 9)
#define MTRRCAP_WC		(1ull << 10)

/* IA32_MTRR_DEF_TYPE, 13.11.2.1 (figure 13-6): type 7:0, FE 10, E 11;
 * bits 9:8 and 63:12 reserved. */
#define DEF_TYPE_TYPE		0xffull
#define DEF_TYPE_FE		(1ull << 10)
#define DEF_TYPE_E		(1ull << 11)

/* IA32_MTRR_PHYSBASEn: type 7:0, bits 11:8 reserved; PHYSMASKn: V bit
 * 11, bits 10:0 reserved; both reserved from MAXPHYADDR up (13.11.2.3,
 * figure 13-7). */
#define PHYSMASK_V		(1ull << 11)
#define PAGE_MASK_4K		(~0xfffull)

/* MTRR memory types, 13.11.1 (table 13-8): 2, 3 and 7-FFH are reserved. */
#define MT_UC			0
#define MT_WC			1
#define MT_WT			4
#define MT_WP			5
#define MT_WB			6
/* PAT only, 13.12.2 (table 13-10): UC-. PAT entries are 8 bits with the
 * type in 2:0 and 7:3 reserved. */
#define PAT_UC_MINUS		7
#define PAT_ENTRY_MASK		0xffull

/* 13.12.4: IA32_PAT after power-up or reset. */
#define PAT_RESET		0x0007040600070406ull

#define NR_FIXED		11

static const u32 fixed_msrs[NR_FIXED] = {
	MSR_IA32_MTRR_FIX64K_00000,
	MSR_IA32_MTRR_FIX16K_80000, MSR_IA32_MTRR_FIX16K_A0000,
	MSR_IA32_MTRR_FIX4K_C0000 + 0, MSR_IA32_MTRR_FIX4K_C0000 + 1,
	MSR_IA32_MTRR_FIX4K_C0000 + 2, MSR_IA32_MTRR_FIX4K_C0000 + 3,
	MSR_IA32_MTRR_FIX4K_C0000 + 4, MSR_IA32_MTRR_FIX4K_C0000 + 5,
	MSR_IA32_MTRR_FIX4K_C0000 + 6, MSR_IA32_MTRR_FIX4K_C0000 + 7,
};

/* Undefined memory types for MTRRs: one of each reserved range. */
static const u8 bad_mtrr_types[] = { 2, 3, 7, 0x80, 0xff };

/*
 * Many writes, one report line: how many went wrong and, for the
 * first, what was got and wanted.
 */
struct batch {
	unsigned total, bad;
	char first[200];
};

static void batch_check(struct batch *b, bool ok, const char *fmt, ...)
	__attribute__((format(__printf__, 3, 4)));

static void batch_check(struct batch *b, bool ok, const char *fmt, ...)
{
	va_list ap;

	b->total++;
	if (ok)
		return;
	if (!b->bad++) {
		va_start(ap, fmt);
		vsnprintf(b->first, sizeof(b->first), fmt, ap);
		va_end(ap);
	}
}

static void batch_report(struct batch *b, const char *what)
{
	if (b->bad)
		report_fail("%s (%u of %u wrong; first: %s)", what, b->bad,
			    b->total, b->first);
	else
		report_pass("%s (%u checked)", what, b->total);
}

/* Writes @val and wants it read back, without a fault. */
static void check_round_trip(struct batch *b, const char *name, u32 msr,
			     u64 val)
{
	int vec = wrmsr_safe(msr, val);
	u64 got = rdmsr(msr);

	batch_check(b, !vec && got == val, "%s %#x: wrote %#llx, read %#llx, "
		    "vector %d", name, msr, (unsigned long long)val,
		    (unsigned long long)got, vec);
}

/* Writes @val, wants #GP(0) and @msr left at @keep; restores @keep if
 * the write took. */
static void check_gp(struct batch *b, const char *name, u32 msr, u64 val,
		     u64 keep)
{
	int vec = wrmsr_safe(msr, val);
	u64 err = exception_error_code(), got = rdmsr(msr);

	batch_check(b, vec == GP_VECTOR && !err && got == keep,
		    "%s %#x = %#llx: vector %d error %#llx, then read %#llx; "
		    "want %d (#GP), 0, %#llx", name, msr,
		    (unsigned long long)val, vec, (unsigned long long)err,
		    (unsigned long long)got, GP_VECTOR,
		    (unsigned long long)keep);
	if (got != keep)
		wrmsr(msr, keep);
}

static unsigned valid_mtrr_types(u64 cap, u8 *types)
{
	unsigned n = 0;

	types[n++] = MT_UC;
	/* 13.11.1: WC set means the WC type is supported. */
	if (cap & MTRRCAP_WC)
		types[n++] = MT_WC;
	types[n++] = MT_WT;
	types[n++] = MT_WP;
	types[n++] = MT_WB;
	return n;
}

static void test_mtrrcap(u64 cap)
{
	struct batch b = { 0 };
	unsigned i, vcnt = MTRRCAP_VCNT(cap);
	u64 v;
	int vec;

	report_info("IA32_MTRRCAP %#llx: VCNT %u, FIX %d, WC %d",
		    (unsigned long long)cap, vcnt, !!(cap & MTRRCAP_FIX),
		    !!(cap & MTRRCAP_WC));
	report(!(cap & MTRRCAP_RSVD9), "IA32_MTRRCAP bit 9 is reserved "
	       "(got %#llx, want bit 9 clear)", (unsigned long long)cap);
	/* Every range VCNT and FIX announce is there to read. */
	for (i = 0; i < vcnt; i++) {
		vec = rdmsr_safe(MSR_IA32_MTRR_PHYSBASE(i), &v);
		batch_check(&b, !vec, "rdmsr PHYSBASE%u raised vector %d", i,
			    vec);
		vec = rdmsr_safe(MSR_IA32_MTRR_PHYSMASK(i), &v);
		batch_check(&b, !vec, "rdmsr PHYSMASK%u raised vector %d", i,
			    vec);
	}
	if (cap & MTRRCAP_FIX)
		for (i = 0; i < NR_FIXED; i++) {
			vec = rdmsr_safe(fixed_msrs[i], &v);
			batch_check(&b, !vec, "rdmsr %#x raised vector %d",
				    fixed_msrs[i], vec);
		}
	batch_report(&b, "the ranges IA32_MTRRCAP announces read without "
		     "a fault");
}

static void test_def_type(u64 cap)
{
	u64 orig = rdmsr(MSR_IA32_MTRR_DEF_TYPE), base;
	u8 types[8];
	unsigned n = valid_mtrr_types(cap, types), i;
	struct batch b = { 0 };
	static const u64 rsvd[] = {
		1ull << 8, 1ull << 9, 1ull << 12, 1ull << 32, 1ull << 63,
	};

	report_prefix_push("IA32_MTRR_DEF_TYPE");
	report_info("original value %#llx", (unsigned long long)orig);
	base = orig & ~DEF_TYPE_TYPE;
	for (i = 0; i < n; i++)
		check_round_trip(&b, "DEF_TYPE", MSR_IA32_MTRR_DEF_TYPE,
				 base | types[i]);
	check_round_trip(&b, "DEF_TYPE", MSR_IA32_MTRR_DEF_TYPE,
			 MT_UC | DEF_TYPE_E | DEF_TYPE_FE);
	check_round_trip(&b, "DEF_TYPE", MSR_IA32_MTRR_DEF_TYPE, MT_WB);
	wrmsr(MSR_IA32_MTRR_DEF_TYPE, orig);
	batch_report(&b, "every valid type, E and FE read back");

	memset(&b, 0, sizeof(b));
	for (i = 0; i < ARRAY_SIZE(rsvd); i++)
		check_gp(&b, "DEF_TYPE", MSR_IA32_MTRR_DEF_TYPE,
			 orig | rsvd[i], orig);
	batch_report(&b, "reserved bits 9:8 and 63:12 raise #GP(0)");

	memset(&b, 0, sizeof(b));
	for (i = 0; i < ARRAY_SIZE(bad_mtrr_types); i++)
		check_gp(&b, "DEF_TYPE", MSR_IA32_MTRR_DEF_TYPE,
			 base | bad_mtrr_types[i], orig);
	batch_report(&b, "undefined types 2, 3, 7, 80H, FFH raise #GP(0)");
	wrmsr(MSR_IA32_MTRR_DEF_TYPE, orig);
	report_prefix_pop();
}

static void test_variable(u64 cap)
{
	unsigned maxphy = cpuid_maxphyaddr(), n, i;
	unsigned vcnt = MTRRCAP_VCNT(cap), idx;
	u64 phys = ((1ull << maxphy) - 1) & PAGE_MASK_4K;
	/* The top half of the physical address space: no RAM, no MMIO. */
	u64 range = 1ull << (maxphy - 1);
	u64 mask = (phys & ~(range - 1)) | PHYSMASK_V;
	u64 orig_base, orig_mask;
	u32 msr_base, msr_mask;
	u8 types[8];
	struct batch b = { 0 };

	report_prefix_push("variable range");
	if (!vcnt) {
		report_skip("IA32_MTRRCAP.VCNT is 0: no variable ranges");
		report_prefix_pop();
		return;
	}
	idx = vcnt - 1;
	msr_base = MSR_IA32_MTRR_PHYSBASE(idx);
	msr_mask = MSR_IA32_MTRR_PHYSMASK(idx);
	orig_base = rdmsr(msr_base);
	orig_mask = rdmsr(msr_mask);
	report_info("MTRR %u: PHYSBASE %#llx PHYSMASK %#llx, MAXPHYADDR %u",
		    idx, (unsigned long long)orig_base,
		    (unsigned long long)orig_mask, maxphy);

	/* Off while the base changes, so no half-written range is live. */
	wrmsr(msr_mask, 0);
	n = valid_mtrr_types(cap, types);
	for (i = 0; i < n; i++)
		check_round_trip(&b, "PHYSBASE", msr_base, range | types[i]);
	check_round_trip(&b, "PHYSMASK", msr_mask, mask);
	check_round_trip(&b, "PHYSMASK", msr_mask, mask & ~PHYSMASK_V);
	check_round_trip(&b, "PHYSMASK", msr_mask, phys & ~(range - 1));
	batch_report(&b, "PHYSBASE with every valid type, PHYSMASK with and "
		     "without V read back");

	/* From here the range is disabled (V clear) and based at @range. */
	wrmsr(msr_mask, 0);
	wrmsr(msr_base, range | MT_UC);
	memset(&b, 0, sizeof(b));
	check_gp(&b, "PHYSBASE", msr_base, range | MT_UC | (1ull << 8),
		 range | MT_UC);
	check_gp(&b, "PHYSBASE", msr_base, range | MT_UC | (1ull << 11),
		 range | MT_UC);
	check_gp(&b, "PHYSMASK", msr_mask, 1ull << 0, 0);
	check_gp(&b, "PHYSMASK", msr_mask, 1ull << 10, 0);
	if (maxphy < 64) {
		check_gp(&b, "PHYSBASE", msr_base,
			 range | MT_UC | (1ull << maxphy), range | MT_UC);
		check_gp(&b, "PHYSMASK", msr_mask, 1ull << maxphy, 0);
	}
	check_gp(&b, "PHYSBASE", msr_base, range | MT_UC | (1ull << 63),
		 range | MT_UC);
	check_gp(&b, "PHYSMASK", msr_mask, 1ull << 63, 0);
	batch_report(&b, "reserved bits (PHYSBASE 11:8, PHYSMASK 10:0, both "
		     "from MAXPHYADDR up) raise #GP(0)");

	memset(&b, 0, sizeof(b));
	for (i = 0; i < ARRAY_SIZE(bad_mtrr_types); i++)
		check_gp(&b, "PHYSBASE", msr_base, range | bad_mtrr_types[i],
			 range | MT_UC);
	batch_report(&b, "PHYSBASE with undefined types 2, 3, 7, 80H, FFH "
		     "raises #GP(0)");

	wrmsr(msr_mask, 0);
	wrmsr(msr_base, orig_base);
	wrmsr(msr_mask, orig_mask);
	report_prefix_pop();
}

/* Eight valid types, one per byte, none of them reserved (table 13-8). */
static u64 fixed_pattern(u64 cap, unsigned rot)
{
	u8 types[8];
	unsigned n = valid_mtrr_types(cap, types), i;
	u64 v = 0;

	for (i = 0; i < 8; i++)
		v |= (u64)types[(i + rot) % n] << (8 * i);
	return v;
}

static void test_fixed(u64 cap)
{
	u64 orig[NR_FIXED], val;
	unsigned i, byte;
	struct batch b = { 0 };

	report_prefix_push("fixed range");
	if (!(cap & MTRRCAP_FIX)) {
		report_skip("IA32_MTRRCAP[8] (FIX) clear: no fixed ranges");
		report_prefix_pop();
		return;
	}
	for (i = 0; i < NR_FIXED; i++)
		orig[i] = rdmsr(fixed_msrs[i]);
	for (i = 0; i < NR_FIXED; i++) {
		check_round_trip(&b, "fixed", fixed_msrs[i],
				 fixed_pattern(cap, i));
		wrmsr(fixed_msrs[i], orig[i]);
	}
	batch_report(&b, "all 11 fixed-range MTRRs hold a valid type per "
		     "byte");

	/* 13.11.2.2: each byte is the type of one sub-range, so an
	 * undefined type in any of the eight must fault. */
	memset(&b, 0, sizeof(b));
	for (i = 0; i < NR_FIXED; i++)
		for (byte = 0; byte < 8; byte++) {
			val = orig[i] & ~(0xffull << (8 * byte));
			val |= (u64)bad_mtrr_types[(i + byte) %
						   ARRAY_SIZE(bad_mtrr_types)]
			       << (8 * byte);
			check_gp(&b, "fixed", fixed_msrs[i], val, orig[i]);
		}
	batch_report(&b, "an undefined type in any byte of any fixed-range "
		     "MTRR raises #GP(0)");
	for (i = 0; i < NR_FIXED; i++)
		wrmsr(fixed_msrs[i], orig[i]);
	report_prefix_pop();
}

static void test_mtrr(void)
{
	u64 cap;

	report_prefix_push("MTRR");
	if (!this_cpu_has(X86_FEATURE_MTRR)) {
		report_skip("no MTRRs: %s clear", X86_FEATURE_MTRR.name);
		report_prefix_pop();
		return;
	}
	cap = rdmsr(MSR_IA32_MTRRCAP);
	test_mtrrcap(cap);
	test_def_type(cap);
	test_variable(cap);
	test_fixed(cap);
	report_prefix_pop();
}

static void test_pat(void)
{
	u64 orig, got, val;
	/* Entries 0-3 as at reset (what the page tables use: PAT = 0),
	 * entries 4-7 each valid type not in 0-3 plus UC-. */
	static const u64 patterns[] = {
		0x0700050100070406ull, 0x0105000700070406ull,
	};
	static const u8 bad[] = { 2, 3, 8, 0x80 };
	struct batch b = { 0 };
	unsigned i, e;

	report_prefix_push("PAT");
	if (!this_cpu_has(X86_FEATURE_PAT)) {
		report_skip("no PAT: %s clear", X86_FEATURE_PAT.name);
		report_prefix_pop();
		return;
	}
	orig = rdmsr(MSR_IA32_CR_PAT);
	report(orig == PAT_RESET, "IA32_PAT after reset (got %#llx, want "
	       "%#llx)", (unsigned long long)orig,
	       (unsigned long long)PAT_RESET);

	for (i = 0; i < ARRAY_SIZE(patterns); i++)
		check_round_trip(&b, "IA32_PAT", MSR_IA32_CR_PAT, patterns[i]);
	wrmsr(MSR_IA32_CR_PAT, orig);
	got = rdmsr(MSR_IA32_CR_PAT);
	batch_check(&b, got == orig, "restore: read %#llx, want %#llx",
		    (unsigned long long)got, (unsigned long long)orig);
	batch_report(&b, "valid types UC, WC, WT, WP, WB, UC- read back");

	/* 13.12.2: types 2 and 3 are reserved, and so are bits 7:3 of each
	 * entry. */
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		memset(&b, 0, sizeof(b));
		for (e = 0; e < 8; e++) {
			val = orig & ~(PAT_ENTRY_MASK << (8 * e));
			val |= (u64)bad[i] << (8 * e);
			check_gp(&b, "IA32_PAT", MSR_IA32_CR_PAT, val, orig);
		}
		report(!b.bad, "entry value %#x in any of the 8 entries raises "
		       "#GP(0) (%u of %u wrong; first: %s)", bad[i], b.bad,
		       b.total, b.bad ? b.first : "none");
	}
	wrmsr(MSR_IA32_CR_PAT, orig);
	report_prefix_pop();
}

int main(void)
{
	report_prefix_push("mtrr");
	test_mtrr();
	test_pat();
	return report_summary();
}
