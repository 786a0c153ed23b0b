/* Unit tests of the --expect / known-failures list (launcher/expect.c). */
#include <stdlib.h>
#include <unistd.h>

#include "expect.h"
#include "unit-harness.h"

static struct expect_list list;
static char err[512];

static int parse(const char *text, bool markdown)
{
	expect_free(&list);
	err[0] = '\0';
	return expect_parse("k.md", text, strlen(text), markdown, &list, err, sizeof(err));
}

static void expect_parses_fail_entry(void)
{
	EXPECT_INT(parse("fail eventinj * NMI during IRET is lost (SDM vol 3, 6.7.1)\n", false), 0);
	EXPECT_INT(list.n, 1);
	EXPECT_INT(list.v[0].kind, EXPECT_FAIL);
	EXPECT_STR(list.v[0].test_glob, "eventinj");
	EXPECT(list.v[0].assert_glob == NULL, "assert glob set");
	EXPECT_STR(list.v[0].reason, "NMI during IRET is lost (SDM vol 3, 6.7.1)");
	EXPECT_STR(list.v[0].where, "k.md:1");
}

/* found by fuzz/expect.c: an empty WHERE read before its first byte */
static void expect_rejects_empty_where(void)
{
	EXPECT_INT(parse("fail a \"\" some reason\n", false), -1);
	EXPECT_HAS(err, "k.md:1: bad WHERE ''");
}

static void expect_rejects_empty_test_and_reason(void)
{
	EXPECT_INT(parse("fail \"\" * some reason\n", false), -1);
	EXPECT_HAS(err, "k.md:1: bad test ''");
	EXPECT_INT(parse("fail a * \"\" \"\"\n", false), -1);
	EXPECT_HAS(err, "k.md:1: missing reason");
}

static void expect_parses_skip_entry_with_where(void)
{
	EXPECT_INT(parse("skip  pmu  arch=x86_64,accel=kvm  host has enable_pmu=N\n", false), 0);
	EXPECT_INT(list.n, 1);
	EXPECT_INT(list.v[0].kind, EXPECT_SKIP);
	EXPECT_INT(list.v[0].accel, ACCEL_KVM);
	EXPECT_INT(list.v[0].arches, ARCH_BIT(ARCH_X86_64));
}

static void expect_parses_quoted_assertion_glob(void)
{
	EXPECT_INT(parse("fail  \"emulator/emulator: movbe*\"  accel=kvm  kvm_pvm: emulation failure on movbe\n",
			 false), 0);
	EXPECT_INT(list.n, 1);
	EXPECT_STR(list.v[0].test_glob, "emulator");
	EXPECT_STR(list.v[0].assert_glob, "emulator: movbe*");
	EXPECT_STR(list.v[0].reason, "kvm_pvm: emulation failure on movbe");
}

static void expect_skips_comments_and_blank_lines(void)
{
	EXPECT_INT(parse("# a comment\n\n   \nfail a * why # trailing comment\n", false), 0);
	EXPECT_INT(list.n, 1);
	EXPECT_STR(list.v[0].reason, "why");
}

static void expect_markdown_counts_only_expect_fences(void)
{
	static const char md[] =
		"# Known failures\n"
		"fail not-an-entry * prose\n"
		"```sh\n"
		"fail also-not * in another fence\n"
		"```\n"
		"```expect\n"
		"fail real * the one\n"
		"```\n"
		"more prose: fail x * y\n";

	EXPECT_INT(parse(md, true), 0);
	EXPECT_INT(list.n, 1);
	EXPECT_STR(list.v[0].test_glob, "real");
	EXPECT_STR(list.v[0].where, "k.md:7");
}

static void expect_rejects_unclosed_expect_fence(void)
{
	EXPECT_INT(parse("```expect\nfail a * b\n", true), -1);
	EXPECT_STR(err, "k.md:1: ```expect block never closed");
}

static void expect_rejects_unknown_kind(void)
{
	EXPECT_INT(parse("\nxfail a * b\n", false), -1);
	EXPECT_STR(err, "k.md:2: unknown kind 'xfail' (want fail or skip)");
}

static void expect_rejects_missing_fields(void)
{
	EXPECT_INT(parse("fail\n", false), -1);
	EXPECT_STR(err, "k.md:1: missing test name after 'fail'");
	EXPECT_INT(parse("fail a\n", false), -1);
	EXPECT_HAS(err, "k.md:1: missing WHERE");
	EXPECT_INT(parse("fail a accel=kvm\n", false), -1);
	EXPECT_STR(err, "k.md:1: missing reason after 'accel=kvm'");
}

