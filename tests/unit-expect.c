/* Unit tests of the --expect / known-failures list (launcher/expect.c). */
#include <stdlib.h>
#include <unistd.h>

#include "expect.h"
#include "qemuver.h"
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

static void expect_arch_ppc64_means_both_byte_orders(void)
{
	EXPECT_INT(parse("fail a arch=ppc64 why\nfail b arch=ppc64le why\n",
			 false), 0);
	EXPECT_INT(list.v[0].arches, ARCH_BIT(ARCH_PPC64) | ARCH_BIT(ARCH_PPC64LE));
	EXPECT_INT(list.v[1].arches, ARCH_BIT(ARCH_PPC64LE));
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

/* issue 16 item 9: a .md list without the fence is an error, not empty */
static void expect_markdown_without_expect_fence_is_an_error(void)
{
	EXPECT_INT(parse("# Known failures\n\nfail a * prose\n", true), -1);
	EXPECT_STR(err, "k.md:3: no ```expect block: a markdown list keeps its entries in one");
	EXPECT_INT(parse("```sh\nfail a * other\n```\n", true), -1);
	EXPECT_HAS(err, "no ```expect block");
	EXPECT_INT(parse("```expect\n```\n", true), 0);
	EXPECT_INT(list.n, 0);
	EXPECT_INT(parse("", false), 0);
}

static void expect_entry_names_a_test_of_the_catalog(void)
{
	static const char text[] = "[msr]\nfile = msr.flat\n[msr-amd]\nfile = msr.flat\n";
	struct cfg cfg;

	EXPECT_INT(cfg_parse("u.cfg", text, sizeof(text) - 1, &cfg, err, sizeof(err)), 0);
	EXPECT_INT(parse("fail msr * a\nfail \"msr*/x\" * b\nfail msrs * c\nfail \"pmu*\" * d\n", false), 0);
	EXPECT(expect_entry_names_a_test(&list.v[0], &cfg), "msr");
	EXPECT(expect_entry_names_a_test(&list.v[1], &cfg), "msr*");
	EXPECT(!expect_entry_names_a_test(&list.v[2], &cfg), "msrs");
	EXPECT(!expect_entry_names_a_test(&list.v[3], &cfg), "pmu*");
	cfg_free(&cfg);
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
		"fail a qemu8.0 why\n", "fail a qemu<8 why\n", "fail a qemu<8.x why\n",
		"fail a qemu<<8.0 why\n", "fail a kernel=>6.1 why\n",
		"fail a outer=xen why\n", "fail a qemu<8.0.1.2 why\n",
		"fail a kernel<=6 why\n", "fail a qemu< why\n",
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

static struct expect_host host_of(const char *qemu, const char *kernel,
				  enum expect_outer outer)
{
	struct expect_host h = { .outer = outer };

	h.qemu_parts = qemu ? version_parse(qemu, h.qemu, NULL) : 0;
	h.kernel_parts = kernel ? version_parse(kernel, h.kernel, NULL) : 0;
	return h;
}

static bool applies(const char *qemu, const char *kernel, enum expect_outer outer)
{
	struct expect_host h = host_of(qemu, kernel, outer);

	expect_set_host(&list, &h);
	return expect_find_test_fail(&list, "t", ARCH_X86_64, ACCEL_TCG) != NULL;
}

static void expect_qemu_version_conditions(void)
{
	EXPECT_INT(parse("fail t qemu<8.0 r\n", false), 0);
	EXPECT(list.uses_qemu, "qemu condition not noted");
	EXPECT(applies("7.2.0", NULL, OUTER_NONE), "7.2.0 < 8.0");
	EXPECT(applies("7.2.19", NULL, OUTER_NONE), "7.2.19 < 8.0");
	EXPECT(!applies("8.0.0", NULL, OUTER_NONE), "8.0.0 < 8.0");
	EXPECT(!applies("8.0.4", NULL, OUTER_NONE), "8.0.4 < 8.0 (parts not written compare equal)");
	EXPECT(!applies("10.0.0", NULL, OUTER_NONE), "10.0 < 8.0 (numeric, not text)");
	EXPECT(!applies(NULL, NULL, OUTER_NONE), "unknown version < 8.0");
	EXPECT_INT(parse("fail t qemu>=7.2,qemu<=9.1 r\n", false), 0);
	EXPECT(!applies("7.1.5", NULL, OUTER_NONE), "7.1.5 in [7.2, 9.1]");
	EXPECT(applies("7.2.0", NULL, OUTER_NONE), "7.2.0 in [7.2, 9.1]");
	EXPECT(applies("9.1.3", NULL, OUTER_NONE), "9.1.3 in [7.2, 9.1]");
	EXPECT(!applies("9.2.0", NULL, OUTER_NONE), "9.2.0 in [7.2, 9.1]");
	EXPECT_INT(parse("fail t qemu=7.2 r\n", false), 0);
	EXPECT(applies("7.2.11", NULL, OUTER_NONE), "7.2.11 = 7.2");
	EXPECT(!applies("7.20.0", NULL, OUTER_NONE), "7.20.0 = 7.2");
	EXPECT_INT(parse("fail t qemu>7.2.1 r\n", false), 0);
	EXPECT(!applies("7.2.1", NULL, OUTER_NONE), "7.2.1 > 7.2.1");
	EXPECT(applies("7.2.2", NULL, OUTER_NONE), "7.2.2 > 7.2.1");
}

static void expect_kernel_and_outer_conditions(void)
{
	EXPECT_INT(parse("fail t kernel<6.2,outer=tcg r\n", false), 0);
	EXPECT(!list.uses_qemu, "kernel condition taken for a qemu one");
	EXPECT(applies(NULL, "6.1.0-13-amd64", OUTER_TCG), "6.1 < 6.2 nested in tcg");
	EXPECT(!applies(NULL, "6.1.0", OUTER_NONE), "outer=tcg on a real host");
	EXPECT(!applies(NULL, "6.1.0", OUTER_KVM), "outer=tcg nested in kvm");
	EXPECT(!applies(NULL, "6.12.1", OUTER_TCG), "6.12 < 6.2");
	EXPECT(!applies(NULL, NULL, OUTER_TCG), "unknown kernel < 6.2");
	EXPECT_INT(parse("fail t outer=none,accel=tcg r\n", false), 0);
	EXPECT(applies(NULL, NULL, OUTER_NONE), "outer=none on a real host");
	EXPECT(!applies(NULL, NULL, OUTER_KVM), "outer=none nested");
}

static void expect_outer_names_round_trip(void)
{
	EXPECT_INT(expect_outer_from_name("none"), OUTER_NONE);
	EXPECT_INT(expect_outer_from_name("tcg"), OUTER_TCG);
	EXPECT_INT(expect_outer_from_name("kvm"), OUTER_KVM);
	EXPECT_INT(expect_outer_from_name("hvf"), -1);
	EXPECT_STR(expect_outer_name(OUTER_TCG), "tcg");
}

static void qemu_version_parses_version_output(void)
{
	unsigned v[EXPECT_VERSION_PARTS];

	EXPECT_INT(qemu_version_parse("QEMU emulator version 7.2.0 (Debian 1:7.2+dfsg-7+deb12u5)\n"
				      "Copyright (c) 2003-2022 Fabrice Bellard\n", v), 3);
	EXPECT_INT(v[0], 7);
	EXPECT_INT(v[1], 2);
	EXPECT_INT(v[2], 0);
	EXPECT_INT(qemu_version_parse("QEMU emulator version 10.0.50 (v10.0.0-1234-gabc)\n", v), 3);
	EXPECT_INT(v[0], 10);
	EXPECT_INT(v[2], 50);
	EXPECT_INT(qemu_version_parse("QEMU emulator version 9.1\n", v), 2);
	EXPECT_INT(qemu_version_parse("qemu-kvm: unknown option\n", v), 0);
	EXPECT_INT(qemu_version_parse("", v), 0);
}

int main(void)
{
	RUN(expect_parses_fail_entry);
	RUN(expect_parses_skip_entry_with_where);
	RUN(expect_parses_quoted_assertion_glob);
	RUN(expect_arch_ppc64_means_both_byte_orders);
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
	RUN(expect_qemu_version_conditions);
	RUN(expect_markdown_without_expect_fence_is_an_error);
	RUN(expect_entry_names_a_test_of_the_catalog);
	RUN(expect_kernel_and_outer_conditions);
	RUN(expect_outer_names_round_trip);
	RUN(qemu_version_parses_version_output);
	expect_free(&list);
	return unit_done();
}
