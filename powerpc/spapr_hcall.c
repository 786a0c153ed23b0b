/*
 * PAPR hypervisor calls a partition uses directly: H_SET_SPRG0, H_PAGE_INIT
 * (zero and copy), H_RANDOM, and the return codes for calls made wrong
 * (PAPR, hypervisor call functions, "hcall-sprg0", "hcall-copy", "hcall-random").
 */
#include "libcflat.h"
#include "powerpc/hcall.h"
#include "powerpc/processor.h"

#define PAGE_4K		4096
/* An hcall number PAPR does not assign: reserved in the platform range. */
#define H_UNASSIGNED	0x4fc

static void test_sprg0(void)
{
	static const unsigned long vals[] = { 0x0123456789abcdefUL, 0, ~0UL };
	unsigned long old = mfspr(SPR_SPRG0);

	report_prefix_push("H_SET_SPRG0");
	for (size_t i = 0; i < ARRAY_SIZE(vals); i++) {
		long ret = hcall_status(H_SET_SPRG0, vals[i]);
		unsigned long got = mfspr(SPR_SPRG0);

		report(ret == H_SUCCESS && got == vals[i],
		       "SPRG0 = %#lx: returns %ld (want 0), reads %#lx",
		       vals[i], ret, got);
	}
	mtspr(SPR_SPRG0, old);
	report_prefix_pop();
}

static bool all_bytes(const u8 *p, size_t n, u8 v)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != v)
			return false;
	return true;
}

static void test_page_init(void)
{
	u8 *dst = memalign(PAGE_4K, 3 * PAGE_4K);
	u8 *src = dst + PAGE_4K, *other = dst + 2 * PAGE_4K;
	unsigned long d = (unsigned long)dst, s = (unsigned long)src;
	long ret;

	assert(dst);
	report_prefix_push("H_PAGE_INIT");
	memset(dst, 0xa5, PAGE_4K);
	memset(other, 0x3c, PAGE_4K);
	ret = hcall_status(H_PAGE_INIT, H_ZERO_PAGE, d, 0UL);
	report(ret == H_SUCCESS && all_bytes(dst, PAGE_4K, 0) &&
	       all_bytes(other, PAGE_4K, 0x3c),
	       "H_ZERO_PAGE zeroes exactly the 4 KiB page (ret %ld)", ret);

	for (int i = 0; i < PAGE_4K; i++)
		src[i] = (u8)(i * 7 + 1);
	ret = hcall_status(H_PAGE_INIT, H_COPY_PAGE, d, s);
	report(ret == H_SUCCESS && !memcmp(dst, src, PAGE_4K),
	       "H_COPY_PAGE copies the source page (ret %ld)", ret);

	ret = hcall_status(H_PAGE_INIT, H_COPY_PAGE | H_ICACHE_SYNCHRONIZE,
			   d, s);
	report(ret == H_SUCCESS, "H_COPY_PAGE with H_ICACHE_SYNCHRONIZE "
	       "(ret %ld, want 0)", ret);

	ret = hcall_status(H_PAGE_INIT, H_ZERO_PAGE, d + 8, 0UL);
	report(ret == H_PARAMETER, "unaligned destination refused with "
	       "H_PARAMETER (got %ld, want %d)", ret, H_PARAMETER);
	ret = hcall_status(H_PAGE_INIT, H_COPY_PAGE, d, s + 0x80);
	report(ret == H_PARAMETER, "unaligned source refused with "
	       "H_PARAMETER (got %ld, want %d)", ret, H_PARAMETER);
	ret = hcall_status(H_PAGE_INIT, H_ZERO_PAGE, 1UL << 60, 0UL);
	report(ret == H_PARAMETER, "destination outside the partition's "
	       "memory refused with H_PARAMETER (got %ld, want %d)",
	       ret, H_PARAMETER);
	/* dst holds the copy of src: a refused call that still zeroed or
	 * copied (rounding the address down) would change it */
	report(!memcmp(dst, src, PAGE_4K) && all_bytes(other, PAGE_4K, 0x3c),
	       "refused calls wrote nothing: the destination page still "
	       "holds the copy, the next page its 0x3c bytes");
	free(dst);
	report_prefix_pop();
}

static void test_random(void)
{
	unsigned long a[9], b[9];
	long r1, r2;

	report_prefix_push("H_RANDOM");
	if (!hcall_random_present()) {
		report_skip("no hcall-random in ibm,hypertas-functions and no "
			    "ibm,random node (QEMU needs -device spapr-rng)");
		report_prefix_pop();
		return;
	}
	r1 = hcall(H_RANDOM, a, 0);
	r2 = hcall(H_RANDOM, b, 0);
	report(r1 == H_SUCCESS && r2 == H_SUCCESS,
	       "returns H_SUCCESS (got %ld, %ld)", r1, r2);
	/* 2^-64 odds of a false failure */
	report(a[0] != b[0], "two draws differ (%#lx, %#lx)", a[0], b[0]);
	report_prefix_pop();
}

static void test_bad_calls(void)
{
	long ret = hcall_status(H_UNASSIGNED);

	report(ret == H_FUNCTION, "unassigned hcall %#x refused with "
	       "H_FUNCTION (got %ld, want %d)", H_UNASSIGNED, ret, H_FUNCTION);
	/* hcall numbers are multiples of 4 (PAPR, hypervisor call interface) */
	ret = hcall_status(H_SET_SPRG0 + 1, 0UL);
	report(ret == H_FUNCTION, "misaligned hcall number %#x refused with "
	       "H_FUNCTION (got %ld, want %d)", H_SET_SPRG0 + 1, ret,
	       H_FUNCTION);
}

int main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	report_prefix_push("spapr_hcall");
	test_sprg0();
	test_page_init();
	test_random();
	test_bad_calls();
	return report_summary();
}
