/*
 * Protected-mode segmentation checks the CPU makes, and KVM's instruction
 * emulator must make the same way on the paths it emulates:
 *  - LAR, LSL, VERR and VERW on code, data and system descriptors, a null
 *    selector and one past the GDT limit, with RPL and CPL against DPL
 *    (SDM vol 2A, LAR and LSL; vol 2B, VERR/VERW): ZF, the access rights
 *    (second descriptor dword masked with 00FxFF00H) and the limit, scaled
 *    to bytes when G is set (vol 3, 3.4.5);
 *  - loading a data segment register (SDM vol 2B, MOV "Protected Mode
 *    Exceptions"; vol 3, 5.6): not present gives #NP(selector), an
 *    execute-only code segment or a system descriptor #GP(selector), RPL or
 *    CPL above DPL #GP(selector); SS must be a writable data segment; a
 *    null selector into SS at CPL 0 raises #GP(0) outside 64-bit mode and
 *    is allowed in 64-bit mode (vol 2B, MOV, "64-Bit Mode Exceptions");
 *  - limit checks (vol 3, 5.3): expand-up and expand-down data segments in
 *    32-bit mode, #GP(0) through DS/ES and #SS(0) through SS; in 64-bit mode
 *    the base and limit of DS/ES/SS are not used (vol 3, 3.2.4 and 5.3.1);
 *  - a far CALL and a far JMP through a call gate (vol 3, 5.8.3 and 5.8.4;
 *    16-byte gates in IA-32e mode, 5.8.3.1).
 *
 * The test runs on its own copy of the GDT with room for its descriptors
 * (slots from TEST_SEL_BASE on), and puts the original back at the end.
 * GS is never loaded: it holds the per-CPU data (percpu.h).
 */
#include "libcflat.h"
#include "x86/desc.h"
#include "x86/layout.h"
#include "x86/processor.h"
#include "x86/usermode.h"

/* Descriptor access byte (bits 47:40) and flags nibble (bits 55:52), SDM
 * vol 3, 3.4.5 (figure 3-8) and table 3-1 for the types. */
#define ACC_P		0x80
#define ACC_DPL(n)	((n) << 5)
#define ACC_S		0x10	/* code or data */
#define ACC_A		0x01	/* accessed: preset so loads do not change it */
#define TYPE_DATA_RO	0x0
#define TYPE_DATA_RW	0x2
#define TYPE_DATA_RW_DOWN 0x6
#define TYPE_CODE_XO	0x8
#define TYPE_CODE_XR	0xa
#define TYPE_CODE_XR_CONF 0xe
#define SYS_TYPE_RESERVED 0x0	/* table 3-2: reserved in both modes */
#define SYS_TYPE_CALL_GATE 0xc	/* 32-bit, or 64-bit in IA-32e mode */
#define FLG_G		0x8
#define FLG_DB		0x4
#define FLG_AVL		0x1

/* LAR: the second descriptor dword masked with 00FxFF00H, bits 19:16
 * (x) undefined (SDM vol 2A, LAR). */
#define LAR_MASK	0x00f0ff00u

#define RPL3		3

/* The test's GDT: the boot GDT's slots, then its own. */
#define GDT_SLOTS	32
#define TEST_SEL_BASE	0x80
#define SEL_DATA	(TEST_SEL_BASE + 0x00)
#define SEL_DATA_G	(TEST_SEL_BASE + 0x08)
#define SEL_DATA_DPL3	(TEST_SEL_BASE + 0x10)
#define SEL_DATA_RO	(TEST_SEL_BASE + 0x18)
#define SEL_CODE_XO	(TEST_SEL_BASE + 0x20)
#define SEL_CODE_XR	(TEST_SEL_BASE + 0x28)
#define SEL_CODE_CONF	(TEST_SEL_BASE + 0x30)
#define SEL_NOT_PRESENT	(TEST_SEL_BASE + 0x38)
#define SEL_SYS_RESERVED (TEST_SEL_BASE + 0x40)
#define SEL_LIMITED	(TEST_SEL_BASE + 0x48)
#define SEL_EXPAND_DOWN	(TEST_SEL_BASE + 0x50)
#define SEL_SS_DOWN	(TEST_SEL_BASE + 0x58)
#define SEL_SS_SMALL	(TEST_SEL_BASE + 0x60)
#define SEL_GATE	(TEST_SEL_BASE + 0x68)	/* 16 bytes in IA-32e mode */
#define SEL_PAST_LIMIT	(GDT_SLOTS * 8)

