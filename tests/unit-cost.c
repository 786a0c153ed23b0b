/* Unit tests of costs, start order, CPU slots and shards (launcher/cost.c). */
#include <stdlib.h>
#include <unistd.h>

#include "cfg.h"
#include "cost.h"
#include "unit-harness.h"

static char err[256];

static struct cfg_test mk(const char *name, double timeout)
{
	struct cfg_test t = { 0 };

	t.name = (char *)name;
	t.timeout = timeout;
	return t;
}

static void cost_hint_is_timeout_or_default(void)
{
	struct cfg_test a = mk("a", 30), b = mk("b", 0);

	EXPECT(cost_hint(&a) == 30, "got %g, want 30", cost_hint(&a));
	EXPECT(cost_hint(&b) == CFG_DEFAULT_TIMEOUT, "got %g, want %g",
	       cost_hint(&b), CFG_DEFAULT_TIMEOUT);
}

static void start_order_is_longest_first_ties_in_catalog_order(void)
{
	const double cost[] = { 1, 5, 1, 9, 5 };
	const size_t want[] = { 3, 1, 4, 0, 2 };
	size_t order[5];

	cost_start_order(cost, 5, order);
	for (size_t i = 0; i < 5; i++)
		EXPECT_INT(order[i], want[i]);
}

static void slots_are_smp_capped_by_budget(void)
{
	EXPECT_INT(cost_slots(0, 4), 1);
	EXPECT_INT(cost_slots(1, 4), 1);
	EXPECT_INT(cost_slots(2, 4), 2);
	EXPECT_INT(cost_slots(4, 2), 2);
	EXPECT_INT(cost_slots(64, 1), 1);
}

static void shard_parse_takes_k_of_n(void)
{
	unsigned k = 0, n = 0;

	EXPECT_INT(shard_parse("2/4", &k, &n, err, sizeof(err)), 0);
	EXPECT_INT(k, 2);
	EXPECT_INT(n, 4);
	EXPECT_INT(shard_parse("1/1", &k, &n, err, sizeof(err)), 0);
}

static void shard_parse_rejects_bad_k_or_n(void)
{
	const char *bad[] = { "0/2", "3/2", "1/0", "2", "a/b", "1/2x", "-1/2",
			      "1/-2", "/2", "1/", "", " 1/2", "1/99999" };
	unsigned k, n;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		EXPECT(shard_parse(bad[i], &k, &n, err, sizeof(err)) < 0,
		       "'%s' accepted as %u/%u", bad[i], k, n);
		EXPECT(err[0], "'%s': no message", bad[i]);
	}
}

#define NT 9
static const char *const names[NT] = { "sieve", "smptest4", "selftest",
	"selftest-up", "smptest", "msr", "tsc", "emulator", "apic" };
static const double timeouts[NT] = { 180, 90, 60, 60, 60, 60, 60, 0, 30 };

static void shards_are_disjoint_and_cover_the_set(void)
{
	struct cfg_test t[NT];
	const struct cfg_test *p[NT];
	bool keep[NT];

	for (size_t i = 0; i < NT; i++)
		t[i] = mk(names[i], timeouts[i]), p[i] = &t[i];
	for (unsigned n = 1; n <= NT + 2; n++) {
		unsigned owners[NT] = { 0 };

		for (unsigned k = 1; k <= n; k++) {
			shard_pick(p, NT, k, n, keep);
			for (size_t i = 0; i < NT; i++)
				owners[i] += keep[i];
		}
		for (size_t i = 0; i < NT; i++)
			EXPECT(owners[i] == 1, "N=%u: %s in %u shards, want 1", n,
			       names[i], owners[i]);
	}
}

