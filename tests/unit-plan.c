/* Unit tests of what plan_item() decides before anything runs
 * (launcher/plan.c): a missing image fails, only a left-out arch skips. */
#include <stdlib.h>

#include "plan.h"
#include "unit-harness.h"

static char err[512];
static struct cfg cfg;

static struct run_item plan_one(const char *images, bool arch_built)
{
	static const char text[] = "[t]\nfile = t.flat\n";
	struct expect_list none = { 0 };
	struct plan_env env = {
		.arch = ARCH_X86_64, .accel = ACCEL_TCG, .images = images,
		.arch_built = arch_built, .expect = &none, .timeout_factor = 1,
		.online_cpus = 2,
	};
	struct run_item it;

	cfg_free(&cfg);
	if (cfg_parse("u.cfg", text, sizeof(text) - 1, &cfg, err, sizeof(err)) < 0)
		abort();
	plan_item(&env, &cfg.tests[0], &it);
	return it;
}

/* issue 16 item 1 */
static void plan_missing_image_of_a_built_arch_fails(void)
{
	struct run_item it = plan_one("/nonexistent-kut-images", true);

	EXPECT(it.skip, "a missing image was started");
	EXPECT(it.image_missing, "not marked as a missing image");
	EXPECT_INT(it.res.verdict.kind, VERDICT_FAIL);
	EXPECT_HAS(it.res.verdict.reason, "/nonexistent-kut-images/t.flat: No such file");
	plan_item_free(&it);
	it = plan_one(NULL, true);
	EXPECT_INT(it.res.verdict.kind, VERDICT_FAIL);
	EXPECT_HAS(it.res.verdict.reason, "no images folder for x86_64");
	plan_item_free(&it);
}

static void plan_left_out_arch_skips_and_says_so(void)
{
	struct run_item it = plan_one(NULL, false);

	EXPECT_INT(it.res.verdict.kind, VERDICT_SKIP);
	EXPECT(!it.image_missing, "a left-out arch counted as a missing image");
	EXPECT_HAS(it.res.verdict.reason, "this build left out x86_64");
	plan_item_free(&it);
}

int main(void)
{
	RUN(plan_missing_image_of_a_built_arch_fails);
	RUN(plan_left_out_arch_skips_and_says_so);
	cfg_free(&cfg);
	return unit_done();
}