/* Limits given to the test descriptors (20-bit field). */
#define LIMIT_DATA	0x12345		/* byte granular */
#define LIMIT_DATA_G	0x00012		/* 4-KByte units: 0x12fff bytes */
#define LIMIT_DATA_G_BYTES 0x12fffu
#define LIMIT_FLAT	0xfffff
#define LIMIT_SMALL	0xf		/* SEL_LIMITED: bytes 0..15 */
#define EXPAND_DOWN_LIMIT 0x1fff	/* SEL_EXPAND_DOWN: 0x2000 and up */

#define GATE_MAGIC	0x6a7e6a7e

struct dtr {
	u16 limit;
	unsigned long base;
} __attribute__((packed));

static u64 gdt[GDT_SLOTS] __aligned(16);
static struct dtr boot_gdtr;
static u32 probe[4] __aligned(16) = { 0x11111111, 0x22222222, 0x33333333,
				      0x44444444 };

static u64 seg_desc(u32 base, u32 limit, u8 access, u8 flags)
{
	return (limit & 0xffff) | ((u64)(base & 0xffffff) << 16) |
	       ((u64)access << 40) | ((u64)((limit >> 16) & 0xf) << 48) |
	       ((u64)(flags & 0xf) << 52) | ((u64)(base >> 24) << 56);
}

/* What LAR should return for a descriptor built by seg_desc(). */
static u32 lar_want(u8 access, u8 flags)
{
	return ((u32)access << 8) | ((u32)flags << 20);
}

extern char gate_call_target[], gate_jmp_target[];

/* A call gate to KERNEL_CS:@target, DPL @dpl (SDM vol 3, 5.8.3, figure
 * 5-8; in IA-32e mode the second 8 bytes hold offset 63:32 and a zero
 * type field, figure 5-9). */
static void set_call_gate(u16 sel, void *target, unsigned dpl)
{
	u64 off = (uintptr_t)target;

	gdt[sel / 8] = (off & 0xffff) | ((u64)KERNEL_CS << 16) |
		       ((u64)(ACC_P | ACC_DPL(dpl) | SYS_TYPE_CALL_GATE) << 40) |
		       (((off >> 16) & 0xffff) << 48);
#ifdef __x86_64__
	gdt[sel / 8 + 1] = off >> 32;
#endif
}

/* Limit, in 4-KByte units, of an expand-up segment that covers the stack
 * in use with SS_SMALL_SLACK bytes to spare and not much more. */
#define SS_SMALL_SLACK	0x100000
static u32 ss_small_limit_pages(void)
{
	unsigned long sp;

	asm volatile("mov " ASM_SP ", %0" : "=r"(sp));
	return (u32)((sp + SS_SMALL_SLACK) >> 12);
}

