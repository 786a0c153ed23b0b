/*
 * Special purpose registers a partition's OS may write (Power ISA v3.0B
 * Book III, the SPR table in "Move To/From Special Purpose Register";
 * Book II for the problem-state ones): a written value reads back (the
 * register's defined bits only), and stays through an interrupt and
 * through H_CEDE, which lets the hypervisor run something else on the
 * thread (PAPR, H_CEDE) - the context switch a guest can cause.
 *
 * test_args: migration   also across a live migration between the
 *                        write and the read-back (lib/migrate.h)
 *            drop        with migration: change SPRG2 on the destination
 *                        only, as a lost SPR would: that check must FAIL
 */
#include "libcflat.h"
#include "migrate.h"
#include "powerpc/exceptions.h"
#include "powerpc/hcall.h"
#include "powerpc/processor.h"

/* MMCR0[FC], freeze counters (Book III, Performance Monitor) */
#define MMCR0_FC	PPC_BIT(32)
/* PPR[PRI], bits 11:13 (Book II, Program Priority Register) */
#define PPR_PRI(p)	((u64)(p) << 50)

/*
 * name, number, value written, bits that must read back, whether it must
 * survive interrupts and H_CEDE: an interrupt itself writes SRR0/SRR1 and
 * may write DAR/DSISR, so those are checked for read-back only. LR and CTR
 * are the compiler's to use between any two statements: left out.
 */
#define SPR_LIST(X)							\
	X(SPRG0,  SPR_SPRG0,  0x0123456789abcdefUL, ~0UL, 1)		\
	X(SPRG1,  SPR_SPRG1,  0xfedcba9876543210UL, ~0UL, 1)		\
	X(SPRG2,  SPR_SPRG2,  0x5a5a5a5aa5a5a5a5UL, ~0UL, 1)		\
	X(SPRG3,  SPR_SPRG3,  0x0f0f0f0ff0f0f0f0UL, ~0UL, 1)		\
	X(TAR,    SPR_TAR,    0x0000000012345678UL, ~3UL, 1)		\
	X(PPR,    SPR_PPR,    PPR_PRI(2),           PPR_PRI(7), 1)	\
	X(DSCR,   SPR_DSCR,   0x5UL,                0x7UL, 1)		\
	X(VRSAVE, SPR_VRSAVE, 0xdeadbeefUL,         0xffffffffUL, 1)	\
	X(PSPB,   SPR_PSPB,   0x1234567UL,          0xffffffffUL, 1)	\
	X(EBBHR,  SPR_EBBHR,  0x00000000deadbe00UL, ~3UL, 1)		\
	X(EBBRR,  SPR_EBBRR,  0x00000000cafe0000UL, ~3UL, 1)		\
	X(MMCR0,  SPR_MMCR0,  MMCR0_FC,             MMCR0_FC, 1)	\
	X(PMC1,   SPR_PMC1,   0x11111111UL,         0xffffffffUL, 1)	\
	X(PMC2,   SPR_PMC2,   0x22222222UL,         0xffffffffUL, 1)	\
	X(PMC3,   SPR_PMC3,   0x33333333UL,         0xffffffffUL, 1)	\
	X(PMC4,   SPR_PMC4,   0x44444444UL,         0xffffffffUL, 1)	\
	X(PMC5,   SPR_PMC5,   0x55555555UL,         0xffffffffUL, 1)	\
	X(PMC6,   SPR_PMC6,   0x66666666UL,         0xffffffffUL, 1)	\
	X(SIAR,   SPR_SIAR,   0x0000000000abcdefUL, ~0UL, 1)		\
	X(SDAR,   SPR_SDAR,   0x0000000000fedcbaUL, ~0UL, 1)		\
	X(DAR,    SPR_DAR,    0x00000000deadbeefUL, ~0UL, 0)		\
	X(DSISR,  SPR_DSISR,  0x42000000UL,         0xffffffffUL, 0)	\
	X(SRR0,   SPR_SRR0,   0x0000000000001230UL, ~3UL, 0)		\
	X(SRR1,   SPR_SRR1,   0x8000000000001000UL, 0x8000000000001000UL, 0)