/* 180+30 | 90+60 | 90+60 | ...: the greedy split of known costs. */
static void shards_are_balanced_longest_first(void)
{
	struct cfg_test t[NT];
	const struct cfg_test *p[NT];
	bool keep[NT];
	double load[3] = { 0 };

	for (size_t i = 0; i < NT; i++)
		t[i] = mk(names[i], timeouts[i]), p[i] = &t[i];
	for (unsigned k = 1; k <= 3; k++) {
		shard_pick(p, NT, k, 3, keep);
		for (size_t i = 0; i < NT; i++)
			if (keep[i])
				load[k - 1] += cost_hint(&t[i]);
	}
	/* total 690: the greedy parts are 240, 240, 210 */
	EXPECT(load[0] == 240 && load[1] == 240 && load[2] == 210,
	       "got %g %g %g, want 240 240 210", load[0], load[1], load[2]);
}

/* The split depends on names and costs, not on the order given. */
static void shards_do_not_depend_on_input_order(void)
{
	struct cfg_test t[NT];
	const struct cfg_test *fwd[NT], *rev[NT];
	bool kf[NT], kr[NT];

	for (size_t i = 0; i < NT; i++)
		t[i] = mk(names[i], timeouts[i]);
	for (size_t i = 0; i < NT; i++)
		fwd[i] = &t[i], rev[i] = &t[NT - 1 - i];
	for (unsigned k = 1; k <= 4; k++) {
		shard_pick(fwd, NT, k, 4, kf);
		shard_pick(rev, NT, k, 4, kr);
		for (size_t i = 0; i < NT; i++)
			EXPECT(kf[i] == kr[NT - 1 - i], "shard %u/4: %s differs",
			       k, names[i]);
	}
}

static void durations_survive_a_save_and_skip_bad_lines(void)
{
	char dir[] = "/tmp/unit-cost.XXXXXX", *path;
	struct durations d = { 0 }, back;
	FILE *f;

	if (!mkdtemp(dir)) {
		EXPECT(0, "mkdtemp: cannot create %s", dir);
		return;
	}
	durations_set(&d, "sieve", 1.25);
	durations_set(&d, "msr", 0.5);
	durations_set(&d, "sieve", 2.5);
	EXPECT_INT(d.n, 2);
	EXPECT_INT(durations_save(dir, &d), 0);
	path = malloc(sizeof(dir) + sizeof(COST_DURATIONS_FILE) + 1);
	sprintf(path, "%s/%s", dir, COST_DURATIONS_FILE);
	f = fopen(path, "a");
	if (f) {
		fputs("broken\nneg -1\nnan nan\nx 1e300\n\ntsc 0.125\n", f);
		fclose(f);
	}
	durations_load(dir, &back);
	EXPECT_INT(back.n, 3);
	EXPECT(durations_get(&back, "sieve") == 2.5, "sieve %g, want 2.5",
	       durations_get(&back, "sieve"));
	EXPECT(durations_get(&back, "tsc") == 0.125, "tsc %g, want 0.125",
	       durations_get(&back, "tsc"));
	EXPECT(durations_get(&back, "none") < 0, "none %g, want -1",
	       durations_get(&back, "none"));
	unlink(path);
	rmdir(dir);
	free(path);
	durations_free(&d);
	durations_free(&back);
}

static void durations_of_a_missing_folder_are_empty(void)
{
	struct durations d;

	durations_load("/nonexistent/kut-durations", &d);
	EXPECT_INT(d.n, 0);
	durations_load(NULL, &d);
	EXPECT_INT(d.n, 0);
}

int main(void)
{
	RUN(cost_hint_is_timeout_or_default);
	RUN(start_order_is_longest_first_ties_in_catalog_order);
	RUN(slots_are_smp_capped_by_budget);
	RUN(shard_parse_takes_k_of_n);
	RUN(shard_parse_rejects_bad_k_or_n);
	RUN(shards_are_disjoint_and_cover_the_set);
	RUN(shards_are_balanced_longest_first);
	RUN(shards_do_not_depend_on_input_order);
	RUN(durations_survive_a_save_and_skip_bad_lines);
	RUN(durations_of_a_missing_folder_are_empty);
	return unit_done();
}