static void gdt_setup(void)
{
	struct dtr d;
	u32 down_base = (u32)(uintptr_t)probe - (EXPAND_DOWN_LIMIT + 1);

	asm volatile("sgdt %0" : "=m"(boot_gdtr));
	assert(boot_gdtr.limit < TEST_SEL_BASE);
	memset(gdt, 0, sizeof(gdt));
	memcpy(gdt, (void *)boot_gdtr.base, boot_gdtr.limit + 1);

	gdt[SEL_DATA / 8] = seg_desc(0, LIMIT_DATA,
		ACC_P | ACC_S | TYPE_DATA_RW | ACC_A, FLG_DB | FLG_AVL);
	gdt[SEL_DATA_G / 8] = seg_desc(0, LIMIT_DATA_G,
		ACC_P | ACC_S | TYPE_DATA_RW | ACC_A, FLG_G | FLG_DB);
	gdt[SEL_DATA_DPL3 / 8] = seg_desc(0, LIMIT_FLAT,
		ACC_P | ACC_DPL(3) | ACC_S | TYPE_DATA_RW | ACC_A,
		FLG_G | FLG_DB);
	gdt[SEL_DATA_RO / 8] = seg_desc(0, LIMIT_FLAT,
		ACC_P | ACC_S | TYPE_DATA_RO | ACC_A, FLG_G | FLG_DB);
	gdt[SEL_CODE_XO / 8] = seg_desc(0, LIMIT_FLAT,
		ACC_P | ACC_S | TYPE_CODE_XO | ACC_A, FLG_G | FLG_DB);
	gdt[SEL_CODE_XR / 8] = seg_desc(0, LIMIT_FLAT,
		ACC_P | ACC_S | TYPE_CODE_XR | ACC_A, FLG_G | FLG_DB);
	gdt[SEL_CODE_CONF / 8] = seg_desc(0, LIMIT_FLAT,
		ACC_P | ACC_S | TYPE_CODE_XR_CONF | ACC_A, FLG_G | FLG_DB);
	gdt[SEL_NOT_PRESENT / 8] = seg_desc(0, LIMIT_FLAT,
		ACC_S | TYPE_DATA_RW | ACC_A, FLG_G | FLG_DB);
	gdt[SEL_SYS_RESERVED / 8] = seg_desc(0, LIMIT_FLAT,
		ACC_P | SYS_TYPE_RESERVED, 0);
	gdt[SEL_LIMITED / 8] = seg_desc((uintptr_t)probe, LIMIT_SMALL,
		ACC_P | ACC_S | TYPE_DATA_RW | ACC_A, FLG_DB);
	gdt[SEL_EXPAND_DOWN / 8] = seg_desc(down_base, EXPAND_DOWN_LIMIT,
		ACC_P | ACC_S | TYPE_DATA_RW_DOWN | ACC_A, FLG_DB);
	/* Stack segments keep base 0 and cover the stack in use: an
	 * exception taken while one is loaded pushes through it. */
	gdt[SEL_SS_DOWN / 8] = seg_desc(0, EXPAND_DOWN_LIMIT,
		ACC_P | ACC_S | TYPE_DATA_RW_DOWN | ACC_A, FLG_DB);
	gdt[SEL_SS_SMALL / 8] = seg_desc(0, ss_small_limit_pages(),
		ACC_P | ACC_S | TYPE_DATA_RW | ACC_A, FLG_G | FLG_DB);
	set_call_gate(SEL_GATE, gate_call_target, 0);

	d.limit = sizeof(gdt) - 1;
	d.base = (uintptr_t)gdt;
	asm volatile("lgdt %0" :: "m"(d) : "memory");
}

static void gdt_restore(void)
{
	asm volatile("lgdt %0" :: "m"(boot_gdtr) : "memory");
}

/* ---- LAR, LSL, VERR, VERW ---- */

static bool lar(u16 sel, u32 *ar)
{
	u32 v = 0;
	u8 zf;

	asm volatile("lar %w2, %0; setz %1"
		     : "+r"(v), "=qm"(zf) : "r"((u32)sel) : "cc");
	*ar = v;
	return zf;
}

static bool lsl(u16 sel, u32 *limit)
{
	u32 v = 0;
	u8 zf;

	asm volatile("lsl %w2, %0; setz %1"
		     : "+r"(v), "=qm"(zf) : "r"((u32)sel) : "cc");
	*limit = v;
	return zf;
}

static bool verr(u16 sel)
{
	u8 zf;

	asm volatile("verr %w1; setz %0" : "=qm"(zf) : "r"((u32)sel) : "cc");
	return zf;
}

static bool verw(u16 sel)
{
	u8 zf;

	asm volatile("verw %w1; setz %0" : "=qm"(zf) : "r"((u32)sel) : "cc");
	return zf;
}

struct lar_case {
	const char *name;
	u16 sel;
	bool ok;	/* want ZF */
	u32 ar;		/* want, when ok */
};

