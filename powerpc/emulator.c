/*
 * Instructions a hypervisor or the hardware may have to assist with:
 * string and multiple loads/stores (Power ISA v3.0B Book I, "Load/Store
 * Multiple" and "Move Assist": they run big-endian and raise an alignment
 * interrupt in little-endian mode), unaligned and byte-reversed loads and
 * stores, mcrxrx, and mcrxr (no longer in the ISA: it must either do what
 * it did in POWER, or be an illegal instruction).
 */
#include "libcflat.h"
#include "powerpc/exceptions.h"
#include "powerpc/processor.h"

#define LITTLE		(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__)

/* XER bits, Book I "Fixed-Point Exception Register" (bit 32 = 1 << 31) */
#define XER_SO		(1UL << 31)
#define XER_OV		(1UL << 30)
#define XER_CA		(1UL << 29)
#define XER_OV32	(1UL << 19)
#define XER_CA32	(1UL << 18)

/*
 * Encoded by hand: the assembler refuses these in a little-endian build,
 * which is exactly where we want to see them raise the interrupt. X-form
 * opcode 31 (Book I, Move Assist) and D-form 46/47 (Load/Store Multiple).
 */
#define X_FORM(xo, rt, ra, rb)	"(31 << 26) | (" #rt " << 21) | (" #ra " << 16) | (" #rb " << 11) | (" #xo " << 1)"
#define LSWI(rt, ra, nb)	".long " X_FORM(597, rt, ra, nb)
#define LSWX(rt, ra, rb)	".long " X_FORM(533, rt, ra, rb)
#define STSWI(rs, ra, nb)	".long " X_FORM(725, rs, ra, nb)
#define STSWX(rs, ra, rb)	".long " X_FORM(661, rs, ra, rb)
#define LMW(rt, ra)		".long (46 << 26) | (" #rt " << 21) | (" #ra " << 16)"
#define STMW(rs, ra)		".long (47 << 26) | (" #rs " << 21) | (" #ra " << 16)"

static u8 src[32] __aligned(16);
static u8 dst[32] __aligned(16);

static void fill(void)
{
	for (int i = 0; i < 32; i++)
		src[i] = (u8)(0x11 * (i + 1));
	memset(dst, 0, sizeof(dst));
}

/* The big-endian word of bytes @p[0..n-1], zero-padded on the right. */
static u64 be_word(const u8 *p, int n)
{
	u64 v = 0;

	for (int i = 0; i < 4; i++)
		v = (v << 8) | (i < n ? p[i] : 0);
	return v;
}

static u64 lswi_out[3];

static void do_lswi(void *arg)
{
	(void)arg;
	__asm__ __volatile__(
		LSWI(8, %3, 10) "\n"
		"std	8, 0(%0)\n\tstd 9, 8(%0)\n\tstd 10, 16(%0)"
		: : "b"(lswi_out), "m"(src), "m"(lswi_out), "b"(src)
		: "r8", "r9", "r10", "memory");
}

static void do_lswx(void *arg)
{
	(void)arg;
	/* the byte count comes from XER[57:63] */
	__asm__ __volatile__(
		"mtxer	%2\n"
		LSWX(8, 0, %1) "\n"
		"std	8, 0(%0)\n\tstd 9, 8(%0)\n\tstd 10, 16(%0)"
		: : "b"(lswi_out), "b"(src), "r"(10UL)
		: "r8", "r9", "r10", "xer", "memory");
}

static void do_stswx(void *arg)
{
	(void)arg;
	__asm__ __volatile__(
		"ld	8, 0(%0)\n\tld 9, 8(%0)\n\tld 10, 16(%0)\n"
		"mtxer	%2\n"
		STSWX(8, 0, %1)
		: : "b"(lswi_out), "b"(dst), "r"(10UL)
		: "r8", "r9", "r10", "xer", "memory");
}

static void do_stswi(void *arg)
{
	(void)arg;
	__asm__ __volatile__(
		"ld	8, 0(%0)\n\tld 9, 8(%0)\n\tld 10, 16(%0)\n"
		STSWI(8, %1, 10)
		: : "b"(lswi_out), "b"(dst)
		: "r8", "r9", "r10", "memory");
}

static u64 lmw_out[3];