static void expect_rejects_bad_where(void)
{
	static const char *const bad[] = {
		"fail a accel=hvf why\n", "fail a arch=sparc why\n",
		"fail a kvm why\n", "fail a arch=x86_64, why\n",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		EXPECT_INT(parse(bad[i], false), -1);
		EXPECT_HAS(err, "k.md:1: bad WHERE");
	}
}

static void expect_rejects_skip_of_an_assertion(void)
{
	EXPECT_INT(parse("skip a/b* * why\n", false), -1);
	EXPECT_HAS(err, "k.md:1: skip takes a whole test");
}

static void expect_rejects_unterminated_quote(void)
{
	EXPECT_INT(parse("fail \"a * why\n", false), -1);
	EXPECT_STR(err, "k.md:1: unterminated \" quote");
}

static void expect_rejects_binary_data(void)
{
	static const char bin[] = "fail a * b\n\0\x01";

	expect_free(&list);
	EXPECT_INT(expect_parse("k.md", bin, sizeof(bin) - 1, false, &list, err, sizeof(err)), -1);
	EXPECT_HAS(err, "binary data");
}

static void expect_load_missing_file(void)
{
	expect_free(&list);
	EXPECT_INT(expect_load("/nonexistent/known.md", true, &list, err, sizeof(err)), 0);
	EXPECT_INT(expect_load("/nonexistent/known.md", false, &list, err, sizeof(err)), -1);
	EXPECT_STR(err, "/nonexistent/known.md: No such file or directory");
}

static void expect_load_reads_markdown_by_name(void)
{
	static const char md[] = "fail prose * not read\n```expect\nskip a * b\n```\n";
	const char *tmp = getenv("TMPDIR");
	char path[4096];
	int fd;

	snprintf(path, sizeof(path), "%s/kut-unit-expect-XXXXXX.md", tmp && *tmp ? tmp : "/tmp");
	fd = mkstemps(path, 3);

	if (fd < 0 || write(fd, md, sizeof(md) - 1) != (ssize_t)(sizeof(md) - 1)) {
		EXPECT(0, "cannot write %s", path);
		return;
	}
	close(fd);
	expect_free(&list);
	EXPECT_INT(expect_load(path, false, &list, err, sizeof(err)), 0);
	EXPECT_INT(list.n, 1);
	unlink(path);
}

static void expect_matches_by_test_glob_arch_and_accel(void)
{
	EXPECT_INT(parse("skip pm* arch=x86_64,accel=kvm r1\n"
			 "fail emu* accel=tcg r2\n"
			 "fail \"vmx/vmx: ept*\" * r3\n", false), 0);
	EXPECT(expect_find_skip(&list, "pmu", ARCH_X86_64, ACCEL_KVM) != NULL, "pmu kvm");
	EXPECT(expect_find_skip(&list, "pmu", ARCH_X86_64, ACCEL_TCG) == NULL, "pmu tcg");
	EXPECT(expect_find_skip(&list, "pmu", ARCH_I386, ACCEL_KVM) == NULL, "pmu i386");
	EXPECT(expect_find_test_fail(&list, "emulator", ARCH_I386, ACCEL_TCG) != NULL, "emu");
	EXPECT(expect_find_test_fail(&list, "emulator", ARCH_I386, ACCEL_KVM) == NULL, "emu kvm");
	EXPECT(expect_find_test_fail(&list, "vmx", ARCH_X86_64, ACCEL_KVM) == NULL,
	       "assertion entry taken for a whole-test one");
	EXPECT(expect_find_assert_fail(&list, "vmx", ARCH_X86_64, ACCEL_KVM,
				       "vmx: ept: access") != NULL, "vmx ept");
	EXPECT(expect_find_assert_fail(&list, "vmx", ARCH_X86_64, ACCEL_KVM,
				       "vmx: vpid") == NULL, "vmx vpid");
}

int main(void)
{
	RUN(expect_parses_fail_entry);
	RUN(expect_parses_skip_entry_with_where);
	RUN(expect_parses_quoted_assertion_glob);
	RUN(expect_skips_comments_and_blank_lines);
	RUN(expect_markdown_counts_only_expect_fences);
	RUN(expect_rejects_unclosed_expect_fence);
	RUN(expect_rejects_unknown_kind);
	RUN(expect_rejects_missing_fields);
	RUN(expect_rejects_bad_where);
	RUN(expect_rejects_skip_of_an_assertion);
	RUN(expect_rejects_unterminated_quote);
	RUN(expect_rejects_binary_data);
	RUN(expect_load_missing_file);
	RUN(expect_load_reads_markdown_by_name);
	RUN(expect_matches_by_test_glob_arch_and_accel);
	RUN(expect_rejects_empty_where);
	RUN(expect_rejects_empty_test_and_reason);
	expect_free(&list);
	return unit_done();
}
