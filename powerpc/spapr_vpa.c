/*
 * The Virtual Processor Area (PAPR, H_REGISTER_VPA and the VPA layout):
 * registration refuses a misaligned, too small, page-crossing area or an
 * unknown processor with H_PARAMETER; a registered area's dispatch count
 * is even while the processor runs and grows when the hypervisor stops
 * and restarts it (here around H_CEDE); a deregistered one is left alone.
 */
#include "libcflat.h"
#include "powerpc/exceptions.h"
#include "powerpc/hcall.h"
#include "powerpc/processor.h"
#include "powerpc/smp.h"

#define VPA_SIZE_OFF		0x4	/* u16, big-endian */
#define VPA_DISPATCH_OFF	0x100	/* u32, big-endian */
#define VPA_MIN_SIZE		640
#define CACHE_LINE		128	/* d-cache-block-size on POWER8..10 */
#define PAGE_4K			4096

static u8 area[2 * PAGE_4K] __aligned(PAGE_4K);

static void set_size(u8 *vpa, u16 size)
{
	vpa[VPA_SIZE_OFF] = size >> 8;
	vpa[VPA_SIZE_OFF + 1] = size & 0xff;
}

static u32 dispatch_count(const u8 *vpa)
{
	const volatile u8 *p = vpa + VPA_DISPATCH_OFF;

	return (u32)p[0] << 24 | (u32)p[1] << 16 | (u32)p[2] << 8 | p[3];
}

static long vpa_call(u64 flags, u32 server, u8 *vpa)
{
	return hcall_status(H_REGISTER_VPA, flags, (unsigned long)server,
			    (unsigned long)vpa);
}

static volatile int woke;

static void wake(struct pt_regs *regs, void *data)
{
	(void)regs;
	(void)data;
	woke++;
	mtspr(SPR_DEC, 0x7fffffffUL);
}

/*
 * Cede until the decrementer wakes us 20 ms later. H_CEDE returns at once,
 * without stopping the vCPU (so no dispatch is counted), when an interrupt
 * is already pending: on a loaded host the 20 ms may pass before the hcall
 * runs. So cede up to CEDE_TRIES times, until @vpa's count moves (when
 * @vpa is NULL: all of them). Returns how many cedes ran.
 */
#define CEDE_TRIES	5

static int cede_20ms(const u8 *vpa)
{
	u32 before = vpa ? dispatch_count(vpa) : 0;
	int i;

	for (i = 1; i <= CEDE_TRIES; i++) {
		woke = 0;
		mtspr(SPR_DEC, tb_hz / 50);
		hcall_status(H_CEDE);
		local_irq_disable();
		if (vpa && dispatch_count(vpa) != before)
			break;
	}
	return i > CEDE_TRIES ? CEDE_TRIES : i;
}

static void test_refused(u32 me)
{
	long ret;

	set_size(area + 64, VPA_MIN_SIZE);
	ret = vpa_call(H_VPA_REGISTER, me, area + 64);
	report(ret == H_PARAMETER, "not cache-line aligned: H_PARAMETER (got "
	       "%ld, want %d)", ret, H_PARAMETER);
	set_size(area, VPA_MIN_SIZE - 1);
	ret = vpa_call(H_VPA_REGISTER, me, area);
	report(ret == H_PARAMETER, "size %d, below %d: H_PARAMETER (got %ld)",
	       VPA_MIN_SIZE - 1, VPA_MIN_SIZE, ret);
	set_size(area + PAGE_4K - 2 * CACHE_LINE, VPA_MIN_SIZE);
	ret = vpa_call(H_VPA_REGISTER, me, area + PAGE_4K - 2 * CACHE_LINE);
	report(ret == H_PARAMETER, "crossing a 4 KiB boundary: H_PARAMETER "
	       "(got %ld)", ret);
	set_size(area, VPA_MIN_SIZE);
	ret = vpa_call(H_VPA_REGISTER, 0x7fffff, area);
	report(ret == H_PARAMETER, "unknown processor: H_PARAMETER (got %ld)",
	       ret);
}

int main(void)
{
	u32 me = cpus[smp_id()].server;
	u32 c0, c1, c2;
	int tries;
	long ret;

	report_prefix_push("spapr_vpa");
	if (!hcall_set_present("hcall-splpar")) {
		report_skip("no hcall-splpar in ibm,hypertas-functions");
		return report_summary();
	}
	handle_exception(VEC_DECREMENTER, wake, NULL);
	test_refused(me);

	memset(area, 0, sizeof(area));
	set_size(area, VPA_MIN_SIZE);
	ret = vpa_call(H_VPA_REGISTER, me, area);
	report(ret == H_SUCCESS, "register a %d-byte area: %ld (want 0)",
	       VPA_MIN_SIZE, ret);
	c0 = dispatch_count(area);
	report(!(c0 & 1), "dispatch count %u is even while we run", c0);
	tries = cede_20ms(area);
	c1 = dispatch_count(area);
	report(!(c1 & 1) && c1 >= c0 + 2, "after 20 ms H_CEDEs (%d): %u (want "
	       "even and >= %u)", tries, c1, c0 + 2);

	ret = vpa_call(H_VPA_DEREGISTER, me, NULL);
	report(ret == H_SUCCESS, "deregister: %ld (want 0)", ret);
	cede_20ms(NULL);
	c2 = dispatch_count(area);
	report(c2 == c1, "a deregistered area is left alone (%u, was %u)", c2,
	       c1);
	return report_summary();
}