static void test_lar(void)
{
	const struct lar_case cases[] = {
		{ "data, byte granular", SEL_DATA, true,
		  lar_want(ACC_P | ACC_S | TYPE_DATA_RW | ACC_A,
			   FLG_DB | FLG_AVL) },
		{ "data, G=1", SEL_DATA_G, true,
		  lar_want(ACC_P | ACC_S | TYPE_DATA_RW | ACC_A,
			   FLG_G | FLG_DB) },
		{ "execute-only code", SEL_CODE_XO, true,
		  lar_want(ACC_P | ACC_S | TYPE_CODE_XO | ACC_A,
			   FLG_G | FLG_DB) },
		{ "not-present data (P is not checked)", SEL_NOT_PRESENT, true,
		  lar_want(ACC_S | TYPE_DATA_RW | ACC_A, FLG_G | FLG_DB) },
		/* bits 23:20 of a gate are offset bits 23:20 */
		{ "call gate", SEL_GATE, true,
		  lar_want(ACC_P | SYS_TYPE_CALL_GATE, 0) |
		  ((u32)(uintptr_t)gate_call_target & 0x00f00000) },
		{ "reserved system type 0", SEL_SYS_RESERVED, false, 0 },
		{ "null selector", 0, false, 0 },
		{ "selector past the GDT limit", SEL_PAST_LIMIT, false, 0 },
		{ "RPL 3 on DPL 0 data", SEL_DATA | RPL3, false, 0 },
		{ "RPL 3 on DPL 3 data", SEL_DATA_DPL3 | RPL3, true,
		  lar_want(ACC_P | ACC_DPL(3) | ACC_S | TYPE_DATA_RW | ACC_A,
			   FLG_G | FLG_DB) },
		{ "RPL 3 on DPL 0 conforming code (no privilege check)",
		  SEL_CODE_CONF | RPL3, true,
		  lar_want(ACC_P | ACC_S | TYPE_CODE_XR_CONF | ACC_A,
			   FLG_G | FLG_DB) },
	};
	unsigned i;

	report_prefix_push("LAR");
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct lar_case *c = &cases[i];
		u32 ar;
		bool zf = lar(c->sel, &ar);

		if (!c->ok) {
			report(!zf, "%s (%#x): ZF %d (want 0)", c->name,
			       c->sel, zf);
			continue;
		}
		report(zf && (ar & LAR_MASK) == c->ar, "%s (%#x): ZF %d, "
		       "rights %#x (want ZF 1, %#x)", c->name, c->sel, zf,
		       ar & LAR_MASK, c->ar);
	}

	/* the TSS descriptor lib/x86/desc.c loaded: busy TSS, type 0xb */
	{
		u32 ar;
		bool zf = lar(TSS_SEL, &ar);

		report(zf && ((ar >> 8) & 0x9f) == (ACC_P | 0xb), "busy TSS "
		       "(%#x): ZF %d, P/S/type %#x (want ZF 1, %#x)", TSS_SEL,
		       zf, (ar >> 8) & 0x9f, ACC_P | 0xb);
	}
	report_prefix_pop();
}

static void test_lsl(void)
{
	const struct {
		const char *name;
		u16 sel;
		bool ok;
		u32 limit;
	} cases[] = {
		{ "data, byte granular", SEL_DATA, true, LIMIT_DATA },
		{ "data, G=1 (limit * 4K + 0xfff)", SEL_DATA_G, true,
		  LIMIT_DATA_G_BYTES },
		{ "flat data, G=1", SEL_DATA_RO, true, 0xffffffffu },
		{ "TSS", TSS_SEL, true, 0x67 },
		{ "call gate (no limit)", SEL_GATE, false, 0 },
		{ "null selector", 0, false, 0 },
		{ "selector past the GDT limit", SEL_PAST_LIMIT, false, 0 },
		{ "RPL 3 on DPL 0 data", SEL_DATA | RPL3, false, 0 },
	};
	unsigned i;

	report_prefix_push("LSL");
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		u32 limit;
		bool zf = lsl(cases[i].sel, &limit);

		if (!cases[i].ok)
			report(!zf, "%s (%#x): ZF %d (want 0)", cases[i].name,
			       cases[i].sel, zf);
		else
			report(zf && limit == cases[i].limit, "%s (%#x): ZF "
			       "%d, limit %#x (want ZF 1, %#x)", cases[i].name,
			       cases[i].sel, zf, limit, cases[i].limit);
	}
	report_prefix_pop();
}

