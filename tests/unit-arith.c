/* Unit tests of the $((...)) evaluator of smp values (launcher/arith.c). */
#include "arith.h"
#include "unit-harness.h"

static char why[256];

static long long eval(const char *s, long long max_smp)
{
	long long v = -12345;

	why[0] = '\0';
	if (arith_eval(s, max_smp, &v, why, sizeof(why)) < 0)
		return -99999;
	return v;
}

static void arith_evaluates_upstream_smp_forms(void)
{
	EXPECT_INT(eval("$((($MAX_SMP < 8)?$MAX_SMP:8))", 4), 4);
	EXPECT_INT(eval("$((($MAX_SMP < 8)?$MAX_SMP:8))", 64), 8);
	EXPECT_INT(eval("$(( ($MAX_SMP > 2) ? 2 : $MAX_SMP ))", 1), 1);
	EXPECT_INT(eval("$((${MAX_SMP} / 2))", 7), 3);
	EXPECT_INT(eval("$((MAX_SMP - 1))", 5), 4);
}

static void arith_follows_c_precedence(void)
{
	EXPECT_INT(eval("$((1 + 2 * 3))", 1), 7);
	EXPECT_INT(eval("$(((1 + 2) * 3))", 1), 9);
	EXPECT_INT(eval("$((10 - 4 - 3))", 1), 3);
	EXPECT_INT(eval("$((1 << 3 + 1))", 1), 16);
	EXPECT_INT(eval("$((7 & 3 | 8))", 1), 11);
	EXPECT_INT(eval("$((1 || 0 && 0))", 1), 1);
	EXPECT_INT(eval("$((2 < 3 == 1))", 1), 1);
	EXPECT_INT(eval("$((-2 * -3 % 4))", 1), 2);
	EXPECT_INT(eval("$((!0 + ~0))", 1), 0);
	EXPECT_INT(eval("$((0 ? 1 : 0 ? 2 : 3))", 1), 3);
	EXPECT_INT(eval("$((5 >= 5 && 4 <= 3 || 6 != 6 ^ 1))", 1), 1);
	EXPECT_INT(eval("$((9 >> 1))", 1), 4);
}

static void arith_untaken_branch_may_divide_by_zero(void)
{
	EXPECT_INT(eval("$(($MAX_SMP > 1 ? 8 / ($MAX_SMP - 1) : 1))", 1), 1);
	EXPECT_INT(eval("$(($MAX_SMP > 1 ? 8 / ($MAX_SMP - 1) : 1))", 3), 4);
}

static void arith_rejects_what_it_cannot_evaluate(void)
{
	static const char *const bad[] = {
		"$((1 +))", "$((1 / 0))", "$(($HOME))", "$((x))", "$((1 ? 2))",
		"$((9223372036854775807 + 1))", "$((99999999999999999999))",
		"$((1 << 64))", "$(((1))", "$((1 2))", "$((010))", "$(( ))",
		"$((`id`))", "$((a = 1))", "$(echo 1)", "4",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		EXPECT(eval(bad[i], 4) == -99999, "'%s' evaluated", bad[i]);
	eval("$((1 / 0))", 4);
	EXPECT_HAS(why, "division by zero");
	eval("$(($HOME))", 4);
	EXPECT_HAS(why, "unknown variable");
}

static void arith_survives_deep_nesting(void)
{
	char s[4096];
	size_t n = 0;

	n += (size_t)snprintf(s + n, sizeof(s) - n, "$((");
	for (int i = 0; i < 500; i++)
		s[n++] = '(';
	s[n++] = '1';
	for (int i = 0; i < 500; i++)
		s[n++] = ')';
	snprintf(s + n, sizeof(s) - n, "))");
	EXPECT(eval(s, 1) == -99999, "500 parentheses evaluated");
	EXPECT_HAS(why, "nested too deeply");
	n = (size_t)snprintf(s, sizeof(s), "$((");
	for (int i = 0; i < 500; i++)
		s[n++] = '-';
	snprintf(s + n, sizeof(s) - n, "1))");
	EXPECT(eval(s, 1) == -99999, "500 minus signs evaluated");
}

int main(void)
{
	RUN(arith_evaluates_upstream_smp_forms);
	RUN(arith_follows_c_precedence);
	RUN(arith_untaken_branch_may_divide_by_zero);
	RUN(arith_rejects_what_it_cannot_evaluate);
	RUN(arith_survives_deep_nesting);
	return unit_done();
}
