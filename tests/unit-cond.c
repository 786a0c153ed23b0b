/* Unit tests of the disabled_if condition language (launcher/cond.c). */
#include "cond.h"
#include "unit-harness.h"

static char err[256];

/* 1 true, 0 false, -1 parse error */
static int eval(const char *text, const char *arch, const char *accel)
{
	struct cond c;
	int r;

	err[0] = '\0';
	if (cond_parse(text, &c, err, sizeof(err)) < 0)
		return -1;
	r = cond_eval(&c, arch, accel);
	cond_free(&c);
	return r;
}

static void cond_single_term_matches_accel(void)
{
	EXPECT_INT(eval("accel=tcg", "x86_64", "tcg"), 1);
	EXPECT_INT(eval("accel=tcg", "x86_64", "kvm"), 0);
	EXPECT_INT(eval("accel==kvm", "x86_64", "kvm"), 1);
	EXPECT_INT(eval("accel!=kvm", "x86_64", "tcg"), 1);
}

static void cond_comma_and_ampersands_need_all_terms(void)
{
	EXPECT_INT(eval("arch=i386,accel=kvm", "i386", "kvm"), 1);
	EXPECT_INT(eval("arch=i386,accel=kvm", "i386", "tcg"), 0);
	EXPECT_INT(eval("arch=i386 && accel=kvm", "x86_64", "kvm"), 0);
}

static void cond_bars_need_one_alternative(void)
{
	EXPECT_INT(eval("arch=arm || accel=tcg", "x86_64", "tcg"), 1);
	EXPECT_INT(eval("arch=arm || accel=tcg", "arm", "kvm"), 1);
	EXPECT_INT(eval("arch=arm || accel=tcg", "x86_64", "kvm"), 0);
}

static void cond_reads_upstream_bash_form(void)
{
	EXPECT_INT(eval("[[ \"$TARGET\" != qemu ]]", "aarch64", "kvm"), 0);
	EXPECT_INT(eval("[[ \"$TARGET\" = qemu ]]", "aarch64", "kvm"), 1);
	EXPECT_INT(eval("[ \"${ACCEL}\" == tcg ]", "x86_64", "tcg"), 1);
}

static void cond_arch_aliases_and_globs(void)
{
	EXPECT_INT(eval("arch=arm64", "aarch64", "tcg"), 1);
	/* two arches now: little-endian ppc64le and big-endian ppc64 */
	EXPECT_INT(eval("arch=ppc64le", "ppc64le", "tcg"), 1);
	EXPECT_INT(eval("arch=ppc64le", "ppc64", "tcg"), 0);
	/* but upstream's arch=ppc64 means POWER of either byte order */
	EXPECT_INT(eval("arch=ppc64", "ppc64le", "tcg"), 1);
	EXPECT_INT(eval("arch=ppc64", "ppc64", "kvm"), 1);
	EXPECT_INT(eval("arch=ppc64", "x86_64", "tcg"), 0);
	EXPECT_INT(eval("arch=x86*", "x86_64", "tcg"), 1);
	EXPECT_INT(eval("arch=x86*", "i386", "tcg"), 0);
}

static void cond_rejects_unknown_variable(void)
{
	EXPECT_INT(eval("color=red", "x86_64", "tcg"), -1);
	EXPECT_STR(err, "unknown variable 'color' (want arch, accel or target)");
}

static void cond_rejects_word_without_operator(void)
{
	EXPECT_INT(eval("tcg", "x86_64", "tcg"), -1);
	EXPECT_HAS(err, "cannot read 'tcg'");
}

static void cond_rejects_empty_condition(void)
{
	EXPECT_INT(eval("[[ ]]", "x86_64", "tcg"), -1);
	EXPECT_STR(err, "empty condition");
	EXPECT_INT(eval("|| accel=tcg", "x86_64", "tcg"), -1);
	EXPECT_HAS(err, "'||' without a condition");
	EXPECT_INT(eval("accel=", "x86_64", "tcg"), -1);
	EXPECT_HAS(err, "empty value");
}

int main(void)
{
	RUN(cond_single_term_matches_accel);
	RUN(cond_comma_and_ampersands_need_all_terms);
	RUN(cond_bars_need_one_alternative);
	RUN(cond_reads_upstream_bash_form);
	RUN(cond_arch_aliases_and_globs);
	RUN(cond_rejects_unknown_variable);
	RUN(cond_rejects_word_without_operator);
	RUN(cond_rejects_empty_condition);
	return unit_done();
}