static void test_verr_verw(void)
{
	const struct {
		const char *name;
		u16 sel;
		bool r, w;
	} cases[] = {
		{ "read/write data", SEL_DATA, true, true },
		{ "read-only data", SEL_DATA_RO, true, false },
		{ "execute-only code", SEL_CODE_XO, false, false },
		{ "readable code", SEL_CODE_XR, true, false },
		{ "system descriptor (TSS)", TSS_SEL, false, false },
		{ "null selector", 0, false, false },
		{ "selector past the GDT limit", SEL_PAST_LIMIT, false, false },
		{ "RPL 3 on DPL 0 data", SEL_DATA | RPL3, false, false },
		{ "RPL 3 on DPL 3 data", SEL_DATA_DPL3 | RPL3, true, true },
		{ "RPL 3 on DPL 0 conforming readable code",
		  SEL_CODE_CONF | RPL3, true, false },
	};
	unsigned i;

	report_prefix_push("VERR/VERW");
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		bool r = verr(cases[i].sel), w = verw(cases[i].sel);

		report(r == cases[i].r && w == cases[i].w, "%s (%#x): VERR ZF "
		       "%d, VERW ZF %d (want %d, %d)", cases[i].name,
		       cases[i].sel, r, w, cases[i].r, cases[i].w);
	}
	report_prefix_pop();
}

/* ---- loading segment registers, SDM vol 2B, MOV; vol 3, 5.6 ---- */

enum sreg { SREG_DS, SREG_ES, SREG_FS, SREG_SS };
static const char *const sreg_name[] = { "DS", "ES", "FS", "SS" };

/*
 * Load @sel into @r under an exception fixup and put the register's old
 * value back right after, success or not: the test runs on flat segments
 * and must not leave a test selector behind (SS most of all).
 */
static int load_sreg(enum sreg r, u16 sel)
{
	u32 v = sel, old;

	switch (r) {
	case SREG_DS:
		asm volatile("mov %%ds, %0\n\t" EX_FIXUP_BEGIN
			     "1: mov %1, %%ds\n\t2:\n\t" EX_FIXUP_END
			     "mov %0, %%ds"
			     : "=&r"(old) : "r"(v) : "memory");
		break;
	case SREG_ES:
		asm volatile("mov %%es, %0\n\t" EX_FIXUP_BEGIN
			     "1: mov %1, %%es\n\t2:\n\t" EX_FIXUP_END
			     "mov %0, %%es"
			     : "=&r"(old) : "r"(v) : "memory");
		break;
	case SREG_FS:
		asm volatile("mov %%fs, %0\n\t" EX_FIXUP_BEGIN
			     "1: mov %1, %%fs\n\t2:\n\t" EX_FIXUP_END
			     "mov %0, %%fs"
			     : "=&r"(old) : "r"(v) : "memory");
		break;
	case SREG_SS:
		asm volatile("mov %%ss, %0\n\t" EX_FIXUP_BEGIN
			     "1: mov %1, %%ss\n\t2:\n\t" EX_FIXUP_END
			     "mov %0, %%ss"
			     : "=&r"(old) : "r"(v) : "memory");
		break;
	}
	return exception_vector();
}

static const char *vecname(int vec)
{
	return vec < 0 ? "nothing" : exception_mnemonic(vec);
}

static void check_load(enum sreg r, u16 sel, const char *what, int want_vec,
		       u32 want_err)
{
	int vec = load_sreg(r, sel);
	u32 err = vec < 0 ? 0 : (u32)exception_error_code();

	if (want_vec < 0)
		report(vec < 0, "%s <- %s (%#x): raised %s (want nothing)",
		       sreg_name[r], what, sel, vecname(vec));
	else
		report(vec == want_vec && err == want_err, "%s <- %s (%#x): "
		       "raised %s(%#x) (want %s(%#x))", sreg_name[r], what,
		       sel, vecname(vec), err, vecname(want_vec), want_err);
}