static void do_lmw(void *arg)
{
	(void)arg;
	__asm__ __volatile__(
		LMW(29, %1) "\n"
		"std	29, 0(%0)\n\tstd 30, 8(%0)\n\tstd 31, 16(%0)"
		: : "b"(lmw_out), "b"(src)
		: "r29", "r30", "r31", "memory");
}

static void do_stmw(void *arg)
{
	(void)arg;
	__asm__ __volatile__(
		"ld	29, 0(%0)\n\tld 30, 8(%0)\n\tld 31, 16(%0)\n"
		STMW(29, %1)
		: : "b"(lmw_out), "b"(dst)
		: "r29", "r30", "r31", "memory");
}

static void string_or_alignment(const char *what, void (*fn)(void *),
				bool (*ok)(void))
{
	struct pt_regs regs;
	int vec = run_catching(fn, NULL, &regs);

	if (LITTLE)
		report(vec == VEC_ALIGNMENT, "%s in little-endian mode: "
		       "alignment interrupt (vector %#x, want %#x)", what, vec,
		       VEC_ALIGNMENT);
	else
		report(!vec && ok(), "%s in big-endian mode: runs (vector %#x) "
		       "and moves the right bytes", what, vec);
}

static bool lswi_ok(void)
{
	/* 10 bytes: r8 = 4, r9 = 4, r10 = 2 then zeros; high words 0 */
	return lswi_out[0] == be_word(src, 4) &&
	       lswi_out[1] == be_word(src + 4, 4) &&
	       lswi_out[2] == be_word(src + 8, 2);
}

static bool stsw_ok(void)
{
	return !memcmp(dst, src, 10) && dst[10] == 0;
}

static bool lmw_ok(void)
{
	return lmw_out[0] == be_word(src, 4) &&
	       lmw_out[1] == be_word(src + 4, 4) &&
	       lmw_out[2] == be_word(src + 8, 4);
}

static bool stmw_ok(void)
{
	return !memcmp(dst, src, 12) && dst[12] == 0;
}

static void test_strings(void)
{
	fill();
	string_or_alignment("lswi", do_lswi, lswi_ok);
	fill();
	memset(lswi_out, 0xff, sizeof(lswi_out));
	string_or_alignment("lswx", do_lswx, lswi_ok);
	fill();
	for (int i = 0; i < 3; i++)
		lswi_out[i] = be_word(src + 4 * i, i == 2 ? 2 : 4);
	string_or_alignment("stswx", do_stswx, stsw_ok);
	memset(dst, 0, sizeof(dst));
	string_or_alignment("stswi", do_stswi, stsw_ok);
	fill();
	string_or_alignment("lmw", do_lmw, lmw_ok);
	fill();
	for (int i = 0; i < 3; i++)
		lmw_out[i] = be_word(src + 4 * i, 4);
	string_or_alignment("stmw", do_stmw, stmw_ok);
}

static void test_unaligned(void)
{
	u64 d, want64;
	u32 w, want32;
	u16 h, want16;

	fill();
	for (int off = 1; off < 8; off += 3) {
		memcpy(&want64, src + off, 8);
		memcpy(&want32, src + off, 4);
		memcpy(&want16, src + off, 2);
		__asm__ __volatile__("ld %0, 0(%1)" : "=r"(d)
				     : "b"(src + off), "m"(src));
		__asm__ __volatile__("lwz %0, 0(%1)" : "=r"(w)
				     : "b"(src + off), "m"(src));
		__asm__ __volatile__("lhz %0, 0(%1)" : "=r"(h)
				     : "b"(src + off), "m"(src));
		report(d == want64 && w == want32 && h == want16,
		       "ld/lwz/lhz at offset %d: %#lx %#x %#x (want %#lx %#x "
		       "%#x)", off, (unsigned long)d, w, h,
		       (unsigned long)want64, want32, want16);
		memset(dst, 0, sizeof(dst));
		__asm__ __volatile__("std %1, 0(%0)" :: "b"(dst + off),
				     "r"(want64) : "memory");
		report(!memcmp(dst + off, src + off, 8) && dst[off - 1] == 0 &&
		       dst[off + 8] == 0, "std at offset %d writes exactly its "
		       "8 bytes", off);
	}
}