struct spr {
	const char *name;
	int nr;
	u64 val, mask;
	bool kept;		/* must survive interrupts and H_CEDE */
};

#define AS_ENTRY(n, nr, v, m, k) { #n, nr, v, m, k },
static const struct spr sprs[] = { SPR_LIST(AS_ENTRY) };

static u64 spr_read(int nr)
{
	switch (nr) {
#define AS_READ(n, nr, v, m, k) case nr: return mfspr(nr);
	SPR_LIST(AS_READ)
	}
	assert_msg(0, "no SPR %d in the list", nr);
	return 0;
}

static void spr_write(int nr, u64 val)
{
	switch (nr) {
#define AS_WRITE(n, nr, v, m, k) case nr: mtspr(nr, val); return;
	SPR_LIST(AS_WRITE)
	}
	assert_msg(0, "no SPR %d in the list", nr);
}

static u64 saved[ARRAY_SIZE(sprs)];

static void write_all(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(sprs); i++)
		if (sprs[i].kept)
			spr_write(sprs[i].nr, sprs[i].val);
}

static void check_all(const char *when)
{
	int bad = 0;

	for (size_t i = 0; i < ARRAY_SIZE(sprs); i++) {
		const struct spr *s = &sprs[i];
		u64 got;

		if (!s->kept)
			continue;
		got = spr_read(s->nr) & s->mask;
		if (got != (s->val & s->mask)) {
			report_info("%s: %s (SPR %d) %#lx, want %#lx", when,
				    s->name, s->nr, (unsigned long)got,
				    (unsigned long)(s->val & s->mask));
			bad++;
		}
	}
	report(!bad, "%s: every value kept (%d changed)", when, bad);
}

static void test_read_back(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(sprs); i++) {
		const struct spr *s = &sprs[i];
		u64 got;

		saved[i] = spr_read(s->nr);
		spr_write(s->nr, s->val);
		got = spr_read(s->nr) & s->mask;
		report(got == (s->val & s->mask), "%s (SPR %d): wrote %#lx, "
		       "read %#lx (want %#lx)", s->name, s->nr,
		       (unsigned long)s->val, (unsigned long)got,
		       (unsigned long)(s->val & s->mask));
	}
}

static void do_sc(void *arg)
{
	(void)arg;
	__asm__ __volatile__("sc" ::: "memory");
}

static volatile int woke;

static void wake(struct pt_regs *regs, void *data)
{
	(void)regs;
	(void)data;
	woke++;
	mtspr(SPR_DEC, 0x7fffffffUL);
}

static void test_migration(bool drop)
{
	write_all();
	migrate();
	if (drop)
		mtspr(SPR_SPRG2, 0);
	check_all("after a migration");
}

int main(int argc, char **argv)
{
	bool migration = false, drop = false;
	long ret;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "migration")) {
			migration = true;
		} else if (!strcmp(argv[i], "drop")) {
			drop = true;
		} else {
			report_fail("unknown argument '%s'", argv[i]);
			return report_summary();
		}
	}
	report_prefix_push("sprs");
	test_read_back();

	write_all();
	report(run_catching(do_sc, NULL, NULL) == VEC_SYSCALL,
	       "a system call interrupt taken");
	check_all("after an interrupt");

	handle_exception(VEC_DECREMENTER, wake, NULL);
	write_all();
	/* H_CEDE sets MSR[EE] and returns once an interrupt is pending
	 * (PAPR, H_CEDE): the decrementer wakes us 10 ms later */
	mtspr(SPR_DEC, tb_hz / 100);
	ret = hcall_status(H_CEDE);
	local_irq_disable();
	report(ret == H_SUCCESS && woke == 1, "H_CEDE returned (%ld) and the "
	       "decrementer woke us (%d)", ret, woke);
	check_all("after H_CEDE");
	if (migration)
		test_migration(drop);

	for (size_t i = 0; i < ARRAY_SIZE(sprs); i++)
		if (sprs[i].kept)
			spr_write(sprs[i].nr, saved[i]);
	return report_summary();
}