static void test_loads(void)
{
	enum sreg r;

	report_prefix_push("load");
	for (r = SREG_DS; r <= SREG_FS; r++) {
		check_load(r, SEL_NOT_PRESENT, "not-present data", NP_VECTOR,
			   SEL_NOT_PRESENT);
		check_load(r, SEL_CODE_XO, "execute-only code", GP_VECTOR,
			   SEL_CODE_XO);
		check_load(r, TSS_SEL, "TSS (system) descriptor", GP_VECTOR,
			   TSS_SEL);
		check_load(r, SEL_DATA | RPL3, "DPL 0 data with RPL 3",
			   GP_VECTOR, SEL_DATA);
		check_load(r, SEL_PAST_LIMIT, "selector past the GDT limit",
			   GP_VECTOR, SEL_PAST_LIMIT);
		check_load(r, SEL_CODE_XR, "readable code", -1, 0);
		check_load(r, SEL_DATA_RO, "read-only data", -1, 0);
		check_load(r, 0, "null selector", -1, 0);
	}

	/* SS: a writable data segment with DPL = RPL = CPL only (SDM vol
	 * 2B, MOV); a not-present one is #SS(selector). */
	check_load(SREG_SS, SEL_DATA_RO, "read-only data", GP_VECTOR,
		   SEL_DATA_RO);
	check_load(SREG_SS, SEL_CODE_XR, "readable code", GP_VECTOR,
		   SEL_CODE_XR);
	check_load(SREG_SS, SEL_DATA_DPL3 | RPL3, "DPL 3 data at CPL 0",
		   GP_VECTOR, SEL_DATA_DPL3);
	check_load(SREG_SS, SEL_NOT_PRESENT, "not-present data", SS_VECTOR,
		   SEL_NOT_PRESENT);
	check_load(SREG_SS, SEL_DATA, "writable data", -1, 0);
#ifdef __x86_64__
	/* 64-bit mode: a null SS is allowed at CPL 0..2 with RPL = CPL
	 * (SDM vol 2B, MOV, 64-Bit Mode Exceptions; vol 3, 5.4.1.1). */
	check_load(SREG_SS, 0, "null selector at CPL 0 in 64-bit mode", -1, 0);
#else
	check_load(SREG_SS, 0, "null selector at CPL 0", GP_VECTOR, 0);
#endif
	report_prefix_pop();
}

/* ---- limit checks, SDM vol 3, 5.3 ---- */

/* Read a dword at @off through @r with @sel loaded; restore @r. */
static int read_through(enum sreg r, u16 sel, unsigned long off, u32 *val)
{
	u32 v = 0, s = sel, old;

	switch (r) {
	case SREG_ES:
		asm volatile("mov %%es, %1\n\t"
			     "mov %3, %%es\n\t" EX_FIXUP_BEGIN
			     "1: mov %%es:(%2), %0\n\t2:\n\t" EX_FIXUP_END
			     "mov %1, %%es"
			     : "+r"(v), "=&r"(old) : "r"(off), "r"(s)
			     : "memory");
		break;
	case SREG_SS:
		asm volatile("mov %%ss, %1\n\t"
			     "mov %3, %%ss\n\t" EX_FIXUP_BEGIN
			     "1: mov %%ss:(%2), %0\n\t2:\n\t" EX_FIXUP_END
			     "mov %1, %%ss"
			     : "+r"(v), "=&r"(old) : "r"(off), "r"(s)
			     : "memory");
		break;
	default:
		assert(0);
	}
	*val = v;
	return exception_vector();
}

#ifdef __x86_64__
static void test_limits(void)
{
	u32 v;
	int vec;

	/* In 64-bit mode the base and limit of ES and SS are not used (SDM
	 * vol 3, 3.2.4 and 5.3.1): SEL_LIMITED (base probe, limit 15) and
	 * SEL_DATA (base 0, limit LIMIT_DATA) both read probe[] at its
	 * flat address. */
	report_prefix_push("limit");
	vec = read_through(SREG_ES, SEL_LIMITED, (uintptr_t)&probe[2], &v);
	report(vec < 0 && v == probe[2], "64-bit mode: ES base %#lx ignored: "
	       "raised %s, read %#x (want nothing, %#x)",
	       (unsigned long)(uintptr_t)probe, vecname(vec), v, probe[2]);
	vec = read_through(SREG_ES, SEL_DATA, (uintptr_t)&probe[2], &v);
	report(vec < 0 && v == probe[2], "64-bit mode: ES limit %#x ignored "
	       "at offset %#lx: raised %s, read %#x (want nothing, %#x)",
	       LIMIT_DATA, (unsigned long)(uintptr_t)&probe[2], vecname(vec),
	       v, probe[2]);
	vec = read_through(SREG_SS, SEL_DATA, (uintptr_t)&probe[3], &v);
	report(vec < 0 && v == probe[3], "64-bit mode: SS limit %#x "
	       "ignored at offset %#lx: raised %s, read %#x (want nothing, "
	       "%#x)", LIMIT_DATA, (unsigned long)(uintptr_t)&probe[3],
	       vecname(vec), v, probe[3]);
	report_prefix_pop();
}
#else
static void check_read(enum sreg r, u16 sel, const char *what,
		       unsigned long off, int want_vec, u32 want_val)
{
	u32 v;
	int vec = read_through(r, sel, off, &v);
	u32 err = vec < 0 ? 0 : (u32)exception_error_code();

	if (want_vec < 0)
		report(vec < 0 && v == want_val, "%s: %s:%#lx: raised %s, "
		       "read %#x (want nothing, %#x)", what, sreg_name[r],
		       off, vecname(vec), v, want_val);
	else
		report(vec == want_vec && err == 0, "%s: %s:%#lx: raised "
		       "%s(%#x) (want %s(0))", what, sreg_name[r], off,
		       vecname(vec), err, vecname(want_vec));
}