static void test_byte_reversed(void)
{
	u64 d, native;
	u32 w, native32;
	u16 h = 0;

	fill();
	memcpy(&native, src + 3, 8);
	memcpy(&native32, src + 3, 4);
	__asm__ __volatile__("ldbrx %0, 0, %1" : "=r"(d) : "r"(src + 3),
			     "m"(src));
	__asm__ __volatile__("lwbrx %0, 0, %1" : "=r"(w) : "r"(src + 3),
			     "m"(src));
	report(d == __builtin_bswap64(native) &&
	       w == __builtin_bswap32(native32), "ldbrx/lwbrx reverse the "
	       "bytes of ld/lwz (%#lx %#x)", (unsigned long)d, w);
	__asm__ __volatile__("sthbrx %1, 0, %0" :: "r"(dst), "r"(0x1234)
			     : "memory");
	memcpy(&h, dst, 2);
	report(h == 0x3412, "sthbrx stores 0x1234 reversed (read %#x natively, "
	       "want 0x3412)", h);
}

static u64 mcrxrx_cr;

static void do_mcrxrx(void *arg)
{
	(void)arg;
	__asm__ __volatile__("mtxer %1\n\tmcrxrx 3\n\tmfcr %0"
			     : "=r"(mcrxrx_cr) : "r"(XER_OV | XER_CA32)
			     : "xer", "cr3");
}

/* mcrxrx BF (v3.0): CR field BF = OV, OV32, CA, CA32. Before v3.0
 * (POWER8) there is no such instruction: an illegal instruction. */
static void test_mcrxrx(void)
{
	u32 ver = PVR_VER(mfspr(SPR_PVR));
	struct pt_regs regs;
	int vec = run_catching(do_mcrxrx, NULL, &regs);
	u64 cr = mcrxrx_cr;

	if (ver == PVR_POWER8 || ver == PVR_POWER8E || ver == PVR_POWER8NVL) {
		report(vec == VEC_PROGRAM && (regs.msr & SRR1_PROG_ILLEGAL),
		       "mcrxrx on POWER8 (ISA v2.07, PVR %#x): illegal "
		       "instruction (vector %#x, SRR1 %#lx)", ver, vec,
		       (unsigned long)regs.msr);
		return;
	}
	/* OV=1 OV32=0 CA=0 CA32=1: 0b1001 in CR3 (CR bits 12:15) */
	report(!vec && ((cr >> 16) & 0xf) == 0x9,
	       "mcrxrx with OV and CA32 set: CR3 %#lx (want 0x9, vector %#x)",
	       (unsigned long)((cr >> 16) & 0xf), vec);
}

static u64 mcrxr_cr, mcrxr_xer;

static void do_mcrxr(void *arg)
{
	(void)arg;
	__asm__ __volatile__("mtxer %2\n\tmcrxr 5\n\tmfcr %0\n\tmfxer %1"
			     : "=r"(mcrxr_cr), "=r"(mcrxr_xer)
			     : "r"(XER_SO | XER_CA | 0x7UL) : "xer", "cr5");
}

static void test_mcrxr(void)
{
	struct pt_regs regs;
	int vec = run_catching(do_mcrxr, NULL, &regs);
	u64 field = (mcrxr_cr >> 8) & 0xf;

	if (vec) {
		report(vec == VEC_PROGRAM && (regs.msr & SRR1_PROG_ILLEGAL),
		       "mcrxr: not executed, so an illegal instruction "
		       "(vector %#x, SRR1 %#lx)", vec, (unsigned long)regs.msr);
		return;
	}
	/* POWER: CR field = SO, OV, CA, 0; XER[32:35] cleared, rest kept */
	report(field == 0xa && (mcrxr_xer & (XER_SO | XER_OV | XER_CA)) == 0 &&
	       (mcrxr_xer & 0x7f) == 0x7, "mcrxr executed: CR5 %#lx (want "
	       "0xa), XER %#lx (SO, OV, CA cleared, byte count kept)",
	       (unsigned long)field, (unsigned long)mcrxr_xer);
}

int main(void)
{
	report_prefix_push("emulator");
	test_strings();
	test_unaligned();
	test_byte_reversed();
	test_mcrxrx();
	test_mcrxr();
	return report_summary();
}