static void test_limits(void)
{
	/* Expand-down, B = 1: valid offsets are limit + 1 .. 0xffffffff
	 * (SDM vol 3, 5.3); the base puts offset limit + 1 at probe[0]. */
	const unsigned long lo = EXPAND_DOWN_LIMIT + 1;
	u64 d = gdt[SEL_SS_SMALL / 8];
	unsigned long ss_small_end = (((d & 0xffff) | ((d >> 32) & 0xf0000))
				      + 1) << 12;

	report_prefix_push("limit");
	/* expand-up, limit 15, base probe */
	check_read(SREG_ES, SEL_LIMITED, "expand-up", 12, -1, probe[3]);
	check_read(SREG_ES, SEL_LIMITED, "expand-up, dword across the limit",
		   13, GP_VECTOR, 0);
	check_read(SREG_ES, SEL_LIMITED, "expand-up, past the limit", 16,
		   GP_VECTOR, 0);
	check_read(SREG_SS, SEL_SS_SMALL, "expand-up, past the limit",
		   ss_small_end, SS_VECTOR, 0);

	check_read(SREG_ES, SEL_EXPAND_DOWN, "expand-down, above the limit",
		   lo, -1, probe[0]);
	check_read(SREG_ES, SEL_EXPAND_DOWN, "expand-down, above the limit",
		   lo + 8, -1, probe[2]);
	check_read(SREG_ES, SEL_EXPAND_DOWN, "expand-down, at the limit",
		   lo - 1, GP_VECTOR, 0);
	check_read(SREG_ES, SEL_EXPAND_DOWN, "expand-down, dword across "
		   "the limit", lo - 2, GP_VECTOR, 0);
	check_read(SREG_ES, SEL_EXPAND_DOWN, "expand-down, offset 0", 0,
		   GP_VECTOR, 0);
	check_read(SREG_SS, SEL_SS_DOWN, "expand-down, above the limit",
		   (uintptr_t)&probe[1], -1, probe[1]);
	check_read(SREG_SS, SEL_SS_DOWN, "expand-down, below the limit",
		   lo - 4, SS_VECTOR, 0);
	report_prefix_pop();
}
#endif

/* ---- call gate, SDM vol 3, 5.8 ---- */

/*
 * The gate's target: returns GATE_MAGIC in EAX and the CS it runs on in
 * EDX. A far CALL through a gate to the same privilege level pushes CS
 * and (E/R)IP like a direct far CALL (SDM vol 2A, CALL, "CALL-GATE");
 * through a 64-bit gate they are 8 bytes each (vol 3, 5.8.3.1), hence
 * LRETQ.
 */
#ifdef __x86_64__
#define LRET	"lretq"
#else
#define LRET	"lret"
#endif
asm(".text\n"
    ".globl gate_call_target\n"
    "gate_call_target:\n\t"
    "mov $" __stringify_x86(GATE_MAGIC) ", %eax\n\t"
    "mov %cs, %edx\n\t"
    LRET "\n\t"
    ".globl gate_jmp_target\n"
    "gate_jmp_target:\n\t"
    "mov $" __stringify_x86(GATE_MAGIC) ", %eax\n\t"
    "mov %cs, %edx\n\t"
    "jmp gate_jmp_back\n");

struct far_ptr {
	u32 offset;	/* ignored for a gate (SDM vol 2A, CALL) */
	u16 sel;
} __attribute__((packed));

static __attribute__((noinline)) void test_call_gate(void)
{
	struct far_ptr fp = { 0, SEL_GATE };
	u32 a = 0, d = 0;

	report_prefix_push("call gate");
	asm volatile("lcall *%2" : "+a"(a), "+d"(d) : "m"(fp) : "memory");
	report(a == GATE_MAGIC && (d & 0xffff) == KERNEL_CS, "far CALL "
	       "through a DPL 0 gate at CPL 0: target ran with EAX %#x, CS "
	       "%#x (want %#x, %#x)", a, d & 0xffff, GATE_MAGIC, KERNEL_CS);

	set_call_gate(SEL_GATE, gate_jmp_target, 0);
	a = d = 0;
	asm volatile("ljmp *%2\n"
		     ".globl gate_jmp_back\n"
		     "gate_jmp_back:"
		     : "+a"(a), "+d"(d) : "m"(fp) : "memory");
	report(a == GATE_MAGIC && (d & 0xffff) == KERNEL_CS, "far JMP "
	       "through a DPL 0 gate at CPL 0: target ran with EAX %#x, CS "
	       "%#x (want %#x, %#x)", a, d & 0xffff, GATE_MAGIC, KERNEL_CS);
	set_call_gate(SEL_GATE, gate_call_target, 0);
	report_prefix_pop();
}

/* ---- CPL 3 ---- */

struct user_view {
	bool lar_dpl0, lar_dpl3, lar_conf, verr_code_dpl0, verr_conf;
	int done;
};

static struct user_view uv;

/* At CPL 3 (no printing): the checks' results, then a load that must
 * fault and end the call. */
static void user_checks(void *arg)
{
	u32 ar;
	u16 s = SEL_DATA | RPL3;

	(void)arg;
	uv.lar_dpl0 = lar(SEL_DATA | RPL3, &ar);
	uv.lar_dpl3 = lar(SEL_DATA_DPL3 | RPL3, &ar);
	uv.lar_conf = lar(SEL_CODE_CONF | RPL3, &ar);
	uv.verr_code_dpl0 = verr(SEL_CODE_XR | RPL3);
	uv.verr_conf = verr(SEL_CODE_CONF | RPL3);
	uv.done = 1;
	asm volatile("mov %0, %%es" :: "r"((u32)s) : "memory");
	uv.done = 2;
}

static void test_cpl3(void)
{
	struct ex_result res;

	report_prefix_push("CPL 3");
	memset(&uv, 0, sizeof(uv));
	res = run_in_usermode(user_checks, NULL);
	report(uv.done >= 1, "ring 3 code ran (want it to)");
	report(!uv.lar_dpl0, "LAR on DPL 0 data: ZF %d (want 0: CPL > DPL)",
	       uv.lar_dpl0);
	report(uv.lar_dpl3, "LAR on DPL 3 data: ZF %d (want 1)", uv.lar_dpl3);
	report(uv.lar_conf, "LAR on DPL 0 conforming code: ZF %d (want 1: "
	       "no privilege check)", uv.lar_conf);
	report(!uv.verr_code_dpl0, "VERR on DPL 0 readable code: ZF %d "
	       "(want 0)", uv.verr_code_dpl0);
	report(uv.verr_conf, "VERR on DPL 0 conforming readable code: ZF %d "
	       "(want 1)", uv.verr_conf);
	report(res.raised && res.vector == GP_VECTOR &&
	       res.error_code == SEL_DATA, "ES <- DPL 0 data at CPL 3: raised "
	       "%s(%#llx) (want #GP(%#x))",
	       res.raised ? exception_mnemonic(res.vector) : "nothing",
	       (unsigned long long)res.error_code, SEL_DATA);
	report_prefix_pop();
}

int main(void)
{
	report_prefix_push("segments");
	gdt_setup();
	test_lar();
	test_lsl();
	test_verr_verw();
	test_loads();
	test_limits();
	test_call_gate();
	test_cpl3();
	gdt_restore();
	return report_summary();
}
